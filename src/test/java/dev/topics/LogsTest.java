package dev.topics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.topics.testing.Await;
import dev.topics.testing.ChildServer;
import dev.topics.testing.ProcessTest;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server's log as an operator reads it (etc/topics.yaml, {@code log.*}): times are UTC
 * whatever the machine's time zone, {@code log.format: json} writes one JSON object per line,
 * {@code log.access} adds a line per request, and {@code log.level} drops what is below it.
 * Real server processes, their standard error as written.
 */
@Timeout(120)
class LogsTest extends ProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void logTimesAreUtcWhateverTheTimeZone() {
        for (String tz : List.of("America/New_York", "Asia/Kolkata", "UTC")) {
            Instant before = Instant.now();
            ChildServer s = keep(ChildServer.start(tmp.resolve(tz.replace('/', '-')), Map.of("TZ", tz)));
            String line = s.startLine();
            Instant logged = Instant.parse(line.substring(0, line.indexOf(' ')));
            // New York is 5 hours behind UTC in December and Kolkata 5.5 ahead: a local time
            // labelled Z would be hours off, not seconds
            assertThat(logged).as("%s: %s", tz, line).isBetween(before.minusSeconds(5), Instant.now().plusSeconds(5));
            assertThat(line).as(tz).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO .*");
            s.sigterm();
            s.waitFor(Duration.ofSeconds(20));
        }
    }

    @Test
    void jsonFormatWritesOneObjectPerLineAndTheAccessLogOneLinePerRequest() throws Exception {
        Path config = Files.writeString(tmp.resolve("log.yaml"), "log:\n  format: json\n  access: true\n");
        ChildServer s = keep(ChildServer.start(tmp.resolve("data"), Map.of("TZ", "America/New_York"),
                "--config", config.toString()));
        assertThat(s.post("/v0/topics/logged", "{\"records\": [{\"data\": 1}]}").status()).isEqualTo(200);
        assertThat(s.get("/v0/topics/logged/diff?from_seq=0&limit=7").status()).isEqualTo(200);
        String access = s.awaitLine(l -> l.contains("\"logger\":\"dev.topics.access\"") && l.contains("diff"),
                Duration.ofSeconds(10));
        assertThat(access).as(s.output()).isNotNull();
        s.sigterm();
        s.waitFor(Duration.ofSeconds(20));
        List<String> lines = s.outputLines().stream().filter(l -> !l.isBlank()).toList();
        assertThat(lines).isNotEmpty();
        for (String l : lines) {
            Map<String, Object> o = JSON.readValue(l, new com.fasterxml.jackson.core.type.TypeReference<>() { });
            assertThat(o.keySet()).as(l).contains("ts", "level", "logger", "message");
            Instant.parse((String) o.get("ts")); // UTC, with its Z
            assertThat((String) o.get("ts")).endsWith("Z");
        }
        Map<?, ?> a = JSON.readValue(access, Map.class);
        assertThat(a.get("method")).isEqualTo("GET");
        assertThat(a.get("path")).as("the path without its query (it may hold a token)")
                .isEqualTo("/v0/topics/logged/diff");
        assertThat(((Number) a.get("status")).intValue()).isEqualTo(200);
        assertThat(a.get("remote")).isEqualTo("127.0.0.1");
        assertThat(s.output()).doesNotContain("limit=7");
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"path\":\"/v0/topics/logged\"")
                .contains("\"method\":\"POST\""));
    }

    @Test
    void theLevelDropsWhatIsBelowIt() throws Exception {
        // at warn there is no start line to read the port from, so the test picks one; another
        // process may take it first, and then the child exits: try again on another port
        ChildServer s = null;
        for (int attempt = 0; attempt < 3 && s == null; attempt++) {
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            ChildServer c = keep(ChildServer.launch(tmp.resolve("quiet-" + attempt), Map.of("TOPICS_LOG_LEVEL", "warn",
                    "TOPICS_PORT", Integer.toString(port))));
            if (awaitReady(c, port)) {
                s = c;
            }
        }
        assertThat(s).as("a quiet server answered /readyz on one of three ports").isNotNull();
        s.sigterm();
        s.waitFor(Duration.ofSeconds(20));
        assertThat(s.output()).as("no INFO line at log.level warn").doesNotContain(" INFO ")
                .doesNotContain("listening on");
    }

    /** True once the child answers /readyz on {@code port}; false if it exits first. */
    private static boolean awaitReady(ChildServer c, int port) {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        java.net.http.HttpRequest ready = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/readyz")).timeout(Duration.ofSeconds(2)).build();
        Await.until("the quiet server answers /readyz or exits", Duration.ofSeconds(60), () -> {
            if (!c.isAlive()) {
                return true;
            }
            try {
                return http.send(ready, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (java.io.IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        return c.isAlive();
    }
}
