package dev.topics.storage.segment;

import dev.topics.storage.io.Bytes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What a segment knows of its records' tags, so that deletes by tag skip segments that
 * hold none of them. While the segment is active (or being rebuilt by a scan) it collects
 * the hash of every record's tag ({@link TagBloom#hash}); at seal those become its
 * {@link TagBloom} filter, written next to it. A sealed segment opened by recovery loads
 * that file; without it (missing or damaged) the answer is "may hold".
 *
 * <p>Committer thread (and recovery before it starts).
 */
final class SegmentTags {
    /** A sealed segment's tag filter; null while collecting or when its file is missing. */
    private TagBloom bloom;
    /** While collecting: the hash of every record's tag, turned into the filter at seal. */
    private long[] hashes;
    private int count;

    /** From now on, records passed to {@link #note} are remembered. */
    void collect() {
        hashes = new long[16];
    }

    /** A sealed segment's filter as read from its file (null: missing or damaged). */
    void loaded(TagBloom filter) {
        bloom = filter;
    }

    /** Notes the tag of the record at {@code off} in {@code b}, if it has one and tags are being collected. */
    void note(byte[] b, int off) {
        if (hashes != null && (RecordCodec.flags(b, off) & RecordCodec.F_TAG) != 0) {
            // the tag is the first optional part: u16 length, then its bytes
            long h = TagBloom.hash(b, off + RecordCodec.HEADER + 2, Bytes.u16(b, off + RecordCodec.HEADER));
            if (count == hashes.length) {
                hashes = Arrays.copyOf(hashes, count * 2);
            }
            hashes[count++] = h;
        }
    }

    /** False only when no record here has this tag. */
    boolean mayHold(byte[] tag) {
        long h = TagBloom.hash(tag, 0, tag.length);
        if (bloom != null) {
            return bloom.mayContainHash(h);
        }
        if (hashes != null) {
            for (int i = 0; i < count; i++) {
                if (hashes[i] == h) {
                    return true;
                }
            }
            return false;
        }
        return true; // a sealed segment whose filter file is missing: unknown
    }

    /** At seal: the collected hashes become the filter, which is written for the segment at {@code baseSeq}. */
    void seal(Path dir, long baseSeq) throws IOException {
        if (hashes != null) {
            bloom = TagBloom.of(hashes, count);
            hashes = null;
            count = 0;
        }
        if (bloom != null) {
            bloom.write(dir, baseSeq);
        }
    }
}
