package dev.topics.testing;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real EventSource-style client for tests: opens the stream, reads its raw lines on a
 * thread, and hands out whole events (or comment lines) with a timeout, so nothing hangs.
 */
public final class SseClient implements AutoCloseable {
    /** One event as sent: {@code comment} set for {@code :} lines, {@code retry} for retry lines. */
    public record Event(String id, String name, String data, String comment, String retry) {
    }

    private static final Event END = new Event(null, null, null, null, null);
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final HttpResponse<InputStream> response;
    private final Thread reader;

    private SseClient(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = Thread.ofVirtual().start(this::read);
    }

    public static SseClient open(URI uri, String lastEventId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET()
                .header("Accept", "text/event-stream");
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return new SseClient(client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
    }

    public int status() {
        return response.statusCode();
    }

    public String contentType() {
        return response.headers().firstValue("content-type").orElse("");
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String id = null;
            String name = null;
            StringBuilder data = null;
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (name != null || data != null) {
                        events.add(new Event(id, name == null ? "message" : name, data == null ? null : data.toString(),
                                null, null));
                    }
                    id = null;
                    name = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    events.add(new Event(null, null, null, line.substring(1).trim(), null));
                } else if (line.startsWith("retry: ")) {
                    events.add(new Event(null, null, null, null, line.substring(7)));
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    name = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
                }
            }
        } catch (Exception e) {
            // closed by the test or by the server
        } finally {
            events.add(END);
        }
    }

    /** The next event or comment; fails the test after {@code seconds}. Null when the stream ended. */
    public Event next(long seconds) throws InterruptedException {
        Event e = events.poll(seconds, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no SSE event within " + seconds + " s");
        }
        return e == END ? null : e;
    }

    /** The next real event (skipping heartbeats and retry lines). */
    public Event nextEvent(long seconds) throws InterruptedException {
        while (true) {
            Event e = next(seconds);
            if (e == null || e.name() != null) {
                return e;
            }
        }
    }

    public List<Event> drainNow() {
        List<Event> out = new ArrayList<>();
        events.drainTo(out);
        return out;
    }

    @Override
    public void close() throws Exception {
        response.body().close();
        reader.interrupt();
    }
}
