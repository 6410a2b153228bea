package dev.topics.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
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
 *
 * <p>Requests go through {@link HttpURLConnection}: a command is a process that makes one
 * or a few requests, and {@code java.net.http.HttpClient} costs about 0.4 s of CPU to set up
 * (its selector thread, TLS context and executor) before the first byte, more than the rest
 * of a command's start (benchmarks/RESULTS.md, 2026-12-03, the launcher's start-up). Only
 * PATCH, which HttpURLConnection refuses, uses HttpClient, made when first needed.
 * {@code sun.net.http.retryPost} is turned off: a POST (a write) is never sent twice behind
 * the command's back.
 */
final class Api {
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    private static final int TIMEOUT_MS = 120_000;

    static {
        System.setProperty("sun.net.http.retryPost", "false");
    }

    /** A response whose body is read as it comes (an event stream); the caller closes it. */
    record Stream(int status, InputStream body) {
    }

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
        return send("GET", path, null);
    }

    byte[] delete(String path) {
        return send("DELETE", path, null);
    }

    byte[] post(String path, byte[] body) {
        return send("POST", path, body);
    }

    byte[] put(String path, byte[] body) {
        return send("PUT", path, body);
    }

    byte[] patch(String path, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMillis(TIMEOUT_MS))
                .header("Content-Type", "application/json; charset=utf-8")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<byte[]> res;
        try {
            res = Patch.CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw Failure.unreachable(base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
        return answer(res.statusCode(), res.body());
    }

    /** The JDK's HttpClient, made on first use (a holder class): for PATCH only. */
    private static final class Patch {
        static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(CONNECT_TIMEOUT_MS)).build();
    }

    /**
     * Opens a {@code text/event-stream} (no read timeout: it lasts). The caller checks the
     * status and closes the body.
     *
     * @param lastEventId sent as {@code Last-Event-ID} when not null
     * @throws IOException when the server cannot be reached
     */
    Stream stream(String path, String lastEventId) throws IOException {
        HttpURLConnection c = open("GET", path, 0);
        c.setRequestProperty("Accept", "text/event-stream");
        if (lastEventId != null) {
            c.setRequestProperty("Last-Event-ID", lastEventId);
        }
        int status = c.getResponseCode();
        InputStream body = status >= 400 ? c.getErrorStream() : c.getInputStream();
        return new Stream(status, body == null ? InputStream.nullInputStream() : body);
    }

    private HttpURLConnection open(String method, String path, int readTimeoutMs) throws IOException {
        HttpURLConnection c = (HttpURLConnection) base.resolve(path).toURL().openConnection();
        c.setRequestMethod(method);
        c.setConnectTimeout(CONNECT_TIMEOUT_MS);
        c.setReadTimeout(readTimeoutMs);
        c.setUseCaches(false);
        c.setInstanceFollowRedirects(false); // as HttpClient did: a redirect is an answer, not followed
        c.setRequestProperty("Accept", "application/json");
        if (token != null) {
            c.setRequestProperty("Authorization", "Bearer " + token);
        }
        return c;
    }

    private byte[] send(String method, String path, byte[] body) {
        int status;
        byte[] answer;
        try {
            HttpURLConnection c = open(method, path, TIMEOUT_MS);
            if (body != null) {
                c.setRequestProperty("Content-Type", "application/json; charset=utf-8");
                c.setDoOutput(true);
                c.setFixedLengthStreamingMode(body.length);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body);
                }
            }
            status = c.getResponseCode();
            try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                answer = in == null ? new byte[0] : in.readAllBytes();
            }
        } catch (IOException e) {
            throw Failure.unreachable(base, e);
        }
        return answer(status, answer);
    }

    private static byte[] answer(int status, byte[] body) {
        if (status / 100 != 2) {
            throw Failure.refused(status, body);
        }
        return body;
    }
}
