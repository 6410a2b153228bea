package dev.topics.watch;

import dev.topics.json.JsonOut;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The {@code text/event-stream} wire format, written by hand for exact control (comments,
 * {@code retry:}): one {@code write} and one {@code flush} per event, so a slow client
 * holds back only its own thread. Not thread-safe: one per stream.
 */
final class SseStream {
    private static final byte[] HEARTBEAT = ": hb\n\n".getBytes(StandardCharsets.US_ASCII);
    private final OutputStream out;

    SseStream(OutputStream out) {
        this.out = out;
    }

    void retry(long ms) throws IOException {
        out.write(("retry: " + ms + "\n\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    void heartbeat() throws IOException {
        out.write(HEARTBEAT);
        out.flush();
    }

    /** One event; {@code id} may be null. {@code data} is one line of JSON (JSON text never holds a raw newline). */
    void event(String id, String name, JsonOut data) throws IOException {
        StringBuilder head = new StringBuilder(64);
        if (id != null) {
            head.append("id: ").append(id).append('\n');
        }
        head.append("event: ").append(name).append("\ndata: ");
        out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(data.buffer(), 0, data.size());
        out.write('\n');
        out.write('\n');
        out.flush();
    }
}
