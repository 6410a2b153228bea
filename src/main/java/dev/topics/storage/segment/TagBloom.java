package dev.topics.storage.segment;

import dev.topics.storage.io.AtomicFiles;
import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.Bytes;
import dev.topics.storage.io.FileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Bloom filter of the tags in one sealed segment, so a tag delete reads only the
 * segments that may hold the tag (no false negatives; about 1 % false positives). Sized
 * when the segment is sealed: ~10 bits per tagged record, 1 Ki to 16 Mi bits, 7 probes.
 * <pre>
 * file ({@code <base>.bloom}, written when the segment is sealed or compacted):
 *   "TBLM" u8 version(=1) u8[3] zero  u64 baseSeq  u32 bits  u64 words[bits/64]  u32 crc32c
 * </pre>
 * The active segment keeps its tags' hashes in a list instead (memory in proportion to its
 * records, not a fixed filter per topic); it is rebuilt by the segment scan after a crash.
 * A sealed segment without a readable file counts as "may hold any tag". Immutable once
 * built; committer thread.
 */
public final class TagBloom {
    private static final int PROBES = 7;
    private static final int VERSION = 1;
    private final long[] words;
    private final int mask;

    private TagBloom(int bits) {
        words = new long[bits / 64];
        mask = bits - 1;
    }

    /** A filter holding {@code hashes[0, n)}. */
    public static TagBloom of(long[] hashes, int n) {
        long want = Math.max(1024L, (long) n * 10);
        int bits = (int) Math.min(1 << 24, Long.highestOneBit(want - 1) << 1);
        TagBloom f = new TagBloom(bits);
        for (int i = 0; i < n; i++) {
            f.addHash(hashes[i]);
        }
        return f;
    }

    private void addHash(long h) {
        int h1 = (int) h;
        int h2 = (int) (h >>> 32) | 1;
        for (int i = 0; i < PROBES; i++) {
            int bit = (h1 + i * h2) & mask;
            words[bit >>> 6] |= 1L << bit;
        }
    }

    public boolean mayContainHash(long h) {
        int h1 = (int) h;
        int h2 = (int) (h >>> 32) | 1;
        for (int i = 0; i < PROBES; i++) {
            int bit = (h1 + i * h2) & mask;
            if ((words[bit >>> 6] & (1L << bit)) == 0) {
                return false;
            }
        }
        return true;
    }

    /** 64-bit FNV-1a followed by a murmur3 finaliser: cheap, and well spread for short tags. */
    public static long hash(byte[] b, int off, int len) {
        long h = 0xcbf29ce484222325L;
        for (int i = off; i < off + len; i++) {
            h ^= b[i] & 0xFF;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    void write(Path dir, long baseSeq) throws IOException {
        ByteSink out = new ByteSink(20 + words.length * 8 + 4);
        out.u8('T').u8('B').u8('L').u8('M').u8(VERSION).u8(0).u8(0).u8(0).i64(baseSeq).i32(words.length * 64);
        for (long w : words) {
            out.i64(w);
        }
        out.i32(Bytes.crc32c(out.array(), 0, out.size()));
        AtomicFiles.write(dir, FileNames.bloomName(baseSeq), out.toByteArray());
    }

    /** The filter stored next to a sealed segment, or null when missing or damaged. */
    static TagBloom read(Path dir, long baseSeq) {
        try {
            byte[] b = Files.readAllBytes(dir.resolve(FileNames.bloomName(baseSeq)));
            if (b.length < 24 || b[0] != 'T' || b[1] != 'B' || b[2] != 'L' || b[3] != 'M' || b[4] != VERSION
                    || Bytes.i64(b, 8) != baseSeq) {
                return null;
            }
            int bits = Bytes.i32(b, 16);
            if (bits < 64 || Integer.bitCount(bits) != 1 || b.length != 20 + bits / 8 + 4
                    || Bytes.i32(b, b.length - 4) != Bytes.crc32c(b, 0, b.length - 4)) {
                return null;
            }
            TagBloom t = new TagBloom(bits);
            for (int i = 0; i < t.words.length; i++) {
                t.words[i] = Bytes.i64(b, 20 + i * 8);
            }
            return t;
        } catch (IOException e) {
            return null;
        }
    }
}
