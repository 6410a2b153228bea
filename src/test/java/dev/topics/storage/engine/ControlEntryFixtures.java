package dev.topics.storage.engine;

import static dev.topics.storage.engine.StorageState.quiesce;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.storage.AppendRequest;
import dev.topics.storage.ControlEntry.Key;
import dev.topics.storage.ControlEntry.Kind;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.CursorMove;
import dev.topics.storage.ReadResult;
import dev.topics.storage.RecordBatch;
import dev.topics.storage.Storage;
import dev.topics.storage.StorageOptions;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicPatch;
import dev.topics.testing.Corruptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

/**
 * What the control entry tests ({@link ControlEntriesAndCursorsTest}, {@link ControlEntryRestartTest},
 * {@link WriteWithCursorMoveTest}) share: opening and crash-copying a storage, making
 * entries, keys and writes with a cursor move, and comparing entries by value.
 */
final class ControlEntryFixtures {
    private ControlEntryFixtures() {
    }

    static LocalStorage open(Path dataDir) {
        try {
            return LocalStorage.open(StorageOptions.defaults(dataDir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void createTopics(Storage s, String... names) {
        for (String n : names) {
            s.putTopic(n, TopicPatch.EMPTY, null, TopicConfig.DEFAULTS);
        }
    }

    /**
     * Copies the data directory of an open, idle storage: what a crash leaves (every written
     * byte is in the page cache), with no final snapshot.
     */
    static void crashCopy(LocalStorage s, Path live, Path crash) {
        quiesce(s);
        Corruptor.copyTree(live, crash);
    }

    static ControlEntry entry(Kind kind, String id, String spec, long cursor, String... topics) {
        return new ControlEntry(kind, id, spec.getBytes(StandardCharsets.UTF_8), cursor, List.of(topics));
    }

    static Key key(Kind kind, String id) {
        return new Key(kind, id);
    }

    static AppendRequest move(String topic, CursorMove m, String... data) {
        return new AppendRequest(topic, batch(data), null, null, TopicConfig.DEFAULTS, m);
    }

    static RecordBatch batch(String... data) {
        RecordBatch b = new RecordBatch(256);
        for (String d : data) {
            b.add(("\"" + d + "\"").getBytes(StandardCharsets.UTF_8), null, null, null);
        }
        return b;
    }

    /** Record data as written to {@link #batch} (JSON strings, unquoted again). */
    static List<String> datas(ReadResult r) {
        return r.records().stream().map(v -> {
            String s = new String(v.data(), StandardCharsets.UTF_8);
            return s.substring(1, s.length() - 1);
        }).toList();
    }

    static List<String> ids(List<ControlEntry> entries) {
        return entries.stream().map(ControlEntry::id).toList();
    }

    /** An entry with value equality (a record's {@code byte[]} compares by identity). */
    record EntryView(Kind kind, String id, String specHex, long cursor, List<String> topics) {
    }

    static EntryView view(ControlEntry e) {
        assertThat(e).isNotNull();
        return new EntryView(e.kind(), e.id(), HexFormat.of().formatHex(e.spec()), e.cursor(), e.topics());
    }

    static List<EntryView> views(List<ControlEntry> entries) {
        return entries.stream().map(ControlEntryFixtures::view).toList();
    }
}
