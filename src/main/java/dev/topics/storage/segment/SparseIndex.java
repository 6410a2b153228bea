package dev.topics.storage.segment;

import java.util.Arrays;

/**
 * In-memory sparse index of one segment: (seq, position) of the record at or after every
 * {@code interval} bytes, so a read seeks to at most one interval before its record.
 * On disk (a sealed segment's {@code .idx}): the header {@code "TIDX" u8 version u8[3]
 * u64 baseSeq} then {@code u64 seq, u64 position} pairs and a trailing u32 CRC32C of all
 * that precedes it. The active segment's index lives only in memory and is rebuilt by
 * scanning the segment after a crash.
 *
 * <p>One writer (the committer) and any number of readers: the writer stores a new entry
 * (growing the array if needed) before publishing the count, and readers read the count
 * before the array, so a reader always sees an array holding every entry it counts.
 */
public final class SparseIndex {
    private volatile long[] entries = new long[64];
    private volatile int count;

    public void add(long seq, long position) {
        int c = count;
        long[] e = entries;
        if (2 * c + 2 > e.length) {
            e = Arrays.copyOf(e, e.length * 2);
            entries = e;
        }
        e[2 * c] = seq;
        e[2 * c + 1] = position;
        count = c + 1;
    }

    public int size() {
        return count;
    }

    public long seqAt(int i) {
        return entries[2 * i];
    }

    public long positionAt(int i) {
        return entries[2 * i + 1];
    }

    /**
     * Position of the last indexed record with seq ≤ {@code seq}, or {@code fallback} when
     * there is none.
     */
    public long floor(long seq, long fallback) {
        int c = count;
        long[] e = entries;
        int lo = 0;
        int hi = c - 1;
        long found = fallback;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (e[2 * mid] <= seq) {
                found = e[2 * mid + 1];
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Entries as a flat array [seq0, pos0, seq1, pos1, …] (a copy). */
    public long[] toArray() {
        int c = count;
        return Arrays.copyOf(entries, 2 * c);
    }

    public static SparseIndex of(long[] flat) {
        SparseIndex idx = new SparseIndex();
        for (int i = 0; i + 1 < flat.length; i += 2) {
            idx.add(flat[i], flat[i + 1]);
        }
        return idx;
    }
}
