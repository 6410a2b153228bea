package dev.topics.router;

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
import dev.topics.storage.ControlEntry;
import dev.topics.storage.Storage;
import dev.topics.storage.StorageException;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicInfo;
import dev.topics.storage.TopicPatch;
import dev.topics.http.TopicName;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;

/**
 * Routers over HTTP (SPEC §9): {@code PUT/GET/DELETE /v0/routers/{name}} and
 * {@code GET /v0/routers}. A router copies a source topic into a local {@code dest}, or to
 * {@code dest_topic} on another server at {@code dest_url} (with {@code dest_token} as its
 * bearer token). Its cursor starts at {@code from_seq}, or at the source's head.
 */
public final class RouterService implements HttpService {
    private static final String WHAT = "router";
    private final StorageRef storage;
    private final Gate gate;
    private final Settings settings;
    private final Routers routers;

    /**
     * The settings the router routes read.
     *
     * @param maxBodyBytes  {@code limits.max_body_bytes}
     * @param maxJsonDepth  {@code limits.max_json_depth}
     * @param topicDefaults {@code topic_defaults.*}: whether and how a router creates its destination
     */
    public record Settings(long maxBodyBytes, int maxJsonDepth, TopicConfig topicDefaults) {
        public static Settings of(ServerConfig cfg) {
            return new Settings(cfg.limits().maxBodyBytes(), cfg.limits().maxJsonDepth(), cfg.topicDefaults());
        }
    }

    public RouterService(StorageRef storage, Gate gate, Settings settings, Routers routers) {
        this.storage = storage;
        this.gate = gate;
        this.settings = settings;
        this.routers = routers;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/routers", this::list)
                .put("/routers/{name}", this::put)
                .get("/routers/{name}", this::get)
                .delete("/routers/{name}", this::delete);
    }

    private static String name(ServerRequest req) {
        return Names.check(req.path().pathParameters().get("name"), WHAT);
    }

    private static ApiError notFound(String name) {
        return new ApiError(404, "router_not_found", "no router '" + name + "'");
    }

