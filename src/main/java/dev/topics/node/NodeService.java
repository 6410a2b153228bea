package dev.topics.node;

import dev.topics.access.Gate;
import dev.topics.http.Responses;
import dev.topics.http.StorageRef;
import dev.topics.json.JsonOut;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code GET /v0/node}: this server's node id, version and auth mode (SPEC §1). */
public final class NodeService implements HttpService {
    private final StorageRef storage;
    private final Gate gate;
    private final String version;

    public NodeService(StorageRef storage, Gate gate, String version) {
        this.storage = storage;
        this.gate = gate;
        this.version = version;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/node", this::node);
    }

    private void node(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        gate.requireCredential(gate.authenticate(req));
        JsonOut out = new JsonOut(256).beginObject()
                .field("node_id", storage.get().nodeId())
                .field("version", version)
                .field("auth", gate.mode());
        Responses.performance(out, t0, -1).endObject();
        Responses.send(res, 200, out);
    }
}
