package dev.topics.storage.segment;

import dev.topics.storage.fault.Faults;
import dev.topics.storage.io.CorruptFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongPredicate;

/**
 * Compaction's copy of a sealed segment ({@link Segment#compacted}, step 1): the records
 * that are still live, block by block, into a new file under the temporary name, forced
 * before anything else happens. Opening that file as the new segment, and putting it in
 * place, is {@link Segment}'s.
 *
 * <p>Any thread: a sealed segment's bytes do not change.
 */
final class SegmentRewrite {
    private SegmentRewrite() {
    }

    /**
     * Writes {@code header} then every record of the first {@code size} bytes of
     * {@code from} (the segment {@code file}) whose seq {@code removed} does not take, into
     * {@code tmp}, and forces it.
     */
    static void writeLive(SegmentSlot from, long size, Path file, Path tmp, byte[] header, LongPredicate removed)
            throws IOException {
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            long at = out.write(ByteBuffer.wrap(header), 0);
            long end = size;
            long pos = Segment.HEADER;
            byte[] buf = new byte[1 << 20];
            while (pos < end) {
                int n = from.read(ByteBuffer.wrap(buf, 0, (int) Math.min(buf.length, end - pos)), pos);
                int off = 0;
                while (off + RecordCodec.HEADER + 4 <= n) {
                    int len = RecordCodec.length(buf, off);
                    if (len < RecordCodec.HEADER + 4) {
                        throw new CorruptFrame("segment " + file + " has a bad record length at " + (pos + off));
                    }
                    if (off + len > n) {
                        break;
                    }
                    if (!removed.test(RecordCodec.seq(buf, off))) {
                        ByteBuffer rec = ByteBuffer.wrap(buf, off, len);
                        while (rec.hasRemaining()) {
                            at += out.write(rec, at);
                        }
                    }
                    off += len;
                }
                if (off == 0) {
                    buf = new byte[Math.max(buf.length * 2, RecordCodec.length(buf, 0))];
                    continue;
                }
                pos += off;
                Faults.at(Faults.COMPACTION_REWRITE);
            }
            out.force(true);
        }
    }
}
