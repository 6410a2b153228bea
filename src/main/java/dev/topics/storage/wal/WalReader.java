package dev.topics.storage.wal;

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
