package dev.topics.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The server's native API as the commands call it: one JSON request, the
 * answer's body back, or a {@link Failure} when the server refuses or cannot be reached.
 * Paths are relative to the server's base URL ({@code v0/topics/…}); {@link #path} builds
 * them with each segment escaped. Sends the token as {@code Authorization: Bearer}.
 */
final class Api {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final URI base;
    private final String token;

    /** {@code base} ends with {@code /}; {@code token} may be null. */
    Api(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    URI base() {
        return base;
    }

    /**
     * {@code a/b/c} from the segments, each percent-encoded ({@code .} and {@code ..} too), so
     * a name given on the command line stays one segment.
     */
    static String path(String... segments) {
        StringBuilder b = new StringBuilder();
        for (String s : segments) {
            if (!b.isEmpty()) {
                b.append('/');
            }
            String encoded = URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
            b.append(s.equals(".") || s.equals("..") ? encoded.replace(".", "%2E") : encoded);
        }
        return b.toString();
    }

    /** {@code v0/topics/{topic}/…}, escaped as {@link #path} does. */
    static String topic(String topic, String... more) {
        String[] segments = new String[more.length + 3];
        segments[0] = "v0";
        segments[1] = "topics";
        segments[2] = topic;
        System.arraycopy(more, 0, segments, 3, more.length);
        return path(segments);
    }

    /**
     * A query string from name, value pairs, leaving out the null values: {@code ?a=1&b=x}, or
     * nothing when every value is null.
     */
    static String query(Object... namesAndValues) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            Object value = namesAndValues[i + 1];
            if (value != null) {
                b.append(b.isEmpty() ? '?' : '&').append(namesAndValues[i]).append('=')
                        .append(URLEncoder.encode(value.toString(), StandardCharsets.UTF_8));
            }
        }
        return b.toString();
    }

    byte[] get(String path) {
        return send(request(path).GET());
    }

    byte[] delete(String path) {
        return send(request(path).DELETE());
    }

    byte[] post(String path, byte[] body) {
        return send(json(path).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    byte[] put(String path, byte[] body) {
        return send(json(path).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    byte[] patch(String path, byte[] body) {
        return send(json(path).method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /**
     * Opens a {@code text/event-stream} (no timeout: it lasts). The caller checks the status
     * and closes the body.
     *
     * @param lastEventId sent as {@code Last-Event-ID} when not null
     * @throws IOException when the server cannot be reached
     */
    HttpResponse<InputStream> stream(String path, String lastEventId) throws IOException, InterruptedException {
        HttpRequest.Builder b = authorized(HttpRequest.newBuilder(base.resolve(path))).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        return CLIENT.send(b.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private HttpRequest.Builder request(String path) {
        return authorized(HttpRequest.newBuilder(base.resolve(path))).timeout(TIMEOUT);
    }

    private HttpRequest.Builder json(String path) {
        return request(path).header("Content-Type", "application/json; charset=utf-8");
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder b) {
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    private byte[] send(HttpRequest.Builder b) {
        HttpResponse<byte[]> res;
        try {
            res = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw Failure.unreachable(base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
        if (res.statusCode() / 100 != 2) {
            throw Failure.refused(res.statusCode(), res.body());
        }
        return res.body();
    }
}
