package dev.topics.topic;

import static dev.topics.testing.TestServer.uniqueTopic;
import static dev.topics.topic.WriteTest.path;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SPEC §3–§4: {@code $seq $ts $tag $node $origin} on read; absent parts omitted, never null. */
class RecordFieldsTest extends ServerTest {
    static List<Map<String, Object>> read(String topic) {
        Response r = http.post(path(topic) + "/diff", "{}").ok();
        return r.list("records").stream().map(Http.Json::obj).toList();
    }

    @Test
    void aPlainRecordHasOnlySeqTsAndData() {
        String t = uniqueTopic("fields.plain");
        long before = System.currentTimeMillis();
        http.post(path(t), "{\"records\": [{\"data\": {\"x\": 1}}]}").ok();
        long after = System.currentTimeMillis();

        Map<String, Object> rec = read(t).get(0);

        assertThat(rec.keySet()).containsExactly("$seq", "$ts", "data");
        assertThat(rec.get("$seq")).isEqualTo(1L);
        assertThat((Long) rec.get("$ts")).isBetween(before - 1000, after + 1000);
        assertThat(rec.get("data")).isEqualTo(Map.of("x", 1L));
    }

    @Test
    void topLevelNodeAppliesToRecordsWithoutTheirOwn() {
        String t = uniqueTopic("fields.node");
        http.post(path(t), """
                {"node": "eu-1", "records": [
                  {"data": 1},
                  {"data": 2, "node": "us-2"},
                  {"data": 3, "node": null}
                ]}""").ok();

        List<Map<String, Object>> recs = read(t);

        assertThat(recs).extracting(r -> r.get("$node")).containsExactly("eu-1", "us-2", "eu-1");
        for (Map<String, Object> r : recs) {
            assertThat(r.keySet()).containsExactlyInAnyOrder("$seq", "$ts", "$node", "data");
        }
    }

    @Test
    void tagIsShownOnlyWhenGiven() {
        String t = uniqueTopic("fields.tag");
        http.post(path(t), """
                {"records": [
                  {"data": 1, "tag": "order-7731"},
                  {"data": 2},
                  {"data": 3, "tag": null},
                  {"data": 4, "tag": "é \\" \\\\ \\n end"}
                ]}""").ok();

        List<Map<String, Object>> recs = read(t);

        assertThat(recs.get(0)).containsEntry("$tag", "order-7731");
        assertThat(recs.get(1)).doesNotContainKey("$tag");
        assertThat(recs.get(2)).doesNotContainKey("$tag");
        assertThat(recs.get(3)).containsEntry("$tag", "é \" \\ \n end");
        for (Map<String, Object> r : recs) {
            assertThat(r.values()).doesNotContainNull();
        }
    }

    @Test
    void originRoundTripsUnchanged() {
        String t = uniqueTopic("fields.origin");
        http.post(path(t), """
                {"records": [
                  {"data": 1, "node": "eu-1", "tag": "t", "origin": {"node": "n-eu", "topic": "orders", "seq": 9007199254740993}},
                  {"data": 2, "origin": {"seq": 7, "topic": "a.b.c", "node": "x:y"}}
                ]}""").ok();

        List<Map<String, Object>> recs = read(t);

        assertThat(recs.get(0).keySet()).containsExactlyInAnyOrder("$seq", "$ts", "$tag", "$node", "$origin", "data");
        assertThat(recs.get(0).get("$origin"))
                .isEqualTo(Map.of("node", "n-eu", "topic", "orders", "seq", 9007199254740993L));
        assertThat(recs.get(1).keySet()).containsExactlyInAnyOrder("$seq", "$ts", "$origin", "data");
        assertThat(recs.get(1).get("$origin")).isEqualTo(Map.of("node", "x:y", "topic", "a.b.c", "seq", 7L));
        assertThat(Http.Json.obj(recs.get(1).get("$origin")).keySet()).containsExactly("node", "topic", "seq");
    }

    @Test
    void anOriginSeqMayBeAnyU64() {
        // SPEC §0: seqs are unsigned 64-bit integers, so another server's seq may exceed 2^63 - 1.
        String t = uniqueTopic("fields.u64");
        http.post(path(t), "{\"records\": [{\"data\": 1, \"origin\": {\"node\": \"n\", \"topic\": \"abc\", "
                + "\"seq\": 18446744073709551615}}]}").ok();
        assertThat(http.post(path(t) + "/diff", "{}").ok().text())
                .contains("\"$origin\":{\"node\":\"n\",\"topic\":\"abc\",\"seq\":18446744073709551615}");
    }

    @Test
    void recordFieldsSurviveARestartToo() {
        String t = uniqueTopic("fields.restart");
        http.post(path(t), "{\"node\": \"n1\", \"records\": [{\"data\": [1, 2.50], \"tag\": \"tg\", "
                + "\"origin\": {\"node\": \"o\", \"topic\": \"src\", \"seq\": 3}}, {\"data\": null}]}").ok();
        List<Map<String, Object>> before = read(t);
        String rawBefore = http.get(path(t) + "/diff").ok().text();

        server.restart();

        assertThat(read(t)).isEqualTo(before);
        assertThat(http.get(path(t) + "/diff").ok().text().replaceAll("\"server_total_ms\":[0-9.]+", ""))
                .isEqualTo(rawBefore.replaceAll("\"server_total_ms\":[0-9.]+", ""));
    }
}
