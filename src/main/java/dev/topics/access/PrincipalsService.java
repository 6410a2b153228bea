package dev.topics.access;

import dev.topics.http.ApiError;
import dev.topics.http.JsonFields;
import dev.topics.http.Names;
import dev.topics.json.JsonOut;
import dev.topics.storage.ControlEntry;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Principals and their tokens over the native API (SPEC §11), for the admin only. A token's
 * value is shown once, when made; only its hash is stored. Changes to principals are made
 * one at a time (this service's lock), so two requests never make the same name or lose a
 * token.
 */
public final class PrincipalsService implements HttpService {
    private final Gate gate;
    private final AccessHttp http;

    /** {@code maxBodyBytes} and {@code maxJsonDepth}: {@code limits.max_body_bytes}, {@code limits.max_json_depth}. */
    public PrincipalsService(Gate gate, long maxBodyBytes, int maxJsonDepth) {
        this.gate = gate;
        this.http = new AccessHttp(gate, maxBodyBytes, maxJsonDepth);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/principals", this::createPrincipal)
                .get("/principals", this::listPrincipals)
                .post("/principals/{name}/tokens", this::addToken)
                .delete("/principals/{name}/tokens/{id}", this::deleteToken)
                .delete("/principals/{name}", this::deletePrincipal);
    }

    private static ControlEntry.Key principalKey(String name) {
        return new ControlEntry.Key(ControlEntry.Kind.PRINCIPAL, name);
    }

    private static ApiError notFound(String name) {
        return new ApiError(404, "principal_not_found", "no principal '" + name + "'");
    }

    private Principal principal(String name) {
        ControlEntry e = gate.storage().control(principalKey(name));
        if (e == null) {
            throw notFound(name);
        }
        return Principal.of(e);
    }

    private void createPrincipal(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.requireAdmin(gate.authenticate(req));
        String[] name = {null};
        boolean[] admin = {false};
        JsonFields.body(http.body(req), http.maxJsonDepth(), (f, at, r) -> {
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
            http.send(res, 201, out, t0, false);
        }
    }

    private void listPrincipals(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.requireAdmin(gate.authenticate(req));
        http.list(res, t0, new JsonOut(1024).beginObject(), "principals",
                gate.storage().controls(ControlEntry.Kind.PRINCIPAL), (e, out) -> Principal.of(e).write(out), false);
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
            http.send(res, 201, out, t0, false);
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
        http.deleted(res, t0, new JsonOut(128).beginObject().field("name", name).field("token_id", id), false);
    }

    private void deletePrincipal(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.requireAdmin(gate.authenticate(req));
        String name = Names.check(req.path().pathParameters().get("name"), "principal");
        synchronized (this) {
            http.remove(principalKey(name), () -> notFound(name));
        }
        http.deleted(res, t0, new JsonOut(96).beginObject().field("name", name), false);
    }
}
