package dev.topics.watch;

import dev.topics.access.Gate;
import dev.topics.http.ApiError;
import dev.topics.http.Query;
import dev.topics.http.StorageRef;
import dev.topics.json.JsonOut;
import dev.topics.storage.ReadResult;
import dev.topics.storage.RecordView;
import dev.topics.storage.Storage;
import dev.topics.storage.StorageException;
import dev.topics.storage.Tombstone;
import dev.topics.topic.RecordJson;
import dev.topics.topic.TopicName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Live streams over Server-Sent Events (SPEC §5). So far the one-step single-topic stream
 * {@code GET /v0/topics/{name}/watch?from_seq=&node=&heartbeat_ms=}: {@code retry}, then
 * {@code record} events (batches of up to 1,000 records), {@code caught-up} on each
 * transition from behind to caught up, {@code tombstone} ({@code retention}, {@code reset},
 * and {@code deleted}, after which the stream ends), and {@code : hb} while idle. Event
 * ids are cursor ids ({@link CursorId}); {@code Last-Event-ID} resumes exactly.
 *
 * <p>One virtual thread per stream (the request's own): it reads from its cursor, writes,
 * and when caught up parks on the topic's signal with the heartbeat as timeout, so a slow
 * client blocks only itself. Watch sessions ({@code POST /v0/watch}) come next.
 */
public final class WatchService implements HttpService {
    private static final Set<String> QUERY = Set.of("from_seq", "node", "heartbeat_ms");
    private static final io.helidon.http.HeaderName LAST_EVENT_ID = HeaderNames.create("Last-Event-ID");
    private static final int BATCH = 1000;
    private static final long BATCH_BYTES = 1L << 20;

    private final StorageRef storage;
    private final Gate gate;

    public WatchService(StorageRef storage, Gate gate) {
        this.storage = storage;
        this.gate = gate;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/topics/{name}/watch", this::watchTopic);
    }

    private void watchTopic(ServerRequest req, ServerResponse res) {
        gate.authenticate(req);
        String topic = TopicName.check(req.path().pathParameters().get("name"));
        Query q = Query.of(req, QUERY);
        long cursor = q.unsignedPastEveryHead("from_seq");
        String node = q.string("node");
        long heartbeatMs = q.u64("heartbeat_ms", 15_000, 100, 3_600_000);
        var lastId = req.headers().first(LAST_EVENT_ID);
        if (lastId.isPresent()) {
            Map<String, Long> resume = CursorId.decode(lastId.get());
            if (resume != null && resume.containsKey(topic)) {
                cursor = resume.get(topic);
            }
        }
        Storage s = storage.get();
        s.topic(topic); // 404 before the stream starts
        res.status(Status.OK_200);
        res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8"));
        res.header(HeaderValues.create(HeaderNames.CACHE_CONTROL, "no-cache"));
        try (var out = res.outputStream()) {
            new Loop(s, new SseStream(out), topic, cursor, node == null ? null : node.getBytes(StandardCharsets.UTF_8),
                    heartbeatMs).run();
        } catch (IOException | UncheckedIOException e) {
            // the client went away: nothing to answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One stream's loop: read, write, wait. */
    private static final class Loop {
        private final Storage storage;
        private final SseStream sse;
        private final String topic;
        private final byte[] node;
        private final long heartbeatMs;
        private long cursor;
        private boolean caughtUp;

        Loop(Storage storage, SseStream sse, String topic, long cursor, byte[] node, long heartbeatMs) {
            this.storage = storage;
            this.sse = sse;
            this.topic = topic;
            this.cursor = cursor;
            this.node = node;
            this.heartbeatMs = heartbeatMs;
        }

        void run() throws IOException, InterruptedException {
            sse.retry(2000);
            while (true) {
                ReadResult r;
                try {
                    r = storage.read(topic, cursor, BATCH, BATCH_BYTES, node, null);
                } catch (StorageException.TopicNotFound e) {
                    sse.event(null, "tombstone", tombstone(new JsonOut(96).beginObject().name("reason").value("deleted")
                            .endObject()));
                    return;
                }
                if (r.tombstone() != null) {
                    sse.event(null, "tombstone", tombstone(describe(r.tombstone())));
                }
                long from = cursor;
                cursor = r.nextFromSeq();
                if (!r.records().isEmpty()) {
                    JsonOut data = new JsonOut(256 + r.records().size() * 96).beginObject().field("topic", topic)
                            .name("records").beginArray();
                    for (RecordView v : r.records()) {
                        RecordJson.write(data, v);
                    }
                    data.endArray().field("from_seq", from).field("to_seq", cursor).field("head_seq", r.headSeq())
                            .endObject();
                    sse.event(id(), "record", data);
                    caughtUp = false;
                }
                if (cursor == r.headSeq()) {
                    if (!caughtUp) {
                        caughtUp = true;
                        sse.event(id(), "caught-up", new JsonOut(64).beginObject().field("topic", topic)
                                .field("head_seq", r.headSeq()).endObject());
                    }
                    if (!storage.awaitAfter(topic, cursor, heartbeatMs)) {
                        try {
                            storage.topic(topic);
                        } catch (StorageException.TopicNotFound gone) {
                            continue; // the next read reports the deletion
                        }
                        sse.heartbeat();
                    }
                }
            }
        }

        private String id() {
            Map<String, Long> c = new LinkedHashMap<>();
            c.put(topic, cursor);
            return CursorId.encode(c);
        }

        private JsonOut tombstone(JsonOut what) {
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
}
