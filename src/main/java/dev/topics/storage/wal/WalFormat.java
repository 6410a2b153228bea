package dev.topics.storage.wal;

import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.Bytes;
import dev.topics.storage.io.CorruptFrame;
import dev.topics.storage.io.FileNames;

/**
 * The write-ahead log's on-disk format, version 1. One WAL serves every topic.
 *
 * <pre>
 * file   := header frame*
 * header := "TWAL" u8 version(=1) u8[3] zero  u64 fileNumber          (16 bytes)
 * frame  := u32 length  u32 crc32c  u8 type  payload
 *           length = 1 + payload length (covers type and payload)
 *           crc32c = CRC32C over type and payload
 * </pre>
 * All integers little-endian. Files are named by a 20-digit zero-padded file number
 * ({@code 00000000000000000007.wal}, {@link FileNames#walName}) so that {@code ls} sorts
 * them in log order.
 *
 * <p>Frame type {@link #TYPE_FILE_END} closes a rolled file and {@link #TYPE_MARK} opens
 * each group; the other types are the engine's business (see
 * {@code dev.topics.storage.engine.Frames}); this class only frames and checks bytes. A frame
 * whose length is zero, larger than {@link #MAX_FRAME}, runs past the end of the file, or
 * whose CRC does not match is not whole. In the newest file that is a torn tail (cut by
 * recovery) unless a later mark shows its bytes had been forced: then it is damage, and
 * recovery refuses to start (see {@link WalReader}).
 *
 * <p>Stateless; any thread.
 */
public final class WalFormat {
    public static final byte[] MAGIC = {'T', 'W', 'A', 'L'};
    public static final int VERSION = 1;
    public static final int FILE_HEADER = 16;
    public static final int FRAME_HEADER = 8;
    /** Larger than any legal frame (a request is at most 16 MiB by default; limits are settings). */
    public static final int MAX_FRAME = 1 << 30;
    /**
     * The last frame of every WAL file but the newest: {@code u64 nextFileNumber}. A file
     * that is not the newest and lacks it lost its end, and recovery refuses to go on.
     * Handled here, never passed to the engine.
     */
    public static final int TYPE_FILE_END = 0xFF;
    /**
     * The first frame of each group the committer writes: {@code u64 forcedThrough}, the
     * position in this file up to which the WAL was forced before the group was written.
     * It tells recovery a torn tail from damage: a frame that is not whole is damage when
     * a later mark says the bytes at its position had been forced (acknowledged), and a
     * torn tail otherwise. Marks have a fixed length, so recovery can find them past bytes
     * it cannot parse. Handled here, never passed to the engine.
     */
    public static final int TYPE_MARK = 0xFE;
    /** Length field of a mark frame: type byte plus {@code u64 forcedThrough}. */
    public static final int MARK_LENGTH = 9;
    /** A whole mark frame's size on disk. */
    public static final int MARK_FRAME = FRAME_HEADER + MARK_LENGTH;

    private WalFormat() {
    }

    public static byte[] fileHeader(long fileNumber) {
        byte[] h = new byte[FILE_HEADER];
        System.arraycopy(MAGIC, 0, h, 0, 4);
        h[4] = VERSION;
        Bytes.put64(h, 8, fileNumber);
        return h;
    }

    /** Checks a file header; returns its file number. */
    public static long checkFileHeader(byte[] h) {
        if (h.length < FILE_HEADER || h[0] != 'T' || h[1] != 'W' || h[2] != 'A' || h[3] != 'L') {
            throw new CorruptFrame("not a WAL file (bad magic)");
        }
        if (h[4] != VERSION) {
            throw new CorruptFrame("WAL format version " + h[4] + " is not supported (this build reads " + VERSION + ")");
        }
        return Bytes.i64(h, 8);
    }

    /**
     * Begins a frame in {@code sink}: reserves the header and writes the type. Finish it
     * with {@link #endFrame} once the payload is written.
     */
    public static int beginFrame(ByteSink sink, int type) {
        int at = sink.skip(FRAME_HEADER);
        sink.u8(type);
        return at;
    }

    /** Appends a {@link #TYPE_MARK} frame. */
    public static void mark(ByteSink sink, long forcedThrough) {
        int at = beginFrame(sink, TYPE_MARK);
        sink.i64(forcedThrough);
        endFrame(sink, at);
    }

    /** Fills in the length and CRC of the frame begun at {@code at}. */
    public static void endFrame(ByteSink sink, int at) {
        int len = sink.size() - at - FRAME_HEADER;
        byte[] b = sink.array();
        Bytes.put32(b, at, len);
        Bytes.put32(b, at + 4, Bytes.crc32c(b, at + FRAME_HEADER, len));
    }
}
