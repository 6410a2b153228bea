package dev.topics.http;

import dev.topics.json.JsonOut;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /healthz} (the process answers) and {@code /readyz} (recovery is done), never
 * behind credentials (SPEC §0, §12). Plain handlers rather than Helidon's health
 * observer, whose paths ({@code /observe/health}) are not the contract's.
 */
public final class HealthService implements HttpService {
    private final StorageRef storage;

    public HealthService(StorageRef storage) {
        this.storage = storage;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/healthz", this::healthz).get("/readyz", this::readyz);
    }

    private void healthz(ServerRequest req, ServerResponse res) {
        Responses.send(res, 200, new JsonOut(32).beginObject().field("status", "ok").endObject());
    }

    /** 200 once recovery is done; 503 while recovering, or after the engine stopped on an I/O error. */
    private void readyz(ServerRequest req, ServerResponse res) {
        if (storage.ready()) {
            Responses.send(res, 200, new JsonOut(32).beginObject().field("status", "ready").endObject());
            return;
        }
        String status = storage.recovered() ? "failed" : "recovering";
        Responses.send(res, 503, new JsonOut(64).beginObject().field("status", status).endObject());
    }
}
