package dev.topics.ds;

import dev.topics.access.Action;
import dev.topics.access.Caller;
import dev.topics.access.Gate;
import dev.topics.config.ServerConfig;
import dev.topics.http.ApiError;
import dev.topics.http.Body;
import dev.topics.http.EventStreamOutput;
import dev.topics.http.Responses;
import dev.topics.http.StorageRef;
import dev.topics.http.TopicName;
import dev.topics.json.JsonOut;
import dev.topics.metrics.ServerMetrics;
import dev.topics.stats.Activity;
import dev.topics.storage.AppendRequest;
import dev.topics.storage.AppendResult;
import dev.topics.storage.ReadResult;
import dev.topics.storage.RecordBatch;
import dev.topics.storage.RecordView;
import dev.topics.storage.Storage;
import dev.topics.storage.StorageException;
import dev.topics.storage.StreamCreate;
import dev.topics.storage.StreamMeta;
import dev.topics.storage.StreamOp;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicInfo;
import dev.topics.watch.StreamSlots;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The Durable Streams surface (SPEC §16) at {@code /v1/stream/{name}}: the open protocol's
 * create, append, close, read (catch-up, long-poll, SSE), metadata and delete, over the same
 * engine, gate and port as {@code /v0}. A stream is the topic of the same name; an offset is
 * a seq ({@link Offsets}); the stream's state (content type, expiry, closed, producers,
 * fork) lives with the topic in the engine, which checks it in the commit
 * ({@link StreamOp}). docs/DURABLE-STREAMS.md has the mapping and every choice the protocol
 * leaves to the server.
 */
