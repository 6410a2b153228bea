package dev.topics.storage.engine;

import static dev.topics.storage.engine.ControlEntryFixtures.batch;
import static dev.topics.storage.engine.ControlEntryFixtures.crashCopy;
import static dev.topics.storage.engine.ControlEntryFixtures.createTopics;
import static dev.topics.storage.engine.ControlEntryFixtures.entry;
import static dev.topics.storage.engine.ControlEntryFixtures.ids;
import static dev.topics.storage.engine.ControlEntryFixtures.key;
import static dev.topics.storage.engine.ControlEntryFixtures.open;
import static dev.topics.storage.engine.ControlEntryFixtures.view;
import static dev.topics.storage.engine.ControlEntryFixtures.views;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.topics.storage.AppendRequest;
import dev.topics.storage.ControlEntry.Key;
import dev.topics.storage.ControlEntry.Kind;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.CursorMove;
import dev.topics.storage.StorageException;
import dev.topics.storage.TopicChange;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicPatch;
import dev.topics.testing.Await;
import dev.topics.testing.ScratchDirTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Control entries (routers, subscriptions, webhooks) kept by the engine next to the topics:
 * their CRUD, their cursors (compare-and-set and forward-only), and puts at the edges — in
 * one commit group with a topic's delete and re-creation, with more topics than the format
 * counts, refused while being encoded — each checked live and after WAL replay and a
 * snapshot.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ControlEntriesAndCursorsTest extends ScratchDirTest {
    // ---------------------------------------------------------------- CRUD

    @Test
    void putGetListReplaceAndDeleteRoundTrip() {
        try (LocalStorage s = open(dir)) {
            createTopics(s, "src", "dst");
            byte[] spec = "{\"from\":\"src\",\"to\":\"dst\",\"filter\":{\"tag\":\"x\"}}"
                    .getBytes(StandardCharsets.UTF_8);

            assertThat(s.putControl(new ControlEntry(Kind.ROUTER, "r-2", spec, 4, List.of("src", "dst")))).as("created")
                    .isNull();
            assertThat(s.putControl(entry(Kind.ROUTER, "r-1", "{}", 0, "src"))).isNull();
            assertThat(s.putControl(entry(Kind.ROUTER, "r-3", "{\"n\":3}", 9, "dst"))).isNull();
            assertThat(s.putControl(entry(Kind.SUBSCRIPTION, "src/sub", "{\"s\":1}", 2, "src"))).isNull();
            assertThat(s.putControl(entry(Kind.WEBHOOK, "hook", "{\"url\":\"http://x\"}", 0, "dst"))).isNull();
            // ids are unique per kind only: a subscription may share a router's id
            assertThat(s.putControl(entry(Kind.SUBSCRIPTION, "r-1", "{\"other\":true}", 1, "dst"))).isNull();

            ControlEntry got = s.control(key(Kind.ROUTER, "r-2"));
            assertThat(got).isNotNull();
            assertThat(got.key()).isEqualTo(key(Kind.ROUTER, "r-2"));
            assertThat(got.spec()).as("spec bytes as stored").isEqualTo(spec);
            assertThat(got.cursor()).isEqualTo(4);
            assertThat(got.topics()).containsExactly("src", "dst");
            assertThat(s.control(key(Kind.WEBHOOK, "r-2"))).as("same id, other kind").isNull();
            assertThat(s.control(key(Kind.ROUTER, "nope"))).isNull();

            assertThat(ids(s.controls(Kind.ROUTER))).as("id order").containsExactly("r-1", "r-2", "r-3");
            assertThat(ids(s.controls(Kind.SUBSCRIPTION))).containsExactly("r-1", "src/sub");
            assertThat(ids(s.controls(Kind.WEBHOOK))).containsExactly("hook");
            assertThat(s.controls(Kind.SUBSCRIPTION))
                    .allSatisfy(e -> assertThat(e.kind()).isEqualTo(Kind.SUBSCRIPTION));
            assertThat(s.controls(Kind.SUBSCRIPTION).get(0).spec()).asString(StandardCharsets.UTF_8)
                    .isEqualTo("{\"other\":true}");

            // replace: the previous entry comes back, the new one is what is seen
            ControlEntry previous = s.putControl(entry(Kind.ROUTER, "r-1", "{\"v\":2}", 17, "dst", "src"));
            assertThat(view(previous)).isEqualTo(view(entry(Kind.ROUTER, "r-1", "{}", 0, "src")));
            assertThat(view(s.control(key(Kind.ROUTER, "r-1"))))
                    .isEqualTo(view(entry(Kind.ROUTER, "r-1", "{\"v\":2}", 17, "dst", "src")));
            assertThat(ids(s.controls(Kind.ROUTER))).containsExactly("r-1", "r-2", "r-3");
            assertThat(view(s.control(key(Kind.SUBSCRIPTION, "r-1")))).as("the other kind's r-1 untouched")
                    .isEqualTo(view(entry(Kind.SUBSCRIPTION, "r-1", "{\"other\":true}", 1, "dst")));

            // delete: returns what was removed; a second delete finds nothing
            ControlEntry removed = s.deleteControl(key(Kind.ROUTER, "r-1"));
            assertThat(view(removed)).isEqualTo(view(entry(Kind.ROUTER, "r-1", "{\"v\":2}", 17, "dst", "src")));
            assertThat(s.control(key(Kind.ROUTER, "r-1"))).isNull();
            assertThat(ids(s.controls(Kind.ROUTER))).containsExactly("r-2", "r-3");
            assertThat(ids(s.controls(Kind.SUBSCRIPTION))).containsExactly("r-1", "src/sub");
            assertThatThrownBy(() -> s.deleteControl(key(Kind.ROUTER, "r-1")))
                    .isInstanceOf(StorageException.ControlNotFound.class);

            // deleted and put again: a fresh entry
            assertThat(s.putControl(entry(Kind.ROUTER, "r-1", "{\"v\":3}", 1, "src"))).isNull();
            assertThat(s.control(key(Kind.ROUTER, "r-1")).cursor()).isEqualTo(1);
        }
    }

    @Test
    void putReferencingAMissingTopicIsRefusedAndStoresNothing() {
        Path live = dir.resolve("live");
        try (LocalStorage s = open(live)) {
            createTopics(s, "src");
            assertThatThrownBy(() -> s.putControl(entry(Kind.ROUTER, "r", "{}", 0, "src", "missing")))
                    .isInstanceOf(StorageException.TopicNotFound.class);
            assertThat(s.control(key(Kind.ROUTER, "r"))).isNull();
            assertThat(s.controls(Kind.ROUTER)).isEmpty();
            assertThatThrownBy(() -> s.topic("missing")).as("not created by the refused put")
                    .isInstanceOf(StorageException.TopicNotFound.class);

            // a refused replacement leaves the existing entry as it was
            s.putControl(entry(Kind.WEBHOOK, "w", "{\"v\":1}", 3, "src"));
            assertThatThrownBy(() -> s.putControl(entry(Kind.WEBHOOK, "w", "{\"v\":2}", 9, "missing")))
                    .isInstanceOf(StorageException.TopicNotFound.class);
            assertThat(view(s.control(key(Kind.WEBHOOK, "w"))))
                    .isEqualTo(view(entry(Kind.WEBHOOK, "w", "{\"v\":1}", 3, "src")));

            crashCopy(s, live, dir.resolve("crash"));
        }
        try (LocalStorage r = open(dir.resolve("crash"))) {
            assertThat(r.controls(Kind.ROUTER)).as("nothing of the refused put was logged").isEmpty();
            assertThat(views(r.controls(Kind.WEBHOOK)))
                    .containsExactly(view(entry(Kind.WEBHOOK, "w", "{\"v\":1}", 3, "src")));
        }
    }

    // ---------------------------------------------------------------- cursors

    @Test
    void moveCursorIsACompareAndSetAndAdvanceCursorNeverGoesBackwards() {
        Path live = dir.resolve("live");
        Key r = key(Kind.ROUTER, "r");
        try (LocalStorage s = open(live)) {
            createTopics(s, "src");
            s.putControl(entry(Kind.ROUTER, "r", "{\"keep\":1}", 5, "src"));

            ControlEntry moved = s.moveCursor(new CursorMove(r, 5, 10));
            assertThat(moved.cursor()).isEqualTo(10);
            assertThat(moved.spec()).asString(StandardCharsets.UTF_8).isEqualTo("{\"keep\":1}");
            assertThat(moved.topics()).containsExactly("src");
            assertThat(s.control(r).cursor()).isEqualTo(10);

            assertThatThrownBy(() -> s.moveCursor(new CursorMove(r, 5, 20)))
                    .as("stale expected value").isInstanceOf(StorageException.CursorConflict.class);
            assertThat(s.control(r).cursor()).isEqualTo(10);

            // compare-and-set does not care about direction
            assertThat(s.moveCursor(new CursorMove(r, 10, 3)).cursor()).isEqualTo(3);
            assertThat(s.control(r).cursor()).isEqualTo(3);

            assertThat(s.advanceCursor(r, 15).cursor()).isEqualTo(15);
            ControlEntry unchanged = s.advanceCursor(r, 7);
            assertThat(unchanged.cursor()).as("never backwards").isEqualTo(15);
            assertThat(view(unchanged)).isEqualTo(view(s.control(r)));
            assertThat(s.advanceCursor(r, 15).cursor()).as("same value: no-op").isEqualTo(15);
            assertThat(s.control(r).cursor()).isEqualTo(15);

            Key missing = key(Kind.ROUTER, "missing");
            assertThatThrownBy(() -> s.moveCursor(new CursorMove(missing, 0, 1)))
                    .isInstanceOf(StorageException.ControlNotFound.class);
            assertThatThrownBy(() -> s.advanceCursor(missing, 1)).isInstanceOf(StorageException.ControlNotFound.class);
            assertThat(s.control(missing)).isNull();
            assertThatThrownBy(() -> s.moveCursor(new CursorMove(key(Kind.SUBSCRIPTION, "r"), 15, 16)))
                    .as("same id, other kind").isInstanceOf(StorageException.ControlNotFound.class);

            crashCopy(s, live, dir.resolve("crash"));
        }
        try (LocalStorage c = open(dir.resolve("crash"))) {
            assertThat(c.control(r).cursor()).as("after WAL replay").isEqualTo(15);
        }
        try (LocalStorage c = open(live)) {
            assertThat(c.control(r).cursor()).as("after a clean restart").isEqualTo(15);
        }
    }

    @Test
    void aReplacementKeepingTheCursorTakesTheCursorTheEntryHasWhenItCommits() throws Exception {
        Path live = dir.resolve("live");
        Path crash = dir.resolve("crash");
        Key r = key(Kind.ROUTER, "r");
        try (LocalStorage s = open(live)) {
            createTopics(s, "src", "dst");
            // creating: there is nothing to keep, the entry's own cursor counts
            assertThat(s.putControl(entry(Kind.ROUTER, "r", "{\"v\":1}", 5, "src"), true)).isNull();
            assertThat(s.control(r).cursor()).isEqualTo(5);

            s.moveCursor(new CursorMove(r, 5, 9));
            ControlEntry replaced = s.putControl(entry(Kind.ROUTER, "r", "{\"v\":2}", 0, "src", "dst"), true);
            assertThat(view(replaced)).isEqualTo(view(entry(Kind.ROUTER, "r", "{\"v\":1}", 9, "src")));
            assertThat(view(s.control(r))).isEqualTo(view(entry(Kind.ROUTER, "r", "{\"v\":2}", 9, "src", "dst")));

            // without keepCursor the replacement's own cursor counts
            s.putControl(entry(Kind.ROUTER, "r", "{\"v\":3}", 2, "src"), false);
            assertThat(s.control(r).cursor()).isEqualTo(2);

            // a move committed in the same group just before the replacement is not lost
            List<Object> outcomes = inOneGroup(s,
                    () -> s.moveCursor(new CursorMove(r, 2, 12)),
                    () -> s.putControl(entry(Kind.ROUTER, "r", "{\"v\":4}", 0, "src"), true));
            assertThat(outcomes.get(0)).isInstanceOf(ControlEntry.class);
            assertThat(((ControlEntry) outcomes.get(0)).cursor()).isEqualTo(12);
            assertThat(outcomes.get(1)).isInstanceOf(ControlEntry.class);
            assertThat(((ControlEntry) outcomes.get(1)).cursor()).as("the entry replaced").isEqualTo(12);
            assertThat(view(s.control(r))).isEqualTo(view(entry(Kind.ROUTER, "r", "{\"v\":4}", 12, "src")));
            crashCopy(s, live, crash);
        }
        for (Path p : List.of(crash, live)) {
            try (LocalStorage c = open(p)) {
                assertThat(view(c.control(r))).as(p.getFileName().toString())
                        .isEqualTo(view(entry(Kind.ROUTER, "r", "{\"v\":4}", 12, "src")));
            }
        }
    }

    // ---------------------------------------------------------------- edge cases

    /**
     * Deleting topic "a", making it again and putting an entry for the new "a", all committed
     * in one group: the put is acknowledged, so the entry must be there — live, after WAL
     * replay and after a snapshot alike.
     */
    @Test
    void anEntryPutForATopicDeletedAndMadeAgainInTheSameCommitGroupIsKept() throws Exception {
        Path live = dir.resolve("live");
        Path crash = dir.resolve("crash");
        SoftAssertions softly = new SoftAssertions();
        try (LocalStorage s = open(live)) {
            createTopics(s, "a");
            s.putControl(entry(Kind.SUBSCRIPTION, "a/old", "{}", 1, "a"));
            List<Object> outcomes = inOneGroup(s,
                    () -> s.deleteTopic("a"),
                    () -> s.putTopic("a", TopicPatch.EMPTY, null, TopicConfig.DEFAULTS),
                    () -> s.putControl(entry(Kind.SUBSCRIPTION, "a/new", "{}", 2, "a")));
            assertThat(outcomes.get(0)).isInstanceOf(TopicChange.class);
            assertThat(outcomes.get(1)).isInstanceOf(TopicChange.class);
            assertThat(((TopicChange) outcomes.get(1)).created()).as("made again").isTrue();
            assertThat(outcomes.get(2)).as("the put was acknowledged, as a creation").isNull();
            assertThat(s.control(key(Kind.SUBSCRIPTION, "a/old"))).as("went with the old topic").isNull();

            softly.assertThat(ids(s.controls(Kind.SUBSCRIPTION))).as("live").containsExactly("a/new");
            crashCopy(s, live, crash);
        }
        try (LocalStorage r = open(crash)) {
            softly.assertThat(ids(r.controls(Kind.SUBSCRIPTION))).as("after WAL replay").containsExactly("a/new");
        }
        try (LocalStorage r = open(live)) {
            softly.assertThat(ids(r.controls(Kind.SUBSCRIPTION))).as("after a clean restart (snapshot)")
                    .containsExactly("a/new");
        }
        softly.assertAll();
    }

    /** The CONTROL frame and the snapshot count an entry's topics in one byte: 256 must not be stored as 0. */
    @Test
    void anEntryWithMoreTopicsThanTheFormatCountsIsRefusedOrKeptWhole() {
        Path live = dir.resolve("live");
        Path crash = dir.resolve("crash");
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            topics.add("t" + i);
        }
        Key wide = key(Kind.ROUTER, "wide");
        boolean stored;
        LocalStorage s = open(live);
        try (s) {
            createTopics(s, topics.toArray(String[]::new));
            try {
                s.putControl(new ControlEntry(Kind.ROUTER, "wide", "{}".getBytes(StandardCharsets.UTF_8), 0, topics));
                stored = true;
            } catch (IllegalArgumentException | StorageException refused) {
                stored = false;
                assertThat(s.control(wide)).isNull();
            }
            crashCopy(s, live, crash);
        }
        assertThat(s.failure()).as("the final snapshot").isNull();
        for (Path p : List.of(crash, live)) {
            try (LocalStorage r = open(p)) {
                if (stored) {
                    assertThat(r.control(wide).topics()).as(p.getFileName().toString()).isEqualTo(topics);
                } else {
                    assertThat(r.control(wide)).as(p.getFileName().toString()).isNull();
                }
            }
        }
    }

    /** A put that fails while being encoded must leave the committer's state as it was. */
    @Test
    void aRefusedPutLeavesNothingBehindThatBreaksTheNextSnapshot() {
        Path live = dir.resolve("live");
        LocalStorage s = open(live);
        try (s) {
            createTopics(s, "a");
            s.putControl(entry(Kind.ROUTER, "good", "{}", 1, "a"));
            // a spec is required (null is how the WAL spells a removal)
            assertThatThrownBy(() -> s.putControl(new ControlEntry(Kind.ROUTER, "no-spec", null, 0, List.of("a"))))
                    .isInstanceOf(RuntimeException.class);
            assertThat(s.control(key(Kind.ROUTER, "no-spec"))).isNull();
            assertThat(ids(s.controls(Kind.ROUTER))).containsExactly("good");
        } // close: the final snapshot
        assertThat(s.failure()).as("the engine after its final snapshot").isNull();
        try (LocalStorage r = open(live)) {
            assertThat(r.recovery().snapshotWalStart()).as("the final snapshot was written").isGreaterThan(1);
            assertThat(ids(r.controls(Kind.ROUTER))).containsExactly("good");
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Runs {@code ops} so that the committer commits them as one group, in order: a record
     * delete whose filter waits holds the committer inside a group while each op's thread
     * hands its task over and waits; then the filter lets go. Returns each op's result or
     * the exception it threw.
     */
    private static List<Object> inOneGroup(LocalStorage s, Callable<?>... ops) throws Exception {
        s.append(new AppendRequest("holder", batch("h"), null, null, TopicConfig.DEFAULTS));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = Thread.ofPlatform().start(() -> s.deleteRecords("holder", v -> {
            inside.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }, 0, Long.MAX_VALUE));
        assertThat(inside.await(30, TimeUnit.SECONDS)).as("the committer holds").isTrue();
        Object[] outcomes = new Object[ops.length];
        List<Thread> threads = new ArrayList<>();
        try {
            for (int i = 0; i < ops.length; i++) {
                int n = i;
                Thread t = Thread.ofPlatform().start(() -> {
                    try {
                        outcomes[n] = ops[n].call();
                    } catch (Exception e) {
                        outcomes[n] = e;
                    }
                });
                threads.add(t);
                awaitHandedOver(t);
            }
        } finally {
            release.countDown();
        }
        holder.join();
        for (Thread t : threads) {
            t.join();
        }
        return Arrays.asList(outcomes);
    }

    /** Waits until {@code t} is parked waiting for its task's commit (its task is in the ring). */
    private static void awaitHandedOver(Thread t) {
        Await.until("the task handed to the committer", Duration.ofSeconds(30), Duration.ofMillis(1),
                () -> t.getState() == Thread.State.WAITING && Arrays.stream(t.getStackTrace())
                        .anyMatch(f -> f.getMethodName().equals("await") && f.getClassName().endsWith("CommitTask")));
    }
}
