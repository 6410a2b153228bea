package dev.topics.stats;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.SseClient;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §12 {@code GET /v0/topics/{t}/stats}, black box with auth required: admin only,
 * the exact shape, and every count moving with what happens to the topic — writes and
 * reads in {@code activity}, open streams in {@code watchers}, subscriptions, local
 * routers in and out, and the size fields agreeing with {@code GET /v0/topics/{t}}.
 */
@Timeout(300)
@ServerTest.Setup(auth = true, memory = true)
class StatsTest extends ServerTest {
    static Http alice;
    static Http bob;

    @BeforeAll
    static void principals() {
        alice = bearer(principal("alice"));
        bob = bearer(principal("bob"));
    }

    static String path(String t) {
        return "/v0/topics/" + t;
    }

    static Response stats(String t) {
        return admin.get(path(t) + "/stats").ok();
    }

    /** A new topic owned by alice. */
    static String newTopic(String stem) {
        String t = uniqueTopic(stem);
        alice.put(path(t), "{}").ok(201);
        return t;
    }

    static void write(String t, int records) {
        StringBuilder b = new StringBuilder("{\"records\": [");
        for (int i = 0; i < records; i++) {
            b.append(i == 0 ? "" : ",").append("{\"data\": {\"i\": ").append(i).append("}}");
        }
        alice.post(path(t), b.append("]}").toString()).ok();
    }

    /** Polls the topic's stats until {@code until} holds; fails after 30 s with the last answer. */
    static Response awaitStats(String t, String what, Predicate<Response> until) {
        return Await.value(what, Duration.ofSeconds(30), () -> stats(t), until);
    }

    static void assertSizesMatchTheTopic(String t) {
        Response s = stats(t);
        Response g = admin.get(path(t)).ok();
        assertThat(s.num("records")).as("records").isEqualTo(g.num("count"));
        assertThat(s.num("bytes")).as("bytes").isEqualTo(g.num("bytes"));
        assertThat(s.num("head_seq")).as("head_seq").isEqualTo(g.num("head_seq"));
        assertThat(s.num("earliest_seq")).as("earliest_seq").isEqualTo(g.num("earliest_seq"));
    }

    // ------------------------------------------------------------------ access and shape

    @Test
    void statsAreForTheAdminOnly() {
        String t = newTopic("st.access");
        alice.patch(path(t), "{\"public_read\": true, \"public_publish\": true}").ok();
        http.get(path(t) + "/stats").assertError(401, "unauthorized");
        alice.get(path(t) + "/stats").assertError(403, "forbidden");
        bob.get(path(t) + "/stats").assertError(403, "forbidden");
        String tk = alice.post(path(t) + "/shares", "{\"access\": \"rw\"}").ok(201).str("token");
        http.withHeader("X-Topic-Token", tk).get(path(t) + "/stats").assertError(403, "forbidden");
        http.withHeader("Authorization", "Bearer nope").get(path(t) + "/stats").assertError(401, "unauthorized");

        // an admin principal acts as the admin
        Http root = http.withHeader("Authorization", "Bearer "
                + admin.post("/v0/principals", "{\"name\": \"ops\", \"admin\": true}").ok(201).str("token"));
        root.get(path(t) + "/stats").ok();

        // a missing topic: 404 for the admin, and no hint to anyone else
        String missing = uniqueTopic("st.missing");
        admin.get(path(missing) + "/stats").assertError(404, "topic_not_found");
        http.get(path(missing) + "/stats").assertError(401, "unauthorized");
        alice.get(path(missing) + "/stats").assertError(403, "forbidden");
        admin.get(path("a..b") + "/stats").assertError(400, "invalid_topic_name");
    }

