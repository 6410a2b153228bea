package dev.topics.storage.wal;

import dev.topics.storage.io.Bytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the frames of one WAL file in order and stops at the first frame that is not
 * whole (short, zero length, over {@link WalFormat#MAX_FRAME}, or CRC mismatch). Zeros from
 * a frame boundary to the end of the file are the space {@link WalWriter} fills ahead of
 * itself, not damage. The
 * caller learns where the whole prefix ends ({@link #validEnd()}) and may cut the file
 * there: everything a crash can leave behind past the last acknowledged frame is cut,
 * and nothing before it.
 *
 * <p>One thread (recovery). The file is read sequentially in large blocks.
 */
public final class WalReader implements AutoCloseable {
    /** Receives each whole frame; the payload is valid only during the call. */
    public interface FrameHandler {
        void frame(int type, byte[] buf, int off, int len, long position) throws IOException;
    }

    private final FileChannel channel;
    private final long size;
    private final long fileNumber;
    private long validEnd;
    private String stopReason;
    private boolean ended;
    /** See {@link #damaged()}: where the mark proving damage is, or -1. */
    private long forcedMarkAt = -1;

    public WalReader(Path file) throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.READ);
        size = channel.size();
        byte[] h = new byte[WalFormat.FILE_HEADER];
        if (size < WalFormat.FILE_HEADER || readFully(ByteBuffer.wrap(h), 0) < WalFormat.FILE_HEADER) {
            // A crash between creating the file and writing its header leaves a stub: no frames.
            fileNumber = -1;
            validEnd = 0;
            stopReason = "file shorter than its header";
            return;
        }
        fileNumber = WalFormat.checkFileHeader(h);
        validEnd = WalFormat.FILE_HEADER;
    }

    /** Feeds every whole frame to {@code handler}; returns the number of frames read. */
    public long readAll(FrameHandler handler) throws IOException {
        if (fileNumber < 0) {
            return 0;
        }
        long frames = 0;
        long pos = WalFormat.FILE_HEADER;
        byte[] head = new byte[WalFormat.FRAME_HEADER];
        byte[] body = new byte[64 * 1024];
        while (pos < size) {
            if (size - pos < WalFormat.FRAME_HEADER) {
                if (!zerosFrom(pos)) {
                    stopReason = "torn frame header at " + pos;
                }
                break;
            }
            readFully(ByteBuffer.wrap(head), pos);
            int len = Bytes.i32(head, 0);
            int crc = Bytes.i32(head, 4);
            if (len == 0 && zerosFrom(pos)) {
                break; // the zero-filled space the writer keeps ahead of itself: a clean end
            }
            if (len <= 0 || len > WalFormat.MAX_FRAME) {
                stopReason = "bad frame length " + len + " at " + pos;
                break;
            }
            if (size - pos - WalFormat.FRAME_HEADER < len) {
                stopReason = "torn frame at " + pos + " (needs " + len + " bytes)";
                break;
            }
            if (body.length < len) {
                body = new byte[Math.max(len, body.length * 2)];
            }
            readFully(ByteBuffer.wrap(body, 0, len), pos + WalFormat.FRAME_HEADER);
            if (Bytes.crc32c(body, 0, len) != crc) {
                stopReason = "CRC mismatch in frame at " + pos;
                break;
            }
            int type = body[0] & 0xFF;
            pos += WalFormat.FRAME_HEADER + len;
            if (type == WalFormat.TYPE_MARK) {
                validEnd = pos;
                continue;
            }
            if (type == WalFormat.TYPE_FILE_END) {
                ended = true;
                validEnd = pos;
                if (!zerosFrom(pos)) {
                    stopReason = "data after the end-of-file marker at " + pos;
                }
                break;
            }
            handler.frame(type, body, 1, len - 1, pos - WalFormat.FRAME_HEADER - len);
            frames++;
            validEnd = pos;
        }
        if (stopReason != null) {
            forcedMarkAt = findMark(validEnd, validEnd);
        }
        return frames;
    }

    /**
     * The position of the first mark after {@code from} whose {@code forcedThrough} is above
     * {@code forcedAbove}, or -1. Marks have a fixed shape (length, type, CRC), so they are
     * found by trying every position.
     */
    private long findMark(long from, long forcedAbove) throws IOException {
        byte[] buf = new byte[1 << 20];
        long base = from + 1;
        while (base + WalFormat.MARK_FRAME <= size) {
            int n = readFully(ByteBuffer.wrap(buf, 0, (int) Math.min(buf.length, size - base)), base);
            int last = n - WalFormat.MARK_FRAME;
            for (int i = 0; i <= last; i++) {
                if (Bytes.i32(buf, i) == WalFormat.MARK_LENGTH
                        && (buf[i + WalFormat.FRAME_HEADER] & 0xFF) == WalFormat.TYPE_MARK
                        && Bytes.crc32c(buf, i + WalFormat.FRAME_HEADER, WalFormat.MARK_LENGTH) == Bytes.i32(buf, i + 4)
                        && Bytes.i64(buf, i + WalFormat.FRAME_HEADER + 1) > forcedAbove) {
                    return base + i;
                }
            }
            if (last < 0 || base + n >= size) {
                break;
            }
            base += last + 1;
        }
        return -1;
    }

    /**
     * Reading stopped at a frame that is not whole, and a later mark says that frame's bytes
     * had been forced before: damage to acknowledged data, not a torn tail.
     */
    public boolean damaged() {
        return forcedMarkAt >= 0;
    }

    /**
     * After {@link #readAll} found damage: feeds the whole frames that follow it (what a
     * repair that cuts the file at the damage would drop), resuming after each frame that
     * is not whole at the next mark. Returns the number of frames.
     */
    public long framesAfterDamage(FrameHandler handler) throws IOException {
        long frames = 0;
        long pos = forcedMarkAt;
        byte[] head = new byte[WalFormat.FRAME_HEADER];
        while (pos >= 0 && pos + WalFormat.FRAME_HEADER <= size) {
            readFully(ByteBuffer.wrap(head), pos);
            int len = Bytes.i32(head, 0);
            byte[] body = len > 0 && len <= size - pos - WalFormat.FRAME_HEADER ? new byte[len] : null;
            if (body != null) {
                readFully(ByteBuffer.wrap(body), pos + WalFormat.FRAME_HEADER);
            }
            if (body == null || Bytes.crc32c(body, 0, len) != Bytes.i32(head, 4)) {
                pos = findMark(pos, Long.MIN_VALUE);
                continue;
            }
            int type = body[0] & 0xFF;
            if (type == WalFormat.TYPE_FILE_END) {
                break;
            }
            if (type != WalFormat.TYPE_MARK) {
                handler.frame(type, body, 1, len - 1, pos);
                frames++;
            }
            pos += WalFormat.FRAME_HEADER + len;
        }
        return frames;
    }

    /** True when every byte from {@code from} to the end of the file is zero. */
    private boolean zerosFrom(long from) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        for (long p = from; p < size; ) {
            buf.clear();
            int n = channel.read(buf, p);
            if (n <= 0) {
                return true;
            }
            for (int i = 0; i < n; i++) {
                if (buf.get(i) != 0) {
                    return false;
                }
            }
            p += n;
        }
        return true;
    }

    private int readFully(ByteBuffer dst, long pos) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    /** True when the file closed with its end-of-file marker (it was rolled). */
    public boolean ended() {
        return ended;
    }

    public long fileNumber() {
        return fileNumber;
    }

    public long size() {
        return size;
    }

    /** End of the last whole frame (or of the header). */
    public long validEnd() {
        return validEnd;
    }

    /**
     * Why reading stopped before the end of the data, or null when the file ended cleanly:
     * at its end, at its end-of-file frame, or where the writer's zero-filled space begins.
     */
    public String stopReason() {
        return stopReason;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
