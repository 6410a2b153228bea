package dev.topics.storage.segment;

import java.util.Arrays;

/**
 * The newest records of a topic, kept in memory so live readers never touch the disk.
 * A ring of {@link Chunk}s (one per committed write), grown by doubling from
 * {@link #FIRST_SLOTS}. Bounded by bytes and by {@link #MAX_SLOTS} chunks for durable
 * topics (older chunks fall off — they are in the segments); unbounded for
 * {@code durable: false} topics, where the tail is the whole log and only retention evicts
 * (it grows its ring instead of overwriting). A durable topic that has not been written to
 * for a while lets its tail go ({@link #release}): an idle topic holds no records in memory.
 *
 * <p>One writer (the committer), any number of readers, no locks. The writer stores a
 * chunk into its slot (growing the array first if needed, publishing the new array)
 * before advancing {@code end}; readers read {@code end}, then the array, then
 * {@code start}. A reader that races an overwrite can see a chunk that is not the one it
 * expects: every lookup checks the chunk's seq range and reports a miss instead, and the
 * caller falls back to the segments (or retries, for memory-only topics).
 *
 * <p>Benchmark before changing: the P4 fan-out benchmark (benchmarks/p4 FanOut,
 * {@code benchmarks/run P4}), where thousands of watchers read the tail after each write.
 */
public final class Tail {
    private volatile Chunk[] slots;
    private volatile long start;
    private volatile long end;
    private long bytes;
    private final long maxBytes;
    private final boolean bounded;

    /** Slots a bounded tail grows to: past that, the oldest chunk falls off. */
    static final int MAX_SLOTS = 1024;
    /**
     * Slots a tail starts with; it doubles as chunks come, so an idle topic holds a ring of a
     * few slots, not a thousand (a topic's fixed cost: benchmarks/RESULTS.md, P7).
     */
    static final int FIRST_SLOTS = 4;

    /** @param maxBytes the byte budget, or -1 for unbounded (memory-only topics). */
    public Tail(long maxBytes) {
        this.bounded = maxBytes >= 0;
        this.maxBytes = maxBytes;
        this.slots = new Chunk[FIRST_SLOTS];
    }

    /** Committer: adds the newest chunk. */
    public void add(Chunk c) {
        Chunk[] a = slots;
        if (end - start == a.length) {
            if (bounded && a.length >= MAX_SLOTS) {
                evictOldest();
            } else {
                Chunk[] b = new Chunk[a.length * 2];
                for (long i = start; i < end; i++) {
                    b[(int) (i & (b.length - 1))] = a[(int) (i & (a.length - 1))];
                }
                slots = b;
                a = b;
            }
        }
        a[(int) (end & (a.length - 1))] = c;
        end = end + 1;
        bytes += c.len();
        while (bounded && bytes > maxBytes && end - start > 1) {
            evictOldest();
        }
    }

    private void evictOldest() {
        Chunk[] a = slots;
        int i = (int) (start & (a.length - 1));
        bytes -= a[i].len();
        a[i] = null;
        start = start + 1;
    }

    /** Committer: drops every chunk whose records are all ≤ {@code seq} (retention). */
    public void dropThrough(long seq) {
        while (end > start) {
            Chunk c = slots[(int) (start & (slots.length - 1))];
            if (c == null || c.lastSeq() > seq) {
                return;
            }
            evictOldest();
        }
    }

    /** Committer: empties the tail. */
    public void clear() {
        while (end > start) {
            evictOldest();
        }
    }

    /**
     * Committer: lets every chunk go and shrinks the ring to its first size, for a durable
     * topic nobody writes to (its records are all in its segments, where readers find them
     * on a miss). The next chunk is held as usual. Readers racing this see a miss: the ring
     * is emptied (start = end) before a smaller array replaces it.
     */
    public void release() {
        clear();
        if (slots.length > FIRST_SLOTS) {
            slots = new Chunk[FIRST_SLOTS];
        }
    }

    /** Whether no chunk is held. */
    public boolean isEmpty() {
        return end == start;
    }

    /** Seq of the oldest record held, or -1 if empty. A hint: it may move at once. */
    public long firstSeq() {
        long e = end;
        Chunk[] a = slots;
        long s = start;
        if (s >= e) {
            return -1;
        }
        Chunk c = a[(int) (s & (a.length - 1))];
        return c == null ? -1 : c.firstSeq();
    }

    /**
     * The chunks holding {@code seq} and after, in order, up to the newest: empty when
     * nothing after {@code seq} is held; null on a miss (the tail no longer or not yet
     * holds {@code seq} reliably — read the segments instead).
     */
    public Chunk[] from(long seq) {
        long e = end;
        Chunk[] a = slots;
        long s = start;
        if (s >= e) {
            return null;
        }
        int mask = a.length - 1;
        long lo = s;
        long hi = e - 1;
        Chunk first = a[(int) (lo & mask)];
        if (first == null || first.firstSeq() > seq) {
            return null;
        }
        // binary search for the chunk containing seq
        while (lo < hi) {
            long mid = (lo + hi + 1) >>> 1;
            Chunk c = a[(int) (mid & mask)];
            if (c == null) {
                return null;
            }
            if (c.firstSeq() <= seq) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        int n = (int) (e - lo);
        Chunk[] out = new Chunk[n];
        long expect = -1;
        for (int k = 0; k < n; k++) {
            Chunk c = a[(int) ((lo + k) & mask)];
            if (c == null || (expect >= 0 && c.firstSeq() != expect)) {
                return null;
            }
            out[k] = c;
            expect = c.lastSeq() + 1;
        }
        if (out[0].lastSeq() < seq) {
            // seq is past everything held
            return out[n - 1].lastSeq() < seq ? new Chunk[0] : null;
        }
        if (start > lo) {
            return null; // overwritten while we looked
        }
        return out;
    }

    public long bytes() {
        return bytes;
    }

    /** Slots in the ring now (tests: an idle topic's tail is small). */
    int capacity() {
        return slots.length;
    }

    @Override
    public String toString() {
        return "Tail" + Arrays.toString(new long[] {start, end, bytes});
    }
}
