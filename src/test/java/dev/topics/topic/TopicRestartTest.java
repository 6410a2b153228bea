package dev.topics.topic;

import static dev.topics.testing.TestServer.uniqueTopic;
import static dev.topics.topic.WriteTest.path;
import static dev.topics.topic.WriteTest.seed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SPEC §2–§3 across a clean restart on the same data directory. */
class TopicRestartTest extends ServerTest {
    static Map<String, Object> describe(String topic) {
        Map<String, Object> m = new java.util.HashMap<>(http.get(path(topic)).ok().map());
        m.remove("performance");
        return m;
    }

    @Test
    void topicsRecordsConfigAndDeletesSurviveARestartAndNonDurableTopicsDoNot() {
        String durable = uniqueTopic("restart.durable");
        String patched = uniqueTopic("restart.patched");
        String memory = uniqueTopic("restart.memory");
        String deleted = uniqueTopic("restart.deleted");
        String recreated = uniqueTopic("restart.recreated");
        String empty = uniqueTopic("restart.empty");

        http.put(path(durable), "{\"ttl_ms\": 0, \"cap_records\": 0, \"durability\": \"async\"}").ok(201);
        seed(http, durable, 3);
        http.put(path(patched), "{}").ok(201);
        http.patch(path(patched), "{\"cap_records\": 1000, \"public_read\": true}").ok();
        seed(http, patched, 1);
        http.put(path(memory), "{\"durable\": false}").ok(201);
        seed(http, memory, 2);
        seed(http, deleted, 2);
        http.delete(path(deleted)).ok();
        seed(http, recreated, 4);
        http.delete(path(recreated)).ok();
        seed(http, recreated, 1);
        http.put(path(empty), "{}").ok(201);
        Map<String, Object> durableBefore = describe(durable);
        Map<String, Object> patchedBefore = describe(patched);
        Map<String, Object> recreatedBefore = describe(recreated);
        Map<String, Object> emptyBefore = describe(empty);
        String readBefore = http.get(path(durable) + "/diff").ok().text();

        server.restart();

        assertThat(describe(durable)).isEqualTo(durableBefore);
        assertThat(describe(patched)).isEqualTo(patchedBefore);
        assertThat(describe(recreated)).isEqualTo(recreatedBefore);
        assertThat(describe(empty)).isEqualTo(emptyBefore);
        http.get(path(memory)).assertError(404, "topic_not_found");
        http.get(path(deleted)).assertError(404, "topic_not_found");
        assertThat(strip(http.get(path(durable) + "/diff").ok().text())).isEqualTo(strip(readBefore));

        Response next = http.post(path(durable), "{\"records\": [{\"data\": \"after\"}]}").ok();
        assertThat(next.list("seqs")).as("seqs continue, never reused").containsExactly(4L);
        assertThat(http.post(path(recreated), "{\"records\": [{\"data\": 1}]}").ok().list("seqs")).containsExactly(2L);
    }

    private static String strip(String body) {
        return body.replaceAll("\"server_total_ms\":[0-9.]+", "");
    }
}
