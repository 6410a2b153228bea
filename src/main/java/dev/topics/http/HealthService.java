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

    /**
     * 200 once recovery is done; 503 (SPEC §0's error body) while recovering
     * ({@code not_ready}) or after the engine stopped on an I/O error ({@code unavailable}).
     */
    private void readyz(ServerRequest req, ServerResponse res) {
        if (storage.ready()) {
            Responses.send(res, 200, new JsonOut(32).beginObject().field("status", "ready").endObject());
            return;
        }
        if (storage.recovered()) {
            Responses.error(res, 503, "unavailable", "the storage engine stopped after an I/O error; restart to recover");
        } else {
            Responses.error(res, 503, "not_ready", "the server is still recovering its data");
        }
    }
}
