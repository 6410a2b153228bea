package dev.topics.storage.engine;

import static dev.topics.storage.engine.ControlEntryFixtures.batch;
import static dev.topics.storage.engine.ControlEntryFixtures.createTopics;
import static dev.topics.storage.engine.ControlEntryFixtures.datas;
import static dev.topics.storage.engine.ControlEntryFixtures.open;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.storage.AppendRequest;
import dev.topics.storage.Storage;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicPatch;
import dev.topics.testing.ScratchDirTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A durable topic nobody writes to lets its in-memory tail go (its records are in its
 * segments) and is read in full all the same; a memory-only topic, whose tail is its log,
 * never does.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IdleTailTest extends ScratchDirTest {
    private static void write(Storage s, String topic, String... data) {
        s.append(new AppendRequest(topic, batch(data), null, null, TopicConfig.DEFAULTS));
    }

    private static List<String> all(Storage s, String topic) {
        return datas(s.read(topic, 0, 10_000, 1 << 20, null, null));
    }

    /** Waits (the committer looks once a second) until the topic's tail is empty; false after 10 s. */
    private static boolean awaitReleased(TopicLog t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!t.tail.isEmpty()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    @Test
    void anIdleDurableTopicLetsItsTailGoAndIsStillReadInFull() throws Exception {
        try (LocalStorage s = open(dir.resolve("data"))) {
            createTopics(s, "quiet");
            List<String> written = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                write(s, "quiet", "r" + (2 * i), "r" + (2 * i + 1));
                written.add("r" + (2 * i));
                written.add("r" + (2 * i + 1));
            }
            TopicLog t = s.topicLog("quiet");
            assertThat(t.tail.bytes()).as("the newest records are held in memory").isPositive();
            assertThat(all(s, "quiet")).isEqualTo(written);

            s.idleTailAfter(0);
            assertThat(awaitReleased(t)).as("released by the committer within 10 s").isTrue();
            assertThat(t.tail.bytes()).isZero();
            assertThat(all(s, "quiet")).as("read from the segments").isEqualTo(written);
            assertThat(datas(s.read("quiet", 39, 10, 1 << 20, null, null))).containsExactly("r39");

            s.idleTailAfter(Engine.IDLE_TAIL_NANOS);
            write(s, "quiet", "late");
            written.add("late");
            assertThat(t.tail.isEmpty()).as("the next write is held again").isFalse();
            assertThat(datas(s.read("quiet", 40, 10, 1 << 20, null, null))).containsExactly("late");
            assertThat(all(s, "quiet")).isEqualTo(written);
        }
        try (LocalStorage s = open(dir.resolve("data"))) {
            assertThat(all(s, "quiet")).as("after a restart").hasSize(41).endsWith("late");
        }
    }

    @Test
    void aMemoryOnlyTopicKeepsItsTailWhichIsItsLog() throws Exception {
        try (LocalStorage s = open(dir.resolve("data"))) {
            TopicPatch memoryOnly = new TopicPatch(null, null, null, null, false, null, null, null, null, null, null);
            s.putTopic("mem", memoryOnly, null, TopicConfig.DEFAULTS);
            createTopics(s, "disk");
            write(s, "mem", "a", "b");
            write(s, "disk", "c");
            s.idleTailAfter(0);
            TopicLog disk = s.topicLog("disk");
            assertThat(awaitReleased(disk)).isTrue(); // a sweep has run since
            assertThat(s.topicLog("mem").tail.isEmpty()).isFalse();
            assertThat(all(s, "mem")).containsExactly("a", "b");
            assertThat(all(s, "disk")).containsExactly("c");
        }
    }
}
