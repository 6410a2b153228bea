package dev.topics.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A real headless Chromium (Debian's {@code chromium}) driven over the Chrome DevTools
 * Protocol with the JDK's WebSocket client: navigate, run JavaScript in the page (to read
 * the DOM, fill forms, click), wait for conditions, take screenshots. No driver, no npm.
 *
 * <p>Without a Chromium the tests using it are skipped with that reason on a developer's
 * machine; under CI ({@code CI=true}, where {@code .ci/run} installs it) they fail instead.
 */
public final class Browser implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final List<String> CANDIDATES = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome");

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();

    private Browser(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    /** The Chromium binary, or the test is skipped (failed under CI) with the reason. */
    static String chromium() {
        for (String c : CANDIDATES) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        String why = "no Chromium found (" + String.join(", ", CANDIDATES) + "); .ci/run installs Debian's chromium";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(why);
        }
        Assumptions.abort(why);
        return null;
    }

    /** Starts a headless Chromium with a fresh profile and a window of {@code width}×{@code height}. */
    public static Browser start(Path tmp, int width, int height) throws Exception {
        Path profile = Files.createTempDirectory(tmp, "chromium-");
        Process p = new ProcessBuilder(chromium(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "about:blank")
                .redirectErrorStream(true).start();
        String browserWs = null;
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (String line; System.nanoTime() < deadline && (line = out.readLine()) != null; ) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                browserWs = m.group(1);
                break;
            }
        }
        if (browserWs == null) {
            p.destroyForcibly();
            throw new IllegalStateException("Chromium did not start (no DevTools address)");
        }
        Thread.ofVirtual().start(() -> out.lines().forEach(l -> { })); // keep its output drained
        URI base = URI.create(browserWs.replace("ws://", "http://")).resolve("/json/list");
        HttpClient http = HttpClient.newHttpClient();
        String pageWs = null;
        for (int i = 0; i < 50 && pageWs == null; i++) {
            String list = http.send(HttpRequest.newBuilder(base).build(), HttpResponse.BodyHandlers.ofString()).body();
            for (Object o : (List<?>) Http.Json.parse(list)) {
                Map<?, ?> t = (Map<?, ?>) o;
                if ("page".equals(t.get("type"))) {
                    pageWs = (String) t.get("webSocketDebuggerUrl");
                }
            }
            if (pageWs == null) {
                Thread.sleep(100);
            }
        }
        if (pageWs == null) {
            p.destroyForcibly();
            throw new IllegalStateException("Chromium has no page to drive");
        }
        Browser[] self = new Browser[1];
        StringBuilder partial = new StringBuilder();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(pageWs), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    self[0].received(partial.toString());
                    partial.setLength(0);
                }
                w.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
        self[0] = new Browser(p, profile, ws);
        self[0].call("Page.enable", Map.of());
        self[0].call("Runtime.enable", Map.of());
        return self[0];
    }

    @SuppressWarnings("unchecked")
    private void received(String text) {
        Map<String, Object> msg = (Map<String, Object>) Http.Json.parse(text);
        Object id = msg.get("id");
        if (id instanceof Number n) {
            CompletableFuture<Map<String, Object>> f = pending.remove(n.intValue());
            if (f != null) {
                f.complete(msg);
            }
        }
    }

    /** Sends one DevTools command and returns its {@code result}. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<String, Object>> f = new CompletableFuture<>();
        pending.put(id, f);
        StringBuilder json = new StringBuilder("{\"id\":").append(id).append(",\"method\":\"").append(method)
                .append("\",\"params\":").append(toJson(params)).append('}');
        socket.sendText(json.toString(), true).get(10, TimeUnit.SECONDS);
        Map<String, Object> msg = f.get(30, TimeUnit.SECONDS);
        if (msg.containsKey("error")) {
            throw new IllegalStateException(method + " failed: " + msg.get("error"));
        }
        return (Map<String, Object>) msg.get("result");
    }

    /** Opens {@code url} and waits until the document has loaded. */
    public void open(String url) throws Exception {
        call("Page.navigate", Map.of("url", url));
        await("document.readyState === 'complete'", Duration.ofSeconds(15));
    }

    /** Evaluates {@code js} in the page (promises awaited) and returns its value as JSON data. */
    @SuppressWarnings("unchecked")
    public Object eval(String js) throws Exception {
        Map<String, Object> r = call("Runtime.evaluate", Map.of("expression", js, "returnByValue", true,
                "awaitPromise", true));
        if (r.containsKey("exceptionDetails")) {
            throw new IllegalStateException("page script failed: " + r.get("exceptionDetails"));
        }
        return ((Map<String, Object>) r.get("result")).get("value");
    }

    /** Waits until {@code condition} (a JavaScript expression) is true in the page. */
    public void await(String condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Object v;
            try {
                v = eval("Boolean(" + condition + ")");
            } catch (IllegalStateException e) {
                v = false; // the page may be between documents
            }
            if (Boolean.TRUE.equals(v)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the page never satisfied: " + condition);
            }
            Thread.sleep(50);
        }
    }

    /**
     * Lays the page out as on a screen of {@code width}×{@code height} CSS pixels ({@code mobile}:
     * a phone's viewport, as Chromium's device emulation does); {@link #resetViewport} undoes it.
     */
    public void viewport(int width, int height, boolean mobile) throws Exception {
        call("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1,
                "mobile", mobile));
        await("window.innerWidth === " + width, Duration.ofSeconds(5));
    }

    /** Back to the window's own size. */
    public void resetViewport() throws Exception {
        call("Emulation.clearDeviceMetricsOverride", Map.of());
    }

    /** Saves a PNG screenshot of the page. */
    public void screenshot(Path file) throws Exception {
        Map<String, Object> r = call("Page.captureScreenshot", Map.of("format", "png"));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode((String) r.get("data")));
    }

    @Override
    public void close() throws IOException {
        socket.abort();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Chromium's helper processes may still write and rename profile files for a moment
        // after the main process exits: a file gone during the walk is retried, not an error
        for (int attempt = 1; ; attempt++) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                return;
            } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
                if (attempt == 5) {
                    throw e instanceof java.io.UncheckedIOException u ? u : new java.io.UncheckedIOException((IOException) e);
                }
                Await.sleep(200);
            }
        }
    }

    private static String toJson(Object o) {
        return switch (o) {
            case null -> "null";
            case String s -> quote(s);
            case Boolean b -> b.toString();
            case Number n -> n.toString();
            case Map<?, ?> m -> {
                StringBuilder sb = new StringBuilder("{");
                for (var e : m.entrySet()) {
                    if (sb.length() > 1) {
                        sb.append(',');
                    }
                    sb.append(quote(String.valueOf(e.getKey()))).append(':').append(toJson(e.getValue()));
                }
                yield sb.append('}').toString();
            }
            default -> throw new IllegalArgumentException("not JSON: " + o);
        };
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
