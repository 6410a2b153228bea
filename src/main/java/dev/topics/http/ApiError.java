package dev.topics.http;

/**
 * A request refused with an HTTP status and one of SPEC §0's error codes. Mapped to the
 * error body in one place ({@link Responses#error}). Carries no stack trace: it is
 * control flow, thrown on bad input.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String code;

    public ApiError(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public static ApiError badRequest(String code, String message) {
        return new ApiError(400, code, message);
    }

    public static ApiError invalidField(String message) {
        return new ApiError(400, "invalid_field", message);
    }

    public static ApiError unknownField(String path) {
        return new ApiError(400, "unknown_field", "unknown field '" + path + "'");
    }

    public static ApiError duplicateField(String path) {
        return new ApiError(400, "invalid_field", "field '" + path + "' appears twice");
    }

    public static ApiError topicNotFound(String topic) {
        return new ApiError(404, "topic_not_found", "topic '" + topic + "' does not exist");
    }
}
