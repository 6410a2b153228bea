package dev.topics.watch;

import dev.topics.json.JsonOut;
import dev.topics.metrics.ServerMetrics;
import dev.topics.storage.ReadResult;
import dev.topics.storage.RecordFilter;
import dev.topics.storage.RecordView;
import dev.topics.storage.Storage;
import dev.topics.storage.StorageException;
import dev.topics.storage.Tombstone;
import dev.topics.topic.RecordJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One stream's loop (SPEC §5), on the stream's own virtual thread: for each watched topic
 * read up to 1,000 records after its cursor and write them as one {@code record} event;
 * {@code caught-up} on each transition from behind; tombstones ({@code retention},
 * {@code reset}, {@code deleted} — after which the topic is dropped, and a stream with no
 * topic left ends); when every topic is caught up, park until any of them moves or the
 * heartbeat is due. Event ids carry every topic's cursor.
 */
final class WatchLoop {
    private static final int BATCH = 1000;
    private static final long BATCH_BYTES = 1L << 20;

    private final Storage storage;
    private final SseStream sse;
    private final LinkedHashMap<String, Long> cursors;
    private final Map<String, RecordFilter> filters;
    private final byte[] node;
    private final long heartbeatMs;
    private final Map<String, Boolean> caughtUp = new HashMap<>();
    private final SharedEvents shared;
    private final Predicate<String> allowed;
    /** How often a caught-up stream wakes to re-check access (SPEC §5: within a second). */
    static final long RECHECK_MS = 500;

    /**
     * @param allowed whether the stream may still read a topic (checked at least every
     *                {@link #RECHECK_MS}), or null when every caller may read everything (dev mode)
     */
    WatchLoop(Storage storage, SseStream sse, LinkedHashMap<String, Long> cursors, Map<String, RecordFilter> filters,
              byte[] node, long heartbeatMs, SharedEvents shared, Predicate<String> allowed) {
        this.storage = storage;
        this.shared = shared;
        this.allowed = allowed;
        this.sse = sse;
        this.cursors = cursors;
        this.filters = filters;
        this.node = node;
        this.heartbeatMs = heartbeatMs;
    }

    void run() throws IOException {
        sse.retry(2000);
        try (Storage.Waiter waiter = storage.waiter()) {
            // an interrupt means another stream took this session over: end this one
            while (!cursors.isEmpty() && !Thread.currentThread().isInterrupted()) {
                if (allowed != null) {
                    for (String topic : cursors.keySet()) {
                        if (!allowed.test(topic)) {
                            return; // the right to read it is gone: the stream ends (the client sees it close)
                        }
                    }
                }
                boolean behind = false;
                List<String> gone = null;
                sse.hold(); // the events of one round go out in one flush
                // step only moves existing cursors (no structural change), so the keys are walked as they are
                for (String topic : cursors.keySet()) {
                    if (!step(topic)) {
                        if (gone == null) {
                            gone = new ArrayList<>(1);
                        }
                        gone.add(topic);
                    } else if (!caughtUp.getOrDefault(topic, false)) {
                        behind = true;
                    }
                }
                sse.release();
                if (gone != null) {
                    gone.forEach(cursors::remove);
                }
                if (!behind && !cursors.isEmpty()) {
                    long idleMs = sse.idleNanos() / 1_000_000L;
                    long wait = Math.max(1, allowed == null ? heartbeatMs - idleMs
                            : Math.min(heartbeatMs - idleMs, RECHECK_MS));
                    if (!waiter.await(cursors, wait) && sse.idleNanos() / 1_000_000L >= heartbeatMs) {
                        sse.heartbeat();
                    }
                }
            }
        }
    }

    /** One read and its events for {@code topic}; false when the topic is gone. */
    private boolean step(String topic) throws IOException {
        long cursor = cursors.get(topic);
        ReadResult r;
        try {
            r = storage.read(topic, cursor, BATCH, BATCH_BYTES, node, filters.get(topic));
        } catch (StorageException.TopicNotFound | StorageException.StreamGone e) {
            // a stream deleted while forks read it is deleted for its watchers too
            shared.forget(topic);
            sse.event(null, "tombstone", tombstone(topic, new JsonOut(32).beginObject().field("reason", "deleted")
                    .endObject()));
            return false;
        }
        if (r.tombstone() != null) {
            sse.event(null, "tombstone", tombstone(topic, describe(r.tombstone())));
        }
        long next = r.nextFromSeq();
        cursors.put(topic, next);
        if (!r.records().isEmpty()) {
            ServerMetrics.read(r.records().size());
            if (node == null && filters.get(topic) == null) {
                // what every plain watcher of this topic at this cursor sends: encode it once
                int n = r.records().size();
                SharedEvents.Event e = shared.find(topic, cursor, next, r.headSeq(), n);
                if (e == null) {
                    e = new SharedEvents.Event(cursor, next, r.headSeq(), n, encode(topic, cursor, r).toByteArray());
                    shared.remember(topic, e);
                }
                if (cursors.size() == 1) {
                    boolean catchingUp = next == r.headSeq();
                    sse.frame(e.singleTopicFrame(topic, catchingUp));
                    if (catchingUp) {
                        caughtUp.put(topic, true); // the shared frame carried the caught-up event too
                        return true;
                    }
                } else {
                    sse.event(CursorId.encode(cursors), "record", e.data, e.data.length);
                }
            } else {
                JsonOut data = encode(topic, cursor, r);
                sse.event(CursorId.encode(cursors), "record", data.buffer(), data.size());
            }
            caughtUp.put(topic, false);
        }
        if (next == r.headSeq()) {
            if (!caughtUp.getOrDefault(topic, false)) {
                caughtUp.put(topic, true);
                sse.event(CursorId.encode(cursors), "caught-up", new JsonOut(64).beginObject().field("topic", topic)
                        .field("head_seq", r.headSeq()).endObject());
            }
        } else {
            caughtUp.put(topic, false);
        }
        return true;
    }

    private static JsonOut encode(String topic, long cursor, ReadResult r) {
        JsonOut data = new JsonOut(256 + r.records().size() * 96).beginObject().field("topic", topic)
                .name("records").beginArray();
        for (RecordView v : r.records()) {
            RecordJson.write(data, v);
        }
        return data.endArray().field("from_seq", cursor).field("to_seq", r.nextFromSeq()).field("head_seq", r.headSeq())
                .endObject();
    }

    private static JsonOut tombstone(String topic, JsonOut what) {
        JsonOut out = new JsonOut(128).beginObject().field("topic", topic).name("tombstone");
        return out.rawValue(what.buffer(), 0, what.size()).endObject();
    }

    private static JsonOut describe(Tombstone t) {
        JsonOut out = new JsonOut(96).beginObject();
        switch (t) {
            case Tombstone.Retention r -> out.field("reason", "retention").field("from_seq", r.fromSeq())
                    .field("to_seq", r.toSeq());
            case Tombstone.Reset r -> out.field("reason", "reset").field("head_seq", r.headSeq());
        }
        return out.endObject();
    }
}
