package dev.topics.access;

import dev.topics.config.ServerConfig;
import dev.topics.http.ApiError;
import dev.topics.http.Body;
import dev.topics.http.JsonFields;
import dev.topics.http.Names;
import dev.topics.http.Responses;
import dev.topics.json.JsonOut;
import dev.topics.json.JsonReader;
import dev.topics.storage.ControlEntry;
import dev.topics.http.TopicName;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Principals, permissions (admin only) and share tokens (owner or admin) over the native
 * API (SPEC §11). Token values are shown once, when made; only their hashes are stored.
 */
public final class AccessService implements HttpService {
    private final Gate gate;
    private final ServerConfig config;
    private final Shares shares;

    public AccessService(Gate gate, ServerConfig config) {
        this.gate = gate;
        this.config = config;
        this.shares = new Shares(gate);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/principals", this::createPrincipal)
                .get("/principals", this::listPrincipals)
                .post("/principals/{name}/tokens", this::addToken)
                .delete("/principals/{name}/tokens/{id}", this::deleteToken)
                .delete("/principals/{name}", this::deletePrincipal)
                .post("/permissions", this::createPermission)
                .get("/permissions", this::listPermissions)
                .delete("/permissions/{id}", this::deletePermission)
                .post("/topics/{name}/shares", this::createShare)
                .get("/topics/{name}/shares", this::listShares)
                .patch("/topics/{name}/shares/{id}", this::patchShare)
                .post("/topics/{name}/shares/{id}/rotate", this::rotateShare)
                .delete("/topics/{name}/shares/{id}", this::deleteShare);
    }

    private byte[] body(ServerRequest req) {
        return Body.read(req, config.limits().maxBodyBytes());
    }

