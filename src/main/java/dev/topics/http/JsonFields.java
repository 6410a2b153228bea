package dev.topics.http;

import dev.topics.json.JsonReader;
import java.util.HashSet;
import java.util.Set;

/**
 * Reading a JSON object of a request field by field, the way SPEC §0 asks: a field given
 * twice is 400 {@code invalid_field}; the handler refuses names it does not know
 * ({@link ApiError#unknownField}).
 */
public final class JsonFields {
    /** Reads the value of one field; {@code path} is its dotted path for error messages. */
    @FunctionalInterface
    public interface Field {
        void read(String name, String path, JsonReader r);
    }

    private JsonFields() {
    }

    /** Reads the object at the reader's position; {@code path} is "body" for a whole request body. */
    public static void object(JsonReader r, String path, Field field) {
        r.beginObject(path);
        Set<String> seen = new HashSet<>();
        String prefix = path.equals("body") ? "" : path + ".";
        while (r.nextField()) {
            String name = r.name();
            String at = prefix + name;
            if (!seen.add(name)) {
                throw ApiError.duplicateField(at);
            }
            field.read(name, at, r);
        }
    }

    /** Reads a request body that is one JSON object; an empty body reads as {@code {}}. */
    public static void body(byte[] body, int maxDepth, Field field) {
        if (body.length == 0) {
            return;
        }
        JsonReader r = new JsonReader(body, 0, body.length, maxDepth);
        object(r, "body", field);
        r.end();
    }
}
