package dev.topics.storage.engine;

import static dev.topics.storage.engine.ControlEntryFixtures.batch;
import static dev.topics.storage.engine.ControlEntryFixtures.crashCopy;
import static dev.topics.storage.engine.ControlEntryFixtures.createTopics;
import static dev.topics.storage.engine.ControlEntryFixtures.datas;
import static dev.topics.storage.engine.ControlEntryFixtures.entry;
import static dev.topics.storage.engine.ControlEntryFixtures.ids;
import static dev.topics.storage.engine.ControlEntryFixtures.key;
import static dev.topics.storage.engine.ControlEntryFixtures.move;
import static dev.topics.storage.engine.ControlEntryFixtures.open;
import static dev.topics.storage.engine.ControlEntryFixtures.views;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.topics.storage.AppendRequest;
import dev.topics.storage.AppendResult;
import dev.topics.storage.ControlEntry.Key;
import dev.topics.storage.ControlEntry.Kind;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.CursorMove;
import dev.topics.storage.RecoveryReport;
import dev.topics.storage.Storage;
import dev.topics.storage.StorageException;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicPatch;
import dev.topics.storage.engine.ControlEntryFixtures.EntryView;
import dev.topics.testing.ScratchDirTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Control entries (routers, subscriptions, webhooks) across restarts: entries and their
 * cursors survive WAL replay, a snapshot plus WAL replay and a snapshot alone; their
 * cascade with topic deletion and memory-only topics holds live and after the restart; and
 * a cursor moved by a write to a memory-only topic persists while the records do not.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ControlEntryRestartTest extends ScratchDirTest {
    private static final TopicPatch MEMORY_ONLY =
            new TopicPatch(null, null, null, null, false, null, null, null, null, null, null);

    /** How a test's storage is restarted. */
    enum Restart {
        /** A crash copy taken while open, no snapshot ever: recovery replays the WAL alone. */
        WAL_ONLY,
        /** A snapshot midway, more changes, then a crash copy: snapshot plus WAL replay. */
        SNAPSHOT_THEN_WAL,
        /** A clean close: its final snapshot alone, nothing to replay. */
        SNAPSHOT_ONLY
    }

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

    // ---------------------------------------------------------------- helpers

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

    /** Every entry, by kind then id. */
    private static List<EntryView> allEntries(Storage s) {
        List<EntryView> out = new ArrayList<>();
        for (Kind k : Kind.values()) {
            out.addAll(views(s.controls(k)));
        }
        return out;
    }
}