    private void send(ServerResponse res, int status, JsonOut out, long t0) {
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, status, out);
    }

    // ------------------------------------------------------------------ principals

    private static ControlEntry.Key principalKey(String name) {
        return new ControlEntry.Key(ControlEntry.Kind.PRINCIPAL, name);
    }

    private Principal principal(String name) {
        ControlEntry e = gate.storage().control(principalKey(name));
        if (e == null) {
            throw new ApiError(404, "principal_not_found", "no principal '" + name + "'");
        }
        return Principal.of(e);
    }

    private void createPrincipal(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.requireAdmin(gate.authenticate(req));
        String[] name = {null};
        boolean[] admin = {false};
        JsonFields.body(body(req), config.limits().maxJsonDepth(), (f, at, r) -> {
            switch (f) {
                case "name" -> name[0] = Names.check(r.nextString(at), "principal");
                case "admin" -> admin[0] = r.nextBoolean(at);
                default -> throw ApiError.unknownField(at);
            }
        });
        if (name[0] == null) {
            throw ApiError.invalidField("name is required");
        }
        if (name[0].equals("admin")) {
            throw new ApiError(409, "principal_exists", "'admin' is the name of the admin token's principal");
        }
        synchronized (this) {
            if (gate.storage().control(principalKey(name[0])) != null) {
                throw new ApiError(409, "principal_exists", "a principal '" + name[0] + "' exists");
            }
            String token = Tokens.newToken("tpk_");
            long now = System.currentTimeMillis();
            Principal.Token t = new Principal.Token(Tokens.newId("tok_"), Tokens.sha256Hex(token), now);
            Principal p = new Principal(name[0], admin[0], List.of(t), now);
            gate.storage().putControl(p.entry());
            gate.reload();
            JsonOut out = new JsonOut(256).beginObject().field("name", p.name()).field("admin", p.admin())
                    .field("token", token).field("token_id", t.id())
                    .field("created_at", Instant.ofEpochMilli(now).toString());
            send(res, 201, out, t0);
        }
    }

    private void listPrincipals(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.requireAdmin(gate.authenticate(req));
        JsonOut out = new JsonOut(1024).beginObject().name("principals").beginArray();
        for (ControlEntry e : gate.storage().controls(ControlEntry.Kind.PRINCIPAL)) {
            Principal.of(e).write(out);
        }
        out.endArray();
        send(res, 200, out, t0);
    }

    private void addToken(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.requireAdmin(gate.authenticate(req));
        String name = Names.check(req.path().pathParameters().get("name"), "principal");
        synchronized (this) {
            Principal p = principal(name);
            String token = Tokens.newToken("tpk_");
            Principal.Token t = new Principal.Token(Tokens.newId("tok_"), Tokens.sha256Hex(token), System.currentTimeMillis());
            List<Principal.Token> tokens = new ArrayList<>(p.tokens());
            tokens.add(t);
            gate.storage().putControl(p.withTokens(tokens).entry());
            gate.reload();
            JsonOut out = new JsonOut(256).beginObject().field("name", name).field("token_id", t.id()).field("token", token)
                    .field("created_at", Instant.ofEpochMilli(t.createdAtMs()).toString());
            send(res, 201, out, t0);
        }
    }

    private void deleteToken(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.requireAdmin(gate.authenticate(req));
        String name = Names.check(req.path().pathParameters().get("name"), "principal");
        String id = req.path().pathParameters().get("id");
        synchronized (this) {
            Principal p = principal(name);
            List<Principal.Token> tokens = new ArrayList<>(p.tokens());
            if (!tokens.removeIf(t -> t.id().equals(id))) {
                throw new ApiError(404, "token_not_found", "principal '" + name + "' has no token '" + id + "'");
            }
            gate.storage().putControl(p.withTokens(tokens).entry());
            gate.reload();
        }
        JsonOut out = new JsonOut(128).beginObject().field("name", name).field("token_id", id).field("deleted", true);
        send(res, 200, out, t0);
    }

    private void deletePrincipal(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.requireAdmin(gate.authenticate(req));
        String name = Names.check(req.path().pathParameters().get("name"), "principal");
        synchronized (this) {
            principal(name);
            gate.storage().deleteControl(principalKey(name));
            gate.reload();
        }
        send(res, 200, new JsonOut(96).beginObject().field("name", name).field("deleted", true), t0);
    }

    // ------------------------------------------------------------------ permissions

    private void createPermission(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.requireAdmin(gate.authenticate(req));
        String[] s = new String[3]; // principal, pattern, effect
        boolean[] actions = new boolean[4]; // read, publish, mirror, given
        JsonFields.body(body(req), config.limits().maxJsonDepth(), (f, at, r) -> {
            switch (f) {
                case "principal" -> {
                    String p = r.nextString(at);
                    s[0] = p.equals("*") ? p : Names.check(p, "principal");
                }
                case "pattern" -> s[1] = Patterns.check(r.nextString(at));
                case "effect" -> s[2] = r.nextString(at);
                case "actions" -> {
                    actions[3] = true;
                    r.beginArray(at);
                    while (r.nextElement()) {
                        switch (r.nextString(at + "[]")) {
                            case "read" -> actions[0] = true;
                            case "publish" -> actions[1] = true;
                            case "mirror" -> actions[2] = true;
                            default -> throw ApiError.invalidField(
                                    "actions holds \"read\", \"publish\" and/or \"mirror\"");
                        }
                    }
                }
                default -> throw ApiError.unknownField(at);
            }
        });
        if (s[0] == null || s[1] == null || !actions[3]) {
            throw ApiError.invalidField("principal, pattern and actions are required");
        }
        if (!actions[0] && !actions[1] && !actions[2]) {
            throw ApiError.invalidField("actions must name at least one of \"read\", \"publish\", \"mirror\"");
        }
        String effect = s[2] == null ? "allow" : s[2];
        if (!effect.equals("allow") && !effect.equals("deny")) {
            throw ApiError.invalidField("effect must be \"allow\" or \"deny\"");
        }
        Permission p = new Permission(Tokens.newId("perm_"), s[0], s[1], actions[0], actions[1], actions[2],
                effect.equals("allow"), System.currentTimeMillis());
        gate.storage().putControl(p.entry());
        gate.reload();
        send(res, 201, p.fields(new JsonOut(256).beginObject()), t0);
    }

    private void listPermissions(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.requireAdmin(gate.authenticate(req));
        JsonOut out = new JsonOut(1024).beginObject().name("permissions").beginArray();
        for (ControlEntry e : gate.storage().controls(ControlEntry.Kind.PERMISSION)) {
            Permission.of(e).write(out);
        }
        out.endArray();
        send(res, 200, out, t0);
    }

    private void deletePermission(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.requireAdmin(gate.authenticate(req));
        String id = req.path().pathParameters().get("id");
        ControlEntry.Key key = new ControlEntry.Key(ControlEntry.Kind.PERMISSION, id);
        if (gate.storage().control(key) == null) {
            throw new ApiError(404, "permission_not_found", "no permission '" + id + "'");
        }
        gate.storage().deleteControl(key);
        gate.reload();
        send(res, 200, new JsonOut(96).beginObject().field("id", id).field("deleted", true), t0);
    }

    // ------------------------------------------------------------------ shares

    /** Parsed share fields; {@code expiresGiven}/{@code labelGiven} tell null from absent. */
    private record ShareFields(String access, Long expiresAt, boolean expiresGiven, String label, boolean labelGiven) {
    }

    private ShareFields shareFields(byte[] body, boolean camel) {
        String[] s = new String[2];
        Long[] exp = {null};
        boolean[] given = new boolean[2];
        String expName = camel ? "expiresAt" : "expires_at";
        JsonFields.body(body, config.limits().maxJsonDepth(), (f, at, r) -> {
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

    /** Shared by the /topics surface (camelCase). */
    public void createShare(ServerRequest req, ServerResponse res, boolean camel) {
        long t0 = System.nanoTime();
        String topic = TopicName.check(req.path().pathParameters().get("name"));
        gate.requireOwner(gate.authenticate(req), topic);
        ShareFields f = shareFields(body(req), camel);
        if (f.access() == null) {
            throw ApiError.invalidField("access is required (\"ro\", \"wo\" or \"rw\")");
        }
        Shares.Issued i = shares.create(topic, f.access(), f.expiresAt(), f.label());
        sendShare(res, 201, i.share(), i.token(), camel, t0);
    }

    private void sendShare(ServerResponse res, int status, Share s, String token, boolean camel, long t0) {
        JsonOut out = s.fields(new JsonOut(384).beginObject(), camel, token);
        if (camel) {
            Responses.send(res, status, out.endObject()); // the /topics surface has no performance block
        } else {
            send(res, status, out, t0);
        }
    }

    private void createShare(ServerRequest req, ServerResponse res) {
        createShare(req, res, false);
    }

    public void listShares(ServerRequest req, ServerResponse res, boolean camel) {
        long t0 = System.nanoTime();
        String topic = TopicName.check(req.path().pathParameters().get("name"));
        gate.requireOwner(gate.authenticate(req), topic);
        JsonOut out = new JsonOut(1024).beginObject();
        if (!camel) {
            out.field("topic", topic);
        }
        out.name("shares").beginArray();
        for (Share s : shares.list(topic)) {
            s.write(out, camel, null);
        }
        out.endArray();
        if (camel) {
            Responses.send(res, 200, out.endObject());
        } else {
            send(res, 200, out, t0);
        }
    }

    private void listShares(ServerRequest req, ServerResponse res) {
        listShares(req, res, false);
    }

    public void patchShare(ServerRequest req, ServerResponse res, boolean camel) {
        long t0 = System.nanoTime();
        String topic = TopicName.check(req.path().pathParameters().get("name"));
        gate.requireOwner(gate.authenticate(req), topic);
        String id = req.path().pathParameters().get("id");
        ShareFields f = shareFields(body(req), camel);
        Share s = shares.patch(topic, id, f.access(), f.expiresAt(), f.expiresGiven() && f.expiresAt() == null, f.label(),
                f.labelGiven());
        sendShare(res, 200, s, null, camel, t0);
    }

    private void patchShare(ServerRequest req, ServerResponse res) {
        patchShare(req, res, false);
    }

    public void rotateShare(ServerRequest req, ServerResponse res, boolean camel) {
        long t0 = System.nanoTime();
        String topic = TopicName.check(req.path().pathParameters().get("name"));
        gate.requireOwner(gate.authenticate(req), topic);
        Shares.Issued i = shares.rotate(topic, req.path().pathParameters().get("id"));
        sendShare(res, 200, i.share(), i.token(), camel, t0);
    }

    private void rotateShare(ServerRequest req, ServerResponse res) {
        rotateShare(req, res, false);
    }

    public void deleteShare(ServerRequest req, ServerResponse res, boolean camel) {
        long t0 = System.nanoTime();
        String topic = TopicName.check(req.path().pathParameters().get("name"));
        gate.requireOwner(gate.authenticate(req), topic);
        String id = req.path().pathParameters().get("id");
        shares.revoke(topic, id);
        JsonOut out = new JsonOut(96).beginObject().field("id", id).field("deleted", true);
        if (camel) {
            Responses.send(res, 200, out.endObject());
        } else {
            send(res, 200, out, t0);
        }
    }

    private void deleteShare(ServerRequest req, ServerResponse res) {
        deleteShare(req, res, false);
    }
}
