package dev.topics.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads a {@code text/event-stream} (the server's watch streams) event by event:
 * {@code id}, {@code event} and {@code data} fields (data lines joined with newlines), a
 * blank line ending each event; comments and {@code retry} are passed over. An event
 * the stream breaks off in the middle of is never returned.
 */
final class SseEvents {
    /** One event; {@code id} is null when the event carries none. */
    record Event(String id, String name, String data) {
    }

    private final BufferedReader in;

    SseEvents(InputStream in) {
        this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** The next complete event, or null when the stream ends. */
    Event next() throws IOException {
        String id = null;
        String name = "message";
        StringBuilder data = null;
        for (String line; (line = in.readLine()) != null; ) {
            if (line.isEmpty()) {
                if (data != null) {
                    return new Event(id, name, data.toString());
                }
                id = null;
                name = "message";
                continue;
            }
            int colon = line.indexOf(':');
            if (colon == 0) {
                continue; // a comment, e.g. the heartbeat
            }
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(line.startsWith(" ", colon + 1) ? colon + 2 : colon + 1);
            switch (field) {
                case "id" -> id = value;
                case "event" -> name = value;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                default -> {
                    // retry, or a field this client does not use
                }
            }
        }
        return null;
    }
}
