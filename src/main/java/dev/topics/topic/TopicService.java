package dev.topics.topic;

import dev.topics.http.TopicName;
import dev.topics.access.Action;
import dev.topics.access.Caller;
import dev.topics.access.Gate;
import dev.topics.config.ServerConfig;
import dev.topics.filter.FilterExpr;
import dev.topics.http.ApiError;
import dev.topics.http.Body;
import dev.topics.http.JsonFields;
import dev.topics.http.Query;
import dev.topics.http.Responses;
import dev.topics.http.StorageRef;
import dev.topics.json.JsonOut;
import dev.topics.metrics.ServerMetrics;
import dev.topics.stats.Activity;
import dev.topics.storage.AppendRequest;
import dev.topics.storage.AppendResult;
import dev.topics.storage.DeleteResult;
import dev.topics.storage.ReadResult;
import dev.topics.storage.RecordFilter;
import dev.topics.storage.Storage;
import dev.topics.storage.StorageException;
import dev.topics.storage.TopicChange;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicInfo;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The native topic API (SPEC §2–§4): topic CRUD and listing, writes, and reads from a
 * cursor (diff, with long polling). Registered under {@code /v0}.
 */
public final class TopicService implements HttpService {
    static final int MAX_LIMIT = 10_000;
    static final long MAX_WAIT_MS = 60_000;
    private static final Set<String> DIFF_QUERY = Set.of("from_seq", "limit", "node", "wait_ms");
    private static final Set<String> LIST_QUERY = Set.of("prefix", "limit", "after");
    /** What a plain-text write may say in its query: the fields a JSON write has in its body. */
    private static final Set<String> TEXT_QUERY = Set.of("tag", "node", "idempotency_key");

    private final StorageRef storage;
    private final Gate gate;
    private final Settings settings;
    private final WriteParser writes;
    private final Activity activity;

    /**
     * The settings a topic's routes read.
     *
     * @param limits        {@code limits.*}: body size, JSON depth, and what a write may hold
     * @param topicDefaults {@code topic_defaults.*}: the configuration of a topic a write creates
     */
    public record Settings(ServerConfig.Limits limits, TopicConfig topicDefaults) {
        public static Settings of(ServerConfig cfg) {
            return new Settings(cfg.limits(), cfg.topicDefaults());
        }
    }

    public TopicService(StorageRef storage, Gate gate, Settings settings, Activity activity) {
        this.activity = activity;
        this.storage = storage;
        this.gate = gate;
        this.settings = settings;
        this.writes = new WriteParser(settings.limits());
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

    private boolean exists(String name) {
        try {
            storage.get().topic(name);
            return true;
        } catch (StorageException.TopicNotFound e) {
            return false;
        }
    }

    private static String name(ServerRequest req) {
        return TopicName.check(req.path().pathParameters().get("name"));
    }

    private byte[] body(ServerRequest req) {
        return Body.read(req, settings.limits().maxBodyBytes());
    }

    private void put(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        Caller caller = gate.authenticate(req);
        String name = name(req);
        var patch = TopicJson.parsePatch(body(req), settings.limits().maxJsonDepth());
        if (exists(name)) {
            gate.requireOwner(caller, name); // changing a topic's config
        } else {
            gate.mayCreate(caller, name);
        }
        TopicChange c = storage.get().putTopic(name, patch, caller.principal(), settings.topicDefaults());
        sendChange(res, c, c.created() ? 201 : 200, t0);
    }

    private void patch(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        Caller caller = gate.authenticate(req);
        String name = name(req);
        gate.requireOwner(caller, name);
        var patch = TopicJson.parsePatch(body(req), settings.limits().maxJsonDepth());
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
        TopicInfo t = gate.require(gate.authenticate(req), name(req), Action.READ);
        JsonOut out = new JsonOut(512).beginObject();
        TopicJson.describe(out, t);
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, 200, out);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        Caller caller = gate.authenticate(req);
        String name = name(req);
        gate.requireOwner(caller, name);
        TopicChange c = storage.get().deleteTopic(name);
        activity.forget(name);
        JsonOut out = new JsonOut(128).beginObject().field("topic", c.info().name()).field("deleted", true);
        Responses.performance(out, t0, c.fsyncNanos()).endObject();
        Responses.send(res, 200, out);
    }

