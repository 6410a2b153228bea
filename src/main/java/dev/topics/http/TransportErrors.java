package dev.topics.http;

import dev.topics.json.JsonOut;
import io.helidon.http.DirectHandler;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;

/**
 * Errors Helidon answers before routing (malformed request lines and headers, bodies
 * over the payload limit, ambiguous body framing refused by {@link ConnectionGuard}) in
 * SPEC §0's error body, like every other error.
 */
public final class TransportErrors implements DirectHandler {
    private TransportErrors() {
    }

    public static DirectHandlers handlers() {
        TransportErrors h = new TransportErrors();
        DirectHandlers.Builder b = DirectHandlers.builder();
        for (EventType t : EventType.values()) {
            b.addHandler(t, h);
        }
        return b.build();
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType type, Status status,
                                    ServerResponseHeaders headers, String message) {
        if (status.code() == 413) {
            type = EventType.PAYLOAD_TOO_LARGE; // Helidon reports its payload limit as a bad request with 413
        }
        String framing = type == EventType.BAD_REQUEST && request != null ? Framing.problem(request.headers()) : null;
        String code = framing != null ? Framing.CODE : switch (type) {
            case PAYLOAD_TOO_LARGE -> "body_too_large";
            case BAD_REQUEST -> "bad_request";
            case FORBIDDEN -> "forbidden";
            case HTTP_VERSION_NOT_SUPPORTED -> "http_version_not_supported";
            case INTERNAL_ERROR -> "internal_error";
            case OTHER -> status.code() >= 500 ? "internal_error" : "bad_request";
        };
        String text = framing != null ? framing : switch (type) {
            case PAYLOAD_TOO_LARGE -> "the request body is larger than this server accepts";
            case INTERNAL_ERROR -> "the server failed to handle the request";
            default -> message == null || message.isBlank() ? status.reasonPhrase() : message;
        };
        JsonOut out = new JsonOut(128 + text.length());
        out.beginObject().name("error").beginObject().field("code", code).field("message", text).endObject().endObject();
        headers.set(Responses.JSON);
        return TransportResponse.builder()
                .status(status)
                .headers(headers)
                .keepAlive(type.keepAlive())
                .entity(out.toByteArray())
                .build();
    }
}
