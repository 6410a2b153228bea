package dev.topics.topic;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SPEC §7 and §4 over HTTP: caps, discard new, and the retention tombstone's exact fields. */
class RetentionHttpTest extends ServerTest {
    private static String records(int n) {
        StringBuilder b = new StringBuilder("{\"records\":[");
        for (int i = 1; i <= n; i++) {
            b.append(i == 1 ? "" : ",").append("{\"data\":").append(i).append("}");
        }
        return b.append("]}").toString();
    }

    @Test
    void aReaderBehindEvictedRecordsGetsTheRetentionTombstone() {
        String t = uniqueTopic("ret.cap");
        http.put("/v0/topics/" + t, "{\"cap_records\": 3}").ok(201);
        Response w = http.post("/v0/topics/" + t, records(5)).ok();
        assertThat(w.num("count")).isEqualTo(3);
        Response d = http.post("/v0/topics/" + t + "/diff", "{\"from_seq\": 0}").ok();
        assertThat(d.obj("tombstone")).isEqualTo(Map.of("reason", "retention", "from_seq", 1L, "to_seq", 2L));
        assertThat(d.num("earliest_seq")).isEqualTo(3);
        assertThat(d.num("records.0.$seq")).isEqualTo(3);
        assertThat(d.num("next_from_seq")).isEqualTo(5);
        Response after = http.post("/v0/topics/" + t + "/diff", "{\"from_seq\": 5}").ok();
        assertThat(after.get("tombstone")).isNull();
    }

    @Test
    void discardNewAnswers409TopicFullAndWritesNothing() {
        String t = uniqueTopic("ret.full");
        http.put("/v0/topics/" + t, "{\"cap_records\": 2, \"discard\": \"new\"}").ok(201);
        http.post("/v0/topics/" + t, records(2)).ok();
        http.post("/v0/topics/" + t, records(1)).assertError(409, "topic_full");
        assertThat(http.get("/v0/topics/" + t).ok().num("head_seq")).isEqualTo(2);
    }

    @Test
    void loweringACapByPatchAppliesBeforeThePatchAnswers() {
        String t = uniqueTopic("ret.patch");
        http.post("/v0/topics/" + t, records(6)).ok();
        http.patch("/v0/topics/" + t, "{\"cap_records\": 2}").ok();
        Response info = http.get("/v0/topics/" + t).ok();
        assertThat(info.num("count")).isEqualTo(2);
        assertThat(info.num("earliest_seq")).isEqualTo(5);
    }
}
