package dev.topics.topic;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SPEC §6 over HTTP: POST /v0/topics/{name}/delete. */
class DeleteHttpTest extends ServerTest {
    private static final String TWO_ORDERS = """
            { "records": [ { "data": { "sku": "AEROPRESS-GO", "qty": 1, "total": 3499 }, "tag": "order-7731" },
                           { "data": { "sku": "FELLOW-KETTLE", "qty": 1, "total": 16500 }, "tag": "order-7732" } ] }""";

    @Test
    void theQuickstartDeleteAnswersAsDocumented() {
        String t = uniqueTopic("del.quick");
        http.post("/v0/topics/" + t, TWO_ORDERS).ok();
        Response d = http.post("/v0/topics/" + t + "/delete", "{ \"match\": [\"tag\", \"Eq\", \"order-7731\"] }").ok();
        assertThat(d.map().keySet()).containsExactlyInAnyOrder("topic", "deleted", "earliest_seq", "head_seq", "count",
                "performance");
        assertThat(d.num("deleted")).isEqualTo(1);
        assertThat(d.num("earliest_seq")).isEqualTo(2);
        assertThat(d.num("head_seq")).isEqualTo(2);
        assertThat(d.num("count")).isEqualTo(1);
        assertThat(d.obj("performance").keySet()).contains("server_total_ms", "fsync_ms");
        Response read = http.post("/v0/topics/" + t + "/diff", "{\"from_seq\": 0}").ok();
        assertThat(read.list("records")).hasSize(1);
        assertThat(read.get("tombstone")).isNull();
    }

    @Test
    void aRangeDeleteAndARangeWithAMatch() {
        String t = uniqueTopic("del.range");
        http.post("/v0/topics/" + t, TWO_ORDERS).ok();
        http.post("/v0/topics/" + t, TWO_ORDERS).ok();
        assertThat(http.post("/v0/topics/" + t + "/delete", "{\"from_seq\": 2, \"to_seq\": 4,"
                + " \"match\": [\"tag\", \"Eq\", \"order-7732\"]}").ok().num("deleted")).isEqualTo(2);
        assertThat(http.post("/v0/topics/" + t + "/delete", "{\"from_seq\": 1, \"to_seq\": 1}").ok().num("deleted"))
                .isEqualTo(1);
        assertThat(http.get("/v0/topics/" + t).ok().num("count")).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{}|empty_delete",
        "|empty_delete",
        "{\"match\": null}|empty_delete",
        "{\"match\": [\"tags\", \"Eq\", \"x\"]}|invalid_filter",
        "{\"from_seq\": 5, \"to_seq\": 2}|invalid_field",
        "{\"from_seq\": -1}|invalid_field",
        "{\"seq\": 1}|unknown_field",
        "{\"from_seq\": 1|invalid_json",
    })
    void badDeletesAre400AndDeleteNothing(String body, String code) {
        String t = uniqueTopic("del.bad");
        http.post("/v0/topics/" + t, TWO_ORDERS).ok();
        http.post("/v0/topics/" + t + "/delete", body == null ? "" : body).assertError(400, code);
        assertThat(http.get("/v0/topics/" + t).ok().num("count")).isEqualTo(2);
    }

    @Test
    void deletingFromAMissingTopicIs404() {
        http.post("/v0/topics/" + uniqueTopic("del.none") + "/delete", "{\"from_seq\": 1}").assertError(404, "topic_not_found");
    }
}
