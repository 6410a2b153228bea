package dev.topics.watch;

import dev.topics.json.JsonException;
import dev.topics.json.JsonOut;
import dev.topics.json.JsonReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SSE event ids (SPEC §5): base64url without padding of the JSON object of every watched
 * topic's cursor, e.g. {@code {"orders":1}} → {@code eyJvcmRlcnMiOjF9}. A client that
 * reconnects with it as {@code Last-Event-ID} resumes exactly there.
 */
public final class CursorId {
    private CursorId() {
    }

    public static String encode(Map<String, Long> cursors) {
        JsonOut out = new JsonOut(64).beginObject();
        for (var e : cursors.entrySet()) {
            out.field(e.getKey(), e.getValue());
        }
        out.endObject();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out.toByteArray());
    }

    /** The cursors in an id, or null when it is not one of ours (then the request's own cursor applies). */
    public static Map<String, Long> decode(String id) {
        try {
            byte[] json = Base64.getUrlDecoder().decode(id.trim());
            JsonReader r = new JsonReader(json, 0, json.length, 4);
            Map<String, Long> out = new LinkedHashMap<>();
            r.beginObject("id");
            while (r.nextField()) {
                String topic = r.name();
                out.put(topic, r.nextU64(topic));
            }
            r.end();
            return out;
        } catch (IllegalArgumentException | JsonException e) {
            return null;
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
