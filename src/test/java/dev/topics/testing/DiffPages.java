package dev.topics.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.json.JsonReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading a topic back from a {@link ChildServer} with {@code GET /v0/topics/{t}/diff}
 * pages, for the process tests: {@link #parse} one page, {@link #record} one record
 * object, {@link #readAll} a topic from seq 0 to its head. Records keep {@code data} as
 * its exact (canonical) JSON text, so a test can compare it with what it wrote.
 */
public final class DiffPages {
    private DiffPages() {
    }

    /**
     * One record as read back: {@code data} as its canonical JSON text; {@code tag},
     * {@code node} and the {@code $origin} fields are null (origin seq -1) when absent.
     */
    public record Rec(long seq, String data, String tag, String node, String originNode, String originTopic,
                      long originSeq) {
    }

    /** One diff page (or, from {@link #readAll}, all of them): records, {@code next_from_seq}, {@code head_seq}. */
    public record Page(List<Rec> records, long next, long head) {
    }

    /** Parses a diff page's body. */
    public static Page parse(byte[] body) {
        JsonReader r = new JsonReader(body, 0, body.length, 64);
        List<Rec> out = new ArrayList<>();
        long next = -1;
        long head = -1;
        r.beginObject("diff");
        while (r.nextField()) {
            switch (r.name()) {
                case "records" -> {
                    r.beginArray("records");
                    while (r.nextElement()) {
                        out.add(record(r));
                    }
                }
                case "next_from_seq" -> next = r.nextU64("next_from_seq");
                case "head_seq" -> head = r.nextU64("head_seq");
                default -> r.skipValue();
            }
        }
        r.end();
        return new Page(out, next, head);
    }

    /** Reads one record object ({@code $seq}, {@code data}, {@code $tag}, {@code $node}, {@code $origin}). */
    public static Rec record(JsonReader r) {
        long seq = -1;
        String data = null;
        String tag = null;
        String node = null;
        String originNode = null;
        String originTopic = null;
        long originSeq = -1;
        r.beginObject("record");
        while (r.nextField()) {
            switch (r.name()) {
                case "$seq" -> seq = r.nextU64("$seq");
                case "$tag" -> tag = r.nextString("$tag");
                case "$node" -> node = r.nextString("$node");
                case "data" -> data = new String(r.readCanonicalValue(), StandardCharsets.UTF_8);
                case "$origin" -> {
                    r.beginObject("$origin");
                    while (r.nextField()) {
                        switch (r.name()) {
                            case "node" -> originNode = r.nextString("node");
                            case "topic" -> originTopic = r.nextString("topic");
                            case "seq" -> originSeq = r.nextU64("seq");
                            default -> r.skipValue();
                        }
                    }
                }
                default -> r.skipValue();
            }
        }
        return new Rec(seq, data, tag, node, originNode, originTopic, originSeq);
    }

    /**
     * Reads all of {@code topic}, pages of up to 10000 records from seq 0 until
     * {@code next_from_seq} reaches {@code head_seq}; fails if a page is not a 200 or a page
     * before the head makes no progress or returns no records. The result's {@code next}
     * and {@code head} are the last page's.
     */
    public static Page readAll(ChildServer server, String topic) {
        List<Rec> out = new ArrayList<>();
        long from = 0;
        while (true) {
            ChildServer.Response res = server.get("/v0/topics/" + topic + "/diff?from_seq=" + from + "&limit=10000");
            assertThat(res.status()).as("diff of " + topic + " from " + from + ": " + res.body()).isEqualTo(200);
            Page p = parse(res.bytes());
            out.addAll(p.records());
            if (p.next() >= p.head()) {
                return new Page(out, p.next(), p.head());
            }
            assertThat(p.next()).as("diff of " + topic + " from " + from + " made no progress").isGreaterThan(from);
            assertThat(p.records()).as("diff of " + topic + " from " + from + " returned nothing before the head")
                    .isNotEmpty();
            from = p.next();
        }
    }
}
