package dev.topics.topic;

import static dev.topics.testing.TestServer.uniqueTopic;
import static dev.topics.topic.WriteTest.path;
import static dev.topics.topic.WriteTest.seed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SPEC §4: reading from a cursor with POST and GET {@code /diff} (no waiting; see DiffWaitTest). */
class DiffTest extends ServerTest {
    static final List<String> DIFF_FIELDS = List.of("topic", "records", "next_from_seq", "head_seq", "earliest_seq",
            "caught_up", "tombstone", "lag", "performance");


    static Response post(String topic, String body) {
        return http.post(path(topic) + "/diff", body).ok();
    }

    static Response get(String topic, String query) {
        return http.get(path(topic) + "/diff" + (query.isEmpty() ? "" : "?" + query)).ok();
    }

    static List<Long> seqs(Response r) {
        return r.list("records").stream().map(x -> (Long) Http.Json.obj(x).get("$seq")).toList();
    }

    static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    /** Asserts the cursor fields of a diff answer. */
    static void assertCursor(Response r, long next, long head, long earliest, boolean caughtUp, long lag) {
        assertThat(r.map().keySet()).containsExactlyInAnyOrderElementsOf(DIFF_FIELDS);
        assertThat(r.num("next_from_seq")).as("next_from_seq").isEqualTo(next);
        assertThat(r.num("head_seq")).as("head_seq").isEqualTo(head);
        assertThat(r.num("earliest_seq")).as("earliest_seq").isEqualTo(earliest);
        assertThat(r.bool("caught_up")).as("caught_up").isEqualTo(caughtUp);
        assertThat(r.num("lag")).as("lag").isEqualTo(lag);
    }

    @Test
    void theDefaultsReadAtMost100FromTheStart() {
        String t = uniqueTopic("diff.defaults");
        seed(http, t, 150);

        for (Response r : List.of(post(t, "{}"), get(t, ""), http.send("POST", path(t) + "/diff",
                java.net.http.HttpRequest.BodyPublishers.noBody()).ok())) {
            assertThat(r.str("topic")).isEqualTo(t);
            assertThat(seqs(r)).isEqualTo(range(1, 100));
            assertCursor(r, 100, 150, 1, false, 50);
            assertThat(r.map()).containsEntry("tombstone", null);
            TopicCrudTest.assertPerformance(r, false);
        }
    }

    @Test
    void fromSeqAndLimitSelectAWindow() {
        String t = uniqueTopic("diff.window");
        seed(http, t, 20);

        Response p = post(t, "{\"from_seq\": 10, \"limit\": 5}");
        Response g = get(t, "from_seq=10&limit=5");

        for (Response r : List.of(p, g)) {
            assertThat(seqs(r)).isEqualTo(range(11, 15));
            assertCursor(r, 15, 20, 1, false, 5);
        }
        Response rest = post(t, "{\"from_seq\": 15, \"limit\": 500}");
        assertThat(seqs(rest)).isEqualTo(range(16, 20));
        assertCursor(rest, 20, 20, 1, true, 0);
    }

    @Test
    void theQuickstartReadReturnsTheRecordsAsWritten() {
        String t = uniqueTopic("diff.quick");
        http.post(path(t), """
                { "records": [ { "data": { "sku": "AEROPRESS-GO", "qty": 1, "total": 3499 }, "tag": "order-7731" },
                               { "data": { "sku": "FELLOW-KETTLE", "qty": 1, "total": 16500 }, "tag": "order-7732" } ] }
                """).ok();

        Response r = post(t, "{ \"from_seq\": 0, \"limit\": 500 }");

        assertCursor(r, 2, 2, 1, true, 0);
        assertThat(r.map()).containsEntry("tombstone", null);
        List<Map<String, Object>> recs = r.list("records").stream().map(Http.Json::obj).toList();
        assertThat(recs).extracting(x -> x.get("$tag")).containsExactly("order-7731", "order-7732");
        assertThat(recs.get(0).get("data")).isEqualTo(Map.of("sku", "AEROPRESS-GO", "qty", 1L, "total", 3499L));
        assertThat(r.text()).contains("\"data\":{\"sku\":\"FELLOW-KETTLE\",\"qty\":1,\"total\":16500}");
    }

    @Test
    void aLimitOf10000IsAcceptedAndReturnsThemAll() {
        String t = uniqueTopic("diff.max");
        http.post(path(t), WriteTest.records(10_000)).ok();

        Response r = post(t, "{\"limit\": 10000}");
        assertThat(seqs(r)).isEqualTo(range(1, 10_000));
        assertCursor(r, 10_000, 10_000, 1, true, 0);
        assertThat(seqs(get(t, "limit=10000"))).hasSize(10_000);
    }

    @Test
    void anEmptyTopicIsCaughtUpAtZero() {
        String t = uniqueTopic("diff.empty");
        http.put(path(t), "{}").ok(201);

        for (Response r : List.of(post(t, "{}"), get(t, "from_seq=0"))) {
            assertThat(r.list("records")).isEmpty();
            assertCursor(r, 0, 0, 1, true, 0);
            assertThat(r.map()).containsEntry("tombstone", null);
        }
    }

