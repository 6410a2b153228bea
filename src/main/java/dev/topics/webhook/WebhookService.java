package dev.topics.webhook;

import dev.topics.access.Caller;
import dev.topics.access.Gate;
import dev.topics.config.ServerConfig;
import dev.topics.filter.FilterExpr;
import dev.topics.http.ApiError;
import dev.topics.http.Body;
import dev.topics.http.JsonFields;
import dev.topics.http.Responses;
import dev.topics.http.StorageRef;
import dev.topics.json.JsonOut;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.Storage;
import dev.topics.storage.TopicInfo;
import dev.topics.http.TopicName;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Webhooks over HTTP (SPEC §10), for the topic's owner or the admin:
 * {@code POST /v0/topics/{t}/webhooks}, {@code GET} (list), {@code GET/PATCH/DELETE …/{id}},
 * {@code GET …/{id}/deliveries}. A secret left out is generated ({@code whsec_…}, see
 * {@link Signer}) and shown once; a secret given is kept as it is (1 to 1,024 characters).
 */
public final class WebhookService implements HttpService {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final StorageRef storage;
    private final Gate gate;
    private final Settings settings;
    private final Webhooks webhooks;

    /**
     * The settings the webhook routes read.
     *
     * @param maxBodyBytes {@code limits.max_body_bytes}
     * @param maxJsonDepth {@code limits.max_json_depth}
     */
    public record Settings(long maxBodyBytes, int maxJsonDepth) {
        public static Settings of(ServerConfig cfg) {
            return new Settings(cfg.limits().maxBodyBytes(), cfg.limits().maxJsonDepth());
        }
    }

    public WebhookService(StorageRef storage, Gate gate, Settings settings, Webhooks webhooks) {
        this.storage = storage;
        this.gate = gate;
        this.settings = settings;
        this.webhooks = webhooks;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/topics/{name}/webhooks", this::create)
                .get("/topics/{name}/webhooks", this::list)
                .get("/topics/{name}/webhooks/{id}", this::get)
                .patch("/topics/{name}/webhooks/{id}", this::patch)
                .delete("/topics/{name}/webhooks/{id}", this::delete)
                .get("/topics/{name}/webhooks/{id}/deliveries", this::deliveries);
    }

    /** Fields of a create or PATCH body; null = not given. */
    private static final class Fields {
        String url;
        String secret;
        byte[] filter;
        boolean filterGiven;
        Long fromSeq;
        Long batchMax;
        Long maxAttempts;
        String state;
    }

    private Fields fields(byte[] body, boolean create) {
        Fields f = new Fields();
        JsonFields.body(body, settings.maxJsonDepth(), (name, at, r) -> {
            switch (name) {
                case "url" -> f.url = r.nextString(at);
                case "secret" -> {
                    f.secret = r.nextString(at);
                    if (f.secret.isEmpty() || f.secret.length() > 1024) {
                        throw ApiError.invalidField("secret must be 1 to 1024 characters");
                    }
                }
                case "filter" -> {
                    f.filterGiven = true;
                    f.filter = r.readCanonicalValueOrNull();
                    if (f.filter != null) {
                        FilterExpr.compile(f.filter); // 400 invalid_filter now
                    }
                }
                case "from_seq" -> {
                    if (!create) {
                        throw ApiError.unknownField(at);
                    }
                    f.fromSeq = r.nextU64OrNull(at);
                }
                case "batch_max" -> {
                    f.batchMax = r.nextU64(at);
                    if (f.batchMax < 1 || f.batchMax > 10_000) {
                        throw ApiError.invalidField("batch_max must be between 1 and 10000");
                    }
                }
                case "max_attempts" -> {
                    f.maxAttempts = r.nextU64(at);
                    if (f.maxAttempts < 1 || f.maxAttempts > 1000) {
                        throw ApiError.invalidField("max_attempts must be between 1 and 1000");
                    }
                }
                case "state" -> {
                    if (create) {
                        throw ApiError.unknownField(at);
                    }
                    f.state = r.nextString(at);
                    if (!f.state.equals("active")) {
                        throw ApiError.invalidField("state can only be set to \"active\" (to resume a failing webhook)");
                    }
                }
                default -> throw ApiError.unknownField(at);
            }
        });
        return f;
    }

