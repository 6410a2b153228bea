package dev.topics.storage.engine;

import static dev.topics.storage.engine.ControlEntryFixtures.batch;
import static dev.topics.storage.engine.ControlEntryFixtures.crashCopy;
import static dev.topics.storage.engine.ControlEntryFixtures.createTopics;
import static dev.topics.storage.engine.ControlEntryFixtures.datas;
import static dev.topics.storage.engine.ControlEntryFixtures.entry;
import static dev.topics.storage.engine.ControlEntryFixtures.key;
import static dev.topics.storage.engine.ControlEntryFixtures.move;
import static dev.topics.storage.engine.ControlEntryFixtures.open;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.topics.storage.AppendRequest;
import dev.topics.storage.AppendResult;
import dev.topics.storage.ControlEntry.Key;
import dev.topics.storage.ControlEntry.Kind;
import dev.topics.storage.CursorMove;
import dev.topics.storage.StorageException;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicPatch;
import dev.topics.testing.Corruptor.Frame;
import dev.topics.testing.Corruptor;
import dev.topics.testing.ScratchDirTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A write that moves a control entry's cursor (a router's copy): the records and the move
 * commit together, or the write is refused with nothing written and no topic created; and
 * after a crash that tears the write's frame, both happened or neither.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WriteWithCursorMoveTest extends ScratchDirTest {
    private static final TopicPatch NO_AUTO_CREATE =
            new TopicPatch(null, null, null, null, null, null, false, null, null, null, null);

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
}
