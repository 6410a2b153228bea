package dev.topics.watch;

import dev.topics.access.Action;
import dev.topics.access.Caller;
import dev.topics.access.Gate;
import dev.topics.config.ServerConfig;
import dev.topics.http.ApiError;
import dev.topics.http.Body;
import dev.topics.http.EventStreamOutput;
import dev.topics.http.Query;
import dev.topics.http.Responses;
import dev.topics.http.StorageRef;
import dev.topics.json.JsonOut;
import dev.topics.stats.Activity;
import dev.topics.storage.RecordFilter;
import dev.topics.storage.Storage;
import dev.topics.subscription.Subscription;
import dev.topics.http.TopicName;
import io.helidon.http.HeaderName;
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
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Live streams over Server-Sent Events (SPEC §5): watch sessions ({@code POST /v0/watch},
 * stored durably; {@code GET /v0/watch/{wid}} opens the stream) and the one-step
 * single-topic stream {@code GET /v0/topics/{name}/watch?from_seq=&node=&heartbeat_ms=}: {@code retry}, then
 * {@code record} events (batches of up to 1,000 records), {@code caught-up} on each
 * transition from behind to caught up, {@code tombstone} ({@code retention}, {@code reset},
 * and {@code deleted}, after which the stream ends), and {@code : hb} while idle. Event
 * ids are cursor ids ({@link CursorId}); {@code Last-Event-ID} resumes exactly.
 *
 * <p>One virtual thread per stream (the request's own): it reads from its cursor, writes,
 * and when caught up parks on the topic's signal with the heartbeat as timeout, so a slow
 * client blocks only itself (see {@link WatchLoop}). A second GET on a session takes it over
 * (the older stream's thread is interrupted and its stream ends). Sessions unused for
 * {@code watch.session_ttl_ms} expire; a stream whose client cannot take bytes for
 * {@code watch.stall_ms} is closed. One principal holds at most
 * {@code http.max_streams_per_principal} streams ({@link StreamSlots}; one more is 429).
 */
public final class WatchService implements HttpService {
    private static final Set<String> QUERY = Set.of("from_seq", "node", "heartbeat_ms");
    private static final HeaderName LAST_EVENT_ID = HeaderNames.create("Last-Event-ID");
    private static final int BATCH = 1000;
    private static final long BATCH_BYTES = 1L << 20;

    private static final SecureRandom RANDOM = new SecureRandom();
    /** The thread streaming each session now; a second GET interrupts it (takeover). */
    private final ConcurrentHashMap<String, Thread> streaming =
            new ConcurrentHashMap<>();

    private final StorageRef storage;
    private final Gate gate;
    private final long maxBodyBytes;
    private final int maxJsonDepth;
    private final long sessionTtlMs;
    private final long stallMs;
    /** Every open stream, for the stall check. */
    private final Set<Open> streams = ConcurrentHashMap.newKeySet();
    /** Record events encoded once for every plain watcher of a topic. */
    private final SharedEvents shared = new SharedEvents();

    /** An open stream: the thread writing it, its writer, the topics it watches. */
    private record Open(Thread thread, SseStream sse, Set<String> topics) {
    }

    /** Every open stream (SPEC §12 metrics). */
    public int openStreams() {
        return streams.size();
    }

    /** Open streams watching {@code topic} (SPEC §12 stats: watchers). */
    public int watchers(String topic) {
        int n = 0;
        for (Open o : streams) {
            if (o.topics().contains(topic)) {
                n++;
            }
        }
        return n;
    }
    private final Activity activity;

    /** Open streams per principal (http.max_streams_per_principal). */
    private final StreamSlots slots;

    /**
     * The settings the watch routes read.
     *
     * @param maxBodyBytes           {@code limits.max_body_bytes}
     * @param maxJsonDepth           {@code limits.max_json_depth}
     * @param sessionTtlMs           {@code watch.session_ttl_ms}
     * @param stallMs                {@code watch.stall_ms}
     * @param maxStreamsPerPrincipal {@code http.max_streams_per_principal}
     */
    public record Settings(long maxBodyBytes, int maxJsonDepth, long sessionTtlMs, long stallMs,
                           int maxStreamsPerPrincipal) {
        public static Settings of(ServerConfig cfg) {
            return new Settings(cfg.limits().maxBodyBytes(), cfg.limits().maxJsonDepth(), cfg.watch().sessionTtlMs(),
                    cfg.watch().stallMs(), cfg.http().maxStreamsPerPrincipal());
        }
    }

    public WatchService(StorageRef storage, Gate gate, Settings settings, Activity activity) {
        this.activity = activity;
        this.slots = new StreamSlots(settings.maxStreamsPerPrincipal());
        this.storage = storage;
        this.gate = gate;
        this.maxBodyBytes = settings.maxBodyBytes();
        this.maxJsonDepth = settings.maxJsonDepth();
        this.sessionTtlMs = settings.sessionTtlMs();
        this.stallMs = settings.stallMs();
        Thread.ofVirtual().name("topics-watch-expiry").start(this::expireLoop);
        Thread.ofVirtual().name("topics-watch-stall").start(this::stallLoop);
    }

    /**
     * SPEC §5: a slow reader never makes the server buffer without bound (a stream's writes
     * block its own thread); one that cannot take bytes for {@code watch.stall_ms} is cut
     * off — its thread is interrupted, which closes the connection.
     */
    private void stallLoop() {
        long period = Math.max(20, Math.min(stallMs / 4, 1_000));
        while (true) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            for (Open o : streams) {
                if (o.sse().blockedNanos() > stallMs * 1_000_000L) {
                    o.thread().interrupt();
                }
            }
        }
    }

    /**
     * Every eighth of the TTL (at most a minute): a session streaming here whose last use is a
     * quarter TTL old counts as used again (in a cluster the node that leads may not be the one
     * streaming it: storage tells every node, and each such use is a log write, hence the
     * quarter), then, on the leading node, sessions unused for the TTL are removed (none while
     * a stream has them open here). Last use is kept by storage (made, opened, stream ended).
     */
    private void expireLoop() {
        long period = Math.max(50, Math.min(sessionTtlMs / 8, 60_000));
        while (true) {
            try {
                Thread.sleep(period);
                if (!storage.ready()) {
                    continue;
                }
                Storage s = storage.get();
                long now = System.currentTimeMillis();
                for (String wid : streaming.keySet()) {
                    if (now - s.watchLastUsed(wid) >= sessionTtlMs / 4) {
                        s.touchWatch(wid);
                    }
                }
                if (s.leads()) { // in a cluster, one node expires sessions
                    for (String wid : s.watchIds()) {
                        if (expired(s, wid)) {
                            s.deleteWatch(wid);
                        }
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // storage closed or failing: try again next period
            }
        }
    }

    private boolean expired(Storage s, String wid) {
        if (streaming.containsKey(wid)) {
            return false;
        }
        long used = s.watchLastUsed(wid);
        return used >= 0 && System.currentTimeMillis() - used > sessionTtlMs;
    }

    /** The open-stream count per principal, shared with the other surfaces that stream (Durable Streams SSE). */
    public StreamSlots slots() {
        return slots;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/topics/{name}/watch", this::watchTopic)
                .post("/watch", this::create)
                .get("/watch/{wid}", this::open);
    }

    private void watchTopic(ServerRequest req, ServerResponse res) {
        Caller caller = gate.authenticate(req);
        String topic = TopicName.check(req.path().pathParameters().get("name"));
        gate.require(caller, topic, Action.READ); // 401/403, or 404 before the stream starts
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
        LinkedHashMap<String, Long> cursors = new LinkedHashMap<>();
        cursors.put(topic, cursor);
        stream(res, s, cursors, Map.of(), node, heartbeatMs, caller, false);
    }

    /**
     * Answers with the event stream and runs its loop until the client or the topics go; 429
     * when the caller has its most streams open already (a takeover replaces one of them).
     */
    private void stream(ServerResponse res, Storage s, LinkedHashMap<String, Long> cursors,
                        Map<String, RecordFilter> filters, String node, long heartbeatMs, Caller caller,
                        boolean takeover) {
        String slot = StreamSlots.key(caller);
        slots.acquire(slot, takeover);
        try {
            streamHeld(res, s, cursors, filters, node, heartbeatMs, caller);
        } finally {
            slots.release(slot);
        }
    }

    private void streamHeld(ServerResponse res, Storage s, LinkedHashMap<String, Long> cursors,
                            Map<String, RecordFilter> filters, String node, long heartbeatMs, Caller caller) {
        res.status(Status.OK_200);
        res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8"));
        res.header(HeaderValues.create(HeaderNames.CACHE_CONTROL, "no-cache"));
        Open open = null;
        try (var out = new EventStreamOutput(res.outputStream())) {
            SseStream sse = new SseStream(out);
            open = new Open(Thread.currentThread(), sse, Set.copyOf(cursors.keySet()));
            cursors.keySet().forEach(activity::read); // a stream opened is one read of each topic
            streams.add(open);
            // SPEC §5: access is re-checked; a revoked token or permission ends the stream within a second
            Predicate<String> allowed = gate.open() ? null
                    : topic -> gate.stillAllowed(caller, topic, Action.READ);
            new WatchLoop(s, sse, cursors, filters,
                    node == null ? null : node.getBytes(StandardCharsets.UTF_8), heartbeatMs, shared, allowed).run();
        } catch (IOException | UncheckedIOException e) {
            // the client went away (or stalled and was cut off): nothing to answer
        } finally {
            if (open != null) {
                streams.remove(open);
            }
        }
    }

    // ------------------------------------------------------------------ sessions

    /** {@code POST /v0/watch}: validates, stores the session durably, answers its wid. */
    private void create(ServerRequest req, ServerResponse res) {
        Caller caller = gate.authenticate(req);
        byte[] body = Body.read(req, maxBodyBytes);
        SessionSpec session = SessionSpec.parse(body, maxJsonDepth);
        Storage s = storage.get();
        for (String topic : session.cursors().keySet()) {
            gate.require(caller, topic, Action.READ); // 401/403, or 404 naming the topic
        }
        session.subscriptions().forEach((topic, sub) -> Subscription.load(s, topic, sub)); // 404 naming it
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        String wid = "wid_" + Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        s.putWatch(wid, StoredSession.encode(Gate.identity(caller), body)); // made counts as used
        JsonOut out = new JsonOut(256 + body.length).beginObject().field("wid", wid)
                .field("stream_url", "/v0/watch/" + wid).name("topics").rawValue(session.topicsJson(), 0,
                        session.topicsJson().length).endObject();
        Responses.send(res, 201, out);
    }

    /** {@code GET /v0/watch/{wid}}: the session's stream, resuming from Last-Event-ID. */
    private void open(ServerRequest req, ServerResponse res) {
        gate.authenticate(req); // a bad token is 401 even here; the stream acts as the session's creator
        String wid = req.path().pathParameters().get("wid"); // the wid is the capability (EventSource sends no headers)
        Storage s = storage.get();
        byte[] spec = s.watch(wid);
        if (spec != null && expired(s, wid)) {
            s.deleteWatch(wid);
            spec = null;
        }
        if (spec == null) {
            throw new ApiError(404, "watch_not_found", "no watch session '" + wid + "' (it may have expired)");
        }
        StoredSession stored = StoredSession.decode(spec);
        // the stream acts with the rights of the session's creator, as they are now
        Caller caller = stored.identity() == null ? Caller.ADMIN : gate.restore(stored.identity());
        if (caller == null) {
            throw new ApiError(403, "forbidden", "the credentials this watch session was made with are no longer valid");
        }
        SessionSpec session = SessionSpec.parse(stored.request(), maxJsonDepth);
        for (String topic : session.cursors().keySet()) {
            if (!gate.stillAllowed(caller, topic, Action.READ)) {
                throw new ApiError(403, "forbidden", "no right to read topic '" + topic + "'");
            }
        }
        LinkedHashMap<String, Long> cursors = new LinkedHashMap<>(session.cursors());
        Map<String, RecordFilter> filters = new HashMap<>(session.filters());
        for (var followed : session.subscriptions().entrySet()) {
            // a followed subscription starts the stream at its cursor, with its filter (SPEC §10)
            Subscription sub = Subscription.load(s, followed.getKey(), followed.getValue());
            cursors.put(followed.getKey(), sub.cursor());
            RecordFilter f = sub.filter();
            if (f != null) {
                filters.put(followed.getKey(), f);
            }
        }
        var lastId = req.headers().first(LAST_EVENT_ID);
        if (lastId.isPresent()) {
            Map<String, Long> resume = CursorId.decode(lastId.get());
            if (resume != null) {
                resume.forEach((topic, seq) -> cursors.computeIfPresent(topic, (k, v) -> seq));
            }
        }
        // SPEC §5: a second GET on the same wid takes over; the older stream is closed
        Thread me = Thread.currentThread();
        Thread older = streaming.put(wid, me);
        if (older != null) {
            older.interrupt();
        }
        s.touchWatch(wid);
        try {
            stream(res, s, cursors, filters, session.node(), session.heartbeatMs(), caller, older != null);
        } finally {
            s.touchWatch(wid);
            streaming.remove(wid, me);
            Thread.interrupted(); // an interrupt that arrived as the stream ended is spent
        }
    }
}
