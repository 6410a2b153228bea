package dev.topics.cli;

import dev.topics.json.JsonException;
import dev.topics.json.JsonOut;
import dev.topics.json.JsonReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON as plain Java values, over the project's {@link JsonReader} and {@link JsonOut}: an
 * object is a {@code Map<String, Object>} (members in order), an array a {@code List<Object>},
 * then {@code String}, {@code Boolean}, {@code null} and {@link Num}, a number kept as the
 * exact digits the server sent. Also validates the JSON a user types (record data, filters).
 */
final class JsonTree {
    /** The server's nesting limit. */
    static final int MAX_DEPTH = 64;

    /** A JSON number, as written. */
    record Num(String text) {
    }

    private JsonTree() {
    }

    /** Parses a JSON object, e.g. a response body. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(byte[] json) {
        if (parse(json) instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new JsonException(JsonException.INVALID_FIELD, "expected a JSON object");
    }

    /** Parses one JSON value. */
    static Object parse(byte[] json) {
        JsonReader r = new JsonReader(json, 0, json.length, MAX_DEPTH);
        Object v = value(r);
        r.end();
        return v;
    }

    private static Object value(JsonReader r) {
        return switch (r.peek()) {
            case BEGIN_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                r.beginObject("value");
                while (r.nextField()) {
                    String name = r.name();
                    m.put(name, value(r));
                }
                yield m;
            }
            case BEGIN_ARRAY -> {
                List<Object> list = new ArrayList<>();
                r.beginArray("value");
                while (r.nextElement()) {
                    list.add(value(r));
                }
                yield list;
            }
            case STRING -> r.nextString("value");
            case NUMBER -> new Num(new String(r.readCanonicalValue(), StandardCharsets.US_ASCII));
            case TRUE, FALSE -> r.nextBoolean("value");
            case NULL -> {
                r.nextNull();
                yield null;
            }
            default -> throw new IllegalStateException("no JSON value at byte " + r.position());
        };
    }

    /**
     * The elements of the array member {@code field} of a JSON object, each as its exact bytes
     * (whitespace aside): records are printed the way the server returned them.
     */
    static List<byte[]> elements(byte[] json, String field) {
        List<byte[]> out = new ArrayList<>();
        JsonReader r = new JsonReader(json, 0, json.length, MAX_DEPTH);
        r.beginObject("body");
        while (r.nextField()) {
            if (r.name().equals(field) && r.peek() == JsonReader.Token.BEGIN_ARRAY) {
                r.beginArray(field);
                while (r.nextElement()) {
                    out.add(r.readCanonicalValue());
                }
            } else {
                r.skipValue();
            }
        }
        return out;
    }

    /**
     * JSON a user typed, validated and made compact.
     *
     * @throws JsonException when it is not one well-formed JSON value
     */
    static byte[] canonical(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        JsonReader r = new JsonReader(b, 0, b.length, MAX_DEPTH);
        byte[] v = r.readCanonicalValue();
        r.end();
        return v;
    }

    /** A value for people: strings as they are, {@code -} for null, containers as compact JSON. */
    static String text(Object v) {
        return switch (v) {
            case null -> "-";
            case String s -> s;
            case Num n -> n.text();
            case Boolean b -> b.toString();
            default -> {
                JsonOut out = new JsonOut();
                write(out, v);
                yield new String(out.toByteArray(), StandardCharsets.UTF_8);
            }
        };
    }

    /** An array's elements for people ({@link #text}), joined with commas; anything else as {@link #text}. */
    static String joined(Object v) {
        return v instanceof List<?> list ? String.join(",", list.stream().map(JsonTree::text).toList()) : text(v);
    }

    private static void write(JsonOut out, Object v) {
        switch (v) {
            case null -> out.nullValue();
            case String s -> out.value(s);
            case Boolean b -> out.value(b);
            case Num n -> {
                byte[] digits = n.text().getBytes(StandardCharsets.US_ASCII);
                out.rawValue(digits, 0, digits.length);
            }
            case Map<?, ?> m -> {
                out.beginObject();
                m.forEach((k, e) -> write(out.name((String) k), e));
                out.endObject();
            }
            case List<?> list -> {
                out.beginArray();
                list.forEach(e -> write(out, e));
                out.endArray();
            }
            default -> throw new IllegalArgumentException("not a JSON value: " + v.getClass());
        }
    }
}
