package dev.topics.manage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §13, the {@code /topics} management surface (camelCase), black box, with auth
 * required: DELETE's cascade (shares, subscriptions, open streams), and the
 * name made afresh.
 */
@Timeout(300)
@ServerTest.Setup(auth = true, memory = true)
class ManagementTopicDeletionTest extends ManagementFixtures {
    @Test
    void deleteCascadesAndTheNameStartsAfresh() {
        String t = newTopic(alice, false, false);
        for (int i = 1; i <= 3; i++) {
            post(alice, t, "{\"n\": " + i + "}").ok(201);
        }
        String tk = alice.post(path(t) + "/shares", "{\"access\": \"rw\"}").ok(201).str("token");
        alice.put("/v0/topics/" + t + "/subscriptions/s1", "{\"from_seq\": 0}").ok(201);
        share(tk).get(msgs(t)).ok();

        Response d = alice.delete(path(t)).ok();
        assertThat(d.map()).containsExactly(Map.entry("name", t), Map.entry("deleted", true));
        assertCamel(d.json(), "DELETE topic");

        // gone: its share tokens, the topic, its subscriptions
        share(tk).get(msgs(t)).assertError(401, "unauthorized");
        post(share(tk), t, "1").assertError(401, "unauthorized");
        admin.get(path(t)).assertError(404, "topic_not_found");
        admin.get(msgs(t)).assertError(404, "topic_not_found");
        admin.get("/v0/topics/" + t + "/subscriptions/s1").assertError(404, "topic_not_found");
        assertThat(listedNames(admin)).doesNotContain(t);
        admin.delete(path(t)).assertError(404, "topic_not_found");

        // made again: empty, ids restart at 1, nothing attached, old tokens still dead
        assertTopic(alice.post("/topics", createBody(t, false, false)).ok(201).map(), t, false, false, "alice");
        Response empty = alice.get(msgs(t)).ok();
        assertThat(ids(empty)).isEmpty();
        assertThat(empty.num("next")).isZero();
        assertThat(post(alice, t, "{\"again\": true}").ok(201).num("id")).isEqualTo(1);
        assertThat(rawPayloads(alice.get(msgs(t)).ok().text())).containsExactly("{\"again\":true}");
        assertThat(alice.get("/v0/topics/" + t + "/subscriptions").ok().list("subscriptions")).isEmpty();
        alice.get("/v0/topics/" + t + "/subscriptions/s1").expect(404);
        assertThat(alice.get(path(t) + "/shares").ok().list("shares")).isEmpty();
        share(tk).get(msgs(t)).assertError(401, "unauthorized");

        // the admin may delete any topic
        Response byAdmin = admin.delete(path(t)).ok();
        assertThat(byAdmin.map()).containsExactly(Map.entry("name", t), Map.entry("deleted", true));
    }

    @Test
    void deleteEndsOpenStreamsOnTheTopic() throws Exception {
        String t = newTopic(alice, true, false);
        post(alice, t, "1").ok(201);
        String wid = alice.post("/v0/watch", "{\"topics\": {\"" + t + "\": {\"from_seq\": 0}}, \"heartbeat_ms\": 200}")
                .ok(201).str("wid");
        try (var sse = dev.topics.testing.SseClient.open(http.base().resolve("/v0/watch/" + wid), null)) {
            assertThat(sse.status()).isEqualTo(200);
            assertThat(sse.nextEvent(30).name()).isEqualTo("record");
            alice.delete(path(t)).ok();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            boolean tombstone = false;
            while (System.nanoTime() < deadline) {
                var e = sse.nextEvent(30);
                if (e == null) {
                    break;
                }
                if ("tombstone".equals(e.name())) {
                    assertThat(e.data()).contains("deleted");
                    tombstone = true;
                }
            }
            assertThat(tombstone).as("a deleted tombstone before the stream closed").isTrue();
        }
    }
}
