package dev.topics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.ChildServer;
import dev.topics.testing.ProcessTest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server as an operator sees it (SPEC §1, §12): the start line, readiness, SIGTERM
 * draining to exit 0 with a final snapshot, and start-up refusing bad configuration with
 * one line naming the key and exit code 2. Each test runs the real server in a child JVM.
 */
@Timeout(90)
class ProcessLifecycleTest extends ProcessTest {
    private static final Duration EXIT = Duration.ofSeconds(20);

    private ChildServer start(Path data, String... args) {
        return keep(ChildServer.start(data, Map.of(), args));
    }

    // ---- ready, and stopping cleanly --------------------------------------------------------

    @Test
    void readyAndHealthyOnceTheStartLineIsLogged() {
        Path data = tmp.resolve("data");
        ChildServer s = start(data);

        assertThat(s.startLine()).matches(".* INFO topics \\S+ listening on http://127\\.0\\.0\\.1:" + s.port()
                + " data=" + Pattern.quote(data.toString())
                + " auth=dev recovery=\\d+ms \\(replayed 0 frames\\) started in \\d+ms");
        ChildServer.Response ready = s.get("/readyz");
        assertThat(ready.status()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("{\"status\":\"ready\"}");
        ChildServer.Response health = s.get("/healthz");
        assertThat(health.status()).as(health.body()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"status\":\"ok\"}");
    }

    @Test
    void sigtermWhileIdleExitsZeroAfterASnapshotAndTheRestartReplaysNothing() throws IOException {
        Path data = tmp.resolve("data");
        ChildServer s = start(data);
        AcknowledgedWrites.Ledger ledger = new AcknowledgedWrites.Ledger();
        List<String> topics = List.of("idle.fsync", "idle.async");
        assertThat(s.put("/v0/topics/idle.async", "{\"durability\":\"async\"}").status()).isEqualTo(201);
        Random rnd = new Random(7);
        for (int i = 0; i < 20; i++) {
            ledger.writeAndRecord(s, ledger.newBatch(topics.get(i % 2), 0, 1 + rnd.nextInt(50), rnd,
                    i % 5 == 0 ? "idle-key-" + i : null));
        }

        s.sigterm();
        assertThat(s.waitFor(EXIT)).as("exit code after SIGTERM; output:\n" + s.output()).isZero();
        assertThat(s.output()).contains("TERM received, draining").contains("stopped cleanly");
        try (Stream<Path> snaps = Files.list(data.resolve("snapshots"))) {
            assertThat(snaps.map(p -> p.getFileName().toString())).as("snapshots after a clean stop")
                    .anyMatch(n -> n.endsWith(".snap"));
        }

        ChildServer again = start(data);
        assertThat(again.replayedFrames()).as("frames replayed after a clean stop: " + again.startLine()).isZero();
        assertThat(again.tornBytesCut()).isZero();
        AcknowledgedWrites.verifyAfterRestart(again, ledger, topics);
    }

    @Test
    void sigtermWhileClientsWriteExitsZeroAndKeepsEveryAcknowledgedWrite() throws InterruptedException {
        Path data = tmp.resolve("data");
        ChildServer s = start(data);
        AcknowledgedWrites.Ledger ledger = new AcknowledgedWrites.Ledger();
        List<String> topics = List.of("drain.one", "drain.two");

        AcknowledgedWrites.Writers.Summary w = AcknowledgedWrites.Writers.runThenKill(s, ledger, topics, 6,
                Duration.ofMillis(1500), 11, ChildServer::sigterm);
        assertThat(s.waitFor(EXIT)).as("exit code after SIGTERM under load; output:\n" + s.output()).isZero();
        assertThat(s.output()).contains("TERM received, draining").contains("stopped cleanly");
        assertThat(w.acknowledgedWrites()).isGreaterThan(20);
        System.out.println("drain under load: " + w);

        ChildServer again = start(data);
        AcknowledgedWrites.Verified v = AcknowledgedWrites.verifyAfterRestart(again, ledger, topics);
        System.out.println("drain under load: after restart " + v);
    }

    @Test
    void sigtermWithALongPollOpenExitsPromptly() throws Exception {
        ChildServer s = start(tmp.resolve("data"));
        assertThat(s.put("/v0/topics/poll.me", "{}").status()).isEqualTo(201);
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            CompletableFuture<HttpResponse<String>> poll = http.sendAsync(
                    HttpRequest.newBuilder(s.uri("/v0/topics/poll.me/diff?from_seq=0&wait_ms=60000"))
                            .timeout(Duration.ofSeconds(70)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            Thread.sleep(500); // the request is held by the server now
            assertThat(poll).isNotDone();

            long t0 = System.nanoTime();
            s.sigterm();
            assertThat(s.waitFor(EXIT)).as("exit code; output:\n" + s.output()).isZero();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(ms).as("ms from SIGTERM to exit with a 60 s long poll open").isLessThan(10_000);
            // The poll ends with the process, one way or the other, not after its 60 s.
            try {
                poll.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException expected) {
                // connection closed by the stop
            }
        }
    }

    // ---- refusing to start -------------------------------------------------------------------

    /** The child must exit 2 having printed exactly one line, which mentions every fragment. */
    private void assertRefused(ChildServer child, String... fragments) {
        keep(child);
        int code = child.awaitRefusal(EXIT);
        List<String> lines = child.outputLines().stream().filter(l -> !l.isBlank()).toList();
        assertThat(code).as("exit code; output:\n" + child.output()).isEqualTo(2);
        assertThat(lines).as("output should be one line naming the problem").hasSize(1);
        assertThat(lines.getFirst()).contains(fragments);
    }

    @Test
    void unknownKeyInTheConfigFileExitsTwoNamingTheKey() throws IOException {
        Path config = Files.writeString(tmp.resolve("topics.yaml"), "limits:\n  max_bodybytes: 5\n");
        assertRefused(ChildServer.launch(tmp.resolve("data"), Map.of(), "--config", config.toString()),
                "limits.max_bodybytes", config.toString());
    }

    @Test
    void nonNumericPortExitsTwoNamingTheKeyAndTheVariable() {
        assertRefused(ChildServer.launch(tmp.resolve("data"), Map.of("TOPICS_PORT", "abc")),
                "port", "TOPICS_PORT", "abc");
    }

    @Test
    void portInUseExitsTwoNamingThePort() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            assertRefused(ChildServer.launch(tmp.resolve("data"), Map.of("TOPICS_PORT", Integer.toString(port))),
                    "port", Integer.toString(port));
        }
    }

