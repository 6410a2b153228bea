package dev.topics.cli;

import dev.topics.json.JsonOut;
import java.util.List;

/**
 * A request body from command options: a JSON object holding only the fields that were
 * given, so the server's defaults (or, for an update, the current values) hold for the rest.
 */
final class Fields {
    private final JsonOut out = new JsonOut().beginObject();

    /** Adds {@code name} unless {@code value} is null. */
    Fields put(String name, String value) {
        if (value != null) {
            out.field(name, value);
        }
        return this;
    }

    /** Adds {@code name} unless {@code value} is null. */
    Fields put(String name, Long value) {
        if (value != null) {
            out.field(name, value);
        }
        return this;
    }

    /** Adds {@code name} unless {@code value} is null. */
    Fields put(String name, Boolean value) {
        if (value != null) {
            out.field(name, value);
        }
        return this;
    }

    /** Adds {@code name} as an array of strings unless {@code values} is null. */
    Fields put(String name, List<String> values) {
        if (values != null) {
            out.name(name).beginArray();
            values.forEach(out::value);
            out.endArray();
        }
        return this;
    }

    /** Adds {@code name} with a JSON value already validated ({@link JsonTree#canonical}), unless null. */
    Fields raw(String name, byte[] json) {
        if (json != null) {
            out.name(name).rawValue(json, 0, json.length);
        }
        return this;
    }

    byte[] bytes() {
        return out.endObject().toByteArray();
    }
}