    @Test
    void aNewTopicsStatsHaveTheWholeShapeAndZeroes() {
        String t = newTopic("st.shape");
        Response s = stats(t);
        assertThat(s.map().keySet()).containsExactlyInAnyOrder("topic", "records", "bytes", "head_seq", "earliest_seq",
                "watchers", "subscriptions", "webhooks", "deliveries", "routers", "activity", "performance");
        assertThat(s.obj("deliveries").keySet()).containsExactlyInAnyOrder("pending", "succeeded", "failed");
        assertThat(s.obj("routers").keySet()).containsExactlyInAnyOrder("in", "out");
        assertThat(s.obj("activity").keySet()).containsExactlyInAnyOrder("writes_1m", "writes_1h", "reads_1m", "reads_1h",
                "last_write_at", "last_read_at");
        assertThat(s.obj("performance")).containsKey("server_total_ms");
        assertThat(s.str("topic")).isEqualTo(t);
        assertThat(s.num("records")).isZero();
        assertThat(s.num("bytes")).isZero();
        assertThat(s.num("head_seq")).isZero();
        assertThat(s.num("earliest_seq")).isEqualTo(1);
        assertThat(s.num("watchers")).isZero();
        assertThat(s.num("subscriptions")).isZero();
        assertThat(s.num("webhooks")).isZero();
        assertThat(s.num("deliveries.pending")).isZero();
        assertThat(s.num("deliveries.succeeded")).isZero();
        assertThat(s.num("deliveries.failed")).isZero();
        assertThat(s.num("routers.in")).isZero();
        assertThat(s.num("routers.out")).isZero();
        assertThat(s.num("activity.writes_1m")).isZero();
        assertThat(s.num("activity.writes_1h")).isZero();
        assertThat(s.num("activity.reads_1m")).isZero();
        assertThat(s.num("activity.reads_1h")).isZero();
        assertThat(s.obj("activity")).containsEntry("last_write_at", null).containsEntry("last_read_at", null);
        assertSizesMatchTheTopic(t);
    }

    // ------------------------------------------------------------------ activity

    @Test
    void writesAreCountedPerSuccessfulRequest() {
        String t = newTopic("st.writes");
        Instant before = Instant.now().minusSeconds(1);
        write(t, 1);
        write(t, 3); // one request, three records
        write(t, 1);
        write(t, 1);
        alice.post("/topics/" + t + "/messages", "{\"payload\": \"via /topics\"}").ok(201);
        // refused writes are not activity
        alice.post(path(t), "{\"records\": []}").expect(400);
        alice.post(path(t), "{\"recs\": []}").assertError(400, "unknown_field");
        bob.post(path(t), "{\"records\": [{\"data\": 1}]}").assertError(403, "forbidden");
        http.post(path(t), "{\"records\": [{\"data\": 1}]}").assertError(401, "unauthorized");
        Instant after = Instant.now().plusSeconds(1);

        Response s = stats(t);
        assertThat(s.num("activity.writes_1m")).isEqualTo(5);
        assertThat(s.num("activity.writes_1h")).isEqualTo(5);
        assertThat(s.num("activity.reads_1m")).isZero();
        assertThat(s.get("activity.last_read_at")).isNull();
        assertThat(Instant.parse(s.str("activity.last_write_at"))).isBetween(before, after);
        assertThat(s.num("records")).isEqualTo(7);
        assertThat(s.num("head_seq")).isEqualTo(7);
        assertSizesMatchTheTopic(t);

        // stats and metadata requests are neither writes nor reads
        admin.get(path(t)).ok();
        stats(t);
        Response again = stats(t);
        assertThat(again.num("activity.writes_1m")).isEqualTo(5);
        assertThat(again.num("activity.reads_1m")).isZero();
    }

    @Test
    void readsAreCountedPerRequest() {
        String t = newTopic("st.reads");
        write(t, 4);
        Instant before = Instant.now().minusSeconds(1);
        alice.post(path(t) + "/diff", "{\"from_seq\": 0}").ok();
        alice.post(path(t) + "/diff", "{\"from_seq\": 2, \"limit\": 1}").ok();
        alice.get(path(t) + "/diff?from_seq=0").ok();
        alice.get("/topics/" + t + "/messages?since=1").ok();
        alice.put(path(t) + "/subscriptions/s1", "{\"from_seq\": 0}").ok(201);
        alice.post(path(t) + "/subscriptions/s1/next", "{\"limit\": 2}").ok();
        // refused reads are not activity
        alice.post(path(t) + "/diff", "{\"from_seq\": -1}").assertError(400, "invalid_field");
        bob.get(path(t) + "/diff?from_seq=0").assertError(403, "forbidden");
        http.get("/topics/" + t + "/messages").assertError(401, "unauthorized");
        Instant after = Instant.now().plusSeconds(1);

        Response s = stats(t);
        assertThat(s.num("activity.reads_1m")).isEqualTo(5);
        assertThat(s.num("activity.reads_1h")).isEqualTo(5);
        assertThat(s.num("activity.writes_1m")).isEqualTo(1);
        assertThat(Instant.parse(s.str("activity.last_read_at"))).isBetween(before, after);
        assertThat(Instant.parse(s.str("activity.last_write_at"))).isBefore(Instant.parse(s.str("activity.last_read_at"))
                .plusMillis(1));

        // activity is per topic
        String other = newTopic("st.reads");
        Response o = stats(other);
        assertThat(o.num("activity.reads_1m")).isZero();
        assertThat(o.num("activity.writes_1m")).isZero();
    }

