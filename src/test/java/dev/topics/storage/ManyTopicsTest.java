package dev.topics.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.storage.engine.LocalStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many topics, few open files (issue 12): the engine with room for 8 open segment files
 * writes, reads, rolls, snapshots and recovers 300 topics while readers on other threads
 * read every topic from its segments (no in-memory tail), and the process's descriptors
 * stay bounded throughout.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManyTopicsTest {
    private static final int TOPICS = 300;
    private static final int CAPACITY = 8;
    /** Descriptors the engine holds besides segments: the WAL, the lock file, a snapshot being written. */
    private static final int OTHER_FDS = 12;

    @TempDir
    Path dir;

    private static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static String topic(int i) {
        return "many." + i;
    }

    private static String data(int topic, long seq) {
        return "{\"t\":" + topic + ",\"s\":" + seq + ",\"pad\":\"" + "p".repeat(40) + "\"}";
    }

    private static void write(LocalStorage s, int topic, long seq) {
        RecordBatch b = new RecordBatch(128);
        b.add(data(topic, seq).getBytes(StandardCharsets.UTF_8), null, null, null);
        AppendResult r = s.append(new AppendRequest(topic(topic), b, null, null, TopicConfig.DEFAULTS));
        assertThat(r.firstSeq()).isEqualTo(seq);
    }

    /** Every record of the topic is there, in order, with its bytes. */
    private static void check(LocalStorage s, int topic, long head) {
        ReadResult r = s.read(topic(topic), 0, 10_000, 1 << 24, null, null);
        assertThat(r.records()).hasSize((int) head);
        for (int k = 0; k < head; k++) {
            assertThat(r.records().get(k).seq()).isEqualTo(k + 1);
            assertThat(new String(r.records().get(k).data(), StandardCharsets.UTF_8)).isEqualTo(data(topic, k + 1));
        }
    }

    @Test
    void threeHundredTopicsWithEightOpenFilesWriteReadAndRecover() throws Exception {
        StorageOptions o = StorageOptions.defaults(dir).withTailBytes(0).withSegmentBytes(4096)
                .withMaxOpenSegments(CAPACITY);
        long before = openFds();
        AtomicLong peak = new AtomicLong();
        int rounds = 4;
        long[] heads = new long[TOPICS];
        try (LocalStorage s = LocalStorage.open(o)) {
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            long[] published = new long[TOPICS]; // heads the readers may check (written by the writer only)
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                readers.add(Thread.ofVirtual().start(() -> {
                    try {
                        while (!stop.get()) {
                            int t = ThreadLocalRandom.current().nextInt(TOPICS);
                            long h;
                            synchronized (published) {
                                h = published[t];
                            }
                            if (h > 0) {
                                ReadResult res = s.read(topic(t), 0, 10_000, 1 << 24, null, null);
                                assertThat(res.records().size()).isGreaterThanOrEqualTo((int) h);
                                for (int k = 0; k < h; k++) {
                                    assertThat(new String(res.records().get(k).data(), StandardCharsets.UTF_8))
                                            .isEqualTo(data(t, k + 1));
                                }
                            }
                            peak.accumulateAndGet(openFds(), Math::max);
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            // round-robin over every topic: each write needs a file that was closed since
            for (int round = 0; round < rounds; round++) {
                for (int t = 0; t < TOPICS; t++) {
                    write(s, t, ++heads[t]);
                    synchronized (published) {
                        published[t] = heads[t];
                    }
                }
                if (round == 2) {
                    s.snapshot();
                }
            }
            stop.set(true);
            for (Thread r : readers) {
                r.join();
            }
            assertThat(errors).isEmpty();
            for (int t = 0; t < TOPICS; t++) {
                check(s, t, heads[t]);
            }
            peak.accumulateAndGet(openFds(), Math::max);
        }
        // recovery opens every topic's segments, and closes what it does not need
        try (LocalStorage s = LocalStorage.open(o)) {
            peak.accumulateAndGet(openFds(), Math::max);
            for (int t = 0; t < TOPICS; t++) {
                check(s, t, heads[t]);
                write(s, t, ++heads[t]);
            }
            for (int t = 0; t < TOPICS; t++) {
                check(s, t, heads[t]);
            }
            peak.accumulateAndGet(openFds(), Math::max);
        }
        assertThat(peak.get() - before).as("descriptors above the start").isLessThanOrEqualTo(CAPACITY + OTHER_FDS);
    }
}
