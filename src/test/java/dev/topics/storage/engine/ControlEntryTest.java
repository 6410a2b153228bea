package dev.topics.storage.engine;

import static dev.topics.storage.engine.StorageState.quiesce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.topics.storage.AppendRequest;
import dev.topics.storage.AppendResult;
import dev.topics.storage.ControlEntry.Key;
import dev.topics.storage.ControlEntry.Kind;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.CursorMove;
import dev.topics.storage.ReadResult;
import dev.topics.storage.RecordBatch;
import dev.topics.storage.RecoveryReport;
import dev.topics.storage.Storage;
import dev.topics.storage.StorageException;
import dev.topics.storage.StorageOptions;
import dev.topics.storage.TopicChange;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicPatch;
import dev.topics.testing.Corruptor.Frame;
import dev.topics.testing.Corruptor;
import dev.topics.testing.MemoryTempDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Control entries (routers, subscriptions, webhooks) kept by the engine next to the topics:
 * their CRUD, their cursors (compare-and-set, forward-only, and moved together with a
 * write), their cascade with topic deletion and memory-only topics, and that all of it
 * survives WAL replay, snapshots and a torn last frame.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ControlEntryTest {
    private static final TopicPatch MEMORY_ONLY =
            new TopicPatch(null, null, null, null, false, null, null, null, null, null, null);
    private static final TopicPatch NO_AUTO_CREATE =
            new TopicPatch(null, null, null, null, null, null, false, null, null, null, null);

    @TempDir
    Path tempDir;
    /** This test's directory: in memory when possible (see {@link MemoryTempDir}). */
    Path dir;

    @BeforeEach
    void scratch() {
        dir = MemoryTempDir.create(tempDir);
    }

    @AfterEach
    void clean() {
        MemoryTempDir.delete(dir, tempDir);
    }

    /** How a test's storage is restarted. */
    enum Restart {
        /** A crash copy taken while open, no snapshot ever: recovery replays the WAL alone. */
        WAL_ONLY,
        /** A snapshot midway, more changes, then a crash copy: snapshot plus WAL replay. */
        SNAPSHOT_THEN_WAL,
        /** A clean close: its final snapshot alone, nothing to replay. */
        SNAPSHOT_ONLY
    }

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

    // ---------------------------------------------------------------- restarts

    @ParameterizedTest
    @EnumSource(Restart.class)
    void entriesAndCursorsSurviveARestart(Restart how) throws IOException {
        byte[] binary = new byte[300];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i * 7);
        }
        List<EntryView> expected = new ArrayList<>();
        try (LocalStorage r = restart(how, dir.resolve("live"), s -> {
            createTopics(s, "a", "b", "c/d");
            s.putControl(entry(Kind.ROUTER, "r-1", "{\"to\":\"b\"}", 0, "a", "b"));
            s.putControl(new ControlEntry(Kind.ROUTER, "r-2", binary, 11, List.of("c/d")));
            s.putControl(entry(Kind.SUBSCRIPTION, "a/s", "{\"s\":1}", 0, "a"));
            s.putControl(entry(Kind.WEBHOOK, "ключ-✓", "{\"url\":\"https://h\"}", 3, "b"));
            s.putControl(entry(Kind.WEBHOOK, "temp", "{}", 0, "a"));
            s.putControl(entry(Kind.WEBHOOK, "no-topics", "{\"global\":true}", 8));
            s.moveCursor(new CursorMove(key(Kind.ROUTER, "r-1"), 0, 40));
            s.advanceCursor(key(Kind.SUBSCRIPTION, "a/s"), 6);
            s.deleteControl(key(Kind.WEBHOOK, "temp"));
        }, s -> {
            s.moveCursor(new CursorMove(key(Kind.ROUTER, "r-1"), 40, 41));
            s.advanceCursor(key(Kind.ROUTER, "r-2"), 12);
            s.advanceCursor(key(Kind.ROUTER, "r-2"), 5); // no-op
            s.putControl(entry(Kind.SUBSCRIPTION, "a/s", "{\"s\":2}", 1, "a", "c/d")); // replaced
            s.putControl(entry(Kind.SUBSCRIPTION, "b/t", "{\"t\":1}", 2, "b"));
            s.deleteControl(key(Kind.WEBHOOK, "ключ-✓"));
            s.putControl(entry(Kind.WEBHOOK, "ключ-✓", "{\"url\":\"https://h2\"}", 30, "b", "a")); // put again
            s.advanceCursor(key(Kind.WEBHOOK, "ключ-✓"), 31);
            expected.addAll(allEntries(s));
        })) {
            assertThat(allEntries(r)).as("after a %s restart", how).isEqualTo(expected);
            assertThat(expected).extracting(EntryView::id)
                    .containsExactly("r-1", "r-2", "a/s", "b/t", "no-topics", "ключ-✓");
            assertThat(r.control(key(Kind.ROUTER, "r-1")).cursor()).isEqualTo(41);
            assertThat(r.control(key(Kind.ROUTER, "r-2")).cursor()).isEqualTo(12);
            assertThat(r.control(key(Kind.ROUTER, "r-2")).spec()).isEqualTo(binary);
            assertThat(r.control(key(Kind.SUBSCRIPTION, "a/s")).topics()).containsExactly("a", "c/d");
            assertThat(r.control(key(Kind.WEBHOOK, "temp"))).isNull();

            // the restarted storage goes on where it stopped; a second restart keeps that too
            r.moveCursor(new CursorMove(key(Kind.ROUTER, "r-1"), 41, 42));
            assertThatThrownBy(() -> r.moveCursor(new CursorMove(key(Kind.ROUTER, "r-1"), 41, 43)))
                    .isInstanceOf(StorageException.CursorConflict.class);
        }
        try (LocalStorage again = open(dataDirAfter(how))) {
            assertThat(again.control(key(Kind.ROUTER, "r-1")).cursor()).isEqualTo(42);
        }
    }

    @ParameterizedTest
    @EnumSource(Restart.class)
    void deletingATopicRemovesItsEntriesLiveAndAfterARestart(Restart how) throws IOException {
        List<EntryView> survivors = new ArrayList<>();
        try (LocalStorage r = restart(how, dir.resolve("live"), s -> {
            createTopics(s, "a", "b", "c");
            s.putControl(entry(Kind.ROUTER, "a-only", "{}", 1, "a"));
            s.putControl(entry(Kind.ROUTER, "a-and-b", "{}", 2, "b", "a"));
            s.putControl(entry(Kind.ROUTER, "b-only", "{}", 3, "b"));
            s.putControl(entry(Kind.SUBSCRIPTION, "a/sub", "{}", 4, "a"));
            s.putControl(entry(Kind.WEBHOOK, "c-hook", "{}", 5, "c"));
            s.putControl(entry(Kind.WEBHOOK, "global", "{}", 6));
            s.append(new AppendRequest("a", batch("1", "2"), null, null, TopicConfig.DEFAULTS));
        }, s -> {
            s.moveCursor(new CursorMove(key(Kind.ROUTER, "a-only"), 1, 2));
            s.deleteTopic("a");

            assertThat(s.control(key(Kind.ROUTER, "a-only"))).isNull();
            assertThat(s.control(key(Kind.ROUTER, "a-and-b"))).isNull();
            assertThat(s.control(key(Kind.SUBSCRIPTION, "a/sub"))).isNull();
            assertThat(ids(s.controls(Kind.ROUTER))).containsExactly("b-only");
            assertThat(s.controls(Kind.SUBSCRIPTION)).isEmpty();
            assertThat(ids(s.controls(Kind.WEBHOOK))).containsExactly("c-hook", "global");
            assertThatThrownBy(() -> s.moveCursor(new CursorMove(key(Kind.ROUTER, "a-only"), 2, 3)))
                    .isInstanceOf(StorageException.ControlNotFound.class);
            assertThatThrownBy(() -> s.advanceCursor(key(Kind.SUBSCRIPTION, "a/sub"), 9))
                    .isInstanceOf(StorageException.ControlNotFound.class);
            assertThatThrownBy(() -> s.putControl(entry(Kind.ROUTER, "late", "{}", 0, "a")))
                    .isInstanceOf(StorageException.TopicNotFound.class);

            // a topic of the same name made again does not bring the old entries back
            s.append(new AppendRequest("a", batch("x"), null, null, TopicConfig.DEFAULTS));
            assertThat(s.control(key(Kind.ROUTER, "a-only"))).isNull();
            s.putControl(entry(Kind.ROUTER, "a-new", "{}", 7, "a"));

            s.deleteTopic("c");
            assertThat(ids(s.controls(Kind.WEBHOOK))).containsExactly("global");
            survivors.addAll(allEntries(s));
        })) {
            assertThat(survivors).extracting(EntryView::id).containsExactly("a-new", "b-only", "global");
            assertThat(allEntries(r)).as("after a %s restart", how).isEqualTo(survivors);
            assertThat(r.control(key(Kind.ROUTER, "a-and-b"))).isNull();
            assertThat(r.control(key(Kind.SUBSCRIPTION, "a/sub"))).isNull();
            assertThat(r.control(key(Kind.WEBHOOK, "c-hook"))).isNull();
        }
        try (LocalStorage again = open(dataDirAfter(how))) {
            assertThat(allEntries(again)).as("after a %s restart and a clean one", how).isEqualTo(survivors);
        }
    }

    @ParameterizedTest
    @EnumSource(Restart.class)
    void entriesOfAMemoryOnlyTopicAreGoneAfterARestartWhileDurableOnesStay(Restart how) throws IOException {
        List<EntryView> durable = new ArrayList<>();
        try (LocalStorage r = restart(how, dir.resolve("live"), s -> {
            createTopics(s, "disk");
            s.putTopic("mem", MEMORY_ONLY, null, TopicConfig.DEFAULTS);
            s.putControl(entry(Kind.ROUTER, "disk-to-mem", "{}", 0, "disk", "mem"));
            s.putControl(entry(Kind.ROUTER, "disk-only", "{}", 0, "disk"));
            s.putControl(entry(Kind.SUBSCRIPTION, "mem/s", "{}", 0, "mem"));
            s.putControl(entry(Kind.WEBHOOK, "global", "{}", 2));
        }, s -> {
            s.moveCursor(new CursorMove(key(Kind.ROUTER, "disk-to-mem"), 0, 5));
            s.advanceCursor(key(Kind.SUBSCRIPTION, "mem/s"), 6);
            s.advanceCursor(key(Kind.ROUTER, "disk-only"), 7);
            s.putControl(entry(Kind.WEBHOOK, "mem-hook", "{}", 8, "mem"));
            // live, every entry is there, whatever its topics' durability
            assertThat(ids(s.controls(Kind.ROUTER))).containsExactly("disk-only", "disk-to-mem");
            assertThat(ids(s.controls(Kind.SUBSCRIPTION))).containsExactly("mem/s");
            assertThat(ids(s.controls(Kind.WEBHOOK))).containsExactly("global", "mem-hook");
            assertThat(s.control(key(Kind.SUBSCRIPTION, "mem/s")).cursor()).isEqualTo(6);
            for (EntryView e : allEntries(s)) {
                if (!e.topics().contains("mem")) {
                    durable.add(e);
                }
            }
        })) {
            assertThatThrownBy(() -> r.topic("mem")).isInstanceOf(StorageException.TopicNotFound.class);
            assertThat(durable).extracting(EntryView::id).containsExactly("disk-only", "global");
            assertThat(allEntries(r)).as("after a %s restart", how).isEqualTo(durable);
            assertThat(r.control(key(Kind.ROUTER, "disk-only")).cursor()).isEqualTo(7);
            assertThat(r.control(key(Kind.ROUTER, "disk-to-mem"))).isNull();
            assertThatThrownBy(() -> r.advanceCursor(key(Kind.SUBSCRIPTION, "mem/s"), 9))
                    .isInstanceOf(StorageException.ControlNotFound.class);

            // the name is free: a durable "mem" does not bring the old entries back either
            createTopics(r, "mem");
            assertThat(r.control(key(Kind.SUBSCRIPTION, "mem/s"))).isNull();
            assertThat(r.control(key(Kind.WEBHOOK, "mem-hook"))).isNull();
        }
        try (LocalStorage again = open(dataDirAfter(how))) {
            assertThat(allEntries(again)).as("after a %s restart and a clean one", how).isEqualTo(durable);
        }
    }

    @Test
    void deletingAMemoryOnlyTopicRemovesItsEntriesAndARestartDoesNotBringThemBack() {
        Path live = dir.resolve("live");
        try (LocalStorage s = open(live)) {
            createTopics(s, "disk");
            s.putTopic("mem", MEMORY_ONLY, null, TopicConfig.DEFAULTS);
            s.putControl(entry(Kind.ROUTER, "mem-router", "{}", 1, "mem"));
            s.putControl(entry(Kind.ROUTER, "disk-router", "{}", 2, "disk"));
            s.deleteTopic("mem");
            assertThat(ids(s.controls(Kind.ROUTER))).containsExactly("disk-router");
            // the name comes back as a durable topic before the crash
            createTopics(s, "mem");
            assertThat(s.control(key(Kind.ROUTER, "mem-router"))).isNull();
            crashCopy(s, live, dir.resolve("crash"));
        }
        for (Path p : List.of(dir.resolve("crash"), live)) {
            try (LocalStorage r = open(p)) {
                assertThat(r.topic("mem").config().durable()).isTrue();
                assertThat(ids(r.controls(Kind.ROUTER))).as(p.getFileName().toString()).containsExactly("disk-router");
            }
        }
    }

    // ---------------------------------------------------------------- writes with a cursor move

    @Test
    void appendWithACursorMoveCommitsBothOrIsRefusedWithNothingWritten() {
        Path live = dir.resolve("live");
        Key r = key(Kind.ROUTER, "r");
        try (LocalStorage s = open(live)) {
            createTopics(s, "src", "dst");
            s.append(new AppendRequest("src", batch("s1", "s2", "s3"), null, null, TopicConfig.DEFAULTS));
            s.putControl(entry(Kind.ROUTER, "r", "{}", 0, "src"));

            AppendResult a = s.append(move("dst", new CursorMove(r, 0, 2), "a", "b"));
            assertThat(a.firstSeq()).isEqualTo(1);
            assertThat(a.lastSeq()).isEqualTo(2);
            assertThat(datas(s.read("dst", 0, 10, 1 << 20, null, null))).containsExactly("a", "b");
            assertThat(s.control(r).cursor()).isEqualTo(2);

            // conflict: nothing written, head unchanged
            assertThatThrownBy(() -> s.append(move("dst", new CursorMove(r, 0, 3), "c")))
                    .isInstanceOf(StorageException.CursorConflict.class);
            assertThat(s.topic("dst").headSeq()).isEqualTo(2);
            assertThat(s.topic("dst").count()).isEqualTo(2);
            assertThat(datas(s.read("dst", 0, 10, 1 << 20, null, null))).containsExactly("a", "b");
            assertThat(s.control(r).cursor()).isEqualTo(2);

            // conflict on a write that would create its topic: the topic is not created
            assertThatThrownBy(() -> s.append(move("fresh", new CursorMove(r, 1, 3), "c")))
                    .isInstanceOf(StorageException.CursorConflict.class);
            assertThatThrownBy(() -> s.topic("fresh")).isInstanceOf(StorageException.TopicNotFound.class);
            assertThat(s.list("fresh", null, 10)).isEmpty();

            // a write that creates its topic and moves the cursor
            AppendResult created = s.append(move("fresh", new CursorMove(r, 2, 3), "c"));
            assertThat(created.created()).isTrue();
            assertThat(datas(s.read("fresh", 0, 10, 1 << 20, null, null))).containsExactly("c");
            assertThat(s.control(r).cursor()).isEqualTo(3);

            // the write is refused for the topic (not found, auto-create off): the cursor stays
            assertThatThrownBy(() -> s.append(new AppendRequest("nowhere", batch("n"), null, null,
                    NO_AUTO_CREATE.applyTo(TopicConfig.DEFAULTS), new CursorMove(r, 3, 4))))
                    .isInstanceOf(StorageException.TopicNotFound.class);
            assertThat(s.control(r).cursor()).isEqualTo(3);

            // an idempotency key and a cursor move together are refused up front
            assertThatThrownBy(() -> new AppendRequest("dst", batch("k"), "key", null, TopicConfig.DEFAULTS,
                    new CursorMove(r, 3, 4))).isInstanceOf(IllegalArgumentException.class);

            // the entry is gone: refused, nothing written, no topic created
            s.deleteControl(r);
            assertThatThrownBy(() -> s.append(move("dst", new CursorMove(r, 3, 4), "d")))
                    .isInstanceOf(StorageException.ControlNotFound.class);
            assertThatThrownBy(() -> s.append(move("other", new CursorMove(r, 3, 4), "d")))
                    .isInstanceOf(StorageException.ControlNotFound.class);
            assertThat(s.topic("dst").headSeq()).isEqualTo(2);
            assertThatThrownBy(() -> s.topic("other")).isInstanceOf(StorageException.TopicNotFound.class);
            assertThat(s.control(r)).isNull();

            s.putControl(entry(Kind.ROUTER, "r2", "{}", 10, "src"));
            s.append(move("dst", new CursorMove(key(Kind.ROUTER, "r2"), 10, 11), "e"));
            crashCopy(s, live, dir.resolve("crash"));
        }
        try (LocalStorage c = open(dir.resolve("crash"))) {
            assertThat(datas(c.read("dst", 0, 10, 1 << 20, null, null))).containsExactly("a", "b", "e");
            assertThat(datas(c.read("fresh", 0, 10, 1 << 20, null, null))).containsExactly("c");
            assertThat(c.control(r)).isNull();
            assertThat(c.control(key(Kind.ROUTER, "r2")).cursor()).isEqualTo(11);
            assertThatThrownBy(() -> c.topic("other")).isInstanceOf(StorageException.TopicNotFound.class);
        }
    }

    /** What the crash-atomicity sweep's last write does. */
    enum LastWrite {
        /** Appends to an existing topic. */
        APPENDS,
        /** Creates its topic (one frame: creation, cursor and records). */
        CREATES_ITS_TOPIC
    }

    @ParameterizedTest
    @EnumSource(LastWrite.class)
    void aTornLastFrameKeepsTheRecordsAndTheCursorMoveTogetherOrNeither(LastWrite lastWrite) throws IOException {
        Path live = dir.resolve("live");
        Path crash = dir.resolve("crash");
        Key r = key(Kind.ROUTER, "copy");
        String lastTopic = lastWrite == LastWrite.APPENDS ? "dst" : "made-by-the-last-write";
        long headBefore;
        AppendResult last;
        try (LocalStorage s = open(live)) {
            createTopics(s, "src", "dst");
            s.append(new AppendRequest("src", batch("1", "2", "3", "4", "5", "6"), null, null, TopicConfig.DEFAULTS));
            s.putControl(entry(Kind.ROUTER, "copy", "{\"from\":\"src\"}", 0, "src"));
            s.append(move("dst", new CursorMove(r, 0, 2), "1", "2"));
            s.append(move("dst", new CursorMove(r, 2, 4), "3", "4"));
            headBefore = lastWrite == LastWrite.APPENDS ? s.topic("dst").headSeq() : 0;
            last = s.append(move(lastTopic, new CursorMove(r, 4, 6), "5", "6"));
            assertThat(last.created()).isEqualTo(lastWrite == LastWrite.CREATES_ITS_TOPIC);
            crashCopy(s, live, crash);
        }
        Path wal = Corruptor.lastWalFile(crash);
        Frame frame = Corruptor.lastFrame(wal);
        assertThat(frame.type()).as("the last frame is the last write").isEqualTo(Frames.RECORDS);
        Corruptor.truncate(wal, frame.end()); // drop the writer's zero fill after it

        for (long cut = frame.start(); cut <= frame.end(); cut++) {
            Path run = Corruptor.freshCopy(crash, dir.resolve("run"));
            Corruptor.truncate(run.resolve(crash.relativize(wal).toString()), cut);
            boolean whole = cut == frame.end();
            String ctx = "cut at " + cut + " (" + (cut - frame.start()) + " of " + frame.length() + " bytes left)";
            try (LocalStorage c = open(run)) {
                // what recovery cuts is the torn frame's part that was left
                assertThat(c.recovery().bytesCut()).as(ctx).isEqualTo(whole ? 0 : cut - frame.start());
                long cursor = c.control(r).cursor();
                boolean recordsThere = lastWrite == LastWrite.APPENDS
                        ? c.topic(lastTopic).headSeq() == last.lastSeq()
                        : !c.list(lastTopic, null, 1).isEmpty();
                assertThat(cursor).as("%s: cursor before or after the last write", ctx).isIn(4L, 6L);
                assertThat(recordsThere).as("%s: records present exactly when the cursor moved", ctx)
                        .isEqualTo(cursor == 6);
                assertThat(recordsThere).as("%s: only the whole frame counts", ctx).isEqualTo(whole);
                if (whole) {
                    assertThat(datas(c.read(lastTopic, last.firstSeq() - 1, 10, 1 << 20, null, null)))
                            .as(ctx).containsExactly("5", "6");
                } else if (lastWrite == LastWrite.APPENDS) {
                    assertThat(c.topic("dst").headSeq()).as(ctx).isEqualTo(headBefore);
                } else {
                    assertThatThrownBy(() -> c.topic(lastTopic)).isInstanceOf(StorageException.TopicNotFound.class);
                }
                assertThat(datas(c.read("dst", 0, 10, 1 << 20, null, null))).as(ctx)
                        .startsWith("1", "2", "3", "4");
                // the surviving cursor is the one to compare against from here on
                c.append(move("dst", new CursorMove(r, cursor, cursor + 1), "next"));
            }
            try (LocalStorage c = open(run)) {
                assertThat(c.recovery().bytesCut()).as("%s: second restart", ctx).isZero();
                assertThat(c.control(r).cursor()).as("%s: second restart", ctx).isEqualTo(whole ? 7L : 5L);
                assertThat(datas(c.read("dst", 0, 10, 1 << 20, null, null))).as(ctx).endsWith("next");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Restart.class)
    void aCursorMovedByAWriteToAMemoryOnlyTopicPersistsWhileTheRecordsDoNot(Restart how) throws IOException {
        Key r = key(Kind.ROUTER, "to-mem");
        try (LocalStorage restarted = restart(how, dir.resolve("live"), s -> {
            createTopics(s, "src");
            s.putTopic("mem", MEMORY_ONLY, null, TopicConfig.DEFAULTS);
            s.putControl(entry(Kind.ROUTER, "to-mem", "{}", 0, "src"));
            s.append(move("mem", new CursorMove(r, 0, 3), "a", "b"));
        }, s -> {
            AppendResult w = s.append(move("mem", new CursorMove(r, 3, 5), "c"));
            assertThat(w.lastSeq()).isEqualTo(3);
            assertThat(datas(s.read("mem", 0, 10, 1 << 20, null, null))).containsExactly("a", "b", "c");
            assertThat(s.control(r).cursor()).isEqualTo(5);
            assertThatThrownBy(() -> s.append(move("mem", new CursorMove(r, 3, 9), "x")))
                    .isInstanceOf(StorageException.CursorConflict.class);
            assertThat(s.topic("mem").headSeq()).isEqualTo(3);
        })) {
            assertThatThrownBy(() -> restarted.topic("mem")).as("memory-only records end with the process")
                    .isInstanceOf(StorageException.TopicNotFound.class);
            assertThat(restarted.control(r).cursor()).as("after a %s restart", how).isEqualTo(5);
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

    private static LocalStorage open(Path dataDir) {
        try {
            return LocalStorage.open(StorageOptions.defaults(dataDir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void createTopics(Storage s, String... names) {
        for (String n : names) {
            s.putTopic(n, TopicPatch.EMPTY, null, TopicConfig.DEFAULTS);
        }
    }

    /**
     * Copies the data directory of an open, idle storage: what a crash leaves (every written
     * byte is in the page cache), with no final snapshot.
     */
    private static void crashCopy(LocalStorage s, Path live, Path crash) {
        quiesce(s);
        Corruptor.copyTree(live, crash);
    }

    private Path dataDirAfter(Restart how) {
        return how == Restart.SNAPSHOT_ONLY ? dir.resolve("live") : dir.resolve("crash");
    }

    /**
     * Opens {@code live}, runs {@code first}, takes a snapshot if {@code how} says so, runs
     * {@code then}, and restarts as {@code how} says; returns the storage opened on what
     * survived, having checked that recovery took the intended path.
     */
    private LocalStorage restart(Restart how, Path live, Consumer<LocalStorage> first, Consumer<LocalStorage> then)
            throws IOException {
        try (LocalStorage s = open(live)) {
            first.accept(s);
            if (how == Restart.SNAPSHOT_THEN_WAL) {
                s.snapshot();
            }
            then.accept(s);
            if (how != Restart.SNAPSHOT_ONLY) {
                crashCopy(s, live, dataDirAfter(how));
            }
        }
        LocalStorage r = open(dataDirAfter(how));
        try {
            RecoveryReport rep = r.recovery();
            assertThat(rep.bytesCut()).isZero();
            switch (how) {
                case WAL_ONLY -> assertThat(rep.snapshotWalStart()).as("no snapshot").isEqualTo(-1);
                case SNAPSHOT_THEN_WAL -> {
                    assertThat(rep.snapshotWalStart()).as("a snapshot").isGreaterThan(1);
                    assertThat(rep.framesReplayed()).as("and WAL after it").isPositive();
                }
                case SNAPSHOT_ONLY -> {
                    assertThat(rep.snapshotWalStart()).as("a snapshot").isGreaterThan(1);
                    assertThat(rep.framesReplayed()).as("nothing after it").isZero();
                }
            }
            return r;
        } catch (RuntimeException | Error e) {
            r.close();
            throw e;
        }
    }

    private static ControlEntry entry(Kind kind, String id, String spec, long cursor, String... topics) {
        return new ControlEntry(kind, id, spec.getBytes(StandardCharsets.UTF_8), cursor, List.of(topics));
    }

    private static Key key(Kind kind, String id) {
        return new Key(kind, id);
    }

    private static AppendRequest move(String topic, CursorMove m, String... data) {
        return new AppendRequest(topic, batch(data), null, null, TopicConfig.DEFAULTS, m);
    }

    private static RecordBatch batch(String... data) {
        RecordBatch b = new RecordBatch(256);
        for (String d : data) {
            b.add(("\"" + d + "\"").getBytes(StandardCharsets.UTF_8), null, null, null);
        }
        return b;
    }

    /** Record data as written to {@link #batch} (JSON strings, unquoted again). */
    private static List<String> datas(ReadResult r) {
        return r.records().stream().map(v -> {
            String s = new String(v.data(), StandardCharsets.UTF_8);
            return s.substring(1, s.length() - 1);
        }).toList();
    }

    private static List<String> ids(List<ControlEntry> entries) {
        return entries.stream().map(ControlEntry::id).toList();
    }

    /** An entry with value equality (a record's {@code byte[]} compares by identity). */
    private record EntryView(Kind kind, String id, String specHex, long cursor, List<String> topics) {
    }

    private static EntryView view(ControlEntry e) {
        assertThat(e).isNotNull();
        return new EntryView(e.kind(), e.id(), HexFormat.of().formatHex(e.spec()), e.cursor(), e.topics());
    }

    private static List<EntryView> views(List<ControlEntry> entries) {
        return entries.stream().map(ControlEntryTest::view).toList();
    }

    /** Every entry, by kind then id. */
    private static List<EntryView> allEntries(Storage s) {
        List<EntryView> out = new ArrayList<>();
        for (Kind k : Kind.values()) {
            out.addAll(views(s.controls(k)));
        }
        return out;
    }

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
    private static void awaitHandedOver(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (t.getState() == Thread.State.WAITING && Arrays.stream(t.getStackTrace())
                    .anyMatch(f -> f.getMethodName().equals("await") && f.getClassName().endsWith("CommitTask"))) {
                return;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("the task was not handed to the committer");
    }
}
