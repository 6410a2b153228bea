package dev.topics.storage.wal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.CommitOnCaller;
import dev.topics.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committer's leader/follower commit: a marked writer that finds the committer idle
 * commits its own group on its own thread; the single-writer rule holds whoever commits;
 * duties still run; and after {@code stopInlineCommits} every group is the committer's.
 * A real WAL on disk, forced.
 */
@Timeout(60)
class CommitterInlineTest {
    @TempDir
    Path tmp;

    private final AtomicLong dutyRuns = new AtomicLong();
    private Committer committer;

    /** Shared by every task: touched only by whoever holds the committer's lock. */
    private long seq;
    private final AtomicInteger inside = new AtomicInteger();
    private final AtomicInteger overlaps = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        WalWriter wal = new WalWriter(tmp, 1, 64L << 20);
        committer = new Committer(new AppendRing<>(1024), wal, new Committer.Duties() {
            @Override
            public void between(WalWriter w) {
                dutyRuns.incrementAndGet();
            }

            @Override
            public void shutdown(WalWriter w) {
            }
        }, 200, new DiskSpace(tmp, 0), true);
        committer.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        committer.close();
    }

    /** A task that takes the next seq in prepare, writes a frame, asks for a force, and says where it ran. */
    private final class Numbered extends CommitTask {
        Thread preparedOn;
        long got;

        @Override
        protected Sync prepare(ByteSink wal) {
            if (inside.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            preparedOn = Thread.currentThread();
            long s = seq; // a lost update here would show as a missing or repeated seq
            Thread.onSpinWait();
            seq = s + 1;
            got = seq;
            wal.i64(got);
            inside.decrementAndGet();
            return Sync.FORCE;
        }

        @Override
        protected void apply() {
            if (inside.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            inside.decrementAndGet();
        }
    }

    @Test
    void aMarkedWriterCommitsOnItsOwnThreadWhenTheCommitterIsIdleAndAnUnmarkedOneHandsOver() throws Exception {
        Numbered marked = new Numbered();
        Thread caller = Thread.currentThread();
        CommitOnCaller.run(() -> {
            committer.submit(marked);
            return null;
        });
        assertThat(marked.failure()).isNull();
        assertThat(marked.preparedOn).as("the writer's own thread").isSameAs(caller);
        assertThat(committer.stats().forces).as("the inline group was forced").isEqualTo(1);

        Numbered plain = new Numbered();
        committer.submit(plain);
        assertThat(plain.failure()).isNull();
        assertThat(plain.preparedOn.getName()).isEqualTo("topics-committer");
        assertThat(plain.got).isEqualTo(2);
    }

    @Test
    void concurrentWritersEachGetOneSeqAndNobodyPreparesAlongsideAnother() throws Exception {
        int writers = 8;
        int each = 2_000;
        List<Numbered> all = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger inline = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            threads.add(Thread.ofVirtual().start(() -> CommitOnCaller.run(() -> {
                for (int i = 0; i < each; i++) {
                    Numbered t = new Numbered();
                    committer.submit(t);
                    all.add(t);
                    if (t.preparedOn == Thread.currentThread()) {
                        inline.incrementAndGet();
                    }
                }
                return null;
            })));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(all).hasSize(writers * each).allSatisfy(t -> assertThat(t.failure()).isNull());
        assertThat(overlaps.get()).as("tasks prepared or applied at the same time").isZero();
        assertThat(all.stream().mapToLong(t -> t.got).sorted().toArray())
                .as("every seq once: 1..n").isEqualTo(java.util.stream.LongStream.rangeClosed(1, writers * each).toArray());
        assertThat(inline.get()).as("some groups ran on the writers' threads").isPositive();
    }

    @Test
    void dutiesRunWhileOnlyInlineGroupsAreCommitted() {
        AtomicInteger inline = new AtomicInteger();
        CommitOnCaller.run(() -> {
            for (int i = 0; i < 20; i++) {
                Numbered t = new Numbered();
                committer.submit(t);
                assertThat(t.failure()).isNull();
                // a group that finds the committer running its duties is handed over, as it should be
                if (t.preparedOn == Thread.currentThread()) {
                    inline.incrementAndGet();
                }
            }
            return null;
        });
        assertThat(inline.get()).as("groups committed on the writer's thread").isPositive();
        long before = dutyRuns.get();
        Await.until("the committer runs its duties within its idle tick, with no group to commit", Duration.ofSeconds(5),
                () -> dutyRuns.get() > before + 1);
    }

    @Test
    void afterStopInlineCommitsEveryGroupIsTheCommitters() {
        committer.stopInlineCommits();
        Numbered t = new Numbered();
        CommitOnCaller.run(() -> {
            committer.submit(t);
            return null;
        });
        assertThat(t.failure()).isNull();
        assertThat(t.preparedOn.getName()).isEqualTo("topics-committer");
    }
}