    @Test
    void dataDirUnderARegularFileExitsTwoNamingThePath() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "not a directory");
        Path data = file.resolve("sub");
        assertRefused(ChildServer.launch(data, Map.of()), "data_dir", data.toString());
    }

    @Test
    void missingConfigFileExitsTwoNamingIt() {
        Path missing = tmp.resolve("nowhere.yaml");
        assertRefused(ChildServer.launch(tmp.resolve("data"), Map.of(), "--config", missing.toString()),
                missing.toString(), "not found");
    }

    @Test
    void missingConfigFileFromTheEnvironmentExitsTwoNamingIt() {
        Path missing = tmp.resolve("env-nowhere.yaml");
        assertRefused(ChildServer.launch(tmp.resolve("data"), Map.of("TOPICS_CONFIG", missing.toString())),
                missing.toString(), "not found");
    }

    @Test
    void secondServerOnTheSameDataDirExitsTwoAndTheFirstKeepsServing() {
        Path data = tmp.resolve("data");
        ChildServer first = start(data);
        AcknowledgedWrites.Ledger ledger = new AcknowledgedWrites.Ledger();
        ledger.writeAndRecord(first, ledger.newBatch("shared.dir", 0, 10, new Random(1), null));

        assertRefused(ChildServer.launch(data, Map.of()), "data directory", data.toString(), "in use");

        assertThat(first.get("/healthz").status()).isEqualTo(200);
        ledger.writeAndRecord(first, ledger.newBatch("shared.dir", 0, 10, new Random(2), null));
        first.sigterm();
        assertThat(first.waitFor(EXIT)).isZero();
        ChildServer again = start(data);
        AcknowledgedWrites.verifyAfterRestart(again, ledger, List.of("shared.dir"));
    }
}
