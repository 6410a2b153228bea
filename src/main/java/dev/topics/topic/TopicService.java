package dev.topics.topic;

import dev.topics.access.Gate;
import dev.topics.config.ServerConfig;
import dev.topics.filter.FilterExpr;
import dev.topics.http.ApiError;
import dev.topics.http.Body;
import dev.topics.http.Query;
import dev.topics.http.Responses;
import dev.topics.http.StorageRef;
import dev.topics.json.JsonOut;
import dev.topics.json.JsonReader;
import dev.topics.storage.AppendRequest;
import dev.topics.storage.AppendResult;
import dev.topics.storage.DeleteResult;
import dev.topics.storage.ReadResult;
import dev.topics.storage.RecordFilter;
import dev.topics.storage.RecordView;
import dev.topics.storage.Storage;
import dev.topics.storage.TopicChange;
import dev.topics.storage.TopicInfo;
import dev.topics.storage.Tombstone;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The native topic API (SPEC §2–§4): topic CRUD and listing, writes, and reads from a
 * cursor (diff, with long polling). Registered under {@code /v0}.
 */
public final class TopicService implements HttpService {
    /** A diff answers with at most about this much record data (SPEC §4). */
    static final long DIFF_MAX_BYTES = 4L << 20;
    static final int MAX_LIMIT = 10_000;
    static final long MAX_WAIT_MS = 60_000;
    private static final Set<String> DIFF_QUERY = Set.of("from_seq", "limit", "node", "wait_ms");
    private static final Set<String> LIST_QUERY = Set.of("prefix", "limit", "after");

    private final StorageRef storage;
    private final Gate gate;
    private final ServerConfig config;
    private final WriteParser writes;

    public TopicService(StorageRef storage, Gate gate, ServerConfig config) {
        this.storage = storage;
        this.gate = gate;
        this.config = config;
        this.writes = new WriteParser(config.limits());
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/topics", this::list)
                .put("/topics/{name}", this::put)
                .get("/topics/{name}", this::get)
                .patch("/topics/{name}", this::patch)
                .delete("/topics/{name}", this::delete)
                .post("/topics/{name}", this::append)
                .post("/topics/{name}/delete", this::deleteRecords)
                .post("/topics/{name}/diff", this::diffPost)
                .get("/topics/{name}/diff", this::diffGet);
    }

    private static String name(ServerRequest req) {
        return TopicName.check(req.path().pathParameters().get("name"));
    }

    private byte[] body(ServerRequest req) {
        return Body.read(req, config.limits().maxBodyBytes());
    }

    private void put(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        Gate.Caller caller = gate.authenticate(req);
        String name = name(req);
        var patch = TopicJson.parsePatch(body(req), config.limits().maxJsonDepth());
        TopicChange c = storage.get().putTopic(name, patch, caller.principal(), config.topicDefaults());
        sendChange(res, c, c.created() ? 201 : 200, t0);
    }

    private void patch(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.authenticate(req);
        String name = name(req);
        var patch = TopicJson.parsePatch(body(req), config.limits().maxJsonDepth());
        sendChange(res, storage.get().patchTopic(name, patch), 200, t0);
    }

    private static void sendChange(ServerResponse res, TopicChange c, int status, long t0) {
        JsonOut out = new JsonOut(512);
        out.beginObject().field("topic", c.info().name()).field("created", c.created());
        TopicJson.config(out.name("config"), c.info().config());
        Responses.performance(out, t0, c.fsyncNanos()).endObject();
        Responses.send(res, status, out);
    }

