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

/**
 * Permissions over the native API (SPEC §11), for the admin only: made, listed and deleted;
 * the {@link Policy} the gate decides with is rebuilt after each change.
 */
public final class PermissionsService implements HttpService {
    private final Gate gate;
    private final AccessHttp http;

    /** {@code maxBodyBytes} and {@code maxJsonDepth}: {@code limits.max_body_bytes}, {@code limits.max_json_depth}. */
    public PermissionsService(Gate gate, long maxBodyBytes, int maxJsonDepth) {
        this.gate = gate;
        this.http = new AccessHttp(gate, maxBodyBytes, maxJsonDepth);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/permissions", this::createPermission)
                .get("/permissions", this::listPermissions)
                .delete("/permissions/{id}", this::deletePermission);
    }

    private void createPermission(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.requireAdmin(gate.authenticate(req));
        String[] s = new String[3]; // principal, pattern, effect
        boolean[] actions = new boolean[4]; // read, publish, mirror, given
        JsonFields.body(http.body(req), http.maxJsonDepth(), (f, at, r) -> {
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
        http.send(res, 201, p.fields(new JsonOut(256).beginObject()), t0, false);
    }

    private void listPermissions(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.requireAdmin(gate.authenticate(req));
        http.list(res, t0, new JsonOut(1024).beginObject(), "permissions",
                gate.storage().controls(ControlEntry.Kind.PERMISSION), (e, out) -> Permission.of(e).write(out), false);
    }

    private void deletePermission(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.requireAdmin(gate.authenticate(req));
        String id = req.path().pathParameters().get("id");
        http.remove(new ControlEntry.Key(ControlEntry.Kind.PERMISSION, id),
                () -> new ApiError(404, "permission_not_found", "no permission '" + id + "'"));
        http.deleted(res, t0, new JsonOut(96).beginObject().field("id", id), false);
    }
}
