package dev.topics.access;

import dev.topics.http.ApiError;
import dev.topics.http.JsonFields;
import dev.topics.http.TopicName;
import dev.topics.json.JsonOut;
import dev.topics.json.JsonReader;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * A topic's share tokens (SPEC §11), for its owner or the admin, on both API surfaces: the
 * native API under /v0 (its routes here), and the /topics surface, whose service calls the
 * public handlers with {@code camel} true (camelCase fields, no performance block). A
 * token's value is shown once, when made or rotated; only its hash is stored.
 */
public final class SharesService implements HttpService {
    private final Gate gate;
    private final AccessHttp http;
    private final Shares shares;

    /** {@code maxBodyBytes} and {@code maxJsonDepth}: {@code limits.max_body_bytes}, {@code limits.max_json_depth}. */
    public SharesService(Gate gate, long maxBodyBytes, int maxJsonDepth) {
        this.gate = gate;
        this.http = new AccessHttp(gate, maxBodyBytes, maxJsonDepth);
        this.shares = new Shares(gate);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/topics/{name}/shares", (req, res) -> createShare(req, res, false))
                .get("/topics/{name}/shares", (req, res) -> listShares(req, res, false))
                .patch("/topics/{name}/shares/{id}", (req, res) -> patchShare(req, res, false))
                .post("/topics/{name}/shares/{id}/rotate", (req, res) -> rotateShare(req, res, false))
                .delete("/topics/{name}/shares/{id}", (req, res) -> deleteShare(req, res, false));
    }

    /** Parsed share fields; {@code expiresGiven}/{@code labelGiven} tell null from absent. */
    private record ShareFields(String access, Long expiresAt, boolean expiresGiven, String label, boolean labelGiven) {
    }

    private ShareFields shareFields(byte[] body, boolean camel) {
        String[] s = new String[2];
        Long[] exp = {null};
        boolean[] given = new boolean[2];
        String expName = camel ? "expiresAt" : "expires_at";
        JsonFields.body(body, http.maxJsonDepth(), (f, at, r) -> {
            if (f.equals("access")) {
                s[0] = r.nextString(at);
            } else if (f.equals(expName)) {
                given[0] = true;
                if (r.peek() == JsonReader.Token.NULL) {
                    r.nextNull();
                } else {
                    exp[0] = Shares.parseTime(r.nextString(at), at);
                }
            } else if (f.equals("label")) {
                given[1] = true;
                s[1] = r.nextStringOrNull(at);
                if (s[1] != null && s[1].length() > 256) {
                    throw ApiError.invalidField("label must be at most 256 characters");
                }
            } else {
                throw ApiError.unknownField(at);
            }
        });
        return new ShareFields(s[0], exp[0], given[0], s[1], given[1]);
    }

    /** The topic named in the path, once the caller is known to be its owner or the admin. */
    private String ownedTopic(ServerRequest req) {
        String topic = TopicName.check(req.path().pathParameters().get("name"));
        gate.requireOwner(gate.authenticate(req), topic);
        return topic;
    }

    private void sendShare(ServerResponse res, int status, Share s, String token, boolean camel, long t0) {
        http.send(res, status, s.fields(new JsonOut(384).beginObject(), camel, token), t0, camel);
    }

    public void createShare(ServerRequest req, ServerResponse res, boolean camel) {
        long t0 = System.nanoTime();
        String topic = ownedTopic(req);
        ShareFields f = shareFields(http.body(req), camel);
        if (f.access() == null) {
            throw ApiError.invalidField("access is required (\"ro\", \"wo\" or \"rw\")");
        }
        Shares.Issued i = shares.create(topic, f.access(), f.expiresAt(), f.label());
        sendShare(res, 201, i.share(), i.token(), camel, t0);
    }

    public void listShares(ServerRequest req, ServerResponse res, boolean camel) {
        long t0 = System.nanoTime();
        String topic = ownedTopic(req);
        JsonOut out = new JsonOut(1024).beginObject();
        if (!camel) {
            out.field("topic", topic);
        }
        http.list(res, t0, out, "shares", shares.list(topic), (s, o) -> s.write(o, camel, null), camel);
    }

    public void patchShare(ServerRequest req, ServerResponse res, boolean camel) {
        long t0 = System.nanoTime();
        String topic = ownedTopic(req);
        String id = req.path().pathParameters().get("id");
        ShareFields f = shareFields(http.body(req), camel);
        Share s = shares.patch(topic, id, f.access(), f.expiresAt(), f.expiresGiven() && f.expiresAt() == null, f.label(),
                f.labelGiven());
        sendShare(res, 200, s, null, camel, t0);
    }

    public void rotateShare(ServerRequest req, ServerResponse res, boolean camel) {
        long t0 = System.nanoTime();
        String topic = ownedTopic(req);
        Shares.Issued i = shares.rotate(topic, req.path().pathParameters().get("id"));
        sendShare(res, 200, i.share(), i.token(), camel, t0);
    }

    public void deleteShare(ServerRequest req, ServerResponse res, boolean camel) {
        long t0 = System.nanoTime();
        String topic = ownedTopic(req);
        String id = req.path().pathParameters().get("id");
        shares.revoke(topic, id);
        http.deleted(res, t0, new JsonOut(96).beginObject().field("id", id), camel);
    }
}