    @Test
    void aCursorAtTheHeadIsCaughtUpWithNothingToRead() {
        String t = uniqueTopic("diff.athead");
        seed(http, t, 3);

        Response r = post(t, "{\"from_seq\": 3}");

        assertThat(r.list("records")).isEmpty();
        assertCursor(r, 3, 3, 1, true, 0);
        assertThat(r.map()).containsEntry("tombstone", null);
    }

    @Test
    void recordsFromTheReadersNodeAreSkippedButAdvanceTheCursor() {
        String t = uniqueTopic("diff.node");
        http.post(path(t), """
                {"records": [{"data": 1, "node": "a"}, {"data": 2, "node": "a"}, {"data": 3, "node": "b"},
                             {"data": 4, "node": "a"}, {"data": 5}]}""").ok();

        Response all = post(t, "{\"node\": \"a\"}");
        assertThat(seqs(all)).containsExactly(3L, 5L);
        assertCursor(all, 5, 5, 1, true, 0);
        assertThat(seqs(get(t, "node=a"))).containsExactly(3L, 5L);

        Response one = post(t, "{\"node\": \"a\", \"limit\": 1}");
        assertThat(seqs(one)).containsExactly(3L);
        assertThat(one.num("next_from_seq")).isEqualTo(3);

        Response skipped = post(t, "{\"node\": \"a\", \"from_seq\": 3, \"limit\": 1}");
        assertThat(seqs(skipped)).containsExactly(5L);
        assertCursor(skipped, 5, 5, 1, true, 0);

        Response nodeNull = post(t, "{\"node\": null}");
        assertThat(seqs(nodeNull)).isEqualTo(range(1, 5));
    }

    @Test
    void whenEveryRecordIsSkippedTheReaderIsCaughtUpPastThem() {
        String t = uniqueTopic("diff.allskipped");
        http.post(path(t), "{\"node\": \"mirror-1\", \"records\": [{\"data\": 1}, {\"data\": 2}, {\"data\": 3}]}").ok();

        Response r = post(t, "{\"node\": \"mirror-1\", \"limit\": 2}");

        assertThat(r.list("records")).isEmpty();
        assertThat(r.num("next_from_seq")).as("skipped records still advance the cursor").isPositive();
        Response next = post(t, "{\"node\": \"mirror-1\", \"from_seq\": " + r.num("next_from_seq") + "}");
        assertThat(next.list("records")).isEmpty();
        assertCursor(next, 3, 3, 1, true, 0);
    }

    @Test
    void aCursorPastTheHeadGetsAResetTombstone() {
        String t = uniqueTopic("diff.reset");
        seed(http, t, 3);

        for (Response r : List.of(post(t, "{\"from_seq\": 7}"), get(t, "from_seq=7"))) {
            assertThat(r.list("records")).isEmpty();
            assertThat(r.get("tombstone")).isEqualTo(Map.of("reason", "reset", "head_seq", 3L));
            assertThat(r.obj("tombstone").keySet()).containsExactlyInAnyOrder("reason", "head_seq");
            assertThat(r.num("next_from_seq")).isZero();
            assertThat(r.num("head_seq")).isEqualTo(3);
        }
    }

    @Test
    void theLargestU64CursorIsPastAnyHeadAndGetsAReset() {
        // SPEC §0: seqs and cursors are unsigned 64-bit integers.
        String t = uniqueTopic("diff.u64");
        seed(http, t, 1);
        for (Response r : List.of(post(t, "{\"from_seq\": 18446744073709551615}"), get(t, "from_seq=18446744073709551615"),
                post(t, "{\"from_seq\": 9223372036854775808}"))) {
            assertThat(r.get("tombstone")).isEqualTo(Map.of("reason", "reset", "head_seq", 1L));
            assertThat(r.num("next_from_seq")).isZero();
        }
    }

    @Test
    void aReaderOfADeletedAndRecreatedTopicGetsAReset() {
        String t = uniqueTopic("diff.recreated");
        seed(http, t, 5);
        assertThat(post(t, "{}").num("next_from_seq")).isEqualTo(5);
        http.delete(path(t)).ok();
        seed(http, t, 2);

        Response r = post(t, "{\"from_seq\": 5}");

        assertThat(r.list("records")).isEmpty();
        assertThat(r.get("tombstone")).isEqualTo(Map.of("reason", "reset", "head_seq", 2L));
        assertThat(r.num("next_from_seq")).isZero();
        Response again = post(t, "{\"from_seq\": 0}");
        assertThat(seqs(again)).containsExactly(1L, 2L);
        assertThat(again.map()).containsEntry("tombstone", null);
    }