public final class DurableStreamsService implements HttpService {
    static final HeaderName NEXT_OFFSET = HeaderNames.create("Stream-Next-Offset");
    static final HeaderName UP_TO_DATE = HeaderNames.create("Stream-Up-To-Date");
    static final HeaderName CLOSED = HeaderNames.create("Stream-Closed");
    static final HeaderName CURSOR = HeaderNames.create("Stream-Cursor");
    static final HeaderName TTL = HeaderNames.create("Stream-TTL");
    static final HeaderName EXPIRES_AT = HeaderNames.create("Stream-Expires-At");
    static final HeaderName SEQ = HeaderNames.create("Stream-Seq");
    static final HeaderName FORKED_FROM = HeaderNames.create("Stream-Forked-From");
    static final HeaderName FORK_OFFSET = HeaderNames.create("Stream-Fork-Offset");
    static final HeaderName FORK_SUB_OFFSET = HeaderNames.create("Stream-Fork-Sub-Offset");
    static final HeaderName SSE_ENCODING = HeaderNames.create("Stream-SSE-Data-Encoding");
    static final HeaderName PRODUCER_ID = HeaderNames.create("Producer-Id");
    static final HeaderName PRODUCER_EPOCH = HeaderNames.create("Producer-Epoch");
    static final HeaderName PRODUCER_SEQ = HeaderNames.create("Producer-Seq");
    static final HeaderName PRODUCER_EXPECTED = HeaderNames.create("Producer-Expected-Seq");
    static final HeaderName PRODUCER_RECEIVED = HeaderNames.create("Producer-Received-Seq");
    private static final HeaderName NOSNIFF = HeaderNames.create("X-Content-Type-Options");
    private static final HeaderName CORP = HeaderNames.create("Cross-Origin-Resource-Policy");
    /** The protocol's path prefix (PROTOCOL.md §6): reserved for its control APIs. */
    static final String RESERVED = "__ds";
    /** A read answers at most this many records, and about this many bytes (at least one record). */
    static final int READ_LIMIT = 10_000;
    static final long READ_BYTES = 1 << 20;
    private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,15}");
    /** 2^53 - 1: the largest producer epoch and seq (JavaScript's safe integers). */
    private static final long MAX_SAFE = (1L << 53) - 1;
    private static final int MAX_ID_BYTES = 1024;
    /** The cursor's epoch and interval (PROTOCOL.md §10.1). */
    private static final long CURSOR_EPOCH_MS = Instant.parse("2024-10-09T00:00:00Z").toEpochMilli();
    private static final long CURSOR_INTERVAL_MS = 20_000;
    private static final long HEARTBEAT_MS = 15_000;
    private static final byte[] HEARTBEAT = ": hb\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final long RECHECK_NANOS = 500_000_000L;
    /** Data between two offsets never changes: cacheable, privately (streams are under access control). */
    private static final String CACHEABLE = "private, max-age=60, stale-while-revalidate=300";

    private final StorageRef storage;
    private final Gate gate;
    private final Settings settings;
    private final Activity activity;
    private final StreamSlots slots;

    /**
     * @param limits        body and record limits, as on {@code /v0}
     * @param topicDefaults the configuration of a topic a stream's creation makes
     * @param longPollMs    {@code watch.stream_long_poll_ms}
     * @param sseMs         {@code watch.stream_sse_ms}
     */
    public record Settings(ServerConfig.Limits limits, TopicConfig topicDefaults, long longPollMs, long sseMs) {
        public static Settings of(ServerConfig cfg) {
            return new Settings(cfg.limits(), cfg.topicDefaults(), cfg.watch().streamLongPollMs(),
                    cfg.watch().streamSseMs());
        }
    }

    public DurableStreamsService(StorageRef storage, Gate gate, Settings settings, Activity activity,
                                 StreamSlots slots) {
        this.slots = slots;
        this.storage = storage;
        this.gate = gate;
        this.settings = settings;
        this.activity = activity;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.put("/stream/{name}", (req, res) -> handle(req, res, this::create))
                .post("/stream/{name}", (req, res) -> handle(req, res, this::append))
                .get("/stream/{name}", (req, res) -> handle(req, res, this::read))
                .head("/stream/{name}", (req, res) -> handle(req, res, this::head))
                .delete("/stream/{name}", (req, res) -> handle(req, res, this::delete));
    }

    private interface Handler {
        void handle(ServerRequest req, ServerResponse res);
    }

    /**
     * Every answer carries the browser security headers (PROTOCOL.md §12.7), errors too:
     * they are answered here, with the headers the protocol adds to some of them, rather
     * than by the server's error handler, which starts a response afresh.
     */
    private void handle(ServerRequest req, ServerResponse res, Handler h) {
        res.header(NOSNIFF, "nosniff");
        res.header(CORP, "cross-origin");
        try {
            h.handle(req, res);
        } catch (RuntimeException e) {
            if (res.isSent()) {
                throw e;
            }
            switch (e) {
                case StorageException.StreamClosed c -> {
                    res.header(CLOSED, "true");
                    res.header(NEXT_OFFSET, Offsets.of(c.headSeq()));
                }
                case StorageException.StaleEpoch s -> res.header(PRODUCER_EPOCH, Long.toString(s.current()));
                case StorageException.ProducerSeqGap g -> {
                    res.header(PRODUCER_EXPECTED, Long.toString(g.expected()));
                    res.header(PRODUCER_RECEIVED, Long.toString(g.received()));
                }
                default -> {
                }
            }
            Responses.failure(res, e);
        }
    }

    private static String name(ServerRequest req) {
        String name = req.path().pathParameters().get("name");
        if (name.equals(RESERVED)) {
            throw new ApiError(404, "reserved_path", "/v1/stream/" + RESERVED + " is reserved for the protocol's control"
                    + " APIs, which this server does not offer");
        }
        return TopicName.check(name);
    }

    private static String header(ServerRequest req, HeaderName name) {
        return req.headers().first(name).orElse(null);
    }

    private static boolean closeHeader(ServerRequest req) {
        return "true".equalsIgnoreCase(header(req, CLOSED)); // any other value is no header at all
    }

    // ------------------------------------------------------------------ PUT: create, fork

    private void create(ServerRequest req, ServerResponse res) {
        Caller caller = gate.authenticate(req);
        String name = name(req);
        String type = header(req, HeaderNames.CONTENT_TYPE);
        if (type != null) {
            type = contentType(type);
        }
        long ttl = -1;
        String ttlHeader = header(req, TTL);
        if (ttlHeader != null) {
            ttl = decimal(ttlHeader, "Stream-TTL");
        }
        long expires = 0;
        String expiresHeader = header(req, EXPIRES_AT);
        if (expiresHeader != null) {
            expires = instant(expiresHeader);
        }
        if (ttlHeader != null && expiresHeader != null) {
            throw ApiError.badRequest("invalid_header", "give Stream-TTL or Stream-Expires-At, not both");
        }
        String source = header(req, FORKED_FROM);
        String anchorHeader = header(req, FORK_OFFSET);
        String subHeader = header(req, FORK_SUB_OFFSET);
        long anchor = -1;
        long sub = 0;
        if (source == null) {
            if (anchorHeader != null || subHeader != null) {
                throw ApiError.badRequest("invalid_header", "Stream-Fork-Offset and Stream-Fork-Sub-Offset need"
                        + " Stream-Forked-From");
            }
        } else {
            source = sourceName(source);
            if (anchorHeader != null) {
                anchor = Offsets.parse(anchorHeader, "Stream-Fork-Offset");
                if (anchor == Offsets.NOW) {
                    throw ApiError.badRequest("invalid_offset", "Stream-Fork-Offset must be an offset, not now");
                }
            }
            if (subHeader != null) {
                sub = decimal(subHeader, "Stream-Fork-Sub-Offset");
                if (sub > 0 && anchorHeader == null) {
                    throw ApiError.badRequest("invalid_header", "a Stream-Fork-Sub-Offset needs a Stream-Fork-Offset");
                }
            }
            requireSource(caller, source);
        }
        Storage s = storage.get();
        TopicInfo existing = find(s, name);
        if (existing != null) {
            gate.require(caller, name, Action.READ); // confirming a stream reveals its settings only
        } else {
            gate.mayCreate(caller, name);
        }
        byte[] body = Body.read(req, settings.limits().maxBodyBytes());
        // the body is written as the stream's type; a fork without one has its source's
        String bodyType = type != null ? type : source != null ? meta(s.topic(source)).contentType()
                : StreamCreate.DEFAULT_TYPE;
        boolean json = StreamMeta.mediaType(bodyType).equals("application/json");
        RecordBatch batch = StreamBodies.encode(body, json, bodyType, true, settings.limits());
        StreamCreate create = new StreamCreate(type, ttl, expires, closeHeader(req), source, anchor, sub);
        AppendResult r;
        try {
            r = s.append(new AppendRequest(name, batch, null, caller.principal(), settings.topicDefaults(), null, create,
                    null));
        } catch (StorageException.ForkSourceNotFound e) {
            throw new ApiError(404, "fork_source_not_found", e.getMessage());
        }
        StreamMeta m = r.stream() != null ? r.stream() : StreamMeta.PLAIN_JSON;
        if (!r.created()) {
            String conflict = sameConfig(s, m, create);
            if (conflict != null) {
                throw new ApiError(409, "stream_exists", "stream '" + name + "' exists with another configuration: "
                        + conflict);
            }
        } else {
            activity.wrote(name);
            ServerMetrics.written(Math.max(0, r.lastSeq() - r.firstSeq() + 1));
        }
        res.status(r.created() ? Status.CREATED_201 : Status.OK_200);
        if (r.created()) {
            res.header(HeaderNames.LOCATION, location(req, name));
        }
        res.header(HeaderNames.CONTENT_TYPE, m.contentType());
        res.header(NEXT_OFFSET, Offsets.of(r.headSeq()));
        if (m.closed()) {
            res.header(CLOSED, "true");
        }
        res.send();
    }

    /** Null when the existing stream is what the request asks for; otherwise what differs. */
    private static String sameConfig(Storage s, StreamMeta m, StreamCreate c) {
        if (c.forkSource() == null ? m.fork() != null : m.fork() == null) {
            return c.forkSource() == null ? "it is a fork" : "it is not a fork";
        }
        String type = c.contentType() != null ? c.contentType()
                : c.forkSource() != null ? m.contentType() : StreamCreate.DEFAULT_TYPE;
        if (!m.sameType(type)) {
            return "its content type is " + m.contentType();
        }
        if (c.forkSource() == null || c.ttlSeconds() >= 0 || c.expiresAtMs() > 0) {
            if (m.ttlSeconds() != c.ttlSeconds()) {
                return m.ttlSeconds() < 0 ? "it has no TTL" : "its TTL is " + m.ttlSeconds() + " s";
            }
            if (m.expiresAtMs() != c.expiresAtMs()) {
                return m.expiresAtMs() == 0 ? "it has no expiry time"
                        : "it expires at " + Instant.ofEpochMilli(m.expiresAtMs());
            }
        }
        if (m.closed() != c.closed()) {
            return m.closed() ? "it is closed" : "it is open";
        }
        if (m.fork() != null) {
            StreamMeta.Fork f = m.fork();
            if (!f.source().equals(c.forkSource())) {
                return "it is a fork of " + f.source();
            }
            long anchor = c.forkAnchor();
            if (anchor < 0) {
                try {
                    anchor = s.topic(f.source()).headSeq();
                } catch (StorageException e) {
                    return "its source changed";
                }
            }
            if (anchor != f.anchor() || c.forkSub() != f.sub()) {
                return "it forks at another offset";
            }
        }
        return null;
    }

    /** The source of a fork: it must exist (404) and be readable by the caller; a deleted one is 409. */
    private void requireSource(Caller caller, String source) {
        try {
            gate.require(caller, source, Action.READ);
        } catch (StorageException.TopicNotFound e) {
            throw new ApiError(404, "fork_source_not_found", "fork source stream '" + source + "' does not exist");
        } catch (StorageException.StreamGone e) {
            throw new ApiError(409, "stream_deleted", "stream '" + source + "' was deleted: it cannot be forked");
        }
    }

    /** {@code Stream-Forked-From}: the source's path ({@code /v1/stream/name}) or its name. */
    private static String sourceName(String value) {
        String v = value.strip();
        String prefix = "/v1/stream/";
        if (v.startsWith(prefix)) {
            v = v.substring(prefix.length());
        }
        if (!TopicName.valid(v) || v.equals(RESERVED)) {
            throw ApiError.badRequest("invalid_header", "Stream-Forked-From names no stream: '" + value + "'");
        }
        return v;
    }

    private static String location(ServerRequest req, String name) {
        var uri = req.requestedUri();
        String host = uri.host();
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return uri.scheme() + "://" + host + ":" + uri.port() + "/v1/stream/" + name;
    }

    // ------------------------------------------------------------------ POST: append, close

    private void append(ServerRequest req, ServerResponse res) {
        Caller caller = gate.authenticate(req);
        String name = name(req);
        TopicInfo info = gate.require(caller, name, Action.PUBLISH);
        StreamMeta m = meta(info);
        boolean close = closeHeader(req);
        StreamMeta.Producer producer = producer(req);
        String seq = header(req, SEQ);
        if (seq != null && (seq.isEmpty() || seq.length() > MAX_ID_BYTES)) {
            throw ApiError.badRequest("invalid_header", "Stream-Seq must be 1 to " + MAX_ID_BYTES + " characters");
        }
        byte[] body = Body.read(req, settings.limits().maxBodyBytes());
        RecordBatch batch;
        if (body.length == 0) {
            if (!close) {
                throw ApiError.badRequest("empty_body", "an append needs a body (only a close, Stream-Closed: true,"
                        + " may have none)");
            }
            batch = new RecordBatch(0);
        } else {
            String type = header(req, HeaderNames.CONTENT_TYPE);
            if (type == null || type.isBlank()) {
                throw ApiError.badRequest("missing_content_type", "an append with a body needs its Content-Type");
            }
            if (m.closed()) {
                batch = new RecordBatch(0); // refused by the commit as closed, or answered as a producer's repeat
            } else if (!m.sameType(type)) {
                throw new ApiError(409, "content_type_mismatch", "stream '" + name + "' holds " + m.contentType()
                        + ", not " + type.strip());
            } else {
                batch = StreamBodies.encode(body, m.json(), m.contentType(), false, settings.limits());
            }
        }
        StreamOp op = new StreamOp(producer, seq, close, body.length > 0);
        AppendResult r = Storage.onRequestThread(() -> storage.get().append(new AppendRequest(name, batch, null,
                caller.principal(), settings.topicDefaults(), null, null, op)));
        StreamMeta after = r.stream() != null ? r.stream() : m;
        boolean wrote = !r.deduped() && r.lastSeq() >= r.firstSeq();
        if (wrote) {
            activity.wrote(name);
            ServerMetrics.written(r.lastSeq() - r.firstSeq() + 1);
        }
        res.status(producer != null && wrote ? Status.OK_200 : Status.NO_CONTENT_204);
        res.header(NEXT_OFFSET, Offsets.of(r.headSeq()));
        if (after.closed()) {
            res.header(CLOSED, "true");
        }
        if (producer != null) {
            StreamMeta.Producer now = after.producers().get(producer.id());
            res.header(PRODUCER_EPOCH, Long.toString(now != null ? now.epoch() : producer.epoch()));
            res.header(PRODUCER_SEQ, Long.toString(now != null ? now.seq() : producer.seq()));
        }
        res.send();
    }

    /** The three producer headers, all or none (400 otherwise). */
    private static StreamMeta.Producer producer(ServerRequest req) {
        String id = header(req, PRODUCER_ID);
        String epoch = header(req, PRODUCER_EPOCH);
        String seq = header(req, PRODUCER_SEQ);
        if (id == null && epoch == null && seq == null) {
            return null;
        }
        if (id == null || epoch == null || seq == null) {
            throw ApiError.badRequest("invalid_header", "Producer-Id, Producer-Epoch and Producer-Seq go together");
        }
        if (id.isEmpty() || id.length() > MAX_ID_BYTES) {
            throw ApiError.badRequest("invalid_header", "Producer-Id must be 1 to " + MAX_ID_BYTES + " characters");
        }
        long e = decimal(epoch, "Producer-Epoch");
        long s = decimal(seq, "Producer-Seq");
        if (e > MAX_SAFE || s > MAX_SAFE) {
            throw ApiError.badRequest("invalid_header", "Producer-Epoch and Producer-Seq must be at most 2^53-1");
        }
        return new StreamMeta.Producer(id, e, s);
    }

    // ------------------------------------------------------------------ HEAD, DELETE

    private void head(ServerRequest req, ServerResponse res) {
        Caller caller = gate.authenticate(req);
        String name = name(req);
        TopicInfo info = gate.require(caller, name, Action.READ);
        StreamMeta m = meta(info);
        res.header(HeaderNames.CONTENT_TYPE, m.contentType());
        res.header(NEXT_OFFSET, Offsets.of(info.headSeq()));
        if (m.ttlSeconds() >= 0) {
            res.header(TTL, Long.toString(m.ttlSeconds()));
        }
        if (m.expiresAtMs() > 0) {
            res.header(EXPIRES_AT, Instant.ofEpochMilli(m.expiresAtMs()).toString());
        }
        if (m.closed()) {
            res.header(CLOSED, "true");
        }
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.status(Status.OK_200).send();
    }

    private void delete(ServerRequest req, ServerResponse res) {
        Caller caller = gate.authenticate(req);
        String name = name(req);
        gate.requireOwner(caller, name);
        storage.get().deleteTopic(name);
        activity.forget(name);
        res.status(Status.NO_CONTENT_204).send();
    }

    // ------------------------------------------------------------------ GET: catch-up, long-poll, SSE

    private void read(ServerRequest req, ServerResponse res) {
        Caller caller = gate.authenticate(req);
        String name = name(req);
        String live = single(req, "live");
        String offset = single(req, "offset");
        if (live != null && !live.equals("long-poll") && !live.equals("sse")) {
            throw ApiError.badRequest("invalid_field", "live must be long-poll or sse");
        }
        if (live != null && offset == null) {
            throw ApiError.badRequest("missing_offset", "a live read needs an offset (-1 for the start, now for the tail)");
        }
        long from = offset == null ? 0 : Offsets.parse(offset, "offset");
        TopicInfo info = gate.require(caller, name, Action.READ);
        Storage s = storage.get();
        s.touch(name); // a read restarts the TTL, live ones when they begin
        if (from != Offsets.NOW && from > info.headSeq()) {
            throw ApiError.badRequest("invalid_offset", "offset " + offset + " is past the end of stream '" + name + "'");
        }
        activity.read(name);
        String cursor = single(req, "cursor");
        if ("sse".equals(live)) {
            String slot = StreamSlots.key(caller); // an SSE response counts as an open stream, as a watch does
            slots.acquire(slot, false);
            try {
                sse(res, s, caller, name, info, from, cursor);
            } finally {
                slots.release(slot);
            }
        } else if ("long-poll".equals(live)) {
            longPoll(res, s, name, info, from, cursor);
        } else {
            catchUp(req, res, s, name, info, from);
        }
    }

    /** A query parameter given at most once (the protocol's own); others are ignored, as it asks. */
    private static String single(ServerRequest req, String key) {
        if (!req.query().contains(key)) {
            return null;
        }
        List<String> all = req.query().all(key);
        if (all.size() > 1) {
            throw ApiError.badRequest("invalid_field", key + " is given " + all.size() + " times");
        }
        String v = all.getFirst();
        if (v.isEmpty()) {
            throw ApiError.badRequest("invalid_field", key + " is empty");
        }
        return v;
    }

    private void catchUp(ServerRequest req, ServerResponse res, Storage s, String name, TopicInfo info, long from) {
        StreamMeta m = meta(info);
        if (from == Offsets.NOW) {
            res.header(HeaderNames.CONTENT_TYPE, m.contentType());
            position(res, info.headSeq(), true, m.closed());
            res.header(HeaderNames.CACHE_CONTROL, "no-store");
            res.status(Status.OK_200).send(m.json() ? new byte[] {'[', ']'} : new byte[0]);
            return;
        }
        ReadResult r = s.read(name, from, READ_LIMIT, READ_BYTES, null, null);
        long next = Math.max(from, r.nextFromSeq());
        boolean tail = next >= r.headSeq();
        boolean closed = m.closed() && tail;
        String etag = etag(info, from, next, closed);
        res.header(HeaderNames.ETAG, etag);
        position(res, next, tail, closed);
        if (matches(header(req, HeaderNames.IF_NONE_MATCH), etag)) {
            res.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, m.contentType());
        res.header(HeaderNames.CACHE_CONTROL, r.records().isEmpty() ? "no-store" : CACHEABLE);
        ServerMetrics.read(r.records().size());
        res.status(Status.OK_200).send(StreamBodies.body(r.records(), m.json()));
    }

    /** Where an answer leaves its reader: the next offset, caught up or not, at the end of a closed stream or not. */
    private static void position(ServerResponse res, long next, boolean upToDate, boolean closed) {
        res.header(NEXT_OFFSET, Offsets.of(next));
        if (upToDate) {
            res.header(UP_TO_DATE, "true");
        }
        if (closed) {
            res.header(CLOSED, "true");
        }
    }

    /** The entity tag of the data between two offsets; it changes when the stream is created again or closes. */
    private static String etag(TopicInfo info, long from, long next, boolean closed) {
        return "\"" + info.createdAtMs() + ":" + Offsets.of(from) + ":" + Offsets.of(next) + (closed ? ":c" : "") + "\"";
    }

    private static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String part : ifNoneMatch.split(",")) {
            String p = part.strip();
            if (p.startsWith("W/")) {
                p = p.substring(2);
            }
            if (p.equals(etag) || p.equals("*")) {
                return true;
            }
        }
        return false;
    }

    private void longPoll(ServerResponse res, Storage s, String name, TopicInfo info, long from, String clientCursor) {
        long cursor = from == Offsets.NOW ? info.headSeq() : from;
        long deadline = System.nanoTime() + settings.longPollMs() * 1_000_000L;
        while (true) {
            StreamMeta m = meta(s.topic(name)); // the state first: a closed one already holds its final records
            ReadResult r = s.read(name, cursor, READ_LIMIT, READ_BYTES, null, null);
            long next = Math.max(cursor, r.nextFromSeq());
            boolean tail = next >= r.headSeq();
            if (!r.records().isEmpty()) {
                boolean closed = m.closed() && tail;
                res.header(HeaderNames.CONTENT_TYPE, m.contentType());
                position(res, next, tail, closed);
                if (!closed) {
                    res.header(CURSOR, cursor(clientCursor));
                }
                res.header(HeaderNames.ETAG, etag(info, cursor, next, closed));
                res.header(HeaderNames.CACHE_CONTROL, CACHEABLE);
                ServerMetrics.read(r.records().size());
                res.status(Status.OK_200).send(StreamBodies.body(r.records(), m.json()));
                return;
            }
            cursor = next; // past records deleted meanwhile
            long left = deadline - System.nanoTime();
            if (m.closed() || left <= 0) {
                position(res, cursor, true, m.closed());
                if (!m.closed()) {
                    res.header(CURSOR, cursor(clientCursor));
                }
                res.header(HeaderNames.CACHE_CONTROL, "no-store");
                res.status(Status.NO_CONTENT_204).send();
                return;
            }
            try {
                s.awaitAfter(name, cursor, Math.max(1, left / 1_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException.Unavailable("the long poll was interrupted", e);
            }
        }
    }

    private void sse(ServerResponse res, Storage s, Caller caller, String name, TopicInfo info, long from,
                     String clientCursor) {
        // as a watch stream does: with auth on, the right to read is checked again twice a second
        boolean recheck = !gate.open();
        long lastCheck = System.nanoTime();
        StreamMeta first = meta(info);
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        boolean base64 = !first.text();
        if (base64) {
            res.header(SSE_ENCODING, "base64");
        }
        long cursor = from == Offsets.NOW ? info.headSeq() : from;
        long end = System.nanoTime() + settings.sseMs() * 1_000_000L;
        long lastWrite = System.nanoTime();
        try (OutputStream out = new EventStreamOutput(res.outputStream())) { // one socket write per flush
            boolean announced = false;
            while (true) {
                StreamMeta m;
                try {
                    if (recheck && System.nanoTime() - lastCheck >= RECHECK_NANOS) {
                        lastCheck = System.nanoTime();
                        if (!gate.stillAllowed(caller, name, Action.READ)) {
                            return; // the right is gone: the stream ends, the next request says why
                        }
                    }
                    m = meta(s.topic(name)); // the state before the records: closed means they are all there
                } catch (StorageException.TopicNotFound | StorageException.StreamGone e) {
                    return; // deleted: the stream ends, the next request says why
                }
                ReadResult r = s.read(name, cursor, READ_LIMIT, READ_BYTES, null, null);
                long next = Math.max(cursor, r.nextFromSeq());
                boolean tail = next >= r.headSeq();
                boolean closed = m.closed() && tail;
                if (!r.records().isEmpty()) {
                    dataEvent(out, r.records(), m, base64);
                }
                if (!r.records().isEmpty() || next != cursor || !announced || closed) {
                    controlEvent(out, next, tail, closed, clientCursor);
                    out.flush();
                    lastWrite = System.nanoTime();
                    announced = true;
                }
                cursor = next;
                if (closed) {
                    return;
                }
                if (!tail) {
                    continue;
                }
                long now = System.nanoTime();
                if (now >= end) {
                    return; // the client reconnects from its last offset (PROTOCOL.md §5.8)
                }
                if (now - lastWrite >= HEARTBEAT_MS * 1_000_000L) {
                    out.write(HEARTBEAT);
                    out.flush();
                    lastWrite = now;
                }
                long wait = Math.min(end - now, HEARTBEAT_MS * 1_000_000L - (now - lastWrite));
                if (recheck) {
                    wait = Math.min(wait, RECHECK_NANOS);
                }
                wait /= 1_000_000L;
                s.awaitAfter(name, cursor, Math.max(1, wait));
            }
        } catch (IOException | UncheckedIOException e) {
            // the client went away: nothing to answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One {@code data} event: a JSON array, text lines, or base64 (PROTOCOL.md §5.8). */
    private static void dataEvent(OutputStream out, List<RecordView> records, StreamMeta m, boolean base64)
            throws IOException {
        out.write("event: data\n".getBytes(StandardCharsets.US_ASCII));
        byte[] body = StreamBodies.body(records, m.json());
        if (m.json()) {
            out.write(DATA);
            out.write(body); // canonical JSON holds no line break
            out.write('\n');
        } else if (base64) {
            out.write(DATA);
            out.write(Base64.getEncoder().encode(body));
            out.write('\n');
        } else {
            // every line break (CRLF, CR, LF) starts a new data line: the payload cannot end the event
            int start = 0;
            for (int i = 0; i <= body.length; i++) {
                if (i == body.length || body[i] == '\n' || body[i] == '\r') {
                    out.write(DATA);
                    out.write(body, start, i - start);
                    out.write('\n');
                    if (i < body.length && body[i] == '\r' && i + 1 < body.length && body[i + 1] == '\n') {
                        i++;
                    }
                    start = i + 1;
                }
            }
        }
        out.write('\n');
    }

    private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);

    private static void controlEvent(OutputStream out, long next, boolean upToDate, boolean closed, String clientCursor)
            throws IOException {
        JsonOut j = new JsonOut(128).beginObject().field("streamNextOffset", Offsets.of(next));
        if (closed) {
            j.field("streamClosed", true).field("upToDate", true);
        } else {
            j.field("streamCursor", cursor(clientCursor));
            if (upToDate) {
                j.field("upToDate", true);
            }
        }
        j.endObject();
        out.write("event: control\ndata:".getBytes(StandardCharsets.US_ASCII));
        out.write(j.buffer(), 0, j.size());
        out.write(END_EVENT);
    }

    private static final byte[] END_EVENT = {'\n', '\n'};

    /**
     * The live cursor (PROTOCOL.md §10.1): the 20-second interval since 2024-10-09, or past
     * the client's own when it is not behind, by a random 1 to 180 intervals.
     */
    static String cursor(String client) {
        long interval = (System.currentTimeMillis() - CURSOR_EPOCH_MS) / CURSOR_INTERVAL_MS;
        if (client != null && DECIMAL.matcher(client).matches()) {
            long c = Long.parseLong(client);
            if (c >= interval) {
                interval = c + 1 + ThreadLocalRandom.current().nextLong(180);
            }
        }
        return Long.toString(interval);
    }

    // ------------------------------------------------------------------ helpers

    private static StreamMeta meta(TopicInfo info) {
        return info.stream() != null ? info.stream() : StreamMeta.PLAIN_JSON;
    }

    /** The stream, or null; a deleted one whose forks still read it is 409: its name is not free yet. */
    private static TopicInfo find(Storage s, String name) {
        try {
            return s.topic(name);
        } catch (StorageException.TopicNotFound e) {
            return null;
        } catch (StorageException.StreamGone e) {
            throw new ApiError(409, "stream_deleted", "stream '" + name + "' was deleted and its forks still read it:"
                    + " the name cannot be used again yet");
        }
    }

    /** A decimal with no sign, leading zero, point or exponent (PROTOCOL.md §5.1); 400 otherwise. */
    private static long decimal(String v, String header) {
        if (!DECIMAL.matcher(v).matches()) {
            throw ApiError.badRequest("invalid_header", header + " must be a non-negative integer in plain decimal, not '"
                    + v + "'");
        }
        return Long.parseLong(v);
    }

    /** An RFC 3339 time in the future (ms since the epoch); 400 otherwise. */
    private static long instant(String v) {
        try {
            long ms = OffsetDateTime.parse(v.strip(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli();
            if (ms <= 0) {
                throw ApiError.badRequest("invalid_header", "Stream-Expires-At must be after 1970");
            }
            return ms;
        } catch (DateTimeParseException | ArithmeticException e) {
            throw ApiError.badRequest("invalid_header", "Stream-Expires-At must be an RFC 3339 time, not '" + v + "'");
        }
    }

    /** A content type as given, checked: printable ASCII, at most 255 bytes (it is stored with each byte record). */
    private static String contentType(String v) {
        String t = v.strip();
        if (t.isEmpty() || t.length() > 255) {
            throw ApiError.badRequest("invalid_header", "Content-Type must be 1 to 255 characters");
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw ApiError.badRequest("invalid_header", "Content-Type must be printable ASCII");
            }
        }
        return t;
    }
}
