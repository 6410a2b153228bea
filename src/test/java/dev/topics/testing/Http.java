package dev.topics.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A thin HTTP client for black-box tests: method, path, body, headers in; status, headers
 * and body out, with the body parsed as JSON on demand ({@link Json}).
 *
 * <p>Every response with status &ge; 400 is checked against SPEC §0's error shape the moment
 * it arrives ({@link #assertErrorShape}), so no error body in the suite escapes the check.
 * {@link Response#assertError} adds the status and the code.
 *
 * <p>{@link #raw} writes bytes straight to a socket, for requests {@code java.net.http}
 * refuses to make (a literal {@code ..} in a path, a lying Content-Length…).
 */
public final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final Supplier<URI> base;
    private final Map<String, String> defaultHeaders;
    private final boolean checkErrors;

    public Http(Supplier<URI> base) {
        this(base, Map.of(), true);
    }

    private Http(Supplier<URI> base, Map<String, String> defaultHeaders, boolean checkErrors) {
        this.base = base;
        this.defaultHeaders = defaultHeaders;
        this.checkErrors = checkErrors;
    }

    /** The same server, with {@code name: value} added to every request (e.g. Authorization). */
    public Http withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(defaultHeaders);
        h.put(name, value);
        return new Http(base, Map.copyOf(h), checkErrors);
    }

    /**
     * The same server without the automatic error-shape check, for the rare test about
     * something else (e.g. that a connection survives) where a known shape defect must
     * not hide the result. Assert the shape elsewhere.
     */
    public Http withoutErrorShapeCheck() {
        return new Http(base, defaultHeaders, false);
    }

    public URI base() {
        return base.get();
    }

    // ---- requests ------------------------------------------------------------------------

    public Response get(String path, String... headers) {
        return send("GET", path, BodyPublishers.noBody(), headers);
    }

    public Response delete(String path, String... headers) {
        return send("DELETE", path, BodyPublishers.noBody(), headers);
    }

    public Response put(String path, String json, String... headers) {
        return send("PUT", path, utf8(json), withJsonType(headers));
    }

    public Response post(String path, String json, String... headers) {
        return send("POST", path, utf8(json), withJsonType(headers));
    }

    public Response patch(String path, String json, String... headers) {
        return send("PATCH", path, utf8(json), withJsonType(headers));
    }

    /** POST of exactly these bytes (with a Content-Length). */
    public Response postBytes(String path, byte[] body, String... headers) {
        return send("POST", path, BodyPublishers.ofByteArray(body), withJsonType(headers));
    }

    /** POST of these bytes with {@code Transfer-Encoding: chunked} and no Content-Length. */
    public Response postChunked(String path, byte[] body, String... headers) {
        return send("POST", path, BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)),
                withJsonType(headers));
    }

    /**
     * Sends one request. {@code path} is appended to the base as written (percent-escapes
     * are kept, not re-encoded); {@code headers} are name, value pairs.
     */
    public Response send(String method, String path, BodyPublisher body, String... headers) {
        if (headers.length % 2 != 0) {
            throw new IllegalArgumentException("headers are name, value pairs");
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.get() + path))
                .timeout(TIMEOUT)
                .method(method, body);
        defaultHeaders.forEach(b::header);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            var r = CLIENT.send(b.build(), BodyHandlers.ofByteArray());
            Map<String, List<String>> h = new TreeMap<>();
            r.headers().map().forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), v));
            return checked(new Response(method + " " + path, r.statusCode(), h, r.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Writes {@code head} (request line and headers, CRLF-separated, without the blank line;
     * {@code Host} and {@code Connection: close} are added) and then {@code body} to a fresh
     * socket, and reads the response until the server closes the connection. A server that
     * answers before reading the whole body is fine: a failed write is ignored and the
     * response read anyway.
     */
    public Response raw(String head, byte[] body) {
        URI u = base.get();
        String request = head + "\r\nHost: " + u.getHost() + ":" + u.getPort() + "\r\nConnection: close\r\n\r\n";
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = s.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
                s.shutdownOutput();
            } catch (IOException ignored) {
                // The server may answer and close before taking the whole body.
            }
            byte[] all = RawResponses.readAll(s.getInputStream());
            return checked(RawResponses.parseRaw(head.lines().findFirst().orElse(head), all));
        } catch (IOException e) {
            throw new UncheckedIOException("raw request failed: " + head.lines().findFirst().orElse(""), e);
        }
    }

    private static BodyPublisher utf8(String s) {
        return BodyPublishers.ofByteArray(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String[] withJsonType(String[] headers) {
        for (int i = 0; i < headers.length; i += 2) {
            if (headers[i].equalsIgnoreCase("content-type")) {
                return headers;
            }
        }
        String[] h = java.util.Arrays.copyOf(headers, headers.length + 2);
        h[headers.length] = "Content-Type";
        h[headers.length + 1] = "application/json";
        return h;
    }

    private Response checked(Response r) {
        if (checkErrors && r.status() >= 400) {
            assertErrorShape(r);
        }
        return r;
    }

    /**
     * SPEC §0: an error is {@code application/json} with exactly
     * {@code {"error": {"code": "<snake_case>", "message": "<non-empty>"}}}.
     */
    public static void assertErrorShape(Response r) {
        assertThat(r.header("content-type"))
                .as("%s: Content-Type of error %d, body %s", r.what(), r.status(), r.text())
                .isNotNull()
                .startsWith("application/json");
        Object parsed;
        try {
            parsed = Json.parse(r.text());
        } catch (IllegalArgumentException e) {
            throw new AssertionError(r.what() + ": error body is not JSON: " + r.text(), e);
        }
        assertThat(parsed).as("%s: error body %s", r.what(), r.text()).isInstanceOf(Map.class);
        Map<String, Object> top = Json.obj(parsed);
        assertThat(top.keySet()).as("%s: error body %s", r.what(), r.text()).containsExactly("error");
        assertThat(top.get("error")).as("%s: error body %s", r.what(), r.text()).isInstanceOf(Map.class);
        Map<String, Object> err = Json.obj(top.get("error"));
        assertThat(err.keySet()).as("%s: error body %s", r.what(), r.text())
                .containsExactlyInAnyOrder("code", "message");
        assertThat(err.get("code")).as("%s: error code", r.what()).isInstanceOf(String.class);
        assertThat((String) err.get("code")).as("%s: error code", r.what()).matches("[a-z][a-z0-9_]*");
        assertThat(err.get("message")).as("%s: error message", r.what()).isInstanceOf(String.class);
        assertThat((String) err.get("message")).as("%s: error message", r.what()).isNotBlank();
    }

    // ---- responses -----------------------------------------------------------------------

    /** A received response; {@code what} names the request in assertion messages. */
    public record Response(String what, int status, Map<String, List<String>> headers, byte[] bytes) {

        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        /** The first value of a header (name in any case), or null. */
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        /** The body parsed as JSON. */
        public Object json() {
            return Json.parse(text());
        }

        /** The JSON object at a dotted path. */
        public Map<String, Object> obj(String path) {
            Object v = get(path);
            assertThat(v).as("%s: %s in %s", what, path, text()).isInstanceOf(Map.class);
            return Json.obj(v);
        }

        /** The body as a JSON object. */
        public Map<String, Object> map() {
            Object j = json();
            assertThat(j).as("%s: body %s", what, text()).isInstanceOf(Map.class);
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) j;
            return m;
        }

        /** The value at a dotted path ({@code config.ttl_ms}, {@code records.0.$seq}); absent = null. */
        public Object get(String path) {
            return Json.at(json(), path);
        }

        public long num(String path) {
            Object v = get(path);
            assertThat(v).as("%s: %s in %s", what, path, text()).isInstanceOf(Long.class);
            return (Long) v;
        }

        public String str(String path) {
            Object v = get(path);
            assertThat(v).as("%s: %s in %s", what, path, text()).isInstanceOf(String.class);
            return (String) v;
        }

        public boolean bool(String path) {
            Object v = get(path);
            assertThat(v).as("%s: %s in %s", what, path, text()).isInstanceOf(Boolean.class);
            return (Boolean) v;
        }

        @SuppressWarnings("unchecked")
        public List<Object> list(String path) {
            Object v = get(path);
            assertThat(v).as("%s: %s in %s", what, path, text()).isInstanceOf(List.class);
            return (List<Object>) v;
        }

        /** Asserts the status, and returns this for chaining. */
        public Response expect(int status) {
            assertThat(this.status).as("%s: status, body %s", what, text()).isEqualTo(status);
            return this;
        }

        /** Asserts a 2xx JSON answer with this status. */
        public Response ok(int status) {
            expect(status);
            assertThat(header("content-type")).as("%s: Content-Type", what).startsWith("application/json");
            return this;
        }

        public Response ok() {
            return ok(200);
        }

        /** Asserts SPEC §0's error body with this status and code. */
        public Response assertError(int status, String code) {
            expect(status);
            assertErrorShape(this);
            assertThat(str("error.code")).as("%s: error code, body %s", what, text()).isEqualTo(code);
            return this;
        }

        @Override
        public String toString() {
            return what + " -> " + status + " " + text();
        }
    }

    // ---- JSON ----------------------------------------------------------------------------

    /**
     * A small strict JSON parser for assertions: objects become insertion-ordered maps
     * (a repeated key is an error), arrays lists, integers {@link Long} (or
     * {@link BigInteger} when too large), other numbers {@link BigDecimal}.
     */
    public static final class Json {
        private final String s;
        private int p;

        private Json(String s) {
            this.s = s;
        }

        public static Object parse(String text) {
            Json j = new Json(text);
            j.ws();
            Object v = j.value();
            j.ws();
            if (j.p != text.length()) {
                throw j.fail("trailing data");
            }
            return v;
        }

        /** {@code o} as a JSON object (a map from names to values). */
        @SuppressWarnings("unchecked")
        public static Map<String, Object> obj(Object o) {
            if (!(o instanceof Map<?, ?>)) {
                throw new AssertionError("expected a JSON object, got " + o);
            }
            return (Map<String, Object>) o;
        }

        /** The value at a dotted path; a number segment indexes a list; absent = null. */
        public static Object at(Object root, String path) {
            Object cur = root;
            for (String part : path.split("\\.")) {
                if (cur instanceof Map<?, ?> m) {
                    cur = m.get(part);
                } else if (cur instanceof List<?> l && part.matches("[0-9]+")) {
                    int i = Integer.parseInt(part);
                    cur = i < l.size() ? l.get(i) : null;
                } else {
                    return null;
                }
            }
            return cur;
        }

        private IllegalArgumentException fail(String why) {
            return new IllegalArgumentException("bad JSON at " + p + ": " + why + " in "
                    + (s.length() > 300 ? s.substring(0, 300) + "…" : s));
        }

        private void ws() {
            while (p < s.length() && " \t\r\n".indexOf(s.charAt(p)) >= 0) {
                p++;
            }
        }

        private Object value() {
            if (p >= s.length()) {
                throw fail("unexpected end");
            }
            char c = s.charAt(p);
            switch (c) {
                case '{' -> {
                    p++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    ws();
                    if (peek('}')) {
                        p++;
                        return m;
                    }
                    while (true) {
                        ws();
                        if (!peek('"')) {
                            throw fail("expected a name");
                        }
                        String k = string();
                        ws();
                        expect(':');
                        ws();
                        if (m.containsKey(k)) {
                            throw fail("repeated key " + k);
                        }
                        m.put(k, value());
                        ws();
                        if (peek(',')) {
                            p++;
                            continue;
                        }
                        expect('}');
                        return m;
                    }
                }
                case '[' -> {
                    p++;
                    List<Object> l = new ArrayList<>();
                    ws();
                    if (peek(']')) {
                        p++;
                        return l;
                    }
                    while (true) {
                        ws();
                        l.add(value());
                        ws();
                        if (peek(',')) {
                            p++;
                            continue;
                        }
                        expect(']');
                        return l;
                    }
                }
                case '"' -> {
                    return string();
                }
                case 't' -> {
                    literal("true");
                    return Boolean.TRUE;
                }
                case 'f' -> {
                    literal("false");
                    return Boolean.FALSE;
                }
                case 'n' -> {
                    literal("null");
                    return null;
                }
                default -> {
                    return number();
                }
            }
        }

        private boolean peek(char c) {
            return p < s.length() && s.charAt(p) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw fail("expected '" + c + "'");
            }
            p++;
        }

        private void literal(String word) {
            if (!s.startsWith(word, p)) {
                throw fail("expected " + word);
            }
            p += word.length();
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                if (p >= s.length()) {
                    throw fail("unterminated string");
                }
                char c = s.charAt(p++);
                if (c == '"') {
                    return b.toString();
                }
                if (c < 0x20) {
                    throw fail("control character in string");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = s.charAt(p++);
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(p, p + 4), 16));
                        p += 4;
                    }
                    default -> throw fail("bad escape");
                }
            }
        }

        private Object number() {
            int start = p;
            if (peek('-')) {
                p++;
            }
            boolean integer = true;
            while (p < s.length()) {
                char c = s.charAt(p);
                if (c >= '0' && c <= '9') {
                    p++;
                } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                    integer = false;
                    p++;
                } else {
                    break;
                }
            }
            String t = s.substring(start, p);
            if (t.isEmpty() || t.equals("-")) {
                throw fail("unexpected character");
            }
            try {
                if (integer) {
                    BigInteger bi = new BigInteger(t);
                    return bi.bitLength() < 64 ? (Object) bi.longValue() : bi;
                }
                return new BigDecimal(t);
            } catch (NumberFormatException ex) {
                throw fail("bad number " + t);
            }
        }
    }
}