    @Test
    void aMissingTopicIs404() {
        String t = uniqueTopic("diff.missing");
        http.post(path(t) + "/diff", "{}").assertError(404, "topic_not_found");
        http.get(path(t) + "/diff").assertError(404, "topic_not_found");
        http.post(path(t) + "/diff", "{\"wait_ms\": 100}").assertError(404, "topic_not_found");
        http.get(path(t)).assertError(404, "topic_not_found");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "{\"limit\": 0}", "{\"limit\": 10001}", "{\"limit\": -1}", "{\"limit\": 1.5}", "{\"limit\": \"5\"}",
            "{\"limit\": null}", "{\"from_seq\": -1}", "{\"from_seq\": 1.5}", "{\"from_seq\": 1e2}",
            "{\"from_seq\": \"3\"}", "{\"from_seq\": null}", "{\"from_seq\": 18446744073709551616}",
            "{\"wait_ms\": 60001}", "{\"wait_ms\": -1}", "{\"wait_ms\": 0.5}", "{\"node\": \"a b\"}",
            "{\"node\": 5}", "{\"node\": \"\"}", "[]", "{\"from_seq\": 1, \"from_seq\": 2}"})
    void postRefusesABadValue(String body) {
        String t = uniqueTopic("diff.bad");
        seed(http, t, 1);
        http.post(path(t) + "/diff", body).assertError(400, "invalid_field");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"limit=0", "limit=10001", "limit=-1", "limit=x", "from_seq=-1", "from_seq=1.5",
            "from_seq=abc", "from_seq=", "from_seq=%2B1", "wait_ms=60001", "node=a%20b", "from_seq=1&from_seq=2"})
    void getRefusesABadValue(String query) {
        String t = uniqueTopic("diff.badget");
        seed(http, t, 1);
        http.get(path(t) + "/diff?" + query).assertError(400, "invalid_field");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"{\"fromSeq\": 0}", "{\"from_seq\": 0, \"cursor\": 1}", "{\"limit\": 5, \"Limit\": 5}"})
    void postRefusesAnUnknownField(String body) {
        String t = uniqueTopic("diff.unknown");
        seed(http, t, 1);
        http.post(path(t) + "/diff", body).assertError(400, "unknown_field");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"fromSeq=0", "filter=x", "from_seq=0&cursor=1"})
    void getRefusesAnUnknownParameter(String query) {
        String t = uniqueTopic("diff.unknownget");
        seed(http, t, 1);
        http.get(path(t) + "/diff?" + query).assertError(400, "unknown_field");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"{", "{\"from_seq\": 0} x", "{\"from_seq\": 01}"})
    void postRefusesMalformedJson(String body) {
        String t = uniqueTopic("diff.json");
        seed(http, t, 1);
        http.post(path(t) + "/diff", body).assertError(400, "invalid_json");
    }

    @Test
    void postRefusesADeeplyNestedBody() {
        String t = uniqueTopic("diff.deep");
        seed(http, t, 1);
        http.post(path(t) + "/diff", "{\"filter\": " + WriteTest.nested(64, "1") + "}").assertError(400, "json_too_deep");
    }

    @Test
    void aFilterReturnsOnlyMatchingRecordsAndSkippedOnesStillMoveTheCursor() {
        String t = uniqueTopic("diff.filter");
        http.post(path(t), "{\"records\":[{\"data\":1,\"tag\":\"order-1\"},{\"data\":2,\"tag\":\"refund-1\"},"
                + "{\"data\":3,\"tag\":\"order-2\",\"node\":\"eu-1\"},{\"data\":4}]}").ok();
        Response r = http.post(path(t) + "/diff", "{\"filter\": [\"tag\", \"Glob\", \"order-*\"]}").ok();
        assertThat(r.list("records")).hasSize(2);
        assertThat(r.num("records.0.$seq")).isEqualTo(1);
        assertThat(r.num("records.1.$seq")).isEqualTo(3);
        assertThat(r.num("next_from_seq")).isEqualTo(4);
        assertThat(r.bool("caught_up")).isTrue();
        Response both = http.post(path(t) + "/diff", "{\"filter\": [\"And\", [[\"tag\", \"Glob\", \"order-*\"],"
                + " [\"Not\", [\"node\", \"Eq\", \"eu-1\"]]]], \"limit\": 1}").ok();
        assertThat(both.list("records")).hasSize(1);
        assertThat(both.num("records.0.$seq")).isEqualTo(1);
        assertThat(both.num("next_from_seq")).isEqualTo(1);
    }

    @Test
    void aMalformedFilterIs400InvalidFilterNamingTheBadPart() {
        String t = uniqueTopic("diff.badfilter");
        seed(http, t, 1);
        Response r = http.post(path(t) + "/diff", "{\"filter\": [\"Or\", [[\"tag\", \"Eq\", \"x\"], [\"tags\", \"Eq\", \"y\"]]]}")
                .assertError(400, "invalid_filter");
        assertThat(r.str("error.message")).startsWith("filter[1][1][0]");
    }

    @Test
    void wait_msOf60000IsAcceptedAndDoesNotHoldWhenRecordsAreThere() {
        String t = uniqueTopic("diff.waitmax");
        seed(http, t, 2);
        long t0 = System.nanoTime();
        assertThat(seqs(post(t, "{\"wait_ms\": 60000}"))).containsExactly(1L, 2L);
        assertThat(seqs(get(t, "wait_ms=60000&from_seq=1"))).containsExactly(2L);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
    }
}
