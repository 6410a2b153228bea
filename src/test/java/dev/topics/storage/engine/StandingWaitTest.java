package dev.topics.storage.engine;

import static dev.topics.storage.engine.ControlEntryFixtures.batch;
import static dev.topics.storage.engine.ControlEntryFixtures.createTopics;
import static dev.topics.storage.engine.ControlEntryFixtures.open;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.topics.storage.AppendRequest;
import dev.topics.storage.Storage;
import dev.topics.storage.TopicConfig;
import dev.topics.testing.ScratchDirTest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stream's standing wait: registered with its topics once and between waits, woken by a
 * write on any of them, never missing one that lands between two waits, timing out by the
 * shared clock, following a topic deleted and made again, and gone from every topic once closed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StandingWaitTest extends ScratchDirTest {
    private static void write(Storage s, String topic, String data) {
        s.append(new AppendRequest(topic, batch(data), null, null, TopicConfig.DEFAULTS));
    }

    private LocalStorage storage() {
        return open(dir.resolve("data"));
    }

    @Test
    void aWriteOnAnyWatchedTopicEndsTheWaitAndTheRegistrationStaysBetweenWaits() throws Exception {
        try (LocalStorage s = storage()) {
            createTopics(s, "a", "b");
            TopicLog a = s.topicLog("a");
            TopicLog b = s.topicLog("b");
            LinkedHashMap<String, Long> cursors = new LinkedHashMap<>(Map.of("a", 0L, "b", 0L));
            AtomicReference<Thread> waiting = new AtomicReference<>();
            CompletableFuture<Boolean> first = new CompletableFuture<>();
            CompletableFuture<Boolean> second = new CompletableFuture<>();
            CompletableFuture<Boolean> done = new CompletableFuture<>();
            Thread stream = Thread.ofVirtual().start(() -> {
                try (Storage.Waiter w = s.waiter()) {
                    waiting.set(Thread.currentThread());
                    first.complete(w.await(cursors, 30_000));
                    cursors.put("b", 1L);
                    second.complete(w.await(cursors, 30_000));
                    done.join();
                }
            });
            awaitParked(stream);
            assertThat(a.signal.wakerCount()).isEqualTo(1);
            assertThat(b.signal.wakerCount()).isEqualTo(1);
            write(s, "b", "x");
            assertThat(first.get(10, TimeUnit.SECONDS)).isTrue();
            awaitParked(stream);
            assertThat(second).isNotDone();
            assertThat(b.signal.wakerCount()).as("still registered, once").isEqualTo(1);
            write(s, "a", "y");
            assertThat(second.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(a.signal.wakerCount()).isEqualTo(1);
            done.complete(true);
            stream.join();
            assertThat(a.signal.wakerCount()).as("closed: no longer woken").isZero();
            assertThat(b.signal.wakerCount()).isZero();
        }
    }

    @Test
    void aWriteThatLandsBetweenTwoWaitsIsNotMissed() {
        try (LocalStorage s = storage(); Storage.Waiter w = s.waiter()) {
            createTopics(s, "a");
            Map<String, Long> cursors = Map.of("a", 0L);
            assertThat(w.await(cursors, 50)).as("nothing yet: times out").isFalse();
            write(s, "a", "x"); // not waiting now
            assertThat(w.await(cursors, 30_000)).isTrue();
        }
    }

    @Test
    void theSharedClockEndsAWaitThatNothingWakes() {
        try (LocalStorage s = storage(); Storage.Waiter w = s.waiter()) {
            createTopics(s, "a");
            long start = System.nanoTime();
            assertThat(w.await(Map.of("a", 0L), 100)).isFalse();
            assertThat(System.nanoTime() - start).as("not before its deadline")
                    .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    @Test
    void aTopicDeletedAndMadeAgainIsFollowedAndDroppedTopicsStopWaking() {
        try (LocalStorage s = storage(); Storage.Waiter w = s.waiter()) {
            createTopics(s, "a", "b");
            TopicLog oldA = s.topicLog("a");
            assertThat(w.await(Map.of("a", 0L, "b", 0L), 1)).isFalse();
            s.deleteTopic("a");
            assertThat(w.await(Map.of("a", 0L, "b", 0L), 30_000)).as("deleted counts as changed").isTrue();
            createTopics(s, "a");
            TopicLog newA = s.topicLog("a");
            assertThat(newA).isNotSameAs(oldA);
            assertThat(w.await(Map.of("a", 0L), 1)).isFalse();
            assertThat(newA.signal.wakerCount()).as("registered with the new log").isEqualTo(1);
            assertThat(oldA.signal.wakerCount()).isZero();
            assertThat(s.topicLog("b").signal.wakerCount()).as("b is no longer watched").isZero();
        }
    }

    @Test
    void anUnknownTopicCountsAsChangedAndOnlyTheMakerMayWait() throws Exception {
        try (LocalStorage s = storage(); Storage.Waiter w = s.waiter()) {
            assertThat(w.await(Map.of("nowhere", 0L), 30_000)).isTrue();
            CompletableFuture<Throwable> other = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    w.await(Map.of("nowhere", 0L), 1);
                    other.complete(null);
                } catch (Throwable e) {
                    other.complete(e);
                }
            });
            assertThat(other.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class);
        }
        try (LocalStorage s = storage2()) {
            Storage.Waiter w = s.waiter();
            w.close();
            assertThatThrownBy(() -> w.await(Map.of("a", 0L), 1)).isInstanceOf(IllegalStateException.class);
        }
    }

    private LocalStorage storage2() {
        return open(dir.resolve("data2"));
    }

    private static void awaitParked(Thread t) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.WAITING) {
            if (System.nanoTime() > end) {
                throw new AssertionError("the stream's thread did not park: " + t.getState());
            }
            Thread.sleep(5);
        }
    }
}
