package dev.topics.storage;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A control-plane object the engine keeps durably next to the topics: a router, a
 * subscription, a webhook (SPEC §9, §10), a principal, a permission or a share token
 * (SPEC §11). The engine does not interpret {@code spec}
 * (its owner's request, as stored); it keeps, per entry, a cursor that only moves through
 * {@link Storage#moveCursor} or together with a write ({@link CursorMove}), and the topics
 * the entry belongs to: deleting any of them deletes the entry in the same commit
 * (SPEC §2: a topic's deletion takes everything attached to it).
 *
 * @param cursor a seq in some topic's seq space, chosen by the entry's owner
 * @param topics names of the topics the entry belongs to; each must exist when it is stored
 */
public record ControlEntry(Kind kind, String id, byte[] spec, long cursor, List<String> topics) {

    /**
     * What an entry is. Each kind has a fixed tag in the WAL and in snapshots, which never
     * changes meaning: the engine's business ({@code engine.Frames#kindCode}).
     */
    public enum Kind {
        ROUTER, SUBSCRIPTION, WEBHOOK, PRINCIPAL, PERMISSION, SHARE
    }

    /** Identity of an entry: ids are unique within a kind. */
    public record Key(Kind kind, String id) {
    }

    /** Most topics an entry can belong to (the formats count them in one byte). */
    public static final int MAX_TOPICS = 255;

    public ControlEntry {
        topics = List.copyOf(topics);
        if (id.isEmpty() || utf8Length(id) > 0xFFFF) {
            throw new IllegalArgumentException("a control entry id must be 1 to 65535 bytes");
        }
        if (topics.size() > MAX_TOPICS) {
            throw new IllegalArgumentException("a control entry belongs to at most " + MAX_TOPICS + " topics");
        }
        for (String t : topics) {
            if (utf8Length(t) > 0xFFFF) {
                throw new IllegalArgumentException("a topic name over 65535 bytes");
            }
        }
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    public Key key() {
        return new Key(kind, id);
    }

    /** This entry with its cursor at {@code c} (the engine moves cursors; see {@link Storage#moveCursor}). */
    public ControlEntry withCursor(long c) {
        return new ControlEntry(kind, id, spec, c, topics);
    }

    /** True when deleting {@code topic} deletes this entry. */
    public boolean belongsToTopic(String topic) {
        return topics.contains(topic);
    }
}
