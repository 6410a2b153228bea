package dev.topics.storage.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SparseIndexTest {
    private static final long FALLBACK = Segment.HEADER;

    /** Entries (seq 10, pos 100), (20, 200), (30, 300). */
    private static SparseIndex threeEntries() {
        SparseIndex idx = new SparseIndex();
        idx.add(10, 100);
        idx.add(20, 200);
        idx.add(30, 300);
        return idx;
    }

    @ParameterizedTest(name = "floor({0}) = {1}")
    @CsvSource({
            "0, 16",       // before the first entry: fallback
            "9, 16",
            "10, 100",     // exact
            "11, 100",     // between
            "19, 100",
            "20, 200",
            "25, 200",
            "30, 300",     // last, exact
            "31, 300",     // after the last
            "9223372036854775807, 300",
            "-1, 16",
    })
    void floorFindsTheLastEntryAtOrBeforeTheSeq(long seq, long expected) {
        assertThat(threeEntries().floor(seq, FALLBACK)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"0", "1", "1000000"})
    void floorOfAnEmptyIndexIsTheFallback(long seq) {
        SparseIndex idx = new SparseIndex();
        assertThat(idx.size()).isZero();
        assertThat(idx.floor(seq, FALLBACK)).isEqualTo(FALLBACK);
        assertThat(idx.floor(seq, -7)).isEqualTo(-7);
    }

    @Test
    void aSingleEntryIndex() {
        SparseIndex idx = new SparseIndex();
        idx.add(5, 16);
        assertThat(idx.floor(4, -1)).isEqualTo(-1);
        assertThat(idx.floor(5, -1)).isEqualTo(16);
        assertThat(idx.floor(6, -1)).isEqualTo(16);
    }

    @Test
    void growsPastItsInitialArrayAndKeepsEveryEntry() {
        SparseIndex idx = new SparseIndex();
        int n = 10_000; // the initial array holds 32 entries
        for (int i = 0; i < n; i++) {
            idx.add(1 + 3L * i, 16 + 100L * i);
        }
        assertThat(idx.size()).isEqualTo(n);
        for (int i = 0; i < n; i++) {
            assertThat(idx.seqAt(i)).isEqualTo(1 + 3L * i);
            assertThat(idx.positionAt(i)).isEqualTo(16 + 100L * i);
            assertThat(idx.floor(1 + 3L * i, -1)).isEqualTo(16 + 100L * i);
            assertThat(idx.floor(3 + 3L * i, -1)).isEqualTo(16 + 100L * i);
        }
        assertThat(idx.floor(0, -1)).isEqualTo(-1);
        long[] flat = idx.toArray();
        assertThat(flat).hasSize(2 * n);
        SparseIndex copy = SparseIndex.of(flat);
        assertThat(copy.toArray()).isEqualTo(flat);
    }

    @Test
    void aTrimmedOrLoadedIndexHoldsExactlyItsEntries() {
        SparseIndex idx = new SparseIndex();
        for (int i = 0; i < 1000; i++) {
            idx.add(10L * i + 1, 4096L * i);
        }
        assertThat(idx.capacity()).isGreaterThan(1000); // grown by doubling
        long[] before = idx.toArray();
        idx.trim();
        assertThat(idx.capacity()).isEqualTo(1000);
        assertThat(idx.toArray()).isEqualTo(before);
        assertThat(idx.floor(5005, -1)).isEqualTo(4096L * 500);
        SparseIndex loaded = SparseIndex.of(before);
        assertThat(loaded.capacity()).isEqualTo(1000);
        assertThat(loaded.size()).isEqualTo(1000);
        assertThat(loaded.floor(9991, -1)).isEqualTo(4096L * 999);
        before[0] = 999_999; // the loaded index holds its own copy
        assertThat(loaded.seqAt(0)).isEqualTo(1);
        loaded.add(10_001, 4096L * 1000); // and could still grow
        assertThat(loaded.size()).isEqualTo(1001);
        assertThat(SparseIndex.of(new long[0]).size()).isZero();
    }

    @Test
    void toArrayIsACopyOfTheCountedEntriesOnly() {
        SparseIndex idx = threeEntries();
        long[] flat = idx.toArray();
        assertThat(flat).containsExactly(10, 100, 20, 200, 30, 300);
        flat[0] = 999;
        assertThat(idx.seqAt(0)).isEqualTo(10);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aConcurrentReaderNeverSeesAnInconsistentFloor() throws Exception {
        // Entry i is (seq 1 + 10 i, position 16 + 64 i); the writer adds 100k of them while
        // readers ask for floors. Whatever count a reader saw, every entry it counts must
        // be there, and answers only move forward.
        int n = 100_000;
        SparseIndex idx = new SparseIndex();
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(2);
        Runnable reader = () -> {
            try {
                started.countDown();
                long lastAnswer = -1;
                long probes = 0;
                Random rnd = new Random(Thread.currentThread().threadId());
                while (!done.get() || probes == 0) {
                    probes++;
                    int c = idx.size();
                    if (c == 0) {
                        continue;
                    }
                    // the newest counted entry is there and exact
                    long last = c - 1;
                    assertThat(idx.floor(1 + 10 * last + 5, -1)).isEqualTo(16 + 64 * last);
                    // any counted entry is there
                    long k = rnd.nextInt(c);
                    assertThat(idx.floor(1 + 10 * k, -1)).isEqualTo(16 + 64 * k);
                    assertThat(idx.seqAt((int) k)).isEqualTo(1 + 10 * k);
                    assertThat(idx.positionAt((int) k)).isEqualTo(16 + 64 * k);
                    // "everything so far" answers are monotone and consistent with an entry
                    long any = idx.floor(Long.MAX_VALUE, -1);
                    assertThat(any).isGreaterThanOrEqualTo(lastAnswer).isGreaterThanOrEqualTo(16 + 64 * last);
                    assertThat((any - 16) % 64).isZero();
                    lastAnswer = any;
                    assertThat(idx.floor(0, -1)).isEqualTo(-1);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        Thread r1 = Thread.ofPlatform().start(reader);
        Thread r2 = Thread.ofPlatform().start(reader);
        started.await();
        for (int i = 0; i < n; i++) {
            idx.add(1 + 10L * i, 16 + 64L * i);
        }
        done.set(true);
        r1.join();
        r2.join();
        assertThat(failure.get()).isNull();
        assertThat(idx.size()).isEqualTo(n);
    }
}