    private String checkUrl(String url) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw ApiError.invalidField("url is not a URL: " + e.getMessage());
        }
        if (u.getRawUserInfo() != null || u.getRawFragment() != null) {
            throw ApiError.invalidField("url must not carry user info or a fragment");
        }
        try {
            webhooks.addresses().check(u);
        } catch (Addresses.Refused e) {
            throw ApiError.badRequest("url_refused", e.getMessage());
        }
        return url;
    }

    private TopicInfo owned(ServerRequest req) {
        Caller caller = gate.authenticate(req);
        return gate.requireOwner(caller, TopicName.check(req.path().pathParameters().get("name")));
    }

    private Webhook webhook(Storage s, TopicInfo t, String id) {
        ControlEntry e = s.control(Webhook.key(id));
        if (e == null || !e.belongsToTopic(t.name())) {
            throw new ApiError(404, "webhook_not_found", "topic '" + t.name() + "' has no webhook '" + id + "'");
        }
        return Webhook.of(e);
    }

    private void create(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        TopicInfo t = owned(req);
        Fields f = fields(Body.read(req, settings.maxBodyBytes()), true);
        if (f.url == null) {
            throw ApiError.invalidField("url is required");
        }
        checkUrl(f.url);
        if (f.fromSeq != null && f.fromSeq > t.headSeq()) {
            throw ApiError.invalidField("from_seq " + f.fromSeq + " is past the topic's head_seq " + t.headSeq());
        }
        String secret = f.secret;
        boolean generated = secret == null;
        if (generated) {
            secret = Signer.newSecret(RANDOM); // whsec_ + standard base64, as Standard Webhooks libraries take it
        }
        byte[] idBytes = new byte[12];
        RANDOM.nextBytes(idBytes);
        String id = "wh_" + Base64.getUrlEncoder().withoutPadding().encodeToString(idBytes).replace('_', 'x');
        Webhook wh = new Webhook(id, t.name(), f.url, secret, f.filter,
                f.batchMax == null ? 100 : f.batchMax.intValue(), f.maxAttempts == null ? 20 : f.maxAttempts.intValue(),
                "active", System.currentTimeMillis());
        long cursor = f.fromSeq != null ? f.fromSeq : t.headSeq();
        storage.get().putControl(wh.entry(cursor));
        webhooks.launch(id);
        JsonOut out = wh.fields(new JsonOut(512).beginObject(), cursor);
        if (generated) {
            out.field("secret", secret); // shown once
        }
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, 201, out);
    }

    private void list(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        TopicInfo t = owned(req);
        JsonOut out = new JsonOut(1024).beginObject().field("topic", t.name()).name("webhooks").beginArray();
        for (ControlEntry e : storage.get().controls(ControlEntry.Kind.WEBHOOK)) {
            if (e.belongsToTopic(t.name())) {
                Webhook.of(e).fields(out.beginObject(), e.cursor()).endObject();
            }
        }
        out.endArray();
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, 200, out);
    }

    private void get(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        TopicInfo t = owned(req);
        Storage s = storage.get();
        Webhook wh = webhook(s, t, req.path().pathParameters().get("id"));
        JsonOut out = wh.fields(new JsonOut(512).beginObject(), s.control(Webhook.key(wh.id())).cursor());
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, 200, out);
    }

    private void patch(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        TopicInfo t = owned(req);
        Storage s = storage.get();
        Webhook old = webhook(s, t, req.path().pathParameters().get("id"));
        Fields f = fields(Body.read(req, settings.maxBodyBytes()), false);
        if (f.url != null) {
            checkUrl(f.url);
        }
        Webhook next = new Webhook(old.id(), old.topic(), f.url != null ? f.url : old.url(),
                f.secret != null ? f.secret : old.secret(), f.filterGiven ? f.filter : old.filterJson(),
                f.batchMax != null ? f.batchMax.intValue() : old.batchMax(),
                f.maxAttempts != null ? f.maxAttempts.intValue() : old.maxAttempts(),
                f.state != null ? f.state : old.state(), old.createdAtMs());
        s.putControl(next.entry(0), true); // keeps the cursor the webhook has when this commits
        if (old.failing() && !next.failing()) {
            webhooks.launch(next.id()); // resumed: a fresh worker retries the pending delivery
        }
        JsonOut out = next.fields(new JsonOut(512).beginObject(), s.control(Webhook.key(next.id())).cursor());
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, 200, out);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        TopicInfo t = owned(req);
        Storage s = storage.get();
        Webhook wh = webhook(s, t, req.path().pathParameters().get("id"));
        s.deleteControl(Webhook.key(wh.id()));
        webhooks.forget(wh.id());
        JsonOut out = new JsonOut(128).beginObject().field("id", wh.id()).field("deleted", true);
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, 200, out);
    }

    private void deliveries(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        TopicInfo t = owned(req);
        Webhook wh = webhook(storage.get(), t, req.path().pathParameters().get("id"));
        JsonOut out = new JsonOut(4096).beginObject().field("webhook", wh.id()).name("deliveries").beginArray();
        for (Deliveries.Delivery d : webhooks.recent(wh.id())) {
            d.write(out);
        }
        out.endArray();
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, 200, out);
    }
}
