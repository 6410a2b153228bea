package dev.topics.http;

import dev.topics.filter.InvalidFilter;
import dev.topics.json.JsonException;
import dev.topics.json.JsonOut;
import dev.topics.storage.StorageException;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerResponse;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Writing JSON responses, and mapping every failure to SPEC §0's error body. */
public final class Responses {
    private static final Logger LOG = Logger.getLogger(Responses.class.getName());
    public static final Header JSON = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");

    private Responses() {
    }

    public static void send(ServerResponse res, int status, JsonOut body) {
        res.status(Status.create(status));
        res.header(JSON);
        try {
            res.send(body.buffer(), 0, body.size());
        } catch (UncheckedIOException e) {
            // Helidon ends the connection quietly on this one (no error handler, no stack trace)
            throw new CloseConnectionException("the client went away before its response was sent", e);
        }
    }

    /** Appends {@code "performance": {...}} with the time since {@code startNanos}; {@code fsyncNanos} &lt; 0 leaves out fsync_ms. */
    public static JsonOut performance(JsonOut out, long startNanos, long fsyncNanos) {
        out.name("performance").beginObject().name("server_total_ms").millis(System.nanoTime() - startNanos);
        if (fsyncNanos >= 0) {
            out.name("fsync_ms").millis(fsyncNanos);
        }
        return out.endObject();
    }

    public static void error(ServerResponse res, int status, String code, String message) {
        JsonOut out = new JsonOut(128 + message.length());
        out.beginObject().name("error").beginObject().field("code", code).field("message", message).endObject().endObject();
        send(res, status, out);
    }

    /** The one place where failures become HTTP errors. */
    public static void failure(ServerResponse res, Throwable t) {
        if (res.isSent()) {
            return;
        }
        try {
            answer(res, t);
        } catch (CloseConnectionException e) {
            // the client is gone: nobody to answer (throwing here would log a stack trace)
        }
    }

    private static void answer(ServerResponse res, Throwable t) {
        switch (t) {
            case ApiError e -> error(res, e.status(), e.code(), e.getMessage());
            case JsonException e -> error(res, 400, e.code(), e.getMessage());
            case InvalidFilter e -> error(res, 400, "invalid_filter", e.getMessage());
            case StorageException.TopicNotFound e -> error(res, 404, "topic_not_found", e.getMessage());
            case StorageException.InvalidChange e -> error(res, 400, "invalid_field", e.getMessage());
            case StorageException.TopicFull e -> error(res, 409, "topic_full", e.getMessage());
            case StorageException.ControlNotFound e -> error(res, 404,
                    e.key().kind().name().toLowerCase(Locale.ROOT) + "_not_found", e.getMessage());
            case StorageException.CursorConflict e -> error(res, 409, "cursor_conflict", e.getMessage());
            case StorageException.InsufficientStorage e -> error(res, 507, "insufficient_storage", e.getMessage());
            case StorageException.StreamGone e -> error(res, 410, "stream_deleted", e.getMessage());
            case StorageException.StreamClosed e -> error(res, 409, "stream_closed", e.getMessage());
            case StorageException.StaleEpoch e -> error(res, 403, "stale_producer_epoch", e.getMessage());
            case StorageException.ProducerSeqGap e -> error(res, 409, "producer_seq_gap", e.getMessage());
            case StorageException.StreamRefused e -> error(res, e.status(), e.code(), e.getMessage());
            case StorageException.ForkSourceNotFound e -> error(res, 404, "fork_source_not_found", e.getMessage());
            case StorageException.Damaged e -> {
                LOG.log(Level.SEVERE, e.getMessage() + ": " + e.getCause().getMessage());
                error(res, 500, "storage_damaged", e.getMessage());
            }
            case StorageException.Unavailable e -> {
                LOG.log(Level.WARNING, "storage unavailable", e);
                error(res, 503, "unavailable", e.getMessage());
            }
            // a request part Helidon itself refuses inside routing: the client's fault, not ours
            case RequestException e when e.status().code() >= 400 && e.status().code() < 500 ->
                    error(res, e.status().code(), "bad_request", String.valueOf(e.getMessage()));
            default -> {
                LOG.log(Level.SEVERE, "internal error", t);
                error(res, 500, "internal_error", "the server failed to handle the request");
            }
        }
    }
}
