package dev.topics.storage.segment;

import dev.topics.storage.io.AtomicFiles;
import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.Bytes;
import dev.topics.storage.io.FileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    /** Format version of the {@code .idx} file. */
    private static final int FILE_VERSION = 1;

    /** Starts at two entries and doubles: an idle topic's active segment holds one or two. */
    private volatile long[] entries = new long[4];
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

    /** Entries the array has room for (tests). */
    int capacity() {
        return entries.length / 2;
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

    /** An index of the given entries, held in an array of exactly their size (a sealed segment's). */
    public static SparseIndex of(long[] flat) {
        SparseIndex idx = new SparseIndex();
        int n = flat.length / 2;
        idx.entries = n == 0 ? idx.entries : Arrays.copyOf(flat, 2 * n);
        idx.count = n;
        return idx;
    }

    /**
     * At seal: no entry will be added, so the array shrinks to the entries it holds (growth by
     * doubling leaves up to half of it empty; with 50 M records that was tens of MiB of heap).
     * Readers that read the count before the array see every entry they count in either array.
     */
    public void trim() {
        int c = count;
        long[] e = entries;
        if (e.length > 2 * c && c > 0) {
            entries = Arrays.copyOf(e, 2 * c);
        }
    }

    /** Writes this index as the {@code .idx} file of the segment at {@code baseSeq} in {@code dir} (at seal time). */
    public void write(Path dir, long baseSeq) throws IOException {
        long[] flat = toArray();
        ByteSink out = new ByteSink(16 + flat.length * 8 + 4);
        out.u8('T').u8('I').u8('D').u8('X').u8(FILE_VERSION).u8(0).u8(0).u8(0).i64(baseSeq);
        for (long v : flat) {
            out.i64(v);
        }
        out.i32(Bytes.crc32c(out.array(), 0, out.size()));
        AtomicFiles.write(dir, FileNames.indexName(baseSeq), out.toByteArray());
    }

    /** Loads a sealed segment's index file, or returns null when it is missing or damaged. */
    public static SparseIndex read(Path dir, long baseSeq) {
        Path p = dir.resolve(FileNames.indexName(baseSeq));
        try {
            byte[] b = Files.readAllBytes(p);
            if (b.length < 20 || (b.length - 20) % 16 != 0 || b[0] != 'T' || b[1] != 'I' || b[2] != 'D' || b[3] != 'X'
                    || b[4] != FILE_VERSION || Bytes.i64(b, 8) != baseSeq
                    || Bytes.i32(b, b.length - 4) != Bytes.crc32c(b, 0, b.length - 4)) {
                return null;
            }
            long[] flat = new long[(b.length - 20) / 8];
            for (int i = 0; i < flat.length; i++) {
                flat[i] = Bytes.i64(b, 16 + i * 8);
            }
            return of(flat);
        } catch (IOException e) {
            return null;
        }
    }
}