    // ------------------------------------------------------------------ watchers

    static String watch(String... topics) {
        StringBuilder b = new StringBuilder("{\"topics\": {");
        for (int i = 0; i < topics.length; i++) {
            b.append(i == 0 ? "" : ", ").append('"').append(topics[i]).append("\": {\"from_seq\": 0}");
        }
        return admin.post("/v0/watch", b.append("}, \"heartbeat_ms\": 200}").toString()).ok(201).str("wid");
    }

    static SseClient open(String wid) throws Exception {
        SseClient sse = SseClient.open(http.base().resolve("/v0/watch/" + wid), null);
        assertThat(sse.status()).isEqualTo(200);
        return sse;
    }

    @Test
    void anOpenStreamIsAWatcherUntilItCloses() throws Exception {
        String t = newTopic("st.watch");
        String u = newTopic("st.watch");
        write(t, 2);
        String wid = watch(t);
        try (SseClient sse = open(wid)) {
            assertThat(sse.nextEvent(30).name()).isEqualTo("record");
            Response s = awaitStats(t, "one watcher", r -> r.num("watchers") == 1);
            assertThat(s.num("activity.reads_1m")).as("a stream opened is a read").isEqualTo(1);
            assertThat(stats(u).num("watchers")).isZero();

            // a second stream on both topics, and a public topic's one-step stream
            alice.patch(path(u), "{\"public_read\": true}").ok();
            try (SseClient both = open(watch(t, u));
                 SseClient oneStep = SseClient.open(http.base().resolve(path(u) + "/watch?from_seq=0&heartbeat_ms=200"), null)) {
                assertThat(oneStep.status()).isEqualTo(200);
                awaitStats(t, "two watchers on t", r -> r.num("watchers") == 2);
                awaitStats(u, "two watchers on u", r -> r.num("watchers") == 2);
            }
            awaitStats(u, "no watcher on u once both streams closed", r -> r.num("watchers") == 0);
            awaitStats(t, "one watcher on t again", r -> r.num("watchers") == 1);
        }
        Response s = awaitStats(t, "no watcher once the stream closed", r -> r.num("watchers") == 0);
        assertThat(s.num("activity.reads_1m")).isEqualTo(2);
    }

    // ------------------------------------------------------------------ subscriptions and routers

    @Test
    void subscriptionsAreCounted() {
        String t = newTopic("st.subs");
        String other = newTopic("st.subs");
        alice.put(path(t) + "/subscriptions/s1", "{}").ok(201);
        alice.put(path(t) + "/subscriptions/s2", "{\"from_seq\": 0}").ok(201);
        alice.put(path(other) + "/subscriptions/s1", "{}").ok(201);
        assertThat(stats(t).num("subscriptions")).isEqualTo(2);
        assertThat(stats(other).num("subscriptions")).isEqualTo(1);
        alice.put(path(t) + "/subscriptions/s2", "{\"from_seq\": 0}").expect(200); // replaced, not added
        assertThat(stats(t).num("subscriptions")).isEqualTo(2);
        alice.delete(path(t) + "/subscriptions/s1").ok();
        assertThat(stats(t).num("subscriptions")).isEqualTo(1);
        assertThat(stats(other).num("subscriptions")).isEqualTo(1);
    }

    @Test
    void localRoutersCountInAndOut() {
        String src = newTopic("st.src");
        String mid = newTopic("st.mid");
        // copies reach dst twice (directly and through mid) with the same origin: keep both
        String dst = uniqueTopic("st.dst");
        alice.put(path(dst), "{\"dedupe_node\": false}").ok(201);
        String r1 = uniqueTopic("r");
        String r2 = uniqueTopic("r");
        String r3 = uniqueTopic("r");
        admin.put("/v0/routers/" + r1, "{\"source\": \"" + src + "\", \"dest\": \"" + mid + "\"}").ok(201);
        admin.put("/v0/routers/" + r2, "{\"source\": \"" + mid + "\", \"dest\": \"" + dst + "\"}").ok(201);
        admin.put("/v0/routers/" + r3, "{\"source\": \"" + src + "\", \"dest\": \"" + dst + "\"}").ok(201);
        assertRouters(src, 0, 2);
        assertRouters(mid, 1, 1);
        assertRouters(dst, 2, 0);

        // the copies land, and sizes agree with the topics
        write(src, 3);
        awaitStats(dst, "6 records in dst (3 direct, 3 through mid)", r -> r.num("records") == 6);
        awaitStats(mid, "3 records in mid", r -> r.num("records") == 3);
        assertSizesMatchTheTopic(src);
        assertSizesMatchTheTopic(mid);
        assertSizesMatchTheTopic(dst);

        admin.delete("/v0/routers/" + r3).ok();
        assertRouters(src, 0, 1);
        assertRouters(dst, 1, 0);

        // deleting a topic deletes the routers reading or writing it (SPEC §2)
        alice.delete(path(mid)).ok();
        assertRouters(src, 0, 0);
        assertRouters(dst, 0, 0);
    }

