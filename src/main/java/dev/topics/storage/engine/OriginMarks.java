package dev.topics.storage.engine;

import dev.topics.storage.io.Bytes;
import dev.topics.storage.segment.RecordCodec;
import java.util.HashMap;
import java.util.Map;

/**
 * A topic's high-water mark per origin (SPEC §8): for each (origin node, origin topic),
 * the highest origin seq this topic has accepted. Paths are FIFO, so with
 * {@code dedupe_node} a record at or below its origin's mark is a re-send and is dropped.
 * Marks are kept whether or not the topic dedupes, so turning it on later is exact.
 * Rebuilt after a crash from the snapshot and from the origins of replayed records.
 * Committer thread (and recovery) only. The map is made by the first record with an
 * origin: most topics never have one (a topic's fixed cost, benchmarks P7).
 */
final class OriginMarks {
    /** One origin: the node and topic where records were first written. */
    record Source(String node, String topic) {
    }

    /** Null until a mark is set. */
    private Map<Source, Long> marks;

    /**
     * Notes the origin of the record at {@code off} (if it has one). Returns false when the
     * record is at or below its origin's mark, i.e. already accepted; the mark is not moved then.
     */
    boolean accept(byte[] b, int off, RecordCodec.Parts parts) {
        return accept(b, off, parts, null);
    }

    /** As {@link #accept(byte[], int, RecordCodec.Parts)}, noting each mark's old value in {@code undo} (null = none). */
    boolean accept(byte[] b, int off, RecordCodec.Parts parts, Map<Source, Long> undo) {
        if ((RecordCodec.flags(b, off) & RecordCodec.F_ORIGIN) == 0) {
            return true;
        }
        parts.parse(b, off);
        int p = parts.originOff;
        int nl = b[p] & 0xFF;
        String node = Bytes.string(b, p + 1, nl);
        int tl = Bytes.u16(b, p + 1 + nl);
        String topic = Bytes.string(b, p + 3 + nl, tl);
        long seq = Bytes.i64(b, p + 3 + nl + tl);
        Source s = new Source(node, topic);
        Long mark = marks == null ? null : marks.get(s);
        if (mark != null && Long.compareUnsigned(seq, mark) <= 0) {
            return false;
        }
        if (undo != null && !undo.containsKey(s)) {
            undo.put(s, mark);
        }
        put(s, seq);
        return true;
    }

    /** Puts back the marks noted in {@code undo} (a write refused after its marks moved). */
    void rollback(Map<Source, Long> undo) {
        for (var e : undo.entrySet()) {
            if (e.getValue() == null) {
                marks.remove(e.getKey()); // it was set by the write being undone: the map exists
            } else {
                put(e.getKey(), e.getValue());
            }
        }
    }

    void put(Source s, long mark) {
        if (marks == null) {
            marks = new HashMap<>();
        }
        marks.put(s, mark);
    }

    /** Every mark (read-only when there is none). */
    Map<Source, Long> all() {
        return marks == null ? Map.of() : marks;
    }
}
