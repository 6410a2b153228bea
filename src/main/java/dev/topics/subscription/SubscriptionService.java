package dev.topics.subscription;

import dev.topics.access.Action;
import dev.topics.access.Caller;
import dev.topics.access.Gate;
import dev.topics.config.ServerConfig;
import dev.topics.filter.FilterExpr;
import dev.topics.http.ApiError;
import dev.topics.http.Body;
import dev.topics.http.JsonFields;
import dev.topics.http.Names;
import dev.topics.http.Responses;
import dev.topics.http.StorageRef;
import dev.topics.json.JsonOut;
import dev.topics.metrics.ServerMetrics;
import dev.topics.stats.Activity;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.ReadResult;
import dev.topics.storage.Storage;
import dev.topics.storage.TopicInfo;
import dev.topics.topic.CursorPoll;
import dev.topics.http.TopicName;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;

/**
 * Subscriptions (SPEC §10): server-side named cursors under {@code /v0/topics/{name}/subscriptions}.
 * {@code PUT …/{s}} creates one (cursor = {@code from_seq}, or the topic's head) or changes
 * the fields given ({@code from_seq} repositions the cursor, either way); {@code POST …/next}
 * reads after the cursor like a diff without moving it; {@code POST …/ack} moves it forward
 * (an ack at or below the cursor changes nothing: never backwards). Every change is a
 * forced WAL frame, so a subscription and its cursor survive a restart.
 */
public final class SubscriptionService implements HttpService {
    private static final String WHAT = "subscription";
    private final StorageRef storage;
    private final Gate gate;
    private final Settings settings;
    private final Activity activity;

    /**
     * The settings the subscription routes read.
     *
     * @param maxBodyBytes {@code limits.max_body_bytes}
     * @param maxJsonDepth {@code limits.max_json_depth}
     */
    public record Settings(long maxBodyBytes, int maxJsonDepth) {
        public static Settings of(ServerConfig cfg) {
            return new Settings(cfg.limits().maxBodyBytes(), cfg.limits().maxJsonDepth());
        }
    }

    public SubscriptionService(StorageRef storage, Gate gate, Settings settings, Activity activity) {
        this.activity = activity;
        this.storage = storage;
        this.gate = gate;
        this.settings = settings;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/topics/{name}/subscriptions", this::list)
                .put("/topics/{name}/subscriptions/{sub}", this::put)
                .get("/topics/{name}/subscriptions/{sub}", this::get)
                .delete("/topics/{name}/subscriptions/{sub}", this::delete)
                .post("/topics/{name}/subscriptions/{sub}/next", this::next)
                .post("/topics/{name}/subscriptions/{sub}/ack", this::ack);
    }

    private static String topic(ServerRequest req) {
        return TopicName.check(req.path().pathParameters().get("name"));
    }

    /** The request's topic, once it is known that the caller may read it (every subscription route needs that). */
    private String readable(ServerRequest req) {
        Caller caller = gate.authenticate(req);
        String topic = topic(req);
        if (req.path().pathParameters().contains("sub")) {
            sub(req); // a bad name is 400 before rights are looked at
        }
        gate.require(caller, topic, Action.READ);
        return topic;
    }

    private static String sub(ServerRequest req) {
        return Names.check(req.path().pathParameters().get("sub"), WHAT);
    }

    private byte[] body(ServerRequest req) {
        return Body.read(req, settings.maxBodyBytes());
    }

