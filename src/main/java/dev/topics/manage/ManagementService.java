package dev.topics.manage;

import dev.topics.access.Action;
import dev.topics.access.Caller;
import dev.topics.access.Gate;
import dev.topics.access.SharesService;
import dev.topics.config.ServerConfig;
import dev.topics.http.ApiError;
import dev.topics.http.Body;
import dev.topics.http.JsonFields;
import dev.topics.http.Query;
import dev.topics.http.Responses;
import dev.topics.http.StorageRef;
import dev.topics.json.JsonOut;
import dev.topics.metrics.ServerMetrics;
import dev.topics.stats.Activity;
import dev.topics.stats.StatsService;
import dev.topics.storage.AppendRequest;
import dev.topics.storage.AppendResult;
import dev.topics.storage.ReadResult;
import dev.topics.storage.RecordBatch;
import dev.topics.storage.RecordView;
import dev.topics.storage.Storage;
import dev.topics.storage.StorageException;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicInfo;
import dev.topics.storage.TopicPatch;
import dev.topics.topic.CursorPoll;
import dev.topics.topic.RecordJson;
import dev.topics.http.TopicName;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The {@code /topics} management surface (SPEC §13): camelCase JSON for clients written
 * against notification-service style topic management, on the same engine and the same
 * gate as {@code /v0}. Topic objects are {@code {"name","publicRead","publicPublish","owner",
 * "createdAt"}}; messages are records whose {@code data} is the payload and whose seq is
 * the message id. Answers carry no {@code performance} block (a native-API convention).
 */
public final class ManagementService implements HttpService {
    private static final Set<String> MESSAGES_QUERY = Set.of("since", "limit");
    private final StorageRef storage;
    private final Gate gate;
    private final Settings settings;
    private final SharesService shares;
    private final StatsService stats;
    private final Activity activity;

    /**
     * The settings the management routes read.
     *
     * @param maxBodyBytes   {@code limits.max_body_bytes}
     * @param maxJsonDepth   {@code limits.max_json_depth}
     * @param maxRecordBytes {@code limits.max_record_bytes}: the largest message
     * @param topicDefaults  {@code topic_defaults.*}: the configuration of a topic made here
     */
    public record Settings(long maxBodyBytes, int maxJsonDepth, long maxRecordBytes, TopicConfig topicDefaults) {
        public static Settings of(ServerConfig cfg) {
            return new Settings(cfg.limits().maxBodyBytes(), cfg.limits().maxJsonDepth(), cfg.limits().maxRecordBytes(),
                    cfg.topicDefaults());
        }
    }

    public ManagementService(StorageRef storage, Gate gate, Settings settings, SharesService shares, StatsService stats,
                             Activity activity) {
        this.storage = storage;
        this.gate = gate;
        this.settings = settings;
        this.shares = shares;
        this.stats = stats;
        this.activity = activity;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .post("/", this::create)
                .get("/{name}", this::get)
                .patch("/{name}", this::patch)
                .delete("/{name}", this::delete)
                .get("/{name}/stats", (req, res) -> stats.stats(req, res, true))
                .get("/{name}/shares", (req, res) -> shares.listShares(req, res, true))
                .post("/{name}/shares", (req, res) -> shares.createShare(req, res, true))
                .patch("/{name}/shares/{id}", (req, res) -> shares.patchShare(req, res, true))
                .delete("/{name}/shares/{id}", (req, res) -> shares.deleteShare(req, res, true))
                .post("/{name}/shares/{id}/rotate", (req, res) -> shares.rotateShare(req, res, true))
                .post("/{name}/messages", this::postMessage)
                .get("/{name}/messages", this::getMessages);
    }

    private static String name(ServerRequest req) {
        return TopicName.check(req.path().pathParameters().get("name"));
    }

    private byte[] body(ServerRequest req) {
        return Body.read(req, settings.maxBodyBytes());
    }

    private static JsonOut topic(JsonOut out, TopicInfo t) {
        return out.beginObject().field("name", t.name()).field("publicRead", t.config().publicRead())
                .field("publicPublish", t.config().publicPublish()).field("owner", t.owner())
                .field("createdAt", Instant.ofEpochMilli(t.createdAtMs()).toString()).endObject();
    }

    /** {@code publicRead}/{@code publicPublish} of a body; null = not given. */
    private record Flags(String name, Boolean publicRead, Boolean publicPublish) {
        TopicPatch patch() {
            return new TopicPatch(null, null, null, null, null, null, null, null, null, publicRead, publicPublish);
        }
    }

    private Flags flags(byte[] body, boolean withName) {
        String[] name = {null};
        Boolean[] b = {null, null};
        JsonFields.body(body, settings.maxJsonDepth(), (f, at, r) -> {
            switch (f) {
                case "name" -> {
                    if (!withName) {
                        throw ApiError.unknownField(at);
                    }
                    name[0] = TopicName.check(r.nextString(at));
                }
                case "publicRead" -> b[0] = r.nextBoolean(at);
                case "publicPublish" -> b[1] = r.nextBoolean(at);
                default -> throw ApiError.unknownField(at);
            }
        });
        return new Flags(name[0], b[0], b[1]);
    }

    private void list(ServerRequest req, ServerResponse res) {
        Caller caller = gate.authenticate(req);
        Query.of(req, Set.of());
        JsonOut out = new JsonOut(1024).beginObject().name("topics").beginArray();
        String after = null;
        while (true) {
            List<TopicInfo> page = storage.get().list("", after, 1000);
            for (TopicInfo t : page) {
                if (gate.allowed(caller, t, Action.READ)) {
                    topic(out, t);
                }
            }
            if (page.size() < 1000) {
                break;
            }
            after = page.get(page.size() - 1).name();
        }
        Responses.send(res, 200, out.endArray().endObject());
    }

