package dev.topics.json;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Shared helpers for the JSON tests: building byte inputs and reading documents three ways. */
final class JsonTestSupport {
    private JsonTestSupport() {
    }

    /** The three ways a document can be consumed; each must validate the same grammar. */
    enum Mode { CANONICAL, SKIP, PULL }

    /**
     * UTF-8 bytes of {@code text}, where {@code <C3 A9>} inserts raw bytes given in hex, so
     * tables can show invalid UTF-8 next to ordinary JSON.
     */
    static byte[] bytes(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < text.length()) {
            int open = text.indexOf('<', i);
            if (open < 0) {
                out.writeBytes(text.substring(i).getBytes(StandardCharsets.UTF_8));
                break;
            }
            int close = text.indexOf('>', open);
            out.writeBytes(text.substring(i, open).getBytes(StandardCharsets.UTF_8));
            for (String hex : text.substring(open + 1, close).trim().split("\\s+")) {
                out.write(Integer.parseInt(hex, 16));
            }
            i = close + 1;
        }
        return out.toByteArray();
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static JsonReader reader(String text) {
        return reader(bytes(text), 64);
    }

    static JsonReader reader(byte[] b, int maxDepth) {
        return new JsonReader(b, 0, b.length, maxDepth);
    }

    /** Reads a whole document in the given mode, including the trailing-data check. */
    static void consume(byte[] doc, int maxDepth, Mode mode) {
        JsonReader r = reader(doc, maxDepth);
        switch (mode) {
            case CANONICAL -> r.readCanonicalValue();
            case SKIP -> r.skipValue();
            case PULL -> walk(r);
        }
        r.end();
    }

    /** Walks one value with the token-level API (numbers have no typed reader, so they are skipped). */
    static void walk(JsonReader r) {
        switch (r.peek()) {
            case BEGIN_OBJECT -> {
                r.beginObject("doc");
                while (r.nextField()) {
                    r.name();
                    walk(r);
                }
            }
            case BEGIN_ARRAY -> {
                r.beginArray("doc");
                while (r.nextElement()) {
                    walk(r);
                }
            }
            case STRING -> r.nextString("doc");
            case NUMBER -> r.skipValue();
            case TRUE, FALSE -> r.nextBoolean("doc");
            case NULL -> r.nextNull();
            default -> throw new AssertionError("unexpected token " + r.peek());
        }
    }
}
