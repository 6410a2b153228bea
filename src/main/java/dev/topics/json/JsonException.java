package dev.topics.json;

/**
 * A JSON input problem that is the client's fault, tagged with a stable machine-readable code.
 *
 * <p>Codes: {@link #INVALID_JSON} (malformed JSON text or invalid UTF-8), {@link #JSON_TOO_DEEP}
 * (nesting deeper than the reader's limit) and {@link #INVALID_FIELD} (well-formed JSON of the
 * wrong type or range for what the caller asked). The message is one human sentence that can be
 * returned to the client as is.
 *
 * <p>Instances carry no stack trace: they are thrown for bad client input on hot paths, where
 * capturing a stack would cost more than parsing, and the stack would say nothing useful anyway.
 * Immutable and safe to share.
 */
public final class JsonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Malformed JSON text or invalid UTF-8. */
    public static final String INVALID_JSON = "invalid_json";
    /** Nesting deeper than the reader's limit. */
    public static final String JSON_TOO_DEEP = "json_too_deep";
    /** Well-formed JSON of the wrong type or range for the requested field. */
    public static final String INVALID_FIELD = "invalid_field";

    private final String code;

    public JsonException(String code, String message) {
        // No cause, no suppression, no stack: see the class comment.
        super(message, null, false, false);
        this.code = code;
    }

    /** The machine-readable code, e.g. {@code invalid_json}. */
    public String code() {
        return code;
    }

    /** Does nothing: the stack is never captured (also guaranteed by the constructor). */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
