package dev.topics;

import static dev.topics.AcknowledgedWrites.verifyAfterRestart;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.AcknowledgedWrites.Ledger;
import dev.topics.AcknowledgedWrites.Verified;
import dev.topics.AcknowledgedWrites.Writers;
import dev.topics.testing.ChildServer;
import dev.topics.testing.ProcessTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The proof that nothing acknowledged is lost (SPEC §2, §3; STYLE "Tests"): the real
 * server runs in a child JVM, eight clients write single records and batches to an fsync
 * topic, an async topic and a topic created by its first write, and the child is killed
 * with SIGKILL while writes are in flight. After each restart on the same data directory
 * every acknowledged record must be back at its seq with byte-identical {@code data},
 * {@code $tag} and {@code $node}; seqs run from 1 to the head without a gap; a batch that
 * was in flight at the kill is there whole or not at all; acknowledged idempotency keys
 * still dedupe; and new writes continue after the recovered head.
 *
 * <p>Async topics are held to the same standard: SIGKILL ends the process but not the
 * kernel, so bytes written to the OS before the acknowledgement are still in the page
 * cache. Only a machine crash may lose an async topic's last {@code async_flush_ms}.
 *
 * <p>Three kill cycles on one directory, with a clean SIGTERM restart (final snapshot)
 * after the second, and small WAL/segment/snapshot thresholds so WAL rolls and snapshots
 * happen while the kills land.
 */
class ProcessCrashTest extends ProcessTest {
    static final String FSYNC = "crash.fsync";
    static final String ASYNC = "crash.async";
    static final String AUTO = "crash.auto-created";
    private static final int WRITERS = 8;
    private static final Duration WRITE_TIME = Duration.ofMillis(2500);
    /** WAL rolls, segment rolls, reads from segments and snapshots all happen within a cycle. */
    static final String SMALL_STORAGE = """
            storage:
              wal_file_bytes: 262144
              segment_bytes: 524288
              tail_bytes: 65536
              index_interval_bytes: 1024
              snapshot_interval_ms: 500
              snapshot_wal_bytes: 1048576
            """;

    private ChildServer start(Path data, Path config) {
        return keep(ChildServer.start(data, Map.of(), "--config", config.toString()));
    }

    @Test
    @Timeout(120)
    void sigkillDuringWritesLosesNoAcknowledgedRecord() throws Exception {
        Path data = tmp.resolve("data");
        Path config = Files.writeString(tmp.resolve("topics.yaml"), SMALL_STORAGE);
        Ledger ledger = new Ledger();
        List<String> topics = List.of(FSYNC, ASYNC, AUTO);

        ChildServer server = start(data, config);
        assertThat(server.put("/v0/topics/" + FSYNC, "{}").status()).isEqualTo(201);
        ChildServer.Response async = server.put("/v0/topics/" + ASYNC, "{\"durability\":\"async\"}");
        assertThat(async.status()).isEqualTo(201);
        assertThat(async.body()).contains("\"durability\":\"async\"");

        for (int cycle = 1; cycle <= 3; cycle++) {
            Writers.Summary w = Writers.runThenKill(server, ledger, topics, WRITERS, WRITE_TIME, 300 + cycle,
                    ChildServer::sigkill);
            int code = server.waitFor(Duration.ofSeconds(20));
            assertThat(code).as("exit code after SIGKILL").isEqualTo(137);
            assertThat(w.acknowledgedWrites()).as("writes acknowledged before the kill in cycle " + cycle).isGreaterThan(20);
            assertThat(w.inFlightAtStop()).as("writes in flight at the kill in cycle " + cycle).isPositive();

            server = start(data, config);
            Verified v = verifyAfterRestart(server, ledger, topics);
            System.out.printf("cycle %d: %s; recovery: %s; %s%n", cycle, w, server.startLine(), v);
            assertThat(server.get("/v0/topics/" + ASYNC).body()).as("async topic keeps its config")
                    .contains("\"durability\":\"async\"");

            if (cycle == 2) {
                // A clean stop in between: the final snapshot, then recovery from it.
                server.sigterm();
                assertThat(server.waitFor(Duration.ofSeconds(20))).as("exit code after SIGTERM; output:\n" + server.output())
                        .isZero();
                server = start(data, config);
                assertThat(server.replayedFrames()).as("frames replayed after a clean stop: " + server.startLine())
                        .isZero();
                verifyAfterRestart(server, ledger, topics);
            }
        }
        server.sigterm();
        assertThat(server.waitFor(Duration.ofSeconds(20))).isZero();
    }
}