    @Test
    void aRemoteRouterIsOnlyItsSourcesOut() {
        String src = newTopic("st.remote");
        String sameName = newTopic("st.remote"); // a local topic named like the remote dest
        String r = uniqueTopic("r");
        admin.put("/v0/routers/" + r, "{\"source\": \"" + src + "\", \"dest_url\": \"http://127.0.0.1:9\", "
                + "\"dest_topic\": \"" + sameName + "\", \"dest_token\": \"x\"}").ok(201);
        assertRouters(src, 0, 1);
        assertRouters(sameName, 0, 0);
        admin.delete("/v0/routers/" + r).ok();
        assertRouters(src, 0, 0);
    }

    static void assertRouters(String t, long in, long out) {
        Response s = stats(t);
        assertThat(s.num("routers.in")).as("routers.in of %s: %s", t, s.text()).isEqualTo(in);
        assertThat(s.num("routers.out")).as("routers.out of %s: %s", t, s.text()).isEqualTo(out);
    }

    // ------------------------------------------------------------------ sizes

    @Test
    void sizesFollowWritesAndDeletes() {
        String t = newTopic("st.sizes");
        write(t, 5);
        assertSizesMatchTheTopic(t);
        Response s = stats(t);
        assertThat(s.num("records")).isEqualTo(5);
        assertThat(s.num("bytes")).isPositive();
        long full = s.num("bytes");
        alice.post(path(t) + "/delete", "{\"from_seq\": 1, \"to_seq\": 2}").ok();
        assertSizesMatchTheTopic(t);
        Response d = stats(t);
        assertThat(d.num("records")).isEqualTo(3);
        assertThat(d.num("bytes")).isLessThan(full);
        assertThat(d.num("earliest_seq")).isEqualTo(3);
        assertThat(d.num("head_seq")).isEqualTo(5);
    }

    // ------------------------------------------------------------------ delete and recreate

    @Test
    void aTopicMadeAgainStartsFromZero() {
        String t = newTopic("st.again");
        write(t, 3);
        alice.post(path(t) + "/diff", "{\"from_seq\": 0}").ok();
        alice.put(path(t) + "/subscriptions/s1", "{}").ok(201);
        Response s = stats(t);
        assertThat(s.num("activity.writes_1m")).isEqualTo(1);
        assertThat(s.num("activity.reads_1m")).isEqualTo(1);

        alice.delete(path(t)).ok();
        admin.get(path(t) + "/stats").assertError(404, "topic_not_found");
        alice.put(path(t), "{}").ok(201);
        Response a = stats(t);
        assertThat(a.num("activity.writes_1m")).isZero();
        assertThat(a.num("activity.writes_1h")).isZero();
        assertThat(a.num("activity.reads_1m")).isZero();
        assertThat(a.num("activity.reads_1h")).isZero();
        assertThat(a.obj("activity")).containsEntry("last_write_at", null).containsEntry("last_read_at", null);
        assertThat(a.num("records")).isZero();
        assertThat(a.num("head_seq")).isZero();
        assertThat(a.num("subscriptions")).isZero();
        assertThat(a.num("watchers")).isZero();

        // the same through the /topics surface
        write(t, 1);
        alice.get("/topics/" + t + "/messages").ok();
        alice.delete("/topics/" + t).ok();
        alice.post("/topics", "{\"name\": \"" + t + "\"}").ok(201);
        Response b = stats(t);
        assertThat(b.num("activity.writes_1h")).isZero();
        assertThat(b.num("activity.reads_1h")).isZero();
        assertThat(b.get("activity.last_write_at")).isNull();
    }
}
