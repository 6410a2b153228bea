package dev.topics.watch;

import dev.topics.json.JsonOut;
import java.nio.charset.StandardCharsets;
import java.util.Map;
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
 *
 * <p>A hot path, measured by the P4 fan-out benchmark ({@code benchmarks/run P4},
 * benchmarks/p4/FanOut.java; figures in benchmarks/RESULTS.md).
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
        private volatile byte[] frameCaughtUp;

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
         * depends on nothing else; with {@code caughtUp}, followed by the {@code caught-up}
         * event (the read reached the head). Built by the first such stream, then shared.
         */
        byte[] singleTopicFrame(String topic, boolean caughtUp) {
            byte[] f = caughtUp ? frameCaughtUp : frame;
            if (f == null) {
                String id = "id: " + CursorId.encode(Map.of(topic, next)) + "\n";
                byte[] head = (id + "event: record\ndata: ").getBytes(StandardCharsets.US_ASCII);
                byte[] tail = caughtUp
                        ? ("\n\n" + id + "event: caught-up\ndata: " + new String(new JsonOut(64).beginObject()
                        .field("topic", topic).field("head_seq", this.head).endObject().toByteArray(), StandardCharsets.UTF_8)
                        + "\n\n").getBytes(StandardCharsets.UTF_8)
                        : "\n\n".getBytes(StandardCharsets.US_ASCII);
                f = new byte[head.length + data.length + tail.length];
                System.arraycopy(head, 0, f, 0, head.length);
                System.arraycopy(data, 0, f, head.length, data.length);
                System.arraycopy(tail, 0, f, head.length + data.length, tail.length);
                if (caughtUp) {
                    frameCaughtUp = f;
                } else {
                    frame = f;
                }
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
