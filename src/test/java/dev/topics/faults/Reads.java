package dev.topics.faults;

import dev.topics.json.JsonReader;
import dev.topics.testing.ChildServer;
import dev.topics.testing.DiffPages;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reading a topic back over HTTP for the crash and damage tests: every record with its
 * seq, exact {@code data} text and tag; a page the server refuses to serve is read again
 * one record at a time, so a damaged record is told apart from the readable ones around it.
 */
final class Reads {
    private static final int PAGE = 1000;

    private Reads() {
    }

    /** One record as read back; {@code data} is its exact JSON text. */
    record Stored(long seq, String data, String tag) {
    }

    /**
     * A topic read from seq 0 to its head: the records served with 200, and the
     * {@code [from, to]} seq ranges and answers of reads that failed with an error.
     */
    record Read(List<Stored> records, long headSeq, List<String> errors) {
    }

    /** Reads all of {@code topic}; fails (AssertionError) only if the topic itself cannot be read at all. */
    static Read all(ChildServer server, String topic) {
        List<Stored> out = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        long from = 0;
        long head = -1;
        int guard = 0;
        while (guard++ < 100_000) {
            ChildServer.Response res = server.get("/v0/topics/" + topic + "/diff?from_seq=" + from + "&limit=" + PAGE);
            if (res.status() != 200) {
                if (head < 0) {
                    head = headSeq(server, topic);
                }
                // Read one at a time through this page's range, past the record that fails.
                long to = Math.min(head, from + PAGE);
                for (long s = from + 1; s <= to; s++) {
                    ChildServer.Response one = server.get("/v0/topics/" + topic + "/diff?from_seq=" + (s - 1) + "&limit=1");
                    if (one.status() != 200) {
                        errors.add("seq " + s + ": " + one.status() + " " + one.body());
                        continue;
                    }
                    for (DiffPages.Rec r : DiffPages.parse(one.bytes()).records()) {
                        if (r.seq() == s) {
                            out.add(stored(r));
                        }
                    }
                }
                from = to;
                if (from >= head) {
                    break;
                }
                continue;
            }
            DiffPages.Page p = DiffPages.parse(res.bytes());
            p.records().forEach(r -> out.add(stored(r)));
            head = p.head();
            if (p.next() >= p.head()) {
                break;
            }
            if (p.next() <= from) {
                errors.add("diff from " + from + " made no progress: " + res.body());
                break;
            }
            from = p.next();
        }
        return new Read(out, head, errors);
    }

    /** The topic's head_seq from GET /v0/topics/{name}. */
    static long headSeq(ChildServer server, String topic) {
        Map<String, String> f = topicFields(server, topic);
        return Long.parseLong(f.get("head_seq"));
    }

    /**
     * GET /v0/topics/{name}: top-level scalar fields, and the config's fields as
     * {@code config.<name>}, each as its JSON text. Fails unless 200.
     */
    static Map<String, String> topicFields(ChildServer server, String topic) {
        ChildServer.Response res = server.get("/v0/topics/" + topic);
        if (res.status() != 200) {
            throw new AssertionError("GET /v0/topics/" + topic + " answered " + res.status() + ": " + res.body());
        }
        return fields(res.body());
    }

    /** Scalar fields of a JSON object, nested objects flattened as {@code outer.inner}. */
    static Map<String, String> fields(String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        JsonReader r = new JsonReader(b, 0, b.length, 64);
        Map<String, String> out = new LinkedHashMap<>();
        flatten(r, "", out);
        return out;
    }

    private static void flatten(JsonReader r, String prefix, Map<String, String> out) {
        r.beginObject(prefix);
        while (r.nextField()) {
            String name = prefix + r.name();
            if (r.peek() == JsonReader.Token.BEGIN_OBJECT) {
                flatten(r, name + ".", out);
            } else if (r.peek() == JsonReader.Token.STRING) {
                out.put(name, r.nextString(name));
            } else {
                out.put(name, new String(r.readCanonicalValue(), StandardCharsets.UTF_8));
            }
        }
    }

    /** Records of an SSE {@code record} event's data ({@code {"topic", "records": [...]}}). */
    static List<Stored> eventRecords(String data) {
        byte[] b = data.getBytes(StandardCharsets.UTF_8);
        JsonReader r = new JsonReader(b, 0, b.length, 64);
        List<Stored> out = new ArrayList<>();
        r.beginObject("event");
        while (r.nextField()) {
            if (r.name().equals("records")) {
                r.beginArray("records");
                while (r.nextElement()) {
                    out.add(stored(DiffPages.record(r)));
                }
            } else {
                r.skipValue();
            }
        }
        return out;
    }

    private static Stored stored(DiffPages.Rec r) {
        return new Stored(r.seq(), r.data(), r.tag());
    }
}
