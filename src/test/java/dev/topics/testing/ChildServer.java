package dev.topics.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real server in a child JVM ({@code dev.topics.Main serve}), for tests that need a
 * process boundary: SIGKILL, SIGTERM, exit codes, a second server on the same data dir.
 *
 * <p>The child runs on this JVM's own {@code java} and class path, with
 * {@code TOPICS_PORT=0} and {@code TOPICS_DATA_DIR} set; every other {@code TOPICS_*} or
 * {@code PINGD_*} variable of this process is removed so the outer environment cannot leak
 * in. The class path's directories are copied once, so a concurrent rebuild of
 * {@code target/classes} in the same tree cannot break a child still loading classes.
 * Its stdout and stderr go, merged, to a temp file that a daemon thread tails line by
 * line; {@link #output()} gives everything so far. Nothing here blocks without a timeout.
 *
 * <p>Use in try-with-resources or close it in {@code @AfterEach}: {@link #close()} kills
 * a child that is still running.
 */
public final class ChildServer implements AutoCloseable {
    /** The start line (SPEC §1); group 1 = host, 2 = port. */
    private static final Pattern START_LINE = Pattern.compile("listening on http://([^\\s:/]+):(-?\\d+) ");
    private static final Pattern REPLAYED = Pattern.compile("\\(replayed (\\d+) frames(?:, cut (\\d+) torn bytes)?\\)");
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path dataDir;
    /** The child's stdout and stderr, merged. */
    private final Path log;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private volatile String startLine;
    private volatile int port = -1;
    private volatile boolean outputClosed;

    private ChildServer(Process process, Path dataDir, Path log) {
        this.process = process;
        this.dataDir = dataDir;
        this.log = log;
        this.reader = new Thread(this::readOutput, "child-server-output-" + process.pid());
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Starts {@code serve} on {@code dataDir} and waits for its start line. */
    public static ChildServer start(Path dataDir) {
        return start(dataDir, Map.of());
    }

    /** Starts {@code serve} with extra environment variables and arguments, and waits for its start line. */
    public static ChildServer start(Path dataDir, Map<String, String> env, String... args) {
        return start(dataDir, List.of(), env, args);
    }

    /**
     * Starts {@code serve} with extra JVM options (e.g. {@code -Dtopics.fault=wal-after-write:3}),
     * environment variables and arguments, and waits for its start line.
     */
    public static ChildServer start(Path dataDir, List<String> jvmArgs, Map<String, String> env, String... args) {
        ChildServer s = launch(dataDir, jvmArgs, env, args);
        try {
            s.awaitStarted(START_TIMEOUT);
        } catch (RuntimeException | AssertionError e) {
            s.close();
            throw e;
        }
        return s;
    }

    /**
     * Launches {@code serve} without waiting for anything: for children expected to refuse to
     * start. {@code env} values override the defaults; a null value removes the variable.
     */
    public static ChildServer launch(Path dataDir, Map<String, String> env, String... args) {
        return launch(dataDir, List.of(), env, args);
    }

    /** {@link #launch(Path, Map, String...)} with extra JVM options, placed before the main class. */
    public static ChildServer launch(Path dataDir, List<String> jvmArgs, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1"); // starts faster; the tests need correctness, not peak speed
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add("dev.topics.Main");
        cmd.add("serve");
        cmd.addAll(List.of(args));
        Path log;
        try {
            log = Files.createTempFile("topics-child-", ".log");
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> e = pb.environment();
        e.keySet().removeIf(k -> k.startsWith("TOPICS") || k.startsWith("PINGD_"));
        Map<String, String> all = new LinkedHashMap<>();
        all.put("TOPICS_PORT", "0");
        if (dataDir != null) {
            all.put("TOPICS_DATA_DIR", dataDir.toString());
        }
        all.putAll(env);
        all.forEach((k, v) -> {
            if (v == null) {
                e.remove(k);
            } else {
                e.put(k, v);
            }
        });
        try {
            return new ChildServer(pb.start(), dataDir, log);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot start the child JVM: " + cmd, ex);
        }
    }

    private static String classPath;

    /**
     * This JVM's class path, with its directories ({@code target/classes}…) copied once:
     * other builds in the same tree may recompile them while a child loads classes.
     */
    private static synchronized String classPath() {
        if (classPath == null) {
            try {
                Path copies = Files.createTempDirectory("topics-child-cp-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(copies)));
                List<String> entries = new ArrayList<>();
                int i = 0;
                for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                    Path p = Path.of(entry);
                    if (Files.isDirectory(p)) {
                        Path copy = copies.resolve(i++ + "-" + p.getFileName());
                        copyTree(p, copy);
                        entries.add(copy.toString());
                    } else {
                        entries.add(entry);
                    }
                }
                classPath = String.join(java.io.File.pathSeparator, entries);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy the class path for the child JVM", e);
            }
        }
        return classPath;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void deleteTree(Path root) {
        try (var s = Files.walk(root)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temp files; the OS cleans up eventually
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * Tails the log file until the child has exited and every byte is read. (Reading a
     * pipe instead loses the last lines: when the child exits, the JDK drains and closes
     * the pipe under a reader blocked on it.)
     */
    private void readOutput() {
        try (InputStream in = Files.newInputStream(log)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(256);
            byte[] buf = new byte[8192];
            while (true) {
                boolean exited = !process.isAlive(); // before the read: what it wrote by then is in the file
                int n = in.read(buf);
                if (n > 0) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            addLine(line);
                        } else {
                            line.write(buf[i]);
                        }
                    }
                } else if (exited) {
                    if (line.size() > 0) {
                        addLine(line);
                    }
                    break;
                } else {
                    Thread.sleep(10);
                }
            }
        } catch (IOException e) {
            synchronized (lines) {
                lines.add("[ChildServer: cannot read the child's output: " + e + "]");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            synchronized (lines) {
                outputClosed = true;
                lines.notifyAll();
            }
        }
    }

    private void addLine(ByteArrayOutputStream bytes) {
        String line = bytes.toString(StandardCharsets.UTF_8);
        bytes.reset();
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        synchronized (lines) {
            lines.add(line);
            if (startLine == null) {
                Matcher m = START_LINE.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(2));
                    startLine = line;
                }
            }
            lines.notifyAll();
        }
    }

    /** Waits for the start line; fails with the child's output if it exits or times out first. */
    public void awaitStarted(Duration timeout) {
        if (awaitLine(l -> START_LINE.matcher(l).find(), timeout) == null) {
            throw new AssertionError("child server did not log its start line within " + timeout
                    + (process.isAlive() ? "" : " (exited with " + process.exitValue() + ")") + "; output:\n" + output());
        }
        if (port <= 0) {
            throw new AssertionError("child server logged a start line without a usable port (it is not listening)"
                    + "; output:\n" + output());
        }
    }

    /**
     * Waits until a line of output matches; returns it, or null if the output ended or the
     * time ran out first.
     */
    public String awaitLine(Predicate<String> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        synchronized (lines) {
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (match.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (outputClosed || left <= 0) {
                    return null;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lines, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
    }

    /**
     * For a child expected to refuse to start: waits until it exits and returns its exit
     * code. Fails at once (killing it) if it logs the start line instead, and on timeout.
     */
    public int awaitRefusal(Duration timeout) {
        String started = awaitLine(l -> START_LINE.matcher(l).find(), timeout);
        if (started != null) {
            close();
            throw new AssertionError("the server started instead of refusing to; output:\n" + output());
        }
        return waitFor(Duration.ofSeconds(10));
    }

    /** The port from the start line. */
    public int port() {
        if (startLine == null) {
            throw new IllegalStateException("the child has not logged its start line; output:\n" + output());
        }
        return port;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public Path dataDir() {
        return dataDir;
    }

    public long pid() {
        return process.pid();
    }

    public String startLine() {
        return startLine;
    }

    /** Frames replayed by recovery, from the start line. */
    public long replayedFrames() {
        Matcher m = REPLAYED.matcher(startLine());
        if (!m.find()) {
            throw new AssertionError("no \"replayed N frames\" in the start line: " + startLine());
        }
        return Long.parseLong(m.group(1));
    }

    /** Torn WAL bytes recovery cut, from the start line (0 when none). */
    public long tornBytesCut() {
        Matcher m = REPLAYED.matcher(startLine());
        if (!m.find()) {
            throw new AssertionError("no \"replayed N frames\" in the start line: " + startLine());
        }
        return m.group(2) == null ? 0 : Long.parseLong(m.group(2));
    }

    /** Everything the child printed so far, one line each. */
    public List<String> outputLines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    public String output() {
        return String.join("\n", outputLines());
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM ({@link Process#destroy()} on Linux). */
    public void sigterm() {
        process.destroy();
    }

    /** SIGKILL ({@link Process#destroyForcibly()} on Linux). */
    public void sigkill() {
        process.destroyForcibly();
    }

    /**
     * Waits for the child to exit and for its output to be read to the end; returns the exit
     * code. On timeout the child is killed and an {@link AssertionError} (with the output)
     * is thrown.
     */
    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("child server did not exit within " + timeout + "; killed it. Output:\n" + output());
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the child", e);
        }
    }

    /** A plain HTTP/1.1 exchange with the child (10 s timeout). */
    public Response send(String method, String path, String body) {
        return send(method, path, body, Map.of());
    }

    /** A plain HTTP/1.1 exchange with extra request headers. */
    public Response send(String method, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response post(String path, String body) {
        return send("POST", path, body);
    }

    public Response put(String path, String body) {
        return send("PUT", path, body);
    }

    /** An HTTP status and body. */
    public record Response(int status, String body) {
        public byte[] bytes() {
            return body.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Kills the child if it still runs, and waits for it. Idempotent. */
    @Override
    public void close() {
        http.close();
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            reader.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!reader.isAlive()) {
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                // a leftover temp file is harmless
            }
        }
    }
}
