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

class TailTest {
    /** A chunk of {@code len} bytes holding seqs {@code first..last} (the tail never looks inside). */
    private static Chunk chunk(long first, long last, int len) {
        return new Chunk(first, last, new byte[len], 0, len);
    }

    /** Chunks 1-3, 4-4, 5-9, 10-12, 100 bytes each, in a tail of {@code budget} bytes. */
    private static Tail fourChunks(long budget) {
        Tail t = new Tail(budget);
        t.add(chunk(1, 3, 100));
        t.add(chunk(4, 4, 100));
        t.add(chunk(5, 9, 100));
        t.add(chunk(10, 12, 100));
        return t;
    }

    @ParameterizedTest(name = "from({0}) starts at chunk {1}")
    @CsvSource({
            "1, 1", "2, 1", "3, 1",
            "4, 4",
            "5, 5", "7, 5", "9, 5",
            "10, 10", "12, 10",
    })
    void fromReturnsContiguousChunksStartingAtTheOneHoldingTheSeq(long seq, long firstOfFirstChunk) {
        Tail t = fourChunks(-1);
        Chunk[] got = t.from(seq);
        assertThat(got).isNotNull().isNotEmpty();
        assertThat(got[0].firstSeq()).isEqualTo(firstOfFirstChunk);
        assertThat(got[0].firstSeq()).isLessThanOrEqualTo(seq);
        assertThat(got[0].lastSeq()).isGreaterThanOrEqualTo(seq);
        for (int i = 1; i < got.length; i++) {
            assertThat(got[i].firstSeq()).isEqualTo(got[i - 1].lastSeq() + 1);
        }
        assertThat(got[got.length - 1].lastSeq()).isEqualTo(12);
    }

    @ParameterizedTest
    @CsvSource({"13", "14", "1000"})
    void fromPastTheEndIsEmpty(long seq) {
        assertThat(fourChunks(-1).from(seq)).isNotNull().isEmpty();
    }

    @Test
    void fromOnAnEmptyTailIsAMiss() {
        assertThat(new Tail(1000).from(1)).isNull();
        assertThat(new Tail(-1).from(1)).isNull();
        assertThat(new Tail(-1).firstSeq()).isEqualTo(-1);
    }

    @Test
    void boundedTailEvictsTheOldestByBytes() {
        Tail t = fourChunks(250); // room for two chunks of 100 bytes
        assertThat(t.bytes()).isEqualTo(200);
        assertThat(t.firstSeq()).isEqualTo(5);
        assertThat(t.from(4)).as("older than what is held").isNull();
        assertThat(t.from(1)).isNull();
        assertThat(t.from(5)).extracting(Chunk::firstSeq).containsExactly(5L, 10L);
        assertThat(t.from(11)).extracting(Chunk::firstSeq).containsExactly(10L);
        assertThat(t.from(13)).isEmpty();
        t.add(chunk(13, 13, 60));
        assertThat(t.bytes()).isEqualTo(160);
        assertThat(t.from(5)).isNull();
        assertThat(t.from(10)).extracting(Chunk::firstSeq).containsExactly(10L, 13L);
    }

    @Test
    void boundedTailAlwaysKeepsTheNewestChunkEvenOverBudget() {
        Tail t = new Tail(50);
        t.add(chunk(1, 1, 10));
        t.add(chunk(2, 5, 500));
        assertThat(t.bytes()).isEqualTo(500);
        assertThat(t.firstSeq()).isEqualTo(2);
        assertThat(t.from(3)).extracting(Chunk::firstSeq).containsExactly(2L);
        assertThat(t.from(1)).isNull();
        t.add(chunk(6, 6, 10));
        assertThat(t.bytes()).isEqualTo(10);
        assertThat(t.from(6)).extracting(Chunk::firstSeq).containsExactly(6L);
    }

    @Test
    void boundedTailAlsoEvictsWhenItsRingOfSlotsIsFull() {
        Tail t = new Tail(1L << 40);
        int n = 5000; // more chunks than slots
        for (int i = 1; i <= n; i++) {
            t.add(chunk(i, i, 1));
        }
        long first = t.firstSeq();
        assertThat(first).isGreaterThan(1).isLessThanOrEqualTo(n);
        assertThat(t.bytes()).isEqualTo(n - first + 1);
        assertThat(t.from(first - 1)).isNull();
        Chunk[] all = t.from(first);
        assertThat(all).hasSize((int) (n - first + 1));
        for (int i = 0; i < all.length; i++) {
            assertThat(all[i].firstSeq()).isEqualTo(first + i);
        }
        assertThat(t.from(n)).hasSize(1);
        assertThat(t.from(n + 1)).isEmpty();
    }

