package dev.topics.watch;

import dev.topics.http.EventStreamOutput;
import dev.topics.json.JsonOut;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The {@code text/event-stream} wire format, written by hand for exact control (comments,
 * {@code retry:}): one socket write per event, or per round of events while
 * {@link #hold held} ({@link EventStreamOutput}), so a slow client holds back only its own
 * thread. Not thread-safe: one per stream.
 */
final class SseStream {
    private static final byte[] HEARTBEAT = ": hb\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = {'\n', '\n'};
    private final EventStreamOutput out;
    /** When the write in progress started (System.nanoTime), or 0 when not writing. */
    private volatile long writingSince;
    /** When the last write ended (System.nanoTime). */
    private long lastWrite = System.nanoTime();

    SseStream(EventStreamOutput out) {
        this.out = out;
    }

    /** Nanoseconds the current write has been blocked, or 0 when none is in progress. */
    long blockedNanos() {
        long since = writingSince;
        return since == 0 ? 0 : System.nanoTime() - since;
    }

    /** While held, events are written but not flushed; {@link #release} flushes them at once. */
    private boolean holding;
    private boolean unflushed;

    void hold() {
        holding = true;
    }

    void release() throws IOException {
        holding = false;
        if (unflushed) {
            send(END, 0, 0, false);
        }
    }

    private void send(byte[] b, int off, int len, boolean more) throws IOException {
        send(b, off, len, more, false);
    }

    /** With {@code shared}, {@code b} is a whole frame other streams write too: handed over, not copied. */
    private void send(byte[] b, int off, int len, boolean more, boolean shared) throws IOException {
        writingSince = System.nanoTime();
        try {
            if (shared) {
                out.frame(b);
            } else {
                out.write(b, off, len);
            }
            if (more || holding) {
                unflushed = true;
            } else {
                out.flush();
                unflushed = false;
            }
        } finally {
            writingSince = 0;
            lastWrite = System.nanoTime();
        }
    }

    /** Nanoseconds since the stream last wrote anything (the heartbeat is due when idle). */
    long idleNanos() {
        return System.nanoTime() - lastWrite;
    }

    void retry(long ms) throws IOException {
        byte[] b = ("retry: " + ms + "\n\n").getBytes(StandardCharsets.US_ASCII);
        send(b, 0, b.length, false);
    }

    void heartbeat() throws IOException {
        send(HEARTBEAT, 0, HEARTBEAT.length, false);
    }

    /** One event; {@code id} may be null. {@code data} is one line of JSON (JSON text never holds a raw newline). */
    void event(String id, String name, JsonOut data) throws IOException {
        event(id, name, data.buffer(), data.size());
    }

    /** A whole event frame, encoded before and shared by many streams: written as is, not copied. */
    void frame(byte[] frame) throws IOException {
        send(frame, 0, frame.length, false, true);
    }

    void event(String id, String name, byte[] data, int dataLen) throws IOException {
        StringBuilder head = new StringBuilder(64);
        if (id != null) {
            head.append("id: ").append(id).append('\n');
        }
        head.append("event: ").append(name).append("\ndata: ");
        byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
        send(h, 0, h.length, true);
        send(data, 0, dataLen, true);
        send(END, 0, 2, false);
    }
}
