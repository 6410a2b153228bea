package dev.topics.subscription;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import java.net.http.HttpRequest.BodyPublishers;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §10 subscriptions, black-box over HTTP: {@code PUT/GET/DELETE
 * /v0/topics/{t}/subscriptions/{s}}, the list, and deletion with the topic.
 */
@Timeout(90)
class SubscriptionLifecycleTest extends SubscriptionFixtures {
    private static final List<String> PUT_FIELDS = List.of("topic", "subscription", "cursor", "head_seq", "lag",
            "filter", "created_at", "created", "performance");

    private static void createEmptyTopic(Http h, String t) {
        h.put(topicPath(t), "{}").ok(201);
    }

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
}