    @Test
    void aTailStartsWithAFewSlotsAndGrowsToItsMaximumBeforeEvictingByCount() {
        Tail t = new Tail(1L << 40);
        assertThat(t.capacity()).isEqualTo(Tail.FIRST_SLOTS);
        t.add(chunk(1, 1, 1));
        assertThat(t.capacity()).as("one write: still the first ring").isEqualTo(Tail.FIRST_SLOTS);
        for (int i = 2; i <= Tail.MAX_SLOTS; i++) {
            t.add(chunk(i, i, 1));
        }
        assertThat(t.capacity()).isEqualTo(Tail.MAX_SLOTS);
        assertThat(t.firstSeq()).as("grown, nothing evicted").isEqualTo(1);
        assertThat(t.from(1)).hasSize(Tail.MAX_SLOTS);
        t.add(chunk(Tail.MAX_SLOTS + 1, Tail.MAX_SLOTS + 1, 1));
        assertThat(t.capacity()).isEqualTo(Tail.MAX_SLOTS);
        assertThat(t.firstSeq()).as("full: the oldest falls off").isEqualTo(2);
    }

    @Test
    void unboundedTailGrowsAndKeepsEverything() {
        Tail t = new Tail(-1);
        int n = 20_000; // far past the initial ring of 64
        long seq = 1;
        for (int i = 0; i < n; i++) {
            int records = i % 3 + 1;
            t.add(chunk(seq, seq + records - 1, 10 + i % 7));
            seq += records;
        }
        long last = seq - 1;
        assertThat(t.firstSeq()).isEqualTo(1);
        Chunk[] all = t.from(1);
        assertThat(all).hasSize(n);
        long expect = 1;
        long bytes = 0;
        for (Chunk c : all) {
            assertThat(c.firstSeq()).isEqualTo(expect);
            expect = c.lastSeq() + 1;
            bytes += c.len();
        }
        assertThat(expect - 1).isEqualTo(last);
        assertThat(t.bytes()).isEqualTo(bytes);
        for (long s = 1; s <= last; s += 997) {
            Chunk[] from = t.from(s);
            assertThat(from[0].firstSeq()).isLessThanOrEqualTo(s);
            assertThat(from[0].lastSeq()).isGreaterThanOrEqualTo(s);
            assertThat(from[from.length - 1].lastSeq()).isEqualTo(last);
        }
        assertThat(t.from(last + 1)).isEmpty();
    }

    @Test
    void dropThroughAndClearEvict() {
        Tail t = fourChunks(-1);
        t.dropThrough(4);
        assertThat(t.firstSeq()).isEqualTo(5);
        assertThat(t.bytes()).isEqualTo(200);
        t.dropThrough(6); // chunk 5-9 still holds live records
        assertThat(t.firstSeq()).isEqualTo(5);
        t.clear();
        assertThat(t.bytes()).isZero();
        assertThat(t.firstSeq()).isEqualTo(-1);
        assertThat(t.from(5)).isNull();
    }

    @Test
    void releaseLetsEveryChunkGoShrinksTheRingAndTheNextChunkIsHeld() {
        Tail t = new Tail(1 << 20);
        for (int i = 0; i < 100; i++) {
            t.add(chunk(i + 1, i + 1, 10));
        }
        assertThat(t.capacity()).isEqualTo(128);
        t.release();
        assertThat(t.isEmpty()).isTrue();
        assertThat(t.bytes()).isZero();
        assertThat(t.capacity()).isEqualTo(Tail.FIRST_SLOTS);
        assertThat(t.from(50)).as("a miss: the reader goes to the segments").isNull();
        assertThat(t.firstSeq()).isEqualTo(-1);

        t.add(chunk(101, 103, 30));
        assertThat(t.isEmpty()).isFalse();
        assertThat(t.bytes()).isEqualTo(30);
        assertThat(t.from(102)).extracting(Chunk::firstSeq).containsExactly(101L);
        assertThat(t.from(100)).as("older records are not held any more").isNull();
        assertThat(t.from(104)).isEmpty();
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aConcurrentReaderSeesEitherAMissOrAContiguousRunHoldingItsSeq() throws Exception {
        readWhileWriting(false);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aConcurrentReaderSeesEitherAMissOrAContiguousRunWhileTheTailIsReleased() throws Exception {
        readWhileWriting(true);
    }

    private static void readWhileWriting(boolean releasing) throws Exception {
        Tail t = new Tail(4096);
        int n = 200_000;
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                started.countDown();
                Random rnd = new Random(1);
                long hits = 0;
                while (!done.get() || hits == 0) {
                    long first = t.firstSeq();
                    if (first < 0) {
                        continue;
                    }
                    long seq = first + rnd.nextInt(200);
                    Chunk[] got = t.from(seq);
                    if (got == null || got.length == 0) {
                        continue;
                    }
                    hits++;
                    assertThat(got[0].firstSeq()).isLessThanOrEqualTo(seq);
                    assertThat(got[0].lastSeq()).isGreaterThanOrEqualTo(seq);
                    for (int i = 1; i < got.length; i++) {
                        assertThat(got[i].firstSeq()).isEqualTo(got[i - 1].lastSeq() + 1);
                    }
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        });
        started.await();
        long seq = 1;
        for (int i = 0; i < n; i++) {
            int records = i % 4 + 1;
            t.add(chunk(seq, seq + records - 1, 16 + i % 50));
            seq += records;
            if (releasing && i % 64 == 63) {
                t.release();
            }
        }
        done.set(true);
        reader.join();
        assertThat(failure.get()).isNull();
    }
}
