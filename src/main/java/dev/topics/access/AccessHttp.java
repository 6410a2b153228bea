package dev.topics.access;

import dev.topics.http.ApiError;
import dev.topics.http.Body;
import dev.topics.http.Responses;
import dev.topics.json.JsonOut;
import dev.topics.storage.ControlEntry;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * What the access services ({@link PrincipalsService}, {@link PermissionsService},
 * {@link SharesService}) share: reading a request body within the limits, and the shapes
 * of their replies — a list, a deletion — on the native API (with the performance block)
 * and on the /topics surface ({@code camel}: camelCase, no performance block).
 */
final class AccessHttp {
    private final Gate gate;
    private final long maxBodyBytes;
    private final int maxJsonDepth;

    AccessHttp(Gate gate, long maxBodyBytes, int maxJsonDepth) {
        this.gate = gate;
        this.maxBodyBytes = maxBodyBytes;
        this.maxJsonDepth = maxJsonDepth;
    }

    /** The request's body: 413 past {@code limits.max_body_bytes}. */
    byte[] body(ServerRequest req) {
        return Body.read(req, maxBodyBytes);
    }

    /** {@code limits.max_json_depth}, for parsing a body. */
    int maxJsonDepth() {
        return maxJsonDepth;
    }

    /** Sends {@code out}, an open object: on /v0 with the performance block, on the /topics surface as it is. */
    void send(ServerResponse res, int status, JsonOut out, long t0, boolean camel) {
        if (camel) {
            Responses.send(res, status, out.endObject());
        } else {
            Responses.performance(out, t0, -1).endObject();
            Responses.send(res, status, out);
        }
    }

    /** The list shape: {@code out}, an open object, gets {@code "<name>": [items, each written]} and is sent 200. */
    <T> void list(ServerResponse res, long t0, JsonOut out, String name, Iterable<T> items,
                  BiConsumer<? super T, JsonOut> write, boolean camel) {
        out.name(name).beginArray();
        for (T item : items) {
            write.accept(item, out);
        }
        out.endArray();
        send(res, 200, out, t0, camel);
    }

    /** The delete shape: {@code notFound} unless the entry exists; else it is deleted and the gate reloaded. */
    void remove(ControlEntry.Key key, Supplier<ApiError> notFound) {
        if (gate.storage().control(key) == null) {
            throw notFound.get();
        }
        gate.storage().deleteControl(key);
        gate.reload();
    }

    /** The reply to a deletion: {@code out}, an open object naming what went, gets {@code "deleted": true}; 200. */
    void deleted(ServerResponse res, long t0, JsonOut out, boolean camel) {
        send(res, 200, out.field("deleted", true), t0, camel);
    }
}
