package dev.topics.subscription;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.SseClient;
import dev.topics.testing.SseClient.Event;
import dev.topics.testing.TestServer;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §10 subscriptions, black-box over HTTP: {@code PUT/GET/DELETE
 * /v0/topics/{t}/subscriptions/{s}}, the list, {@code POST …/next} (a diff from the cursor
 * that does not move it), {@code POST …/ack} (forward only), durability across restarts,
 * deletion with the topic, and a watch session following a subscription (SPEC §5).
 */
@Timeout(90)
class SubscriptionHttpTest extends ServerTest {
    private static final List<String> SUB_FIELDS = List.of("topic", "subscription", "cursor", "head_seq", "lag",
            "filter", "created_at", "performance");
    private static final List<String> PUT_FIELDS = List.of("topic", "subscription", "cursor", "head_seq", "lag",
            "filter", "created_at", "created", "performance");
    private static final List<String> NEXT_FIELDS = List.of("topic", "subscription", "cursor", "records",
            "next_from_seq", "head_seq", "earliest_seq", "caught_up", "tombstone", "lag", "performance");

    /** For tests that restart their own server. */
    @TempDir
    Path ownTmp;

    // ------------------------------------------------------------------ helpers

    private static String topicPath(String t) {
        return "/v0/topics/" + t;
    }

    private static String subs(String t) {
        return topicPath(t) + "/subscriptions";
    }

    private static String sub(String t, String s) {
        return subs(t) + "/" + s;
    }

    /** Writes records given as JSON objects; returns the head after. */
    private static long write(Http h, String t, String... records) {
        return h.post(topicPath(t), "{\"records\":[" + String.join(",", records) + "]}").ok().num("head_seq");
    }

