package dev.topics.http;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * The output of a long-lived event stream (SSE): what is written between two flushes goes
 * out as one write on {@link #flush}, from a buffer that exists only while something is
 * pending, so an idle stream holds no buffer at all. The server's listener has no write
 * buffer of its own ({@code writeBufferSize(0)}: Helidon would keep 4 KiB per open stream,
 * a sixth of an idle watcher's heap), and each write to Helidon's stream is one chunk and
 * one socket write; this class keeps that to one per flush.
 *
 * <p>{@link #frame} hands over a finished array shared by many streams (an event encoded
 * once per topic): alone before a flush it is written as is, without a copy.
 *
 * <p>Not thread-safe: one per stream, used by the stream's thread.
 */
public final class EventStreamOutput extends OutputStream {
    private final OutputStream out;
    private byte[] buf;
    private int count;
    /** A shared frame pending alone (not copied), or null. */
    private byte[] frame;

    public EventStreamOutput(OutputStream out) {
        this.out = out;
    }

    /**
     * Writes a whole array that the caller will never change (it may be written after this
     * call returns, at the next flush).
     */
    public void frame(byte[] whole) {
        if (frame == null && count == 0) {
            frame = whole;
        } else {
            write(whole, 0, whole.length);
        }
    }

    @Override
    public void write(int b) {
        ensure(1);
        buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b) {
        write(b, 0, b.length);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (len == 0) {
            return;
        }
        ensure(len);
        System.arraycopy(b, off, buf, count, len);
        count += len;
    }

    private void ensure(int more) {
        if (frame != null) {
            byte[] f = frame;
            frame = null;
            grow(f.length + more);
            System.arraycopy(f, 0, buf, count, f.length);
            count += f.length;
        }
        grow(count + more);
    }

    private void grow(int need) {
        if (buf == null) {
            buf = new byte[Math.max(need, 256)];
        } else if (need > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(need, buf.length * 2));
        }
    }

    /** Sends what is pending as one write, flushes, and lets the buffer go. */
    @Override
    public void flush() throws IOException {
        try {
            if (frame != null) {
                out.write(frame, 0, frame.length);
            } else if (count > 0) {
                out.write(buf, 0, count);
            }
        } finally {
            frame = null;
            buf = null;
            count = 0;
        }
        out.flush();
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            out.close();
        }
    }
}