    /** {@code POST /topics}: auth required; the caller becomes the owner; 409 {@code topic_exists} if it does. */
    private void create(ServerRequest req, ServerResponse res) {
        Caller caller = gate.authenticate(req);
        gate.requireCredential(caller);
        if (caller.principal() == null) {
            throw new ApiError(403, "forbidden", "creating a topic needs a principal's token, not a topic token");
        }
        Flags f = flags(body(req), true);
        if (f.name() == null) {
            throw ApiError.invalidField("name is required");
        }
        gate.mayCreate(caller, f.name());
        Storage s = storage.get();
        if (exists(s, f.name())) {
            throw new ApiError(409, "topic_exists", "topic '" + f.name() + "' exists");
        }
        var change = s.putTopic(f.name(), f.patch(), caller.principal(), settings.topicDefaults());
        if (!change.created()) {
            throw new ApiError(409, "topic_exists", "topic '" + f.name() + "' exists");
        }
        Responses.send(res, 201, topic(new JsonOut(256), change.info()));
    }

    private static boolean exists(Storage s, String name) {
        try {
            s.topic(name);
            return true;
        } catch (StorageException.TopicNotFound e) {
            return false;
        }
    }

    private void get(ServerRequest req, ServerResponse res) {
        TopicInfo t = gate.require(gate.authenticate(req), name(req), Action.READ);
        Responses.send(res, 200, topic(new JsonOut(256), t));
    }

    /** {@code PATCH /topics/:name}: owner or admin; omitted flags keep their values. */
    private void patch(ServerRequest req, ServerResponse res) {
        Caller caller = gate.authenticate(req);
        String name = name(req);
        gate.requireOwner(caller, name);
        Flags f = flags(body(req), false);
        Responses.send(res, 200, topic(new JsonOut(256), storage.get().patchTopic(name, f.patch()).info()));
    }

    /** {@code DELETE /topics/:name}: owner or admin; cascades as SPEC §2 says. */
    private void delete(ServerRequest req, ServerResponse res) {
        Caller caller = gate.authenticate(req);
        String name = name(req);
        gate.requireOwner(caller, name);
        storage.get().deleteTopic(name);
        activity.forget(name);
        Responses.send(res, 200, new JsonOut(96).beginObject().field("name", name).field("deleted", true).endObject());
    }

    /** {@code POST /topics/:name/messages {"payload": <any JSON>}} → 201 {@code {"id": <seq>, "topic", "createdAt"}}. */
    private void postMessage(ServerRequest req, ServerResponse res) {
        Caller caller = gate.authenticate(req);
        String name = name(req);
        gate.requirePublish(caller, name);
        byte[][] payload = {null};
        JsonFields.body(body(req), settings.maxJsonDepth(), (f, at, r) -> {
            if (!f.equals("payload")) {
                throw ApiError.unknownField(at);
            }
            payload[0] = r.readCanonicalValue();
        });
        if (payload[0] == null) {
            throw ApiError.invalidField("payload is required");
        }
        if (payload[0].length > settings.maxRecordBytes()) {
            throw new ApiError(413, "record_too_large", "payload is " + payload[0].length
                    + " bytes; a message may be at most " + settings.maxRecordBytes() + " bytes");
        }
        Storage s = storage.get();
        AppendResult r = Storage.onRequestThread(() -> s.append(new AppendRequest(name,
                new RecordBatch(payload[0].length + 64).add(payload[0], null, null, null), null, caller.principal(),
                settings.topicDefaults())));
        activity.wrote(name);
        ServerMetrics.written(1);
        ReadResult back = s.read(name, r.firstSeq() - 1, 1, 1, null, null);
        long ts = back.records().isEmpty() || back.records().get(0).seq() != r.firstSeq()
                ? System.currentTimeMillis() : back.records().get(0).ts();
        Responses.send(res, 201, new JsonOut(128).beginObject().field("id", r.firstSeq()).field("topic", name)
                .field("createdAt", Instant.ofEpochMilli(ts).toString()).endObject());
    }

    /** {@code GET /topics/:name/messages?since=&limit=} → {@code {"messages": [...], "next": <seq>}}. */
    private void getMessages(ServerRequest req, ServerResponse res) {
        Caller caller = gate.authenticate(req);
        String name = name(req);
        gate.require(caller, name, Action.READ);
        Query q = Query.of(req, MESSAGES_QUERY);
        long since = q.unsignedPastEveryHead("since");
        int limit = (int) q.u64("limit", 100, 1, 10_000);
        ReadResult r = storage.get().read(name, since, limit, CursorPoll.MAX_BYTES, null, null);
        activity.read(name);
        ServerMetrics.read(r.records().size());
        JsonOut out = new JsonOut(CursorPoll.sizeHint(r)).beginObject().name("messages").beginArray();
        for (RecordView v : r.records()) {
            out.beginObject().field("id", v.seq());
            if (v.raw()) { // bytes of a Durable Streams byte stream: base64, said so
                out.field("payload", RecordJson.base64(v)).field("contentType", v.contentType()).field("encoding", "base64");
            } else {
                out.name("payload").rawValue(v.buffer(), v.dataOffset(), v.dataLength());
            }
            out.field("createdAt", Instant.ofEpochMilli(v.ts()).toString()).endObject();
        }
        Responses.send(res, 200, out.endArray().field("next", r.nextFromSeq()).endObject());
    }
}
