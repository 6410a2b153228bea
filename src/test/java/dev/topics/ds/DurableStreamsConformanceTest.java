package dev.topics.ds;

import static org.assertj.core.api.Assertions.fail;

import dev.topics.json.JsonReader;
import dev.topics.testing.ChildServer;
import dev.topics.testing.ProcessTest;
import java.io.IOException;
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
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Durable Streams conformance suite ({@code @durable-streams/server-conformance-tests},
 * run by vitest under Node.js) against the real server: {@code bin/ds-suite install} puts the
 * pinned suite outside the sources (fast when it is there already), a server starts in a
 * child JVM on a free port with a fresh data directory in dev mode, and
 * {@code bin/ds-suite run} runs every test of the suite against its {@code /v1/stream/}.
 *
 * <p>Vitest's JSON report decides: no test failed, none was skipped but the suite's opt-in
 * "Reserved subscription APIs" group, at least {@value #MIN_PASSED} passed, and vitest
 * exited 0. The failure message names the failed tests with the first line of each error.
 * Everything is kept in {@code target/ds-conformance/}: vitest's output ({@code vitest.log},
 * one line per test), its report ({@code report.json}) and the server's log.
 *
 * <p>{@code -Dtopics.ds.url=http://127.0.0.1:PORT} runs the same checks against a server
 * that is already running instead (no server is started); {@code bin/ds-suite run URL} runs
 * the suite by hand, with vitest's own arguments ({@code -t 'Fork'}).
 */
@Timeout(value = 25, unit = TimeUnit.MINUTES)
class DurableStreamsConformanceTest extends ProcessTest {
    /** The suite's tests that run by default: all 338 but the 6 opt-in subscription tests. */
    private static final int MIN_PASSED = 332;
    /** The suite's only opt-in group ({@code subscriptions: true}); its tests are skipped. */
    private static final String OPT_IN_GROUP = "Reserved subscription APIs";
    private static final int OPT_IN_TESTS = 6;
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration SUITE_TIMEOUT = Duration.ofMinutes(15);
    private static final int MAX_LISTED = 40;
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*[A-Za-z]");

    private static final Path PROJECT = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    private static final Path OUT = PROJECT.resolve("target").resolve("ds-conformance");

    @Test
    void theConformanceSuitePassesAgainstARealServer() throws Exception {
        Files.createDirectories(OUT);
        Path installLog = OUT.resolve("install.log");
        Exit installed = run(List.of("install"), installLog, INSTALL_TIMEOUT, () -> true);
        if (installed.code() != 0) {
            fail("bin/ds-suite install " + (installed.timedOut() ? "did not finish within "
                    + INSTALL_TIMEOUT.toMinutes() + " min; killed it" : "failed (exit " + installed.code() + ") after "
                    + installed.seconds() + " s") + "; its output:\n" + tail(installLog, 40));
        }

        String url = System.getProperty("topics.ds.url");
        ChildServer server = null;
        if (url == null || url.isBlank()) {
            // CORS on for every origin: one test of the suite preflights from https://example.com
            // (CORS is off unless configured). The long poll is shortened from its 20 s default
            // only to keep the run short: the tests that wait for a 204 wait for it.
            Path config = tmp.resolve("ds.yaml");
            Files.writeString(config, "watch:\n  stream_long_poll_ms: 2000\n");
            server = keep(ChildServer.start(tmp.resolve("data"), Map.of("TOPICS_CORS_ALLOWED_ORIGINS", "*"), "--config",
                    config.toString()));
            url = "http://127.0.0.1:" + server.port();
        } else {
            requireAnswer(url);
        }
        ChildServer started = server;

        Path log = OUT.resolve("vitest.log");
        Path report = OUT.resolve("report.json");
        Files.deleteIfExists(report);
        Exit suite;
        try {
            // a server that dies would leave every remaining test to its 40 s timeout: stop at once
            suite = run(List.of("run", url, "--reporter=verbose", "--reporter=json", "--outputFile.json=" + report),
                    log, SUITE_TIMEOUT, () -> started == null || started.isAlive());
        } finally {
            if (server != null) {
                Files.writeString(OUT.resolve("server.log"), server.output() + "\n");
            }
        }
        String kept = "vitest's output: " + PROJECT.relativize(log) + ", its JSON report: " + PROJECT.relativize(report)
                + (server == null ? "" : ", the server's log: " + PROJECT.relativize(OUT.resolve("server.log")));
        if (server != null && !server.isAlive()) {
            fail("the server exited (code " + server.waitFor(Duration.ofSeconds(10)) + ") during the conformance suite ("
                    + kept + "). The end of its log:\n"
                    + String.join("\n", tailOf(server.outputLines(), 40)));
        }
        if (suite.timedOut()) {
            fail("the conformance suite against " + url + " did not finish within " + SUITE_TIMEOUT.toMinutes()
                    + " min; killed it (" + kept + "). The end of vitest's output:\n" + tail(log, 60));
        }
        if (!Files.exists(report)) {
            fail("the conformance suite against " + url + " wrote no report (vitest exit " + suite.code() + " after "
                    + suite.seconds() + " s; " + kept + "). The end of vitest's output:\n" + tail(log, 60));
        }

        Report r = Report.read(report);
        String summary = "Durable Streams conformance suite against " + url + ": " + r.passed.size() + " passed, "
                + r.failed.size() + " failed, " + r.skipped.size() + " skipped of " + r.total + " (vitest exit "
                + suite.code() + ", " + suite.seconds() + " s)";
        System.out.println(summary);

        List<String> problems = new ArrayList<>();
        if (!r.failed.isEmpty()) {
            StringBuilder b = new StringBuilder(r.failed.size() + " failed"
                    + (r.failed.size() > MAX_LISTED ? " (the first " + MAX_LISTED + ")" : "") + ":");
            r.failed.stream().limit(MAX_LISTED).forEach(t -> b.append("\n    ").append(t));
            problems.add(b.toString());
        }
        List<String> skippedElsewhere = r.skipped.stream().filter(t -> !t.startsWith(OPT_IN_GROUP + " > ")).toList();
        if (!skippedElsewhere.isEmpty()) {
            problems.add(skippedElsewhere.size() + " skipped, pending or todo outside \"" + OPT_IN_GROUP
                    + "\" (only that opt-in group may be):\n    " + String.join("\n    ", skippedElsewhere));
        }
        if (r.skipped.size() - skippedElsewhere.size() > OPT_IN_TESTS) {
            problems.add("more than " + OPT_IN_TESTS + " tests skipped in \"" + OPT_IN_GROUP + "\": "
                    + (r.skipped.size() - skippedElsewhere.size()));
        }
        if (r.passed.size() < MIN_PASSED) {
            problems.add(r.passed.size() + " passed, fewer than " + MIN_PASSED);
        }
        if (!r.fileErrors.isEmpty()) {
            problems.add("errors outside any test:\n    " + String.join("\n    ", r.fileErrors));
        }
        if (problems.isEmpty() && suite.code() != 0) {
            problems.add("vitest exited " + suite.code() + " although every test passed (an unhandled error?);"
                    + " the end of its output:\n" + tail(log, 40));
        }
        if (!problems.isEmpty()) {
            fail(summary + "\n- " + String.join("\n- ", problems) + "\n(" + kept + ")");
        }
    }

    // ---- running bin/ds-suite --------------------------------------------------------------

    private record Exit(int code, boolean timedOut, long seconds) {
    }

    /**
     * Runs {@code bin/ds-suite args}, stdout and stderr into {@code log}; kills it and
     * everything it started (vitest's workers) on timeout, or as soon as {@code goOn} is false.
     */
    private static Exit run(List<String> args, Path log, Duration timeout, BooleanSupplier goOn)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", PROJECT.resolve("bin/ds-suite").toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(PROJECT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().remove("FORCE_COLOR");
        pb.environment().put("NO_COLOR", "1");
        long start = System.nanoTime();
        Process p = pb.start();
        try {
            long deadline = start + timeout.toNanos();
            boolean done = false;
            while (!done && System.nanoTime() < deadline && goOn.getAsBoolean()) {
                done = p.waitFor(Math.min(1000, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1),
                        TimeUnit.MILLISECONDS);
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            return done ? new Exit(p.exitValue(), false, seconds) : new Exit(-1, true, seconds);
        } finally {
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Fails at once when nothing answers HTTP at {@code url} (the suite would spend 40 s on each test). */
    private static void requireAnswer(String url) throws InterruptedException {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            http.send(HttpRequest.newBuilder(URI.create(url + "/v1/stream/")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException | IllegalArgumentException e) {
            fail("nothing answers HTTP at topics.ds.url=" + url + ": " + e);
        }
    }

    private static String tail(Path file, int lines) throws IOException {
        if (!Files.exists(file)) {
            return "(no output)";
        }
        return String.join("\n", tailOf(Files.readAllLines(file, StandardCharsets.UTF_8), lines));
    }

    private static List<String> tailOf(List<String> all, int lines) {
        return all.subList(Math.max(0, all.size() - lines), all.size());
    }

    // ---- vitest's JSON report --------------------------------------------------------------

    /**
     * The tests of vitest's JSON report by outcome, each as "group > title" (a failed one with
     * the first line of its error), and the errors of test files that failed outside a test.
     */
    private record Report(int total, List<String> passed, List<String> failed, List<String> skipped,
            List<String> fileErrors) {
        static Report read(Path file) throws IOException {
            byte[] json = Files.readAllBytes(file);
            JsonReader reader = new JsonReader(json, 0, json.length, 64);
            Map<String, Object> root = obj(value(reader));
            reader.end();
            List<String> passed = new ArrayList<>();
            List<String> failed = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            List<String> fileErrors = new ArrayList<>();
            int total = 0;
            for (Object f : list(root.get("testResults"))) {
                Map<String, Object> testFile = obj(f);
                String message = firstLine(testFile.get("message"));
                if (!message.isEmpty()) {
                    fileErrors.add(testFile.get("name") + ": " + message);
                }
                for (Object a : list(testFile.get("assertionResults"))) {
                    Map<String, Object> test = obj(a);
                    total++;
                    List<String> path = new ArrayList<>();
                    list(test.get("ancestorTitles")).forEach(t -> path.add(String.valueOf(t)));
                    path.add(String.valueOf(test.get("title")));
                    String name = String.join(" > ", path);
                    switch (String.valueOf(test.get("status"))) {
                        case "passed" -> passed.add(name);
                        case "failed" -> {
                            List<Object> errors = list(test.get("failureMessages"));
                            failed.add(errors.isEmpty() ? name : name + ": " + firstLine(errors.get(0)));
                        }
                        default -> skipped.add(name + " (" + test.get("status") + ")");
                    }
                }
            }
            // the report's own counts must agree with its tests, or the reading above is wrong
            long reported = num(root.get("numTotalTests"));
            if (reported != total || num(root.get("numPassedTests")) != passed.size()
                    || num(root.get("numFailedTests")) != failed.size()) {
                throw new AssertionError("vitest's report counts " + reported + " tests, "
                        + root.get("numPassedTests") + " passed, " + root.get("numFailedTests") + " failed; its tests: "
                        + total + ", " + passed.size() + ", " + failed.size() + " (" + file + ")");
            }
            return new Report(total, passed, failed, skipped, fileErrors);
        }

        private static String firstLine(Object text) {
            if (text == null) {
                return "";
            }
            String s = ANSI.matcher(text.toString()).replaceAll("").strip();
            int nl = s.indexOf('\n');
            s = nl < 0 ? s : s.substring(0, nl).strip();
            return s.length() > 200 ? s.substring(0, 200) + "…" : s;
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> obj(Object o) {
            if (o instanceof Map<?, ?> m) {
                return (Map<String, Object>) m;
            }
            throw new AssertionError("vitest's report: expected an object, got " + o);
        }

        @SuppressWarnings("unchecked")
        private static List<Object> list(Object o) {
            if (o == null) {
                return List.of();
            }
            if (o instanceof List<?> l) {
                return (List<Object>) l;
            }
            throw new AssertionError("vitest's report: expected an array, got " + o);
        }

        private static long num(Object o) {
            if (o instanceof Number n) {
                return n.longValue();
            }
            throw new AssertionError("vitest's report: expected a number, got " + o);
        }

        /** One JSON value as maps, lists, strings, numbers (as double), booleans and null. */
        private static Object value(JsonReader r) {
            return switch (r.peek()) {
                case BEGIN_OBJECT -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    r.beginObject("report");
                    while (r.nextField()) {
                        String name = r.name();
                        m.put(name, value(r));
                    }
                    yield m;
                }
                case BEGIN_ARRAY -> {
                    List<Object> l = new ArrayList<>();
                    r.beginArray("report");
                    while (r.nextElement()) {
                        l.add(value(r));
                    }
                    yield l;
                }
                case STRING -> r.nextString("report");
                case NUMBER -> Double.parseDouble(new String(r.readCanonicalValue(), StandardCharsets.US_ASCII));
                case TRUE, FALSE -> r.nextBoolean("report");
                case NULL -> {
                    r.nextNull();
                    yield null;
                }
                default -> throw new AssertionError("vitest's report: unexpected " + r.peek());
            };
        }
    }
}