    private void put(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        Caller caller = gate.authenticate(req);
        String name = name(req);
        String[] f = new String[5]; // source, dest, dest_url, dest_topic, dest_token
        byte[][] filter = {null};
        Long[] from = {null};
        JsonFields.body(Body.read(req, settings.maxBodyBytes()), settings.maxJsonDepth(), (field, at, r) -> {
            switch (field) {
                case "source" -> f[0] = TopicName.check(r.nextString(at));
                case "dest" -> f[1] = r.nextStringOrNull(at);
                case "dest_url" -> f[2] = r.nextStringOrNull(at);
                case "dest_topic" -> f[3] = r.nextStringOrNull(at);
                case "dest_token" -> f[4] = r.nextStringOrNull(at);
                case "filter" -> {
                    filter[0] = r.readCanonicalValueOrNull();
                    if (filter[0] != null) {
                        FilterExpr.compile(filter[0]); // 400 invalid_filter now
                    }
                }
                case "from_seq" -> from[0] = r.nextU64OrNull(at);
                default -> throw ApiError.unknownField(at);
            }
        });
        String source = f[0];
        if (source == null) {
            throw ApiError.invalidField("source is required");
        }
        boolean remote = f[2] != null;
        if (remote == (f[1] != null)) {
            throw ApiError.invalidField("give either dest (a topic here) or dest_url (another server), not "
                    + (remote ? "both" : "neither"));
        }
        if (!remote && (f[3] != null || f[4] != null)) {
            throw ApiError.invalidField("dest_topic and dest_token go with dest_url");
        }
        String dest = remote ? null : TopicName.check(f[1]);
        String destUrl = remote ? checkUrl(f[2]) : null;
        String destTopic = remote ? TopicName.check(f[3] == null ? source : f[3]) : null;
        Storage s = storage.get();
        // SPEC §9: read on the source and publish on the destination (create it, if it is new)
        TopicInfo src = gate.require(caller, source, Action.READ);
        if (!remote) {
            gate.requirePublish(caller, dest);
        }
        if (from[0] != null && from[0] > src.headSeq()) {
            throw ApiError.invalidField("from_seq " + from[0] + " is past the source's head_seq " + src.headSeq());
        }
        ControlEntry old = s.control(RouterSpec.key(name));
        RouterSpec before = old == null ? null : RouterSpec.of(old);
        if (before != null) {
            requireCreatorOrOwner(caller, before);
        }
        RouterSpec spec = new RouterSpec(name, source, dest, destUrl, destTopic, f[4], filter[0], caller.principal(),
                Gate.identity(caller).withoutToken(), before == null ? System.currentTimeMillis() : before.createdAtMs());
        if (!remote) {
            ensureDest(s, dest, caller.principal());
        }
        boolean keep = from[0] == null && before != null && before.source().equals(source);
        long cursor = from[0] != null ? from[0] : src.headSeq();
        ControlEntry replaced;
        try {
            replaced = routers.put(spec, cursor, keep);
        } catch (Routers.CycleException e) {
            throw new ApiError(409, "router_cycle", "routers would copy in a cycle: " + String.join(" → ", e.path));
        }
        JsonOut out = new JsonOut(512).beginObject();
        describe(out, s, s.control(RouterSpec.key(name)));
        out.field("created", replaced == null);
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, replaced == null ? 201 : 200, out);
    }

    /** SPEC §9: the destination is created if needed, when {@code auto_create} allows it. */
    private void ensureDest(Storage s, String dest, String owner) {
        try {
            s.topic(dest);
        } catch (StorageException.TopicNotFound e) {
            if (!settings.topicDefaults().autoCreate()) {
                throw e;
            }
            s.putTopic(dest, TopicPatch.EMPTY, owner, settings.topicDefaults());
        }
    }

    /** An http(s) URL with a host and no query or fragment: the base the router adds {@code /v0/…} to. */
    private static String checkUrl(String url) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw ApiError.invalidField("dest_url is not a URL: " + e.getMessage());
        }
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null
                || u.getRawQuery() != null || u.getRawFragment() != null || u.getRawUserInfo() != null) {
            throw ApiError.invalidField("dest_url must be an http or https URL with a host, such as http://host:4000");
        }
        return url;
    }

    private void describe(JsonOut out, Storage s, ControlEntry e) {
        RouterSpec spec = RouterSpec.of(e);
        out.field("router", spec.name()).field("source", spec.source()).field("dest", spec.dest());
        if (spec.remote()) {
            out.field("dest_url", spec.destUrl()).field("dest_topic", spec.destTopic());
        }
        out.name("filter");
        out.rawValueOrNull(spec.filterJson());
        long head;
        try {
            head = s.topic(spec.source()).headSeq();
        } catch (RuntimeException gone) {
            head = e.cursor();
        }
        RouterWorker w = routers.worker(spec.name());
        if (w != null) {
            w.status(out, e.cursor(), head);
        } else {
            out.field("cursor", e.cursor()).field("source_head_seq", head).field("lag", Math.max(0, head - e.cursor()))
                    .field("copied", 0).field("state", "stopped").field("last_error", "not running");
        }
        out.field("created_at", Instant.ofEpochMilli(spec.createdAtMs()).toString());
    }

    /** Changing or deleting a router: the admin, its creator, or the owner of its source. */
    private void requireCreatorOrOwner(Caller caller, RouterSpec r) {
        if (caller.admin() || (caller.principal() != null && caller.principal().equals(r.creator()))) {
            return;
        }
        gate.requireOwner(caller, r.source());
    }

    private void get(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        Caller caller = gate.authenticate(req);
        String name = name(req);
        Storage s = storage.get();
        ControlEntry e = s.control(RouterSpec.key(name));
        if (e == null) {
            gate.requireCredential(caller);
            throw notFound(name);
        }
        gate.require(caller, RouterSpec.of(e).source(), Action.READ);
        JsonOut out = new JsonOut(512).beginObject();
        describe(out, s, e);
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, 200, out);
    }

    private void list(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        Caller caller = gate.authenticate(req);
        Storage s = storage.get();
        JsonOut out = new JsonOut(1024).beginObject().name("routers").beginArray();
        for (ControlEntry e : s.controls(ControlEntry.Kind.ROUTER)) {
            if (!gate.stillAllowed(caller, RouterSpec.of(e).source(), Action.READ)) {
                continue; // only routers whose source the caller can read
            }
            describe(out.beginObject(), s, e);
            out.endObject();
        }
        out.endArray();
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, 200, out);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        Caller caller = gate.authenticate(req);
        String name = name(req);
        ControlEntry e = storage.get().control(RouterSpec.key(name));
        if (e == null) {
            gate.requireCredential(caller);
            throw notFound(name);
        }
        requireCreatorOrOwner(caller, RouterSpec.of(e));
        try {
            routers.delete(name);
        } catch (StorageException.ControlNotFound gone) {
            throw notFound(name);
        }
        JsonOut out = new JsonOut(128).beginObject().field("router", name).field("deleted", true);
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, 200, out);
    }
}