    private void list(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        Caller caller = gate.authenticate(req);
        Query q = Query.of(req, LIST_QUERY);
        String prefix = q.string("prefix");
        String after = q.string("after");
        int limit = (int) q.u64("limit", 100, 1, 1000);
        // SPEC §2: only the topics the caller can read; page through storage until a page is full
        List<TopicInfo> page = new ArrayList<>(Math.min(limit + 1, 256));
        String from = after == null || after.isEmpty() ? null : after;
        while (page.size() <= limit) {
            List<TopicInfo> batch = storage.get().list(prefix == null ? "" : prefix, from, limit + 1);
            for (TopicInfo t : batch) {
                if (page.size() <= limit && gate.allowed(caller, t, Action.READ)) {
                    page.add(t);
                }
            }
            if (batch.size() <= limit) {
                break;
            }
            from = batch.get(batch.size() - 1).name();
        }
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
        Caller caller = gate.authenticate(req);
        String name = name(req);
        gate.requirePublish(caller, name);
        byte[] body = body(req);
        String headerKey = req.headers().first(HeaderNames.create("Idempotency-Key")).orElse(null);
        WriteParser.Write w;
        if (isText(req)) {
            Query q = Query.of(req, TEXT_QUERY);
            w = writes.parseText(body, q.string("tag"), q.string("node"), q.string("idempotency_key"), headerKey);
        } else {
            w = writes.parse(body, headerKey);
        }
        if (w.carriesOrigin()) {
            gate.requireMirror(caller, name); // origin marks steer dedupe: not a plain publisher's to set
        }
        Storage s = storage.get();
        AppendResult r = Storage.onRequestThread(() -> s.append(new AppendRequest(name, w.batch(), w.idempotencyKey(),
                caller.principal(), settings.topicDefaults())));
        activity.wrote(name);
        ServerMetrics.written(r.deduped() ? 0 : Math.max(0, r.lastSeq() - r.firstSeq() + 1));
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

    /** A {@code text/plain} body, whatever its parameters (SPEC §3); every other type is JSON. */
    private static boolean isText(ServerRequest req) {
        String type = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        int semi = type.indexOf(';');
        return (semi < 0 ? type : type.substring(0, semi)).strip().equalsIgnoreCase("text/plain");
    }

    /** {@code POST /v0/topics/{name}/delete} (SPEC §6): by match, seq range, or both. */
    private void deleteRecords(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        Caller caller = gate.authenticate(req);
        String name = name(req);
        gate.requireOwner(caller, name); // deleting records is the owner's (or admin's) call
        byte[] body = body(req);
        RecordFilter[] match = {null};
        Long[] range = {null, null};
        boolean[] sawMatch = {false};
        JsonFields.body(body, settings.limits().maxJsonDepth(), (f, at, r) -> {
            switch (f) {
                case "match" -> {
                    match[0] = FilterExpr.compile(r, "match");
                    sawMatch[0] = match[0] != null;
                }
                case "from_seq" -> range[0] = r.nextU64OrNull(at);
                case "to_seq" -> range[1] = r.nextU64OrNull(at);
                default -> throw ApiError.unknownField(at);
            }
        });
        Long from = range[0];
        Long to = range[1];
        if (!sawMatch[0] && from == null && to == null) {
            throw ApiError.badRequest("empty_delete", "say what to delete: a match, a from_seq/to_seq range, or both");
        }
        long lo = from == null ? 0 : from;
        long hi = to == null ? Long.MAX_VALUE : to;
        if (lo > hi) {
            throw ApiError.invalidField("from_seq must not be above to_seq");
        }
        DeleteResult d = storage.get().deleteRecords(name, match[0], lo, hi);
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
        Caller caller = gate.authenticate(req);
        String name = name(req);
        gate.require(caller, name, Action.READ);
        Query q = Query.of(req, DIFF_QUERY);
        String node = NodeId.check(q.string("node"), "node");
        Diff d = new Diff(q.unsignedPastEveryHead("from_seq"), (int) q.u64("limit", 100, 1, MAX_LIMIT),
                node == null ? null : node.getBytes(StandardCharsets.UTF_8), q.u64("wait_ms", 0, 0, MAX_WAIT_MS), null);
        diff(res, name, d, t0);
    }

    private void diffPost(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        Caller caller = gate.authenticate(req);
        String name = name(req);
        gate.require(caller, name, Action.READ);
        diff(res, name, parseDiff(body(req)), t0);
    }

    private Diff parseDiff(byte[] body) {
        long[] from = {0};
        long[] limit = {100};
        String[] node = {null};
        long[] wait = {0};
        RecordFilter[] filter = {null};
        JsonFields.body(body, settings.limits().maxJsonDepth(), (f, at, r) -> {
            switch (f) {
                case "from_seq" -> {
                    from[0] = r.nextUnsignedLong(at);
                    if (from[0] < 0) {
                        from[0] = Long.MAX_VALUE; // above 2^63-1: past every head, same answer (reset)
                    }
                }
                case "limit" -> {
                    limit[0] = r.nextU64(at);
                    if (limit[0] < 1 || limit[0] > MAX_LIMIT) {
                        throw ApiError.invalidField("limit must be between 1 and " + MAX_LIMIT);
                    }
                }
                case "node" -> node[0] = NodeId.check(r.nextStringOrNull(at), at);
                case "wait_ms" -> {
                    wait[0] = r.nextU64(at);
                    if (wait[0] > MAX_WAIT_MS) {
                        throw ApiError.invalidField("wait_ms must be at most " + MAX_WAIT_MS);
                    }
                }
                case "filter" -> filter[0] = FilterExpr.compile(r, "filter");
                default -> throw ApiError.unknownField(at);
            }
        });
        return new Diff(from[0], (int) limit[0], node[0] == null ? null : node[0].getBytes(StandardCharsets.UTF_8), wait[0],
                filter[0]);
    }

    private void diff(ServerResponse res, String name, Diff d, long t0) {
        ReadResult r = CursorPoll.read(storage.get(), name, d.fromSeq, d.limit, d.node, d.filter, d.waitMs, t0);
        activity.read(name);
        ServerMetrics.read(r.records().size());
        JsonOut out = new JsonOut(CursorPoll.sizeHint(r)).beginObject().field("topic", name);
        CursorPoll.fields(out, r);
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, 200, out);
    }
}
