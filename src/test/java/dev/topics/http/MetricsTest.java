package dev.topics.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.SseClient;
import dev.topics.testing.TestServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §12: {@code GET /metrics} is Prometheus text; its series move when records are
 * written and read; it needs the admin when auth is required, unless {@code metrics.public}.
 */
@Timeout(60)
class MetricsTest {
    @TempDir
    Path tmp;

    /** {@code name{labels} value} or {@code name value}: every line that is not a comment. */
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? (\\S+)( \\d+)?");

    /** Parses the exposition text: series (name + labels) → value; fails on any line that is not valid. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                assertThat(line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE ") || line.startsWith("# EOF"))
                        .as("comment line: %s", line).isTrue();
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("sample line: %s", line).isTrue();
            String v = m.group(3);
            double d = v.equals("+Inf") ? Double.POSITIVE_INFINITY : v.equals("-Inf") ? Double.NEGATIVE_INFINITY
                    : v.equals("NaN") ? Double.NaN : Double.parseDouble(v);
            out.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), d);
        }
        return out;
    }

    static double sum(Map<String, Double> series, String prefix, String... labels) {
        double s = 0;
        for (var e : series.entrySet()) {
            boolean all = e.getKey().startsWith(prefix);
            for (String l : labels) {
                all &= e.getKey().contains(l);
            }
            if (all) {
                s += e.getValue();
            }
        }
        return s;
    }

    @Test
    void theSeriesParseAndMoveWithWritesReadsAndStreams() throws Exception {
        try (TestServer server = TestServer.start(tmp)) {
            Http http = server.http();
            Http.Response first = http.get("/metrics").expect(200);
            assertThat(first.header("Content-Type")).startsWith("text/plain");
            Map<String, Double> before = parse(first.text());
            assertThat(before.keySet()).anyMatch(k -> k.startsWith("topics_commit_groups"))
                    .anyMatch(k -> k.startsWith("topics_fsync_seconds")).anyMatch(k -> k.startsWith("topics_watchers"))
                    .anyMatch(k -> k.startsWith("topics_router_lag")).anyMatch(k -> k.startsWith("topics_disk_bytes"))
                    .anyMatch(k -> k.startsWith("topics_webhook_deliveries_succeeded"));

            http.post("/v0/topics/metrics.t", "{\"records\": [{\"data\": 1}, {\"data\": 2}, {\"data\": 3}]}").ok();
            http.post("/v0/topics/metrics.t/diff", "{\"from_seq\": 0}").ok();
            http.get("/v0/topics/nope.nope").assertError(404, "topic_not_found");
            Map<String, Double> after = parse(http.get("/metrics").expect(200).text());

            assertThat(sum(after, "topics_records_written_total") - sum(before, "topics_records_written_total"))
                    .isEqualTo(3.0);
            assertThat(sum(after, "topics_records_read_total") - sum(before, "topics_records_read_total")).isEqualTo(3.0);
            assertThat(sum(after, "topics_commit_entries")).isGreaterThan(sum(before, "topics_commit_entries"));
            assertThat(sum(after, "topics_fsyncs")).isGreaterThan(sum(before, "topics_fsyncs"));
            assertThat(sum(after, "topics_disk_bytes")).isPositive();
            assertThat(sum(after, "topics_requests_seconds_count", "route=\"/v0/topics/{id}\"", "status=\"200\"",
                    "method=\"POST\"")).isGreaterThanOrEqualTo(1.0);
            assertThat(sum(after, "topics_requests_seconds_count", "route=\"/v0/topics/{id}\"", "status=\"404\""))
                    .isGreaterThanOrEqualTo(1.0);
            assertThat(after.keySet()).anyMatch(k -> k.startsWith("topics_requests_seconds_bucket") && k.contains("le=\""));

            try (SseClient sse = SseClient.open(http.base().resolve("/v0/topics/metrics.t/watch?from_seq=0"), null)) {
                assertThat(sse.nextEvent(5).name()).isEqualTo("record");
                assertThat(sum(parse(http.get("/metrics").expect(200).text()), "topics_watchers")).isGreaterThanOrEqualTo(1.0);
            }
        }
    }

    /** The {@code # TYPE} lines: series name → type. */
    static Map<String, String> types(String text) {
        Map<String, String> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] p = line.split(" ");
                out.put(p[2], p[3]);
            }
        }
        return out;
    }

    @Test
    void everySeriesHasOnePrefixAndTotalsAreCountersNamedTotal() throws Exception {
        try (TestServer server = TestServer.start(tmp)) {
            server.http().post("/v0/topics/metrics.k", "{\"records\": [{\"data\": 1}]}").ok();
            Map<String, String> types = types(server.http().get("/metrics").expect(200).text());
            assertThat(types.keySet()).as("every series is the server's, the JVM's, the process's or the system's")
                    .isNotEmpty().allMatch(n -> n.startsWith("topics_") || n.startsWith("jvm_")
                            || n.startsWith("process_") || n.startsWith("system_"));
            for (String counter : List.of("topics_records_written_total", "topics_records_read_total",
                    "topics_commit_groups_total", "topics_commit_entries_total", "topics_fsyncs_total",
                    "topics_fsync_seconds_total", "topics_wal_bytes_total", "jvm_gc_memory_allocated_bytes_total")) {
                assertThat(types.get(counter)).as(counter).isEqualTo("counter");
            }
            for (String gauge : List.of("topics_watchers", "topics_router_lag", "topics_disk_bytes",
                    "topics_webhook_deliveries_pending", "jvm_memory_used_bytes", "jvm_threads_live_threads",
                    "process_cpu_usage", "process_uptime_seconds", "process_files_open_files", "jvm_gc_max_data_size_bytes")) {
                assertThat(types.get(gauge)).as(gauge).isEqualTo("gauge");
            }
            assertThat(types.get("topics_requests_seconds")).isEqualTo("histogram");
            assertThat(types.keySet()).as("no total kept as a gauge under its old name")
                    .doesNotContain("topics_fsyncs", "topics_wal_bytes", "topics_commit_groups");
            assertThat(types).allSatisfy((name, type) -> {
                if (type.equals("counter")) {
                    assertThat(name).as("a counter's name").endsWith("_total");
                }
            });
        }
    }

    @Test
    void aScraperThatAsksForOpenMetricsGetsIt() throws Exception {
        try (TestServer server = TestServer.start(tmp)) {
            server.http().post("/v0/topics/metrics.o", "{\"records\": [{\"data\": 1}]}").ok();
            Http.Response r = server.http().withHeader("Accept",
                    "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5").get("/metrics").expect(200);
            assertThat(r.header("Content-Type")).startsWith("application/openmetrics-text");
            assertThat(r.text()).endsWith("# EOF\n").contains("# TYPE topics_records_written counter")
                    .containsPattern("\ntopics_records_written_total [1-9][0-9.E]*\n");
            Http.Response plain = server.http().get("/metrics").expect(200);
            assertThat(plain.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            assertThat(plain.text()).doesNotContain("# EOF");
        }
    }

    /** A series name in a PromQL expression: one of ours, the JVM's, the process's or the system's. */
    private static final Pattern QUERIED = Pattern.compile("\\b((?:topics|jvm|process|system)_[a-z0-9_]+)");

    @Test
    void theGrafanaDashboardQueriesOnlySeriesTheServerExports() throws Exception {
        com.fasterxml.jackson.databind.JsonNode board = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(java.nio.file.Path.of("etc", "grafana-dashboard.json").toFile());
        List<String> exprs = board.findValues("expr").stream().map(com.fasterxml.jackson.databind.JsonNode::asText)
                .toList();
        assertThat(exprs).as("the dashboard's queries").hasSizeGreaterThanOrEqualTo(10);
        assertThat(board.findValues("title")).as("every panel has a title").allMatch(t -> !t.asText().isBlank());
        try (TestServer server = TestServer.start(tmp)) {
            server.http().post("/v0/topics/metrics.g", "{\"records\": [{\"data\": 1}]}").ok();
            // GC pauses are a series once the JVM has paused; the server is in this JVM
            System.gc();
            dev.topics.testing.Await.until("a GC pause in /metrics", java.time.Duration.ofSeconds(20),
                    () -> server.http().get("/metrics").expect(200).text().contains("jvm_gc_pause_seconds_count{"));
            Map<String, String> types = types(server.http().get("/metrics").expect(200).text());
            java.util.Set<String> queried = new java.util.TreeSet<>();
            for (String e : exprs) {
                Matcher m = QUERIED.matcher(e);
                while (m.find()) {
                    queried.add(m.group(1));
                }
            }
            assertThat(queried).as("series the dashboard queries").contains("topics_records_written_total",
                    "topics_requests_seconds_bucket", "jvm_memory_used_bytes", "jvm_gc_pause_seconds_sum",
                    "process_cpu_usage");
            for (String q : queried) {
                String base = q.replaceAll("_(bucket|sum|count)$", "");
                assertThat(types).as("%s, queried by etc/grafana-dashboard.json, is exported", q)
                        .containsKey(types.containsKey(q) ? q : base);
            }
        }
    }

    @Test
    void metricsNeedTheAdminWhenAuthIsRequiredUnlessPublic() throws Exception {
        try (TestServer closed = TestServer.startWithAuth(java.nio.file.Files.createDirectories(tmp.resolve("closed")))) {
            closed.http().get("/metrics").assertError(401, "unauthorized");
            String token = closed.http().withHeader("Authorization", "Bearer " + TestServer.ADMIN_TOKEN)
                    .post("/v0/principals", "{\"name\": \"someone\"}").ok(201).str("token");
            closed.http().withHeader("Authorization", "Bearer " + token).get("/metrics").assertError(403, "forbidden");
            closed.http().withHeader("Authorization", "Bearer " + TestServer.ADMIN_TOKEN).get("/metrics").expect(200);
        }
        try (TestServer open = TestServer.withAuth(java.nio.file.Files.createDirectories(tmp.resolve("open")))
                .yaml("auth:\n  failures_per_minute: 1000000\nmetrics:\n  public: true\n").start()) {
            assertThat(open.http().get("/metrics").expect(200).text()).contains("topics_records_written_total");
        }
    }
}
