package dev.topics.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.ChildServer;
import dev.topics.testing.ProcessTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGKILL at random moments under the mixed {@link Load} (3 writers of 1–20-record tagged
 * batches with tag deletes, PATCHes, routers, a subscription, a watcher on SSE), with
 * snapshots and compaction running several times a second, so kills land inside
 * snapshots, compactions and segment rolls as well as commits. After every kill the
 * server must start again on the same directory and hold everything it acknowledged.
 *
 * <p>The seed is fixed and printed; {@code -Dtopics.killloop.seed=<n>} replays another,
 * {@code -Dtopics.killloop.cycles=<n>} runs longer.
 */
class KillLoopTest extends ProcessTest {
    static final String STORAGE = """
            storage:
              snapshot_interval_ms: 400
              compaction_interval_ms: 800
            """;
    private static final long SEED = Long.getLong("topics.killloop.seed", 3L);
    private static final int CYCLES = Integer.getInteger("topics.killloop.cycles", 9);

    @Test
    @Timeout(300)
    void everyRestartAfterSigkillHoldsEverythingAcknowledged() throws Exception {
        System.out.printf("KillLoopTest seed %d (-Dtopics.killloop.seed=%d to replay), %d cycles%n", SEED, SEED, CYCLES);
        Path data = tmp.resolve("data");
        Path config = Files.writeString(tmp.resolve("topics.yaml"), STORAGE);
        Random rnd = new Random(SEED);
        Ledger ledger = new Ledger();

        ChildServer server = start(data, config, "the first start");
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            long runMs = 1000 + rnd.nextInt(5001);
            Load load = new Load(server, ledger).start(SEED + cycle, 3, true);
            try {
                Thread.sleep(runMs);
            } finally {
                server.sigkill();
                server.waitFor(Duration.ofSeconds(20));
                load.stop();
            }
            String after = "SIGKILL #" + cycle + " after " + runMs + " ms (seed " + SEED + ")";
            server = start(data, config, after);
            assertThat(server.get("/readyz").status()).as("/readyz after " + after).isEqualTo(200);
            List<String> problems = ledger.verify(server, Load.TOPICS, Load.COPIES);
            System.out.printf("cycle %d: killed after %d ms; %s; %s%n", cycle, runMs, ledger.summary(), server.startLine());
            assertThat(problems).as("after %s, restart: %s", after, server.startLine()).isEmpty();
        }
        server.sigterm();
        assertThat(server.waitFor(Duration.ofSeconds(30))).as("exit code of the final SIGTERM; output:%n%s",
                server.output()).isZero();
    }

    private ChildServer start(Path data, Path config, String after) {
        try {
            return keep(ChildServer.start(data, Map.of(), "--config", config.toString()));
        } catch (AssertionError e) {
            throw new AssertionError("the server did not start again after " + after + ": " + e.getMessage(), e);
        }
    }
}