    /** Writes {@code n} records {@code {"data": i}}; returns the head after. */
    private static long seed(Http h, String t, int n) {
        List<String> r = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            r.add("{\"data\":" + i + "}");
        }
        return write(h, t, r.toArray(String[]::new));
    }

    private static String tagged(String tag, int data) {
        return "{\"data\":" + data + ",\"tag\":\"" + tag + "\"}";
    }

    private static void createEmptyTopic(Http h, String t) {
        h.put(topicPath(t), "{}").ok(201);
    }

    private static List<Long> seqs(Response r) {
        return r.list("records").stream().map(x -> (Long) Http.Json.obj(x).get("$seq")).toList();
    }

    private static List<Long> seqs(List<Object> records) {
        return records.stream().map(x -> (Long) Http.Json.obj(x).get("$seq")).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static void assertPerformance(Response r) {
        Object total = r.get("performance.server_total_ms");
        assertThat(total).as("%s: performance.server_total_ms", r).isInstanceOf(Number.class);
        assertThat(((Number) total).doubleValue()).isGreaterThanOrEqualTo(0);
    }

    /** Asserts a subscription description (GET, ack, list item) or PUT answer. */
    private static void assertSub(Response r, String t, String s, long cursor, long head, Object filter) {
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

    private static Instant assertRfc3339(String ts) {
        assertThat(ts).as("created_at is RFC 3339 (UTC)")
                .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})");
        return OffsetDateTime.parse(ts).toInstant();
    }

    private static Response get(String t, String s) {
        Response r = http.get(sub(t, s)).ok();
        assertThat(r.map().keySet()).as("%s: fields", r).containsExactlyInAnyOrderElementsOf(SUB_FIELDS);
        return r;
    }

    private static Response next(Http h, String t, String s, String body) {
        Response r = h.post(sub(t, s) + "/next", body).ok();
        assertThat(r.map().keySet()).as("%s: fields", r).containsExactlyInAnyOrderElementsOf(NEXT_FIELDS);
        assertThat(r.str("topic")).isEqualTo(t);
        assertThat(r.str("subscription")).isEqualTo(s);
        assertPerformance(r);
        return r;
    }

    private static void assertRead(Response r, long cursor, List<Long> seqs, long next, long head, long earliest) {
        assertThat(r.num("cursor")).as("%s: cursor", r).isEqualTo(cursor);
        assertThat(seqs(r)).as("%s: records", r).isEqualTo(seqs);
        assertThat(r.num("next_from_seq")).as("%s: next_from_seq", r).isEqualTo(next);
        assertThat(r.num("head_seq")).as("%s: head_seq", r).isEqualTo(head);
        assertThat(r.num("earliest_seq")).as("%s: earliest_seq", r).isEqualTo(earliest);
        assertThat(r.bool("caught_up")).as("%s: caught_up", r).isEqualTo(next == head);
        assertThat(r.num("lag")).as("%s: lag", r).isEqualTo(head - next);
        assertThat(r.map()).as("%s: tombstone", r).containsEntry("tombstone", null);
    }

    private static Response ack(Http h, String t, String s, long seq) {
        Response r = h.post(sub(t, s) + "/ack", "{\"seq\": " + seq + "}").ok();
        assertThat(r.map().keySet()).as("%s: fields", r).containsExactlyInAnyOrderElementsOf(SUB_FIELDS);
        return r;
    }

    private static List<String> listNames(Http h, String t) {
        Response r = h.get(subs(t)).ok();
        assertThat(r.map().keySet()).containsExactlyInAnyOrder("topic", "subscriptions", "performance");
        assertThat(r.str("topic")).isEqualTo(t);
        return r.list("subscriptions").stream().map(o -> (String) Http.Json.obj(o).get("subscription")).toList();
    }

    private static final List<Object> KEEP = List.of("tag", "Eq", "keep");
    private static final String KEEP_JSON = "[\"tag\", \"Eq\", \"keep\"]";

    // ------------------------------------------------------------------ PUT: create

    @Test
    void aNewSubscriptionStartsAtTheHeadUnlessFromSeqIsGiven() {
        String t = uniqueTopic("sub.create");
        long head = seed(http, t, 3);
        Instant before = Instant.now().minusSeconds(5);

        Response empty = http.send("PUT", sub(t, "no-body"), BodyPublishers.noBody()).ok(201);
        assertThat(empty.map().keySet()).containsExactlyInAnyOrderElementsOf(PUT_FIELDS);
        assertSub(empty, t, "no-body", head, head, null);
        assertThat(empty.bool("created")).isTrue();
        assertThat(assertRfc3339(empty.str("created_at"))).isBetween(before, Instant.now().plusSeconds(5));

        Response braces = http.put(sub(t, "braces"), "{}").ok(201);
        assertSub(braces, t, "braces", head, head, null);
        assertThat(braces.bool("created")).isTrue();

        Response nulls = http.put(sub(t, "nulls"), "{\"from_seq\": null, \"filter\": null}").ok(201);
        assertSub(nulls, t, "nulls", head, head, null);

        Response zero = http.put(sub(t, "zero"), "{\"from_seq\": 0}").ok(201);
        assertSub(zero, t, "zero", 0, head, null);
        assertThat(zero.num("lag")).isEqualTo(3);

        Response mid = http.put(sub(t, "mid"), "{\"from_seq\": 2, \"filter\": " + KEEP_JSON + "}").ok(201);
        assertSub(mid, t, "mid", 2, head, KEEP);

        Response atHead = http.put(sub(t, "at-head"), "{\"from_seq\": " + head + "}").ok(201);
        assertSub(atHead, t, "at-head", head, head, null);

        // GET shows the same thing, without "created"
        Response got = get(t, "mid");
        assertSub(got, t, "mid", 2, head, KEEP);
        assertThat(got.str("created_at")).isEqualTo(mid.str("created_at"));
    }

    @Test
    void aSubscriptionOnAnEmptyTopicStartsAtZero() {
        String t = uniqueTopic("sub.emptytopic");
        createEmptyTopic(http, t);
        assertSub(http.put(sub(t, "s"), "").ok(201), t, "s", 0, 0, null);
        http.put(sub(t, "past"), "{\"from_seq\": 1}").assertError(400, "invalid_field");
        http.get(sub(t, "past")).assertError(404, "subscription_not_found");
    }

    // ------------------------------------------------------------------ PUT: update

    @Test
    void putOnAnExistingSubscriptionChangesOnlyTheFieldsGiven() {
        String t = uniqueTopic("sub.update");
        long head = seed(http, t, 5);
        Response created = http.put(sub(t, "s"), "{\"from_seq\": 2, \"filter\": " + KEEP_JSON + "}").ok(201);
        String createdAt = created.str("created_at");

        Response same = http.put(sub(t, "s"), "{}").ok(200);
        assertThat(same.map().keySet()).containsExactlyInAnyOrderElementsOf(PUT_FIELDS);
        assertThat(same.bool("created")).isFalse();
        assertSub(same, t, "s", 2, head, KEEP);
        assertThat(same.str("created_at")).as("created_at never changes").isEqualTo(createdAt);

        Response emptyBody = http.send("PUT", sub(t, "s"), BodyPublishers.noBody()).ok(200);
        assertSub(emptyBody, t, "s", 2, head, KEEP);

        Response nullFrom = http.put(sub(t, "s"), "{\"from_seq\": null}").ok(200);
        assertSub(nullFrom, t, "s", 2, head, KEEP);

        List<Object> other = List.of("tag", "In", List.of("a", "b"));
        Response newFilter = http.put(sub(t, "s"), "{\"filter\": [\"tag\", \"In\", [\"a\", \"b\"]]}").ok(200);
        assertSub(newFilter, t, "s", 2, head, other);

        Response forward = http.put(sub(t, "s"), "{\"from_seq\": 4}").ok(200);
        assertSub(forward, t, "s", 4, head, other);

        Response backward = http.put(sub(t, "s"), "{\"from_seq\": 1}").ok(200);
        assertSub(backward, t, "s", 1, head, other);

        Response both = http.put(sub(t, "s"), "{\"filter\": null, \"from_seq\": 0}").ok(200);
        assertSub(both, t, "s", 0, head, null);
        assertThat(both.bool("created")).isFalse();

        // an acked cursor is kept by a PUT that does not give from_seq
        ack(http, t, "s", 3);
        assertSub(http.put(sub(t, "s"), "{\"filter\": " + KEEP_JSON + "}").ok(200), t, "s", 3, head, KEEP);

        Response got = get(t, "s");
        assertSub(got, t, "s", 3, head, KEEP);
        assertThat(got.str("created_at")).isEqualTo(createdAt);
    }

    @Test
    void aFromSeqPastTheHeadIsRefusedAndChangesNothing() {
        String t = uniqueTopic("sub.past");
        long head = seed(http, t, 3);
        http.put(sub(t, "new"), "{\"from_seq\": " + (head + 1) + "}").assertError(400, "invalid_field");
        http.get(sub(t, "new")).assertError(404, "subscription_not_found");

        http.put(sub(t, "old"), "{\"from_seq\": 1, \"filter\": " + KEEP_JSON + "}").ok(201);
        http.put(sub(t, "old"), "{\"from_seq\": 4, \"filter\": null}").assertError(400, "invalid_field");
        http.put(sub(t, "old"), "{\"from_seq\": 18446744073709551615}").assertError(400, "invalid_field");
        assertSub(get(t, "old"), t, "old", 1, head, KEEP);
    }

    @Test
    void badPutBodiesAreRefusedWithSpecificCodesAndWriteNothing() {
        String t = uniqueTopic("sub.badput");
        long head = seed(http, t, 2);
        http.put(sub(t, "s"), "{\"from_seq\": 1, \"filter\": " + KEEP_JSON + "}").ok(201);

        for (String name : List.of("s", "fresh")) {
            String p = sub(t, name);
            http.put(p, "{\"filter\": [\"tag\", \"Bogus\", \"x\"]}").assertError(400, "invalid_filter");
            http.put(p, "{\"filter\": [\"tag\"]}").assertError(400, "invalid_filter");
            http.put(p, "{\"filter\": [\"color\", \"Eq\", \"x\"]}").assertError(400, "invalid_filter");
            http.put(p, "{\"filter\": [\"And\", [[\"tag\", \"Eq\", \"a\"], [\"seq\", \"Gt\"]]]}")
                    .assertError(400, "invalid_filter");
            http.put(p, "{\"filter\": \"tag == a\"}").assertError(400, "invalid_filter");
            http.put(p, "{\"from\": 1}").assertError(400, "unknown_field");
            http.put(p, "{\"from_seq\": 1, \"limit\": 5}").assertError(400, "unknown_field");
            http.put(p, "{\"from_seq\": 1, \"from_seq\": 0}").assertError(400, "invalid_field");
            http.put(p, "{\"filter\": null, \"filter\": null}").assertError(400, "invalid_field");
            http.put(p, "{\"from_seq\": -1}").assertError(400, "invalid_field");
            http.put(p, "{\"from_seq\": \"1\"}").assertError(400, "invalid_field");
            http.put(p, "{\"from_seq\": 1.5}").assertError(400, "invalid_field");
            http.put(p, "{\"from_seq\": 1").assertError(400, "invalid_json");
            http.put(p, "not json").assertError(400, "invalid_json");
            for (String notAnObject : List.of("[]", "null", "1", "\"x\"")) {
                http.put(p, notAnObject).assertError(400, "invalid_field");
            }
            http.put(p, "{\"filter\": []}").assertError(400, "invalid_filter");
            http.put(p, "{\"filter\": {}}").assertError(400, "invalid_filter");
        }
        http.get(sub(t, "fresh")).assertError(404, "subscription_not_found");
        assertSub(get(t, "s"), t, "s", 1, head, KEEP);
        assertThat(listNames(http, t)).containsExactly("s");
    }

    @Test
    void aSubscriptionNeedsAnExistingTopic() {
        String missing = uniqueTopic("sub.missing");
        http.put(sub(missing, "s"), "{}").assertError(404, "topic_not_found");
        http.put(sub(missing, "s"), "{\"from_seq\": 0}").assertError(404, "topic_not_found");
        http.get(sub(missing, "s")).assertError(404, "topic_not_found");
        http.get(subs(missing)).assertError(404, "topic_not_found");
        http.delete(sub(missing, "s")).assertError(404, "topic_not_found");
        http.post(sub(missing, "s") + "/next", "{}").assertError(404, "topic_not_found");
        http.post(sub(missing, "s") + "/ack", "{\"seq\": 0}").assertError(404, "topic_not_found");
        // and none of this created the topic
        http.get(topicPath(missing)).assertError(404, "topic_not_found");
    }

    @Test
    void subscriptionNamesFollowTheNameRule() {
        String t = uniqueTopic("sub.names");
        long head = seed(http, t, 1);
        String max = "n".repeat(128);
        List<String> good = List.of("a", "Z", "0", "A-z_0.9", "...", ".hidden", "trailing.", max);
        for (String name : good) {
            Response r = http.put(sub(t, name), "{}").ok(201);
            assertSub(r, t, name, head, head, null);
            assertSub(get(t, name), t, name, head, head, null);
        }
        // case-sensitive: "a" and "A" are two subscriptions
        http.put(sub(t, "A"), "{\"from_seq\": 0}").ok(201);
        assertThat(get(t, "a").num("cursor")).isEqualTo(head);
        assertThat(get(t, "A").num("cursor")).isZero();

        List<String> bad = List.of("n".repeat(129), "a%20b", "caf%C3%A9", "a*b", "a:b", "a%2Cb", "%2E", "%2E%2E",
                "a+b", "a~b");
        for (String name : bad) {
            http.put(sub(t, name), "{}").assertError(400, "invalid_name");
            http.get(sub(t, name)).assertError(400, "invalid_name");
            http.delete(sub(t, name)).assertError(400, "invalid_name");
            http.post(sub(t, name) + "/next", "{}").assertError(400, "invalid_name");
            http.post(sub(t, name) + "/ack", "{\"seq\": 0}").assertError(400, "invalid_name");
        }
        // an encoded slash cannot make a name: no route, nothing created
        assertThat(http.put(sub(t, "a%2Fb"), "{}").status()).isIn(400, 404);
        // a bad name is refused before the topic is looked up
        http.put(sub(uniqueTopic("sub.names-missing"), "a*b"), "{}").assertError(400, "invalid_name");

        List<String> expected = new ArrayList<>(good);
        expected.add("A");
        assertThat(listNames(http, t)).containsExactlyInAnyOrderElementsOf(expected);
    }

    // ------------------------------------------------------------------ GET, list, DELETE

    @Test
    void getAndListDescribeTheTopicsSubscriptionsSortedByName() {
        String t = uniqueTopic("sub.list");
        String child = t + ".child";
        String other = uniqueTopic("sub.list-other");
        long head = seed(http, t, 4);
        seed(http, child, 1);
        seed(http, other, 1);

        assertThat(listNames(http, t)).as("no subscriptions yet").isEmpty();

        for (String name : List.of("zeta", "mid_3", "alpha", "mid.2", "mid-1", "Beta")) {
            http.put(sub(t, name), "{\"from_seq\": 1}").ok(201);
        }
        http.put(sub(t, "alpha"), "{\"filter\": " + KEEP_JSON + "}").ok(200);
        ack(http, t, "zeta", 3);
        http.put(sub(child, "child-only"), "{}").ok(201);
        http.put(sub(other, "alpha"), "{}").ok(201);

        Response list = http.get(subs(t)).ok();
        assertPerformance(list);
        List<String> names = listNames(http, t);
        assertThat(names).containsExactly("Beta", "alpha", "mid-1", "mid.2", "mid_3", "zeta");

        for (Object o : list.list("subscriptions")) {
            Map<String, Object> item = Http.Json.obj(o);
            String name = (String) item.get("subscription");
            assertThat(item.keySet()).as(name).containsExactlyInAnyOrder("topic", "subscription", "cursor", "head_seq",
                    "lag", "filter", "created_at");
            Response one = get(t, name);
            Map<String, Object> expected = new java.util.LinkedHashMap<>(one.map());
            expected.remove("performance");
            assertThat(item).as("list item %s equals its GET", name).isEqualTo(expected);
            assertThat(item.get("topic")).isEqualTo(t);
            assertThat(item.get("head_seq")).isEqualTo(head);
        }
        assertSub(get(t, "zeta"), t, "zeta", 3, head, null);
        assertSub(get(t, "alpha"), t, "alpha", 1, head, KEEP);
        assertThat(listNames(http, child)).containsExactly("child-only");
        assertThat(listNames(http, other)).containsExactly("alpha");
        assertSub(get(other, "alpha"), other, "alpha", 1, 1, null);

        http.get(sub(t, "missing")).assertError(404, "subscription_not_found");
        http.get(sub(t, "child-only")).assertError(404, "subscription_not_found");
    }

    @Test
    void deleteRemovesOnlyThatSubscription() {
        String t = uniqueTopic("sub.delete");
        long head = seed(http, t, 3);
        http.put(sub(t, "gone"), "{\"from_seq\": 0, \"filter\": " + KEEP_JSON + "}").ok(201);
        http.put(sub(t, "stays"), "{\"from_seq\": 1}").ok(201);

        Response d = http.delete(sub(t, "gone")).ok();
        assertThat(d.map().keySet()).containsExactlyInAnyOrder("topic", "subscription", "deleted", "performance");
        assertThat(d.str("topic")).isEqualTo(t);
        assertThat(d.str("subscription")).isEqualTo("gone");
        assertThat(d.bool("deleted")).isTrue();
        assertPerformance(d);

        http.get(sub(t, "gone")).assertError(404, "subscription_not_found");
        http.delete(sub(t, "gone")).assertError(404, "subscription_not_found");
        http.post(sub(t, "gone") + "/next", "{}").assertError(404, "subscription_not_found");
        http.post(sub(t, "gone") + "/ack", "{\"seq\": 1}").assertError(404, "subscription_not_found");
        assertThat(listNames(http, t)).containsExactly("stays");
        assertSub(get(t, "stays"), t, "stays", 1, head, null);
        http.delete(sub(t, "never-was")).assertError(404, "subscription_not_found");

        // the name can be used again: a brand-new subscription (at the head, no filter)
        Response again = http.put(sub(t, "gone"), "{}").ok(201);
        assertThat(again.bool("created")).isTrue();
        assertSub(again, t, "gone", head, head, null);
    }

    @Test
    void deletingTheTopicDeletesItsSubscriptions() {
        String t = uniqueTopic("sub.topicdel");
        String sibling = uniqueTopic("sub.topicdel-sibling");
        seed(http, t, 5);
        seed(http, sibling, 1);
        http.put(sub(t, "a"), "{\"from_seq\": 0, \"filter\": " + KEEP_JSON + "}").ok(201);
        http.put(sub(t, "b"), "{\"from_seq\": 2}").ok(201);
        ack(http, t, "b", 4);
        http.put(sub(sibling, "a"), "{\"from_seq\": 0}").ok(201);

        http.delete(topicPath(t)).ok();
        http.get(sub(t, "a")).assertError(404, "topic_not_found");
        http.get(subs(t)).assertError(404, "topic_not_found");

        long head = seed(http, t, 2); // the same name again: a new topic
        assertThat(head).isEqualTo(2);
        http.get(sub(t, "a")).assertError(404, "subscription_not_found");
        http.get(sub(t, "b")).assertError(404, "subscription_not_found");
        http.post(sub(t, "b") + "/next", "{}").assertError(404, "subscription_not_found");
        http.post(sub(t, "b") + "/ack", "{\"seq\": 1}").assertError(404, "subscription_not_found");
        http.delete(sub(t, "b")).assertError(404, "subscription_not_found");
        assertThat(listNames(http, t)).isEmpty();

        Response fresh = http.put(sub(t, "b"), "{}").ok(201);
        assertThat(fresh.bool("created")).isTrue();
        assertSub(fresh, t, "b", head, head, null);

        assertSub(get(sibling, "a"), sibling, "a", 0, 1, null);
    }

    // ------------------------------------------------------------------ next

    @Test
    void nextReadsAfterTheCursorWithoutMovingIt() {
        String t = uniqueTopic("sub.next");
        long head = seed(http, t, 5);
        http.put(sub(t, "s"), "{\"from_seq\": 1}").ok(201);

        Response first = next(http, t, "s", "{}");
        assertRead(first, 1, range(2, 5), 5, head, 1);
        assertThat(Http.Json.obj(first.list("records").get(0)).get("data")).isEqualTo(2L);
        Response again = next(http, t, "s", "{}");
        assertThat(again.list("records")).as("next does not move the cursor").isEqualTo(first.list("records"));
        assertRead(again, 1, range(2, 5), 5, head, 1);
        Response noBody = http.send("POST", sub(t, "s") + "/next", BodyPublishers.noBody()).ok();
        assertThat(seqs(noBody)).isEqualTo(range(2, 5));
        assertSub(get(t, "s"), t, "s", 1, head, null);

        Response limited = next(http, t, "s", "{\"limit\": 2}");
        assertRead(limited, 1, range(2, 3), 3, head, 1);
        assertThat(limited.bool("caught_up")).isFalse();
        assertThat(limited.num("lag")).isEqualTo(2);

        ack(http, t, "s", 3);
        assertRead(next(http, t, "s", "{\"limit\": 1, \"wait_ms\": 0}"), 3, List.of(4L), 4, head, 1);
        ack(http, t, "s", 5);
        assertRead(next(http, t, "s", "{}"), 5, List.of(), 5, head, 1);

        // a new record shows up after the cursor
        long newHead = seed(http, t, 1);
        assertRead(next(http, t, "s", "{}"), 5, List.of(newHead), newHead, newHead, 1);
    }

    @Test
    void nextReturnsAtMost100ByDefaultAndHonoursTheLimitRange() {
        String t = uniqueTopic("sub.nextlimit");
        long head = seed(http, t, 150);
        http.put(sub(t, "s"), "{\"from_seq\": 0}").ok(201);
        assertRead(next(http, t, "s", "{}"), 0, range(1, 100), 100, head, 1);
        assertRead(next(http, t, "s", "{\"limit\": 10000}"), 0, range(1, 150), 150, head, 1);
        assertRead(next(http, t, "s", "{\"limit\": 1}"), 0, List.of(1L), 1, head, 1);
    }

    @Test
    void nextAppliesTheSubscriptionsFilterAndSkippedRecordsStillAdvance() {
        String t = uniqueTopic("sub.nextfilter");
        long head = write(http, t, tagged("keep", 1), tagged("skip", 2), tagged("keep", 3), tagged("skip", 4),
                tagged("skip", 5));
        http.put(sub(t, "f"), "{\"from_seq\": 0, \"filter\": " + KEEP_JSON + "}").ok(201);

        Response all = next(http, t, "f", "{}");
        assertRead(all, 0, List.of(1L, 3L), 5, head, 1);
        for (Object o : all.list("records")) {
            assertThat(Http.Json.obj(o).get("$tag")).isEqualTo("keep");
        }
        assertRead(next(http, t, "f", "{\"limit\": 1}"), 0, List.of(1L), 1, head, 1);
        ack(http, t, "f", 1);
        assertRead(next(http, t, "f", "{\"limit\": 1}"), 1, List.of(3L), 3, head, 1);
        ack(http, t, "f", 3);
        Response none = next(http, t, "f", "{}");
        assertRead(none, 3, List.of(), 5, head, 1);
        assertThat(none.bool("caught_up")).as("skipped records advance next_from_seq").isTrue();

        // a filter on another field, changed by PUT, is used by the next read
        http.put(sub(t, "f"), "{\"from_seq\": 0, \"filter\": [\"seq\", \"Gte\", 4]}").ok(200);
        assertRead(next(http, t, "f", "{}"), 0, List.of(4L, 5L), 5, head, 1);
        http.put(sub(t, "f"), "{\"filter\": null}").ok(200);
        assertRead(next(http, t, "f", "{}"), 0, range(1, 5), 5, head, 1);
    }

    @Test
    void nextRefusesBadBodies() {
        String t = uniqueTopic("sub.nextbad");
        seed(http, t, 2);
        http.put(sub(t, "s"), "{\"from_seq\": 0}").ok(201);
        String p = sub(t, "s") + "/next";
        for (String body : List.of("{\"limit\": 0}", "{\"limit\": 10001}", "{\"limit\": -1}", "{\"limit\": \"5\"}",
                "{\"limit\": 1.5}", "{\"limit\": null}", "{\"wait_ms\": 60001}", "{\"wait_ms\": -1}",
                "{\"limit\": 1, \"limit\": 2}")) {
            http.post(p, body).assertError(400, "invalid_field");
        }
        http.post(p, "{\"from_seq\": 0}").assertError(400, "unknown_field");
        http.post(p, "{\"filter\": null}").assertError(400, "unknown_field");
        http.post(p, "{\"limit\": ").assertError(400, "invalid_json");
        for (String notAnObject : List.of("[]", "null", "1")) {
            http.post(p, notAnObject).assertError(400, "invalid_field");
        }
        http.post(sub(t, "nope") + "/next", "{}").assertError(404, "subscription_not_found");
        // the edges of the ranges are fine
        assertThat(seqs(next(http, t, "s", "{\"limit\": 10000, \"wait_ms\": 0}"))).isEqualTo(range(1, 2));
        assertSub(get(t, "s"), t, "s", 0, 2, null);
    }

    @Test
    void nextWithWaitMsTimesOutEmptyWhenNothingArrives() {
        String t = uniqueTopic("sub.nextidle");
        long head = seed(http, t, 2);
        http.put(sub(t, "s"), "{}").ok(201);
        long t0 = System.nanoTime();
        Response r = next(http, t, "s", "{\"wait_ms\": 300}");
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertRead(r, head, List.of(), head, head, 1);
        assertThat(tookMs).as("the request was held for its wait_ms").isGreaterThanOrEqualTo(250);
    }

    @Test
    void nextWithWaitMsReturnsARecordWrittenDuringTheWait() throws Exception {
        String t = uniqueTopic("sub.nextwait");
        long head = seed(http, t, 2);
        http.put(sub(t, "plain"), "{}").ok(201);
        http.put(sub(t, "filtered"), "{\"filter\": " + KEEP_JSON + "}").ok(201);

        CompletableFuture<Response> plain = CompletableFuture.supplyAsync(
                () -> http.post(sub(t, "plain") + "/next", "{\"wait_ms\": 30000}"));
        CompletableFuture<Response> filtered = CompletableFuture.supplyAsync(
                () -> http.post(sub(t, "filtered") + "/next", "{\"wait_ms\": 30000}"));
        // nothing is after either cursor: both requests are held
        assertThatThrownBy(() -> plain.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(filtered).isNotDone();

        Thread writer = Thread.ofVirtual().start(() -> {
            write(http, t, tagged("skip", 3));
            write(http, t, tagged("keep", 4));
        });
        writer.join(Duration.ofSeconds(30));

        Response p = plain.get(30, TimeUnit.SECONDS).ok();
        assertThat(p.num("cursor")).isEqualTo(head);
        assertThat(seqs(p)).as("the first record after the cursor, written during the wait").startsWith(head + 1);
        assertThat(Http.Json.obj(p.list("records").get(0)).get("$tag")).isEqualTo("skip");

        Response f = filtered.get(30, TimeUnit.SECONDS).ok();
        assertThat(f.num("cursor")).isEqualTo(head);
        assertThat(seqs(f)).as("only the matching record").containsExactly(head + 2);
        assertThat(f.num("next_from_seq")).isEqualTo(head + 2);
        assertThat(f.bool("caught_up")).isTrue();

        // the wait did not move either cursor
        assertSub(get(t, "plain"), t, "plain", head, head + 2, null);
        assertSub(get(t, "filtered"), t, "filtered", head, head + 2, KEEP);
    }

    // ------------------------------------------------------------------ ack

    @Test
    void ackMovesTheCursorForwardOnly() {
        String t = uniqueTopic("sub.ack");
        long head = seed(http, t, 5);
        Response created = http.put(sub(t, "s"), "{\"from_seq\": 0, \"filter\": " + KEEP_JSON + "}").ok(201);

        Response a = ack(http, t, "s", 3);
        assertSub(a, t, "s", 3, head, KEEP);
        assertThat(a.str("created_at")).isEqualTo(created.str("created_at"));
        assertSub(get(t, "s"), t, "s", 3, head, KEEP);

        assertSub(ack(http, t, "s", 1), t, "s", 3, head, KEEP);
        assertSub(ack(http, t, "s", 0), t, "s", 3, head, KEEP);
        assertSub(ack(http, t, "s", 3), t, "s", 3, head, KEEP);
        assertSub(get(t, "s"), t, "s", 3, head, KEEP);

        http.put(sub(t, "s"), "{\"filter\": null}").ok(200);
        assertRead(next(http, t, "s", "{}"), 3, List.of(4L, 5L), 5, head, 1);

        assertSub(ack(http, t, "s", head), t, "s", head, head, null);
        assertThat(get(t, "s").num("lag")).isZero();
        http.post(sub(t, "s") + "/ack", "{\"seq\": " + (head + 1) + "}").assertError(400, "invalid_field");
        assertSub(get(t, "s"), t, "s", head, head, null);
    }

    @Test
    void ackRefusesBadBodies() {
        String t = uniqueTopic("sub.ackbad");
        long head = seed(http, t, 4);
        http.put(sub(t, "s"), "{\"from_seq\": 2}").ok(201);
        String p = sub(t, "s") + "/ack";
        for (String body : List.of("{}", "{\"seq\": null}", "{\"seq\": -1}", "{\"seq\": \"3\"}", "{\"seq\": 2.5}",
                "{\"seq\": 3, \"seq\": 4}", "{\"seq\": " + (head + 1) + "}", "{\"seq\": 18446744073709551615}")) {
            http.post(p, body).assertError(400, "invalid_field");
        }
        http.send("POST", p, BodyPublishers.noBody()).assertError(400, "invalid_field");
        http.post(p, "{\"seq\": 3, \"force\": true}").assertError(400, "unknown_field");
        http.post(p, "{\"cursor\": 3}").assertError(400, "unknown_field");
        http.post(p, "{\"seq\": 3").assertError(400, "invalid_json");
        for (String notAnObject : List.of("[]", "null", "3")) {
            http.post(p, notAnObject).assertError(400, "invalid_field");
        }
        http.post(sub(t, "nope") + "/ack", "{\"seq\": 1}").assertError(404, "subscription_not_found");
        assertSub(get(t, "s"), t, "s", 2, head, null);
    }

    @Test
    void nextReportsARetentionTombstoneForRecordsEvictedBeforeTheCursorReachedThem() {
        String t = uniqueTopic("sub.retention");
        http.put(topicPath(t), "{\"cap_records\": 3}").ok(201);
        http.put(sub(t, "s"), "{}").ok(201);
        long head = seed(http, t, 5); // records 1 and 2 are evicted by the cap

        Response r = next(http, t, "s", "{}");
        assertThat(r.num("cursor")).isZero();
        assertThat(seqs(r)).isEqualTo(range(3, 5));
        assertThat(r.num("earliest_seq")).isEqualTo(3);
        assertThat(r.num("next_from_seq")).isEqualTo(head);
        assertThat(r.obj("tombstone")).isEqualTo(Map.of("reason", "retention", "from_seq", 1L, "to_seq", 2L));

        ack(http, t, "s", head);
        Response after = next(http, t, "s", "{}");
        assertRead(after, head, List.of(), head, head, 3);
    }

    @Test
    void concurrentAcksNeverMoveTheCursorBackwardsAndAPutWithoutFromSeqKeepsThem() throws Exception {
        String t = uniqueTopic("sub.concurrent");
        int n = 40;
        long head = seed(http, t, n);
        http.put(sub(t, "s"), "{\"from_seq\": 0}").ok(201);

        List<Long> order = new ArrayList<>(range(1, n));
        java.util.Collections.shuffle(order, new java.util.Random(7));
        List<CompletableFuture<Response>> acks = new ArrayList<>();
        for (long seq : order) {
            acks.add(CompletableFuture.supplyAsync(() -> http.post(sub(t, "s") + "/ack", "{\"seq\": " + seq + "}")));
        }
        for (CompletableFuture<Response> f : acks) {
            Response r = f.get(30, TimeUnit.SECONDS).ok();
            assertThat(r.num("cursor")).isBetween(1L, (long) n);
        }
        assertSub(get(t, "s"), t, "s", n, head, null);

        // an updater changing only the filter, racing a consumer that acks one by one
        http.put(sub(t, "s"), "{\"from_seq\": 0}").ok(200);
        CompletableFuture<Void> updater = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < n; i++) {
                http.put(sub(t, "s"), i % 2 == 0 ? "{\"filter\": " + KEEP_JSON + "}" : "{\"filter\": null}").ok(200);
            }
        });
        long last = 0;
        for (long seq = 1; seq <= n; seq++) {
            long cursor = ack(http, t, "s", seq).num("cursor");
            assertThat(cursor).isGreaterThanOrEqualTo(last);
            last = cursor;
        }
        updater.get(60, TimeUnit.SECONDS);
        assertThat(get(t, "s").num("cursor")).as("no PUT without from_seq lost an ack").isEqualTo(n);
    }

    // ------------------------------------------------------------------ durability

    @Test
    void subscriptionsFiltersAndCursorsSurviveRestarts() throws Exception {
        try (TestServer own = TestServer.start(ownTmp)) {
            Http h = own.http();
            String t = uniqueTopic("sub.restart");
            String doomed = uniqueTopic("sub.restart-doomed");
            long head = write(h, t, tagged("keep", 1), tagged("skip", 2), tagged("keep", 3), tagged("skip", 4),
                    tagged("keep", 5));
            seed(h, doomed, 3);

            String createdAt = h.put(sub(t, "filtered"), "{\"from_seq\": 0, \"filter\": " + KEEP_JSON + "}").ok(201)
                    .str("created_at");
            h.put(sub(t, "plain"), "{\"from_seq\": 0}").ok(201);
            h.put(sub(t, "back"), "{}").ok(201);
            h.put(sub(t, "back"), "{\"from_seq\": 1}").ok(200); // repositioned backwards
            h.put(sub(t, "removed"), "{}").ok(201);
            h.delete(sub(t, "removed")).ok();
            ack(h, t, "filtered", 3);
            ack(h, t, "filtered", 2); // below the cursor: no effect
            h.put(sub(doomed, "s"), "{\"from_seq\": 1}").ok(201);
            h.delete(topicPath(doomed)).ok();
            String wid = h.post("/v0/watch", "{\"topics\": {\"" + t + "\": {\"subscription\": \"filtered\"}}, "
                    + "\"heartbeat_ms\": 200}").ok(201).str("wid");

            own.restart();

            assertThat(listNames(h, t)).containsExactly("back", "filtered", "plain");
            Response f = h.get(sub(t, "filtered")).ok();
            assertSub(f, t, "filtered", 3, head, KEEP);
            assertThat(f.str("created_at")).isEqualTo(createdAt);
            assertSub(h.get(sub(t, "plain")).ok(), t, "plain", 0, head, null);
            assertSub(h.get(sub(t, "back")).ok(), t, "back", 1, head, null);
            h.get(sub(t, "removed")).assertError(404, "subscription_not_found");
            assertRead(next(h, t, "filtered", "{}"), 3, List.of(5L), 5, head, 1);
            // a watch session following a subscription survives too, and starts at the restored cursor
            try (SseClient sse = SseClient.open(h.base().resolve("/v0/watch/" + wid), null)) {
                Event first = sse.nextEvent(10);
                assertThat(first.name()).isEqualTo("record");
                assertThat(data(first).get("from_seq")).isEqualTo(3L);
                assertThat(seqs(records(first))).containsExactly(5L);
            }

            seed(h, doomed, 1);
            h.get(sub(doomed, "s")).assertError(404, "subscription_not_found");

            // changes after a restart are durable too
            ack(h, t, "plain", 4);
            h.put(sub(t, "back"), "{\"filter\": [\"tag\", \"Eq\", \"skip\"]}").ok(200);
            long newHead = write(h, t, tagged("keep", 6));
            own.restart();

            assertSub(h.get(sub(t, "plain")).ok(), t, "plain", 4, newHead, null);
            assertSub(h.get(sub(t, "back")).ok(), t, "back", 1, newHead, List.of("tag", "Eq", "skip"));
            assertRead(next(h, t, "back", "{}"), 1, List.of(2L, 4L), newHead, newHead, 1);
            assertSub(h.get(sub(t, "filtered")).ok(), t, "filtered", 3, newHead, KEEP);
            assertRead(next(h, t, "filtered", "{}"), 3, List.of(5L, 6L), newHead, newHead, 1);
        }
    }

    // ------------------------------------------------------------------ watch following a subscription

    private static Map<String, Object> data(Event e) {
        return Http.Json.obj(Http.Json.parse(e.data()));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> records(Event e) {
        return (List<Object>) data(e).get("records");
    }

    private static String decodeId(String id) {
        return new String(Base64.getUrlDecoder().decode(id), StandardCharsets.UTF_8);
    }

    private static String watchFollowing(String t, String s) {
        Response created = http.post("/v0/watch", "{\"topics\": {\"" + t + "\": {\"subscription\": \"" + s
                + "\"}}, \"heartbeat_ms\": 200}").ok(201);
        assertThat(created.str("wid")).matches("wid_[A-Za-z0-9_-]{22}");
        assertThat(created.obj("topics")).isEqualTo(Map.of(t, Map.of("subscription", s)));
        return created.str("wid");
    }

    private static SseClient open(String wid, String lastEventId) throws Exception {
        SseClient sse = SseClient.open(http.base().resolve("/v0/watch/" + wid), lastEventId);
        assertThat(sse.status()).isEqualTo(200);
        assertThat(sse.contentType()).startsWith("text/event-stream");
        return sse;
    }

    @Test
    void aWatchFollowingASubscriptionStartsAtItsCursorWithItsFilter() throws Exception {
        String t = uniqueTopic("sub.watch");
        write(http, t, tagged("keep", 1), tagged("skip", 2), tagged("keep", 3), tagged("skip", 4), tagged("keep", 5));
        http.put(sub(t, "s"), "{\"from_seq\": 0, \"filter\": " + KEEP_JSON + "}").ok(201);
        ack(http, t, "s", 1);
        String wid = watchFollowing(t, "s");

        String lastId;
        try (SseClient sse = open(wid, null)) {
            Event first = sse.nextEvent(10);
            assertThat(first.name()).isEqualTo("record");
            assertThat(data(first).get("topic")).isEqualTo(t);
            assertThat(data(first).get("from_seq")).as("starts at the subscription's cursor").isEqualTo(1L);
            assertThat(seqs(records(first))).as("after the cursor, filtered").containsExactly(3L, 5L);
            Event caughtUp = sse.nextEvent(10);
            assertThat(caughtUp.name()).isEqualTo("caught-up");
            assertThat(data(caughtUp)).containsEntry("topic", t).containsEntry("head_seq", 5L);

            write(http, t, tagged("skip", 6));
            write(http, t, tagged("keep", 7));
            Event live = sse.nextEvent(10);
            assertThat(live.name()).isEqualTo("record");
            assertThat(seqs(records(live))).as("the live skip record is filtered out").containsExactly(7L);
            assertThat(decodeId(live.id())).isEqualTo("{\"" + t + "\":7}");
            lastId = live.id();
        }
        // streaming does not move the subscription's cursor
        assertSub(get(t, "s"), t, "s", 1, 7, KEEP);

        // reconnect without Last-Event-ID after an ack: starts from the new cursor
        ack(http, t, "s", 3);
        try (SseClient sse = open(wid, null)) {
            Event first = sse.nextEvent(10);
            assertThat(first.name()).isEqualTo("record");
            assertThat(data(first).get("from_seq")).isEqualTo(3L);
            assertThat(seqs(records(first))).containsExactly(5L, 7L);
            assertThat(sse.nextEvent(10).name()).isEqualTo("caught-up");
        }

        // with Last-Event-ID the stream resumes from the event's cursor, not the subscription's
        write(http, t, tagged("keep", 8));
        try (SseClient sse = open(wid, lastId)) {
            Event first = sse.nextEvent(10);
            assertThat(first.name()).isEqualTo("record");
            assertThat(data(first).get("from_seq")).isEqualTo(7L);
            assertThat(seqs(records(first))).containsExactly(8L);
        }

        // the filter is read when the stream opens: a changed one applies on the next open
        http.put(sub(t, "s"), "{\"filter\": [\"tag\", \"Eq\", \"skip\"]}").ok(200);
        try (SseClient sse = open(wid, null)) {
            Event first = sse.nextEvent(10);
            assertThat(first.name()).isEqualTo("record");
            assertThat(data(first).get("from_seq")).isEqualTo(3L);
            assertThat(seqs(records(first))).containsExactly(4L, 6L);
        }
    }

    @Test
    void aWatchFollowingASubscriptionAtTheHeadStreamsOnlyNewRecords() throws Exception {
        String t = uniqueTopic("sub.watchhead");
        long head = seed(http, t, 3);
        http.put(sub(t, "s"), "{}").ok(201);
        String wid = watchFollowing(t, "s");
        try (SseClient sse = open(wid, null)) {
            Event first = sse.next(10);
            assertThat(first.retry()).as("first the retry line").isEqualTo("2000");
            // the stream is open (its cursor was taken from the subscription): now write
            write(http, t, "{\"data\": \"new\"}");
            Event e = sse.nextEvent(10);
            while (e != null && e.name().equals("caught-up")) {
                assertThat(data(e)).containsEntry("topic", t);
                e = sse.nextEvent(10);
            }
            assertThat(e).isNotNull();
            assertThat(e.name()).isEqualTo("record");
            assertThat(data(e).get("from_seq")).isEqualTo(head);
            assertThat(seqs(records(e))).containsExactly(head + 1);
            assertThat(Http.Json.obj(records(e).get(0)).get("data")).isEqualTo("new");
        }
    }

    @Test
    void aWatchCannotFollowAMissingSubscriptionOrMixItWithACursorOrFilter() {
        String t = uniqueTopic("sub.watchbad");
        seed(http, t, 2);
        http.put(sub(t, "s"), "{}").ok(201);

        http.post("/v0/watch", "{\"topics\": {\"" + t + "\": {\"subscription\": \"nope\"}}}")
                .assertError(404, "subscription_not_found");
        http.post("/v0/watch", "{\"topics\": {\"" + uniqueTopic("sub.watchbad-none") + "\": {\"subscription\": \"s\"}}}")
                .assertError(404, "topic_not_found");
        http.post("/v0/watch", "{\"topics\": {\"" + t + "\": {\"subscription\": \"s\", \"from_seq\": 0}}}")
                .assertError(400, "invalid_field");
        http.post("/v0/watch", "{\"topics\": {\"" + t + "\": {\"from_seq\": 0, \"subscription\": \"s\"}}}")
                .assertError(400, "invalid_field");
        http.post("/v0/watch", "{\"topics\": {\"" + t + "\": {\"subscription\": \"s\", \"filter\": " + KEEP_JSON + "}}}")
                .assertError(400, "invalid_field");
        http.post("/v0/watch", "{\"topics\": {\"" + t + "\": {\"filter\": null, \"subscription\": \"s\"}}}")
                .assertError(400, "invalid_field");
        http.post("/v0/watch", "{\"topics\": {\"" + t + "\": {\"subscription\": 1}}}").assertError(400, "invalid_field");
        http.post("/v0/watch", "{\"topics\": {\"" + t + "\": {\"subscription\": \"a*b\"}}}")
                .assertError(400, "invalid_name");
        http.post("/v0/watch", "{\"topics\": {\"" + t + "\": {\"subscription\": \"s\", \"subscription\": \"s\"}}}")
                .assertError(400, "invalid_field");

        // a session whose subscription is deleted later cannot open
        http.put(sub(t, "short-lived"), "{}").ok(201);
        String wid = watchFollowing(t, "short-lived");
        http.delete(sub(t, "short-lived")).ok();
        http.get("/v0/watch/" + wid).assertError(404, "subscription_not_found");

        // the subscription was a subscription of another topic: not found here
        String other = uniqueTopic("sub.watchbad-other");
        seed(http, other, 1);
        http.post("/v0/watch", "{\"topics\": {\"" + other + "\": {\"subscription\": \"s\"}}}")
                .assertError(404, "subscription_not_found");
    }

    @Test
    void aWatchMayMixAFollowedSubscriptionWithAPlainTopic() throws Exception {
        String a = uniqueTopic("sub.watchmix-a");
        String b = uniqueTopic("sub.watchmix-b");
        write(http, a, tagged("skip", 1), tagged("keep", 2));
        write(http, b, "{\"data\": 10}");
        http.put(sub(a, "s"), "{\"from_seq\": 0, \"filter\": " + KEEP_JSON + "}").ok(201);
        String wid = http.post("/v0/watch", "{\"topics\": {\"" + a + "\": {\"subscription\": \"s\"}, \"" + b
                + "\": {\"from_seq\": 0}}, \"heartbeat_ms\": 200}").ok(201).str("wid");
        try (SseClient sse = open(wid, null)) {
            Map<String, List<Long>> seen = new java.util.HashMap<>();
            int caughtUp = 0;
            while (caughtUp < 2) {
                Event e = sse.nextEvent(10);
                assertThat(e).isNotNull();
                if (e.name().equals("caught-up")) {
                    caughtUp++;
                } else {
                    assertThat(e.name()).isEqualTo("record");
                    seen.computeIfAbsent((String) data(e).get("topic"), k -> new ArrayList<>()).addAll(seqs(records(e)));
                }
            }
            assertThat(seen).containsEntry(a, List.of(2L)).containsEntry(b, List.of(1L));
        }
    }
}
