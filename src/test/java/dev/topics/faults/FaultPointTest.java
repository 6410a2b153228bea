package dev.topics.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.storage.fault.Faults;
import dev.topics.testing.ChildServer;
import dev.topics.testing.ProcessTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real server killed at each named fault point (STYLE "Failure": faults injected at
 * named points, a real process killed at each). The child runs with
 * {@code -Dtopics.fault=<point>:<n>} and small storage thresholds under the mixed
 * {@link Load}; when it prints {@code FAULT-POINT <point>} (the thread that reached the
 * step is parked there, the others go on) it is killed with SIGKILL, restarted on the
 * same data directory without the fault, and must hold everything it acknowledged
 * ({@link Ledger#verify}).
 */
class FaultPointTest extends ProcessTest {
    /** Segments roll every few KiB, snapshots and compaction run several times a second. */
    static final String STORAGE = """
            storage:
              segment_bytes: 4096
              wal_file_bytes: 65536
              index_interval_bytes: 256
              tail_bytes: 4096
              snapshot_interval_ms: 300
              compaction_interval_ms: 400
            """;
    private static final long SEED = 0xFA_017L;
    private static final Duration REACH = Duration.ofSeconds(60);

    /** Each point with the hit to stop at: late enough that acknowledged data of every kind exists. */
    static Stream<String> points() {
        return Faults.ALL.stream().map(p -> p + ":" + switch (p) {
            case Faults.WAL_AFTER_WRITE, Faults.SEGMENT_AFTER_APPEND -> 60;
            case Faults.SEGMENT_ROLL -> 8;
            case Faults.SNAPSHOT_BEFORE_RENAME, Faults.SNAPSHOT_AFTER_RENAME -> 3;
            default -> 2;
        });
    }

    /** Whether the point parks the committer (then nothing more is acknowledged). */
    static boolean onCommitter(String point) {
        return switch (point) {
            case Faults.WAL_AFTER_WRITE, Faults.SEGMENT_AFTER_APPEND, Faults.SEGMENT_ROLL, Faults.COMPACTION_SWAP -> true;
            default -> false;
        };
    }

    @Test
    void everyPointIsCovered() {
        assertThat(points().map(p -> p.substring(0, p.indexOf(':')))).containsExactlyElementsOf(Faults.ALL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("points")
    @Timeout(150)
    void killedAtThePointLosesNothingAcknowledged(String fault) throws Exception {
        String point = fault.substring(0, fault.indexOf(':'));
        Path data = tmp.resolve("data");
        Path config = Files.writeString(tmp.resolve("topics.yaml"), STORAGE);
        Ledger ledger = new Ledger();

        ChildServer armed = keep(ChildServer.start(data, List.of("-Dtopics.fault=" + fault), Map.of(),
                "--config", config.toString()));
        Load load = new Load(armed, ledger).start(SEED, 3, true);
        String line;
        try {
            line = armed.awaitLine(l -> l.contains("FAULT-POINT " + point), REACH);
            if (line != null) {
                // The threads not parked go on: record what they acknowledge. When the parked
                // thread is a background one, commits, rolls and compactions go on for a while
                // as they would while a slow snapshot or compaction is in flight.
                Thread.sleep(onCommitter(point) ? 300 : 2500);
            }
        } finally {
            armed.sigkill();
            armed.waitFor(Duration.ofSeconds(20));
            load.stop();
        }
        assertThat(line).as("the load did not reach %s within %s; %s; output:%n%s", fault, REACH, ledger.summary(),
                armed.output()).isNotNull();
        System.out.printf("%s: killed at the point; %s%n", fault, ledger.summary());

        ChildServer restarted = keep(startAgain(data, config, fault));
        assertThat(restarted.get("/readyz").status()).as("/readyz after the restart").isEqualTo(200);
        List<String> problems = ledger.verify(restarted, Load.TOPICS, Load.COPIES);
        assertThat(problems).as("after a SIGKILL at %s and a restart (%s):", fault, restarted.startLine()).isEmpty();

        // And the recovered state is a sound base: more writes, a clean stop, a start from its snapshot.
        Load more = new Load(restarted, ledger).start(SEED + 1, 2, false);
        Thread.sleep(500);
        more.stop();
        restarted.sigterm();
        assertThat(restarted.waitFor(Duration.ofSeconds(30))).as("exit code of SIGTERM after recovery; output:%n%s",
                restarted.output()).isZero();
        ChildServer third = keep(startAgain(data, config, fault + " and a clean stop"));
        assertThat(ledger.verify(third, Load.TOPICS, Load.COPIES)).as("after the clean stop that followed").isEmpty();
    }

    /** Starts on the same directory without the fault; a refusal fails the test with the child's output. */
    static ChildServer startAgain(Path data, Path config, String after) {
        try {
            return ChildServer.start(data, Map.of(), "--config", config.toString());
        } catch (AssertionError e) {
            throw new AssertionError("the server did not start again after " + after + ": " + e.getMessage(), e);
        }
    }
}
