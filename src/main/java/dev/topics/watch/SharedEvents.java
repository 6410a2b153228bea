package dev.topics.watch;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Encode once, send to many (DESIGN: SSE fan-out): the last {@code record} event encoded
 * per topic for streams with neither filter nor node, so the thousands of watchers that
 * wake for one write reuse its bytes instead of encoding the same JSON each.
 *
 * <p>An event is reused only for a read with the same cursor, next cursor, head and record
 * count. Records are immutable and a range's live records can only shrink (deletes,
 * retention), so equal counts over an equal range mean equal records: a delete that lands
 * after an event was encoded changes the count and the event is encoded again.
 */
final class SharedEvents {
    /** One topic's last event: its key, its {@code data:} JSON, and (single-topic streams) the whole frame. */
    static final class Event {
        final long from;
        final long next;
        final long head;
        final int count;
        final byte[] data;
        private volatile byte[] frame;

        Event(long from, long next, long head, int count, byte[] data) {
            this.from = from;
            this.next = next;
            this.head = head;
            this.count = count;
            this.data = data;
        }

        boolean matches(long from, long next, long head, int count) {
            return this.from == from && this.next == next && this.head == head && this.count == count;
        }

        /**
         * The complete SSE frame for a stream watching only {@code topic}, whose event id
         * depends on nothing else; built by the first such stream, then shared.
         */
        byte[] singleTopicFrame(String topic) {
            byte[] f = frame;
            if (f == null) {
                byte[] head = ("id: " + CursorId.encode(java.util.Map.of(topic, next)) + "\nevent: record\ndata: ")
                        .getBytes(StandardCharsets.US_ASCII);
                f = new byte[head.length + data.length + 2];
                System.arraycopy(head, 0, f, 0, head.length);
                System.arraycopy(data, 0, f, head.length, data.length);
                f[f.length - 2] = '\n';
                f[f.length - 1] = '\n';
                frame = f;
            }
            return f;
        }
    }

    private final ConcurrentHashMap<String, Event> last = new ConcurrentHashMap<>();

    /** The shared event for this read, or null when it must be encoded. */
    Event find(String topic, long from, long next, long head, int count) {
        Event e = last.get(topic);
        return e != null && e.matches(from, next, head, count) ? e : null;
    }

    void remember(String topic, Event e) {
        last.put(topic, e);
    }

    /** The topic is gone: drop its event. */
    void forget(String topic) {
        last.remove(topic);
    }
}