    private void put(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        String topic = readable(req);
        String name = sub(req);
        Long[] from = {null};
        byte[][] filter = {null};
        boolean[] filterGiven = {false};
        JsonFields.body(body(req), settings.maxJsonDepth(), (f, at, r) -> {
            switch (f) {
                case "from_seq" -> from[0] = r.nextU64OrNull(at);
                case "filter" -> {
                    filterGiven[0] = true;
                    filter[0] = r.readCanonicalValueOrNull();
                    if (filter[0] != null) {
                        FilterExpr.compile(filter[0]); // 400 invalid_filter now, not when read
                    }
                }
                default -> throw ApiError.unknownField(at);
            }
        });
        Storage s = storage.get();
        TopicInfo t = s.topic(topic);
        if (from[0] != null && from[0] > t.headSeq()) {
            throw ApiError.invalidField("from_seq " + from[0] + " is past the topic's head_seq " + t.headSeq());
        }
        ControlEntry old = s.control(Subscription.key(topic, name));
        Subscription before = old == null ? null : Subscription.of(old);
        Subscription next = new Subscription(topic, name,
                filterGiven[0] || before == null ? filter[0] : before.filterJson(),
                before == null ? System.currentTimeMillis() : before.createdAtMs(),
                from[0] != null ? from[0] : before == null ? t.headSeq() : before.cursor());
        ControlEntry replaced = s.putControl(next.entry(), from[0] == null);
        boolean created = replaced == null;
        Subscription now = Subscription.load(s, topic, name);
        JsonOut out = new JsonOut(256).beginObject();
        describe(out, now, s.topic(topic).headSeq());
        out.field("created", created);
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, created ? 201 : 200, out);
    }

    private static void describe(JsonOut out, Subscription sub, long head) {
        out.field("topic", sub.topic()).field("subscription", sub.name()).field("cursor", sub.cursor())
                .field("head_seq", head).field("lag", Math.max(0, head - sub.cursor()));
        sub.writeFilter(out.name("filter"));
        out.field("created_at", Instant.ofEpochMilli(sub.createdAtMs()).toString());
    }

    private void get(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        String topic = readable(req);
        String name = sub(req);
        Storage s = storage.get();
        long head = s.topic(topic).headSeq();
        JsonOut out = new JsonOut(256).beginObject();
        describe(out, Subscription.load(s, topic, name), head);
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, 200, out);
    }

    private void list(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        String topic = readable(req);
        Storage s = storage.get();
        long head = s.topic(topic).headSeq();
        String prefix = topic + "/";
        JsonOut out = new JsonOut(512).beginObject().field("topic", topic).name("subscriptions").beginArray();
        for (ControlEntry e : s.controls(ControlEntry.Kind.SUBSCRIPTION)) {
            if (e.id().startsWith(prefix)) {
                describe(out.beginObject(), Subscription.of(e), head);
                out.endObject();
            }
        }
        out.endArray();
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, 200, out);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        String topic = readable(req);
        String name = sub(req);
        Storage s = storage.get();
        s.topic(topic);
        if (s.control(Subscription.key(topic, name)) == null) {
            throw Subscription.notFound(topic, name);
        }
        s.deleteControl(Subscription.key(topic, name));
        JsonOut out = new JsonOut(128).beginObject().field("topic", topic).field("subscription", name)
                .field("deleted", true);
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, 200, out);
    }

    /** {@code POST …/next {"limit", "wait_ms"}}: the records after the cursor, which stays where it is. */
    private void next(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        String topic = readable(req);
        String name = sub(req);
        long[] limit = {100};
        long[] wait = {0};
        JsonFields.body(body(req), settings.maxJsonDepth(), (f, at, r) -> {
            switch (f) {
                case "limit" -> {
                    limit[0] = r.nextU64(at);
                    if (limit[0] < 1 || limit[0] > 10_000) {
                        throw ApiError.invalidField("limit must be between 1 and 10000");
                    }
                }
                case "wait_ms" -> {
                    wait[0] = r.nextU64(at);
                    if (wait[0] > 60_000) {
                        throw ApiError.invalidField("wait_ms must be at most 60000");
                    }
                }
                default -> throw ApiError.unknownField(at);
            }
        });
        Storage s = storage.get();
        s.topic(topic);
        Subscription sub = Subscription.load(s, topic, name);
        ReadResult r = CursorPoll.read(s, topic, sub.cursor(), (int) limit[0], null, sub.filter(), wait[0], t0);
        activity.read(topic);
        ServerMetrics.read(r.records().size());
        JsonOut out = new JsonOut(CursorPoll.sizeHint(r)).beginObject().field("topic", topic).field("subscription", name)
                .field("cursor", sub.cursor());
        CursorPoll.fields(out, r);
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, 200, out);
    }

    /** {@code POST …/ack {"seq"}}: moves the cursor to {@code seq} unless it is already there or past it. */
    private void ack(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        String topic = readable(req);
        String name = sub(req);
        Long[] seq = {null};
        JsonFields.body(body(req), settings.maxJsonDepth(), (f, at, r) -> {
            if (!f.equals("seq")) {
                throw ApiError.unknownField(at);
            }
            seq[0] = r.nextU64(at);
        });
        if (seq[0] == null) {
            throw ApiError.invalidField("seq is required");
        }
        Storage s = storage.get();
        long head = s.topic(topic).headSeq();
        if (seq[0] > head) {
            throw ApiError.invalidField("seq " + seq[0] + " is past the topic's head_seq " + head);
        }
        Subscription.load(s, topic, name); // 404 before anything is written
        Subscription after = Subscription.of(s.advanceCursor(Subscription.key(topic, name), seq[0]));
        JsonOut out = new JsonOut(256).beginObject();
        describe(out, after, head);
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, 200, out);
    }
}
