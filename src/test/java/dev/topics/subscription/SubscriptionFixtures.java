package dev.topics.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.SseClient.Event;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the SPEC §10 subscription tests share (black-box over HTTP, one server per test
 * class): the paths, writing records, and the checks of a subscription's description
 * (GET, ack, list item, PUT answer) and of a {@code next} answer.
 */
abstract class SubscriptionFixtures extends ServerTest {
    private static final List<String> SUB_FIELDS = List.of("topic", "subscription", "cursor", "head_seq", "lag",
            "filter", "created_at", "performance");
    private static final List<String> NEXT_FIELDS = List.of("topic", "subscription", "cursor", "records",
            "next_from_seq", "head_seq", "earliest_seq", "caught_up", "tombstone", "lag", "performance");

    static String topicPath(String t) {
        return "/v0/topics/" + t;
    }

    static String subs(String t) {
        return topicPath(t) + "/subscriptions";
    }

    static String sub(String t, String s) {
        return subs(t) + "/" + s;
    }

    /** Writes records given as JSON objects; returns the head after. */
    static long write(Http h, String t, String... records) {
        return h.post(topicPath(t), "{\"records\":[" + String.join(",", records) + "]}").ok().num("head_seq");
    }

    /** Writes {@code n} records {@code {"data": i}}; returns the head after. */
    static long seed(Http h, String t, int n) {
        List<String> r = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            r.add("{\"data\":" + i + "}");
        }
        return write(h, t, r.toArray(String[]::new));
    }

    static String tagged(String tag, int data) {
        return "{\"data\":" + data + ",\"tag\":\"" + tag + "\"}";
    }

    static List<Long> seqs(Response r) {
        return r.list("records").stream().map(x -> (Long) Http.Json.obj(x).get("$seq")).toList();
    }

    static List<Long> seqs(List<Object> records) {
        return records.stream().map(x -> (Long) Http.Json.obj(x).get("$seq")).toList();
    }

    static void assertPerformance(Response r) {
        Object total = r.get("performance.server_total_ms");
        assertThat(total).as("%s: performance.server_total_ms", r).isInstanceOf(Number.class);
        assertThat(((Number) total).doubleValue()).isGreaterThanOrEqualTo(0);
    }

    /** Asserts a subscription description (GET, ack, list item) or PUT answer. */
    static void assertSub(Response r, String t, String s, long cursor, long head, Object filter) {
        assertThat(r.str("topic")).as("%s: topic", r).isEqualTo(t);
        assertThat(r.str("subscription")).as("%s: subscription", r).isEqualTo(s);
        assertThat(r.num("cursor")).as("%s: cursor", r).isEqualTo(cursor);
        assertThat(r.num("head_seq")).as("%s: head_seq", r).isEqualTo(head);
        assertThat(r.num("lag")).as("%s: lag", r).isEqualTo(head - cursor);
        assertThat(r.map()).as("%s: filter", r).containsKey("filter");
        assertThat(r.get("filter")).as("%s: filter", r).isEqualTo(filter);
        assertRfc3339(r.str("created_at"));
        assertPerformance(r);
    }

    static Instant assertRfc3339(String ts) {
        assertThat(ts).as("created_at is RFC 3339 (UTC)")
                .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})");
        return OffsetDateTime.parse(ts).toInstant();
    }

    static Response get(String t, String s) {
        Response r = http.get(sub(t, s)).ok();
        assertThat(r.map().keySet()).as("%s: fields", r).containsExactlyInAnyOrderElementsOf(SUB_FIELDS);
        return r;
    }

    static Response next(Http h, String t, String s, String body) {
        Response r = h.post(sub(t, s) + "/next", body).ok();
        assertThat(r.map().keySet()).as("%s: fields", r).containsExactlyInAnyOrderElementsOf(NEXT_FIELDS);
        assertThat(r.str("topic")).isEqualTo(t);
        assertThat(r.str("subscription")).isEqualTo(s);
        assertPerformance(r);
        return r;
    }

    static void assertRead(Response r, long cursor, List<Long> seqs, long next, long head, long earliest) {
        assertThat(r.num("cursor")).as("%s: cursor", r).isEqualTo(cursor);
        assertThat(seqs(r)).as("%s: records", r).isEqualTo(seqs);
        assertThat(r.num("next_from_seq")).as("%s: next_from_seq", r).isEqualTo(next);
        assertThat(r.num("head_seq")).as("%s: head_seq", r).isEqualTo(head);
        assertThat(r.num("earliest_seq")).as("%s: earliest_seq", r).isEqualTo(earliest);
        assertThat(r.bool("caught_up")).as("%s: caught_up", r).isEqualTo(next == head);
        assertThat(r.num("lag")).as("%s: lag", r).isEqualTo(head - next);
        assertThat(r.map()).as("%s: tombstone", r).containsEntry("tombstone", null);
    }

    static Response ack(Http h, String t, String s, long seq) {
        Response r = h.post(sub(t, s) + "/ack", "{\"seq\": " + seq + "}").ok();
        assertThat(r.map().keySet()).as("%s: fields", r).containsExactlyInAnyOrderElementsOf(SUB_FIELDS);
        return r;
    }

    static List<String> listNames(Http h, String t) {
        Response r = h.get(subs(t)).ok();
        assertThat(r.map().keySet()).containsExactlyInAnyOrder("topic", "subscriptions", "performance");
        assertThat(r.str("topic")).isEqualTo(t);
        return r.list("subscriptions").stream().map(o -> (String) Http.Json.obj(o).get("subscription")).toList();
    }

    static Map<String, Object> data(Event e) {
        return Http.Json.obj(Http.Json.parse(e.data()));
    }

    @SuppressWarnings("unchecked")
    static List<Object> records(Event e) {
        return (List<Object>) data(e).get("records");
    }

    static final List<Object> KEEP = List.of("tag", "Eq", "keep");
    static final String KEEP_JSON = "[\"tag\", \"Eq\", \"keep\"]";
}
