package dev.topics.subscription;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.SseClient;
import dev.topics.testing.SseClient.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §10 subscriptions, black-box over HTTP: a watch session following a subscription
 * (SPEC §5).
 */
@Timeout(90)
class WatchFollowingASubscriptionTest extends SubscriptionFixtures {
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