    private void get(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.authenticate(req);
        TopicInfo t = storage.get().topic(name(req));
        JsonOut out = new JsonOut(512).beginObject();
        TopicJson.describe(out, t);
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, 200, out);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.authenticate(req);
        TopicChange c = storage.get().deleteTopic(name(req));
        JsonOut out = new JsonOut(128).beginObject().field("topic", c.info().name()).field("deleted", true);
        Responses.performance(out, t0, c.fsyncNanos()).endObject();
        Responses.send(res, 200, out);
    }

    private void list(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.authenticate(req);
        Query q = Query.of(req, LIST_QUERY);
        String prefix = q.string("prefix");
        String after = q.string("after");
        int limit = (int) q.u64("limit", 100, 1, 1000);
        List<TopicInfo> page = storage.get().list(prefix == null ? "" : prefix, after == null || after.isEmpty() ? null : after,
                limit + 1);
        boolean more = page.size() > limit;
        JsonOut out = new JsonOut(256 + 128 * Math.min(page.size(), limit)).beginObject().name("topics").beginArray();
        for (int i = 0; i < Math.min(page.size(), limit); i++) {
            TopicJson.listEntry(out, page.get(i));
        }
        out.endArray().field("next_after", more ? page.get(limit - 1).name() : null);
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, 200, out);
    }

    private void append(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        Gate.Caller caller = gate.authenticate(req);
        String name = name(req);
        byte[] body = body(req);
        String headerKey = req.headers().first(HeaderNames.create("Idempotency-Key")).orElse(null);
        WriteParser.Write w = writes.parse(body, headerKey);
        Storage s = storage.get();
        AppendResult r = s.append(new AppendRequest(name, w.batch(), w.idempotencyKey(), caller.principal(),
                config.topicDefaults()));
        int n = (int) (r.lastSeq() - r.firstSeq() + 1);
        JsonOut out = new JsonOut(256 + n * 12);
        out.beginObject().field("topic", name).field("first_seq", r.firstSeq()).field("last_seq", r.lastSeq());
        out.name("seqs").beginArray();
        for (long seq = r.firstSeq(); seq <= r.lastSeq(); seq++) {
            out.value(seq);
        }
        out.endArray().field("head_seq", r.headSeq()).field("count", r.count()).field("created", r.created())
                .field("deduped", r.deduped()).field("dropped", r.dropped());
        Responses.performance(out, t0, r.fsyncNanos()).endObject();
        Responses.send(res, 200, out);
    }

    /** {@code POST /v0/topics/{name}/delete} (SPEC §6): by match, seq range, or both. */
    private void deleteRecords(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.authenticate(req);
        String name = name(req);
        byte[] body = body(req);
        RecordFilter match = null;
        Long from = null;
        Long to = null;
        boolean sawMatch = false;
        if (body.length > 0) {
            JsonReader r = new JsonReader(body, 0, body.length, config.limits().maxJsonDepth());
            Set<String> seen = new HashSet<>();
            r.beginObject("body");
            while (r.nextField()) {
                String f = r.name();
                if (!seen.add(f)) {
                    throw ApiError.duplicateField(f);
                }
                switch (f) {
                    case "match" -> {
                        match = FilterExpr.compile(r, "match");
                        sawMatch = match != null;
                    }
                    case "from_seq" -> from = r.nextU64OrNull(f);
                    case "to_seq" -> to = r.nextU64OrNull(f);
                    default -> throw ApiError.unknownField(f);
                }
            }
            r.end();
        }
        if (!sawMatch && from == null && to == null) {
            throw ApiError.badRequest("empty_delete", "say what to delete: a match, a from_seq/to_seq range, or both");
        }
        long lo = from == null ? 0 : from;
        long hi = to == null ? Long.MAX_VALUE : to;
        if (lo > hi) {
            throw ApiError.invalidField("from_seq must not be above to_seq");
        }
        DeleteResult d = storage.get().deleteRecords(name, match, lo, hi);
        JsonOut out = new JsonOut(256).beginObject().field("topic", name).field("deleted", d.deleted())
                .field("earliest_seq", d.earliestSeq()).field("head_seq", d.headSeq()).field("count", d.count());
        out.name("performance").beginObject().name("server_total_ms").millis(System.nanoTime() - t0)
                .name("fsync_ms").millis(d.fsyncNanos());
        if (d.segmentsRead() >= 0) {
            out.field("segments_read", d.segmentsRead()); // how much of the topic a tag delete had to read
        }
        out.endObject().endObject();
        Responses.send(res, 200, out);
    }

    /** A parsed diff request. */
    private record Diff(long fromSeq, int limit, byte[] node, long waitMs, RecordFilter filter) {
    }

    private void diffGet(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.authenticate(req);
        String name = name(req);
        Query q = Query.of(req, DIFF_QUERY);
        String node = NodeId.check(q.string("node"), "node");
        Diff d = new Diff(q.unsignedPastEveryHead("from_seq"), (int) q.u64("limit", 100, 1, MAX_LIMIT),
                node == null ? null : node.getBytes(StandardCharsets.UTF_8), q.u64("wait_ms", 0, 0, MAX_WAIT_MS), null);
        diff(res, name, d, t0);
    }

    private void diffPost(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.authenticate(req);
        String name = name(req);
        diff(res, name, parseDiff(body(req)), t0);
    }

    private Diff parseDiff(byte[] body) {
        long from = 0;
        long limit = 100;
        String node = null;
        long wait = 0;
        RecordFilter filter = null;
        if (body.length == 0) {
            return new Diff(from, (int) limit, null, wait, null);
        }
        JsonReader r = new JsonReader(body, 0, body.length, config.limits().maxJsonDepth());
        Set<String> seen = new HashSet<>();
        r.beginObject("body");
        while (r.nextField()) {
            String f = r.name();
            if (!seen.add(f)) {
                throw ApiError.duplicateField(f);
            }
            switch (f) {
                case "from_seq" -> {
                    from = r.nextUnsignedLong(f);
                    if (from < 0) {
                        from = Long.MAX_VALUE; // above 2^63-1: past every head, same answer (reset)
                    }
                }
                case "limit" -> {
                    limit = r.nextU64(f);
                    if (limit < 1 || limit > MAX_LIMIT) {
                        throw ApiError.invalidField("limit must be between 1 and " + MAX_LIMIT);
                    }
                }
                case "node" -> node = NodeId.check(r.nextStringOrNull(f), f);
                case "wait_ms" -> {
                    wait = r.nextU64(f);
                    if (wait > MAX_WAIT_MS) {
                        throw ApiError.invalidField("wait_ms must be at most " + MAX_WAIT_MS);
                    }
                }
                case "filter" -> filter = FilterExpr.compile(r, "filter");
                default -> throw ApiError.unknownField(f);
            }
        }
        r.end();
        return new Diff(from, (int) limit, node == null ? null : node.getBytes(StandardCharsets.UTF_8), wait, filter);
    }

    private void diff(ServerResponse res, String name, Diff d, long t0) {
        Storage s = storage.get();
        ReadResult r = s.read(name, d.fromSeq, d.limit, DIFF_MAX_BYTES, d.node, d.filter);
        if (d.waitMs > 0) {
            long deadline = t0 + d.waitMs * 1_000_000L;
            // Long poll: hold while nothing is returned and nothing is wrong; skipped records
            // still move the cursor, so keep reading from where the last read stopped.
            while (r.records().isEmpty() && r.tombstone() == null) {
                long leftMs = (deadline - System.nanoTime()) / 1_000_000L;
                if (leftMs <= 0) {
                    break;
                }
                try {
                    if (!s.awaitAfter(name, r.nextFromSeq(), leftMs)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                r = s.read(name, r.nextFromSeq(), d.limit, DIFF_MAX_BYTES, d.node, d.filter);
            }
        }
        JsonOut out = new JsonOut(1024 + r.records().size() * 96);
        out.beginObject().field("topic", name).name("records").beginArray();
        long bytes = 0;
        for (RecordView v : r.records()) {
            RecordJson.write(out, v);
            bytes += v.dataLength();
        }
        out.endArray();
        long next = r.nextFromSeq();
        out.field("next_from_seq", next).field("head_seq", r.headSeq()).field("earliest_seq", r.earliestSeq())
                .field("caught_up", next == r.headSeq());
        out.name("tombstone");
        switch (r.tombstone()) {
            case null -> out.nullValue();
            case Tombstone.Reset reset -> out.beginObject().field("reason", "reset").field("head_seq", reset.headSeq())
                    .endObject();
            case Tombstone.Retention ret -> out.beginObject().field("reason", "retention")
                    .field("from_seq", ret.fromSeq()).field("to_seq", ret.toSeq()).endObject();
        }
        out.field("lag", Math.max(0, r.headSeq() - next));
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, 200, out);
    }
}
