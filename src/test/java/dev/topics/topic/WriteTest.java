package dev.topics.topic;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** SPEC §3 with the default limits: the write's answer, validation, and canonical data. */
class WriteTest extends ServerTest {
    static String path(String topic) {
        return "/v0/topics/" + topic;
    }

    /** Writes {@code n} small records and returns the topic's head after. */
    static long seed(Http http, String topic, int n) {
        StringBuilder b = new StringBuilder("{\"records\": [");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"data\": ").append(i).append('}');
        }
        return http.post(path(topic), b.append("]}").toString()).ok().num("head_seq");
    }

    /** Asserts the topic's head_seq and count are what they were. */
    static void assertUnchanged(Http http, String topic, long head, long count) {
        Response g = http.get(path(topic)).ok();
        assertThat(g.num("head_seq")).as("head_seq of %s", topic).isEqualTo(head);
        assertThat(g.num("count")).as("count of %s", topic).isEqualTo(count);
    }

    static String records(int n) {
        StringBuilder b = new StringBuilder("{\"records\":[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"data\":").append(i).append('}');
        }
        return b.append("]}").toString();
    }

    // ---- the answer ---------------------------------------------------------------------

    @Test
    void theQuickstartWriteAnswersWithContiguousSeqsAndEveryField() {
        String t = uniqueTopic("orders");
        http.put(path(t), "{ \"durable\": true, \"cap_records\": 0, \"ttl_ms\": 0 }").ok(201);

        Response r = http.post(path(t), """
                { "records": [ { "data": { "sku": "AEROPRESS-GO", "qty": 1, "total": 3499 }, "tag": "order-7731" },
                               { "data": { "sku": "FELLOW-KETTLE", "qty": 1, "total": 16500 }, "tag": "order-7732" } ] }
                """).ok();

        assertThat(r.map().keySet()).containsExactlyInAnyOrder("topic", "first_seq", "last_seq", "seqs", "head_seq",
                "count", "created", "deduped", "dropped", "performance");
        assertThat(r.str("topic")).isEqualTo(t);
        assertThat(r.num("first_seq")).isEqualTo(1);
        assertThat(r.num("last_seq")).isEqualTo(2);
        assertThat(r.list("seqs")).containsExactly(1L, 2L);
        assertThat(r.num("head_seq")).isEqualTo(2);
        assertThat(r.num("count")).isEqualTo(2);
        assertThat(r.bool("created")).isFalse();
        assertThat(r.bool("deduped")).isFalse();
        TopicCrudTest.assertPerformance(r, true);
    }

    @Test
    void theFirstWriteCreatesTheTopicLazily() {
        String t = uniqueTopic("lazy");

        Response first = http.post(path(t), "{\"records\": [{\"data\": \"hello\"}]}").ok();
        assertThat(first.bool("created")).isTrue();
        assertThat(first.list("seqs")).containsExactly(1L);

        Response second = http.post(path(t), "{\"records\": [{\"data\": 1}, {\"data\": 2}]}").ok();
        assertThat(second.bool("created")).isFalse();
        assertThat(second.list("seqs")).containsExactly(2L, 3L);
        assertThat(second.num("head_seq")).isEqualTo(3);
        assertThat(second.num("count")).isEqualTo(3);

        Response g = http.get(path(t)).ok();
        assertThat(g.get("config")).isEqualTo(TopicCrudTest.DEFAULT_CONFIG);
        assertThat(g.num("head_seq")).isEqualTo(3);
    }

    @Test
    void aWriteAfterADeleteMakesAFreshTopicFromSeqOne() {
        String t = uniqueTopic("recreate");
        seed(http, t, 3);
        http.delete(path(t)).ok();
        Response r = http.post(path(t), "{\"records\": [{\"data\": 1}]}").ok();
        assertThat(r.bool("created")).isTrue();
        assertThat(r.list("seqs")).containsExactly(1L);
    }

    @Test
    void aBatchOfExactly10000RecordsGetsContiguousSeqs() {
        String t = uniqueTopic("batch.max");
        seed(http, t, 1);

        Response r = http.post(path(t), records(10_000)).ok();

        assertThat(r.num("first_seq")).isEqualTo(2);
        assertThat(r.num("last_seq")).isEqualTo(10_001);
        assertThat(r.list("seqs")).isEqualTo(LongStream.rangeClosed(2, 10_001).boxed().map(Object.class::cast).toList());
        assertThat(r.num("count")).isEqualTo(10_001);
    }

    @Test
    void aBatchOf10001RecordsIsRefusedWhole() {
        String t = uniqueTopic("batch.over");
        seed(http, t, 1);

        http.post(path(t), records(10_001)).assertError(400, "too_many_records");

        assertUnchanged(http, t, 1, 1);
    }

    @Test
    void concurrentWritersGetDistinctContiguousSeqs() throws Exception {
        String t = uniqueTopic("concurrent");
        int writers = 8;
        int writesEach = 40;
        List<java.util.concurrent.Future<List<List<Object>>>> futures = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(writers)) {
            for (int w = 0; w < writers; w++) {
                int id = w;
                futures.add(pool.submit(() -> {
                    List<List<Object>> mine = new java.util.ArrayList<>();
                    for (int i = 0; i < writesEach; i++) {
                        Response r = http.post(path(t), "{\"records\": [{\"data\": [" + id + "," + i + ",0]},"
                                + " {\"data\": [" + id + "," + i + ",1]}, {\"data\": [" + id + "," + i + ",2]}]}").ok();
                        mine.add(r.list("seqs"));
                    }
                    return mine;
                }));
            }
        }
        java.util.Set<Long> all = new java.util.TreeSet<>();
        for (var f : futures) {
            for (List<Object> seqs : f.get()) {
                long first = (Long) seqs.get(0);
                assertThat(seqs).as("a batch's seqs are contiguous").containsExactly(first, first + 1, first + 2);
                for (Object s : seqs) {
                    assertThat(all.add((Long) s)).as("seq %s given twice", s).isTrue();
                }
            }
        }
        int total = writers * writesEach * 3;
        assertThat(all).hasSize(total).first().isEqualTo(1L);
        assertThat(((java.util.TreeSet<Long>) all).last()).isEqualTo(total);
        assertUnchanged(http, t, total, total);

        // Each record sits at the seq its write was told, in batch order.
        Response read = http.post(path(t) + "/diff", "{\"limit\": " + total + "}").ok();
        List<Object> records = read.list("records");
        for (int i = 0; i + 2 < records.size(); i += 3) {
            List<?> d0 = (List<?>) Http.Json.obj(records.get(i)).get("data");
            List<?> d2 = (List<?>) Http.Json.obj(records.get(i + 2)).get("data");
            assertThat(d0.get(2)).isEqualTo(0L);
            assertThat(d2.subList(0, 2)).isEqualTo(d0.subList(0, 2));
            assertThat(d2.get(2)).isEqualTo(2L);
        }
    }

    // ---- refusals -----------------------------------------------------------------------

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code before}, the raw bytes, then {@code after}. */
    static byte[] withBytes(String before, int[] raw, String after) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(utf8(before));
        for (int x : raw) {
            b.write(x);
        }
        b.writeBytes(utf8(after));
        return b.toByteArray();
    }

    static String nested(int depth, String inner) {
        return "[".repeat(depth) + inner + "]".repeat(depth);
    }

    static Stream<Arguments> refusedWrites() {
        String node64 = "n".repeat(64);
        return Stream.of(
                arguments("empty records", utf8("{\"records\": []}"), 400, "invalid_field"),
                arguments("missing records", utf8("{}"), 400, "invalid_field"),
                arguments("records null", utf8("{\"records\": null}"), 400, "invalid_field"),
                arguments("missing data", utf8("{\"records\": [{\"tag\": \"t\"}]}"), 400, "invalid_field"),
                arguments("empty record", utf8("{\"records\": [{}]}"), 400, "invalid_field"),
                arguments("one good one without data", utf8("{\"records\": [{\"data\": 1}, {}]}"), 400, "invalid_field"),
                arguments("unknown top-level field", utf8("{\"records\": [{\"data\": 1}], \"extra\": 1}"), 400, "unknown_field"),
                arguments("typo at top level", utf8("{\"record\": [{\"data\": 1}]}"), 400, "unknown_field"),
                arguments("unknown record field", utf8("{\"records\": [{\"data\": 1, \"datum\": 2}]}"), 400, "unknown_field"),
                arguments("unknown origin field", utf8("{\"records\": [{\"data\": 1, \"origin\": {\"node\": \"n1\", \"topic\": \"abc\", \"seq\": 1, \"x\": 1}}]}"), 400, "unknown_field"),
                arguments("records not an array", utf8("{\"records\": {\"data\": 1}}"), 400, "invalid_field"),
                arguments("a record not an object", utf8("{\"records\": [1]}"), 400, "invalid_field"),
                arguments("body an array", utf8("[{\"data\": 1}]"), 400, "invalid_field"),
                arguments("body a string", utf8("\"records\""), 400, "invalid_field"),
                arguments("tag a number", utf8("{\"records\": [{\"data\": 1, \"tag\": 5}]}"), 400, "invalid_field"),
                arguments("tag 257 bytes", utf8("{\"records\": [{\"data\": 1, \"tag\": \"" + "t".repeat(257) + "\"}]}"), 400, "invalid_field"),
                arguments("tag 129 two-byte chars", utf8("{\"records\": [{\"data\": 1, \"tag\": \"" + "é".repeat(129) + "\"}]}"), 400, "invalid_field"),
                arguments("node with a space", utf8("{\"records\": [{\"data\": 1, \"node\": \"eu 1\"}]}"), 400, "invalid_field"),
                arguments("node 65 bytes", utf8("{\"records\": [{\"data\": 1, \"node\": \"" + node64 + "n\"}]}"), 400, "invalid_field"),
                arguments("node empty", utf8("{\"records\": [{\"data\": 1, \"node\": \"\"}]}"), 400, "invalid_field"),
                arguments("node a number", utf8("{\"records\": [{\"data\": 1, \"node\": 1}]}"), 400, "invalid_field"),
                arguments("node with a slash", utf8("{\"records\": [{\"data\": 1, \"node\": \"eu/1\"}]}"), 400, "invalid_field"),
                arguments("top-level node with a space", utf8("{\"records\": [{\"data\": 1}], \"node\": \"a b\"}"), 400, "invalid_field"),
                arguments("top-level node 65 bytes", utf8("{\"records\": [{\"data\": 1}], \"node\": \"" + node64 + "x\"}"), 400, "invalid_field"),
                arguments("origin missing seq", utf8("{\"records\": [{\"data\": 1, \"origin\": {\"node\": \"n1\", \"topic\": \"abc\"}}]}"), 400, "invalid_field"),
                arguments("origin missing node", utf8("{\"records\": [{\"data\": 1, \"origin\": {\"topic\": \"abc\", \"seq\": 1}}]}"), 400, "invalid_field"),
                arguments("origin negative seq", utf8("{\"records\": [{\"data\": 1, \"origin\": {\"node\": \"n1\", \"topic\": \"abc\", \"seq\": -1}}]}"), 400, "invalid_field"),
                arguments("origin fractional seq", utf8("{\"records\": [{\"data\": 1, \"origin\": {\"node\": \"n1\", \"topic\": \"abc\", \"seq\": 1.5}}]}"), 400, "invalid_field"),
                arguments("origin seq a string", utf8("{\"records\": [{\"data\": 1, \"origin\": {\"node\": \"n1\", \"topic\": \"abc\", \"seq\": \"1\"}}]}"), 400, "invalid_field"),
                arguments("origin seq above u64", utf8("{\"records\": [{\"data\": 1, \"origin\": {\"node\": \"n1\", \"topic\": \"abc\", \"seq\": 18446744073709551616}}]}"), 400, "invalid_field"),
                arguments("origin topic invalid", utf8("{\"records\": [{\"data\": 1, \"origin\": {\"node\": \"n1\", \"topic\": \"a..b\", \"seq\": 1}}]}"), 400, "invalid_field"),
                arguments("origin not an object", utf8("{\"records\": [{\"data\": 1, \"origin\": \"n1\"}]}"), 400, "invalid_field"),
                arguments("idempotency_key a number", utf8("{\"records\": [{\"data\": 1}], \"idempotency_key\": 5}"), 400, "invalid_field"),
                arguments("records twice", utf8("{\"records\": [{\"data\": 1}], \"records\": [{\"data\": 2}]}"), 400, "invalid_field"),
                arguments("data twice", utf8("{\"records\": [{\"data\": 1, \"data\": 2}]}"), 400, "invalid_field"),
                arguments("empty body", new byte[0], 400, "invalid_json"),
                arguments("not JSON", utf8("records=1"), 400, "invalid_json"),
                arguments("unquoted name", utf8("{records: [{\"data\": 1}]}"), 400, "invalid_json"),
                arguments("truncated", utf8("{\"records\": [{\"data\": {\"a\": 1}"), 400, "invalid_json"),
                arguments("truncated string", utf8("{\"records\": [{\"data\": \"abc"), 400, "invalid_json"),
                arguments("trailing garbage", utf8("{\"records\": [{\"data\": 1}]} x"), 400, "invalid_json"),
                arguments("two documents", utf8("{\"records\": [{\"data\": 1}]}{}"), 400, "invalid_json"),
                arguments("trailing comma", utf8("{\"records\": [{\"data\": 1},]}"), 400, "invalid_json"),
                arguments("leading zero", utf8("{\"records\": [{\"data\": 01}]}"), 400, "invalid_json"),
                arguments("NaN", utf8("{\"records\": [{\"data\": NaN}]}"), 400, "invalid_json"),
                arguments("single quotes", utf8("{\"records\": [{\"data\": 'x'}]}"), 400, "invalid_json"),
                arguments("bad escape", utf8("{\"records\": [{\"data\": \"\\x41\"}]}"), 400, "invalid_json"),
                arguments("raw control char in string", utf8("{\"records\": [{\"data\": \"a\u0001b\"}]}"), 400, "invalid_json"),
                arguments("invalid UTF-8 in data", withBytes("{\"records\": [{\"data\": \"a", new int[] {0xC3, 0x28}, "b\"}]}"), 400, "invalid_json"),
                arguments("invalid UTF-8 in tag", withBytes("{\"records\": [{\"data\": 1, \"tag\": \"", new int[] {0xC3, 0x28}, "\"}]}"), 400, "invalid_json"),
                arguments("invalid UTF-8 in a name", withBytes("{\"records\": [{\"data\": 1, \"", new int[] {0xFF}, "\": 1}]}"), 400, "invalid_json"),
                arguments("overlong UTF-8", withBytes("{\"records\": [{\"data\": \"", new int[] {0xC0, 0xAF}, "\"}]}"), 400, "invalid_json"),
                arguments("UTF-8 byte order mark", withBytes("", new int[] {0xEF, 0xBB, 0xBF}, "{\"records\": [{\"data\": 1}]}"), 400, "invalid_json"),
                arguments("depth 65", utf8("{\"records\": [{\"data\": " + nested(62, "1") + "}]}"), 400, "json_too_deep"),
                arguments("depth 1000", utf8("{\"records\": [{\"data\": " + nested(997, "1") + "}]}"), 400, "json_too_deep"));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {2} {3}")
    @MethodSource("refusedWrites")
    void aRefusedWriteChangesNothing(String what, byte[] body, int status, String code) {
        String t = uniqueTopic("refused");
        seed(http, t, 1);

        http.postBytes(path(t), body).assertError(status, code);

        assertUnchanged(http, t, 1, 1);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {2} {3}")
    @MethodSource("refusedWrites")
    void aRefusedWriteDoesNotCreateTheTopic(String what, byte[] body, int status, String code) {
        String t = uniqueTopic("refused.new");

        http.postBytes(path(t), body).assertError(status, code);

        http.get(path(t)).assertError(404, "topic_not_found");
    }

    static Stream<Arguments> acceptedEdgeWrites() {
        return Stream.of(
                arguments("depth 64", "{\"records\": [{\"data\": " + nested(61, "1") + "}]}"),
                arguments("tag 256 bytes", "{\"records\": [{\"data\": 1, \"tag\": \"" + "t".repeat(256) + "\"}]}"),
                arguments("tag 128 two-byte chars", "{\"records\": [{\"data\": 1, \"tag\": \"" + "é".repeat(128) + "\"}]}"),
                arguments("node 64 bytes of every allowed kind", "{\"records\": [{\"data\": 1, \"node\": \"" + ("Az09._:-".repeat(8)) + "\"}]}"),
                arguments("tag null", "{\"records\": [{\"data\": 1, \"tag\": null}]}"),
                arguments("node null", "{\"records\": [{\"data\": 1, \"node\": null}], \"node\": null}"),
                arguments("origin null", "{\"records\": [{\"data\": 1, \"origin\": null}]}"),
                arguments("empty tag", "{\"records\": [{\"data\": 1, \"tag\": \"\"}]}"),
                arguments("whitespace everywhere", " \t\r\n{ \"records\" : [ { \"data\" : 1 } ] } \n"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("acceptedEdgeWrites")
    void aWriteAtTheEdgeOfALimitIsAccepted(String what, String body) {
        String t = uniqueTopic("edge");
        Response r = http.post(path(t), body).ok();
        assertThat(r.list("seqs")).containsExactly(1L);
    }

    @Test
    void aRecordWhoseDataIsOverOneMebibyteIs413AndNothingIsWritten() {
        String t = uniqueTopic("record.big");
        seed(http, t, 1);
        String data = "\"" + "x".repeat((1 << 20) - 1) + "\""; // 1 MiB + 1 serialized

        http.post(path(t), "{\"records\": [{\"data\": 1}, {\"data\": " + data + "}]}")
                .assertError(413, "record_too_large");

        assertUnchanged(http, t, 1, 1);
    }

    @Test
    void aRecordOfExactlyOneMebibyteIsAcceptedAndInsignificantWhitespaceDoesNotCount() {
        String t = uniqueTopic("record.edge");
        String data = "\"" + "x".repeat((1 << 20) - 2) + "\""; // exactly 1 MiB serialized
        http.post(path(t), "{\"records\": [{\"data\": " + data + "}]}").ok();

        // 1 MiB canonical, padded with whitespace to more: the limit is on the canonical form.
        String padded = "[   " + "\"" + "y".repeat((1 << 20) - 4) + "\"" + "   ]";
        http.post(path(t), "{\"records\": [{\"data\": " + padded + "}]}").ok();
    }

    @Test
    void aBodyOverTheDefault16MebibytesIs413WithContentLengthAndChunked() {
        String t = uniqueTopic("body.default");
        seed(http, t, 1);
        byte[] body = paddedWrite((16 << 20) + 1);

        WriteLimitsTest.send(() -> http.postBytes(path(t), body)).assertError(413, "body_too_large");
        WriteLimitsTest.send(() -> http.postChunked(path(t), body)).assertError(413, "body_too_large");

        assertUnchanged(http, t, 1, 1);
    }

    /** A well-formed write of one record, exactly {@code size} bytes (whitespace before the closing brace). */
    static byte[] paddedWrite(int size) {
        byte[] head = utf8("{\"records\": [{\"data\": 1}]");
        byte[] b = new byte[size];
        System.arraycopy(head, 0, b, 0, head.length);
        java.util.Arrays.fill(b, head.length, size - 1, (byte) ' ');
        b[size - 1] = '}';
        return b;
    }

    // ---- data is stored as given ---------------------------------------------------------

    static Stream<Arguments> canonicalData() {
        return Stream.of(
                arguments("{\"a\" : [1, 2.50, -0, 1e3, \"x\\u00e9\\\"y\"], \"b\": null}",
                        "{\"a\":[1,2.50,-0,1e3,\"x\\u00e9\\\"y\"],\"b\":null}"),
                arguments("\"s\"", "\"s\""),
                arguments("5", "5"),
                arguments("null", "null"),
                arguments("true", "true"),
                arguments("false", "false"),
                arguments("-1.50E+07", "-1.50E+07"),
                arguments("123456789012345678901234567890.000", "123456789012345678901234567890.000"),
                arguments("{ }", "{}"),
                arguments("[ ]", "[]"),
                arguments("\"  spaces  kept \\t \"", "\"  spaces  kept \\t \""),
                arguments("\"é ü 😀\"", "\"é ü 😀\""),
                arguments("\"\\ud83d\\ude00 \\/ \\u0041\"", "\"\\ud83d\\ude00 \\/ \\u0041\""),
                arguments("{\"z\":1,\"a\":2}", "{\"z\":1,\"a\":2}"),
                arguments("[\n  {\"sku\" :\t\"AEROPRESS-GO\" ,\r\n \"qty\" : 1 }\n]", "[{\"sku\":\"AEROPRESS-GO\",\"qty\":1}]"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("canonicalData")
    void dataComesBackByteIdenticalInCanonicalForm(String sent, String stored) {
        String t = uniqueTopic("canonical");
        http.post(path(t), "{\"records\": [{\"data\": " + sent + "}]}").ok();

        Response post = http.post(path(t) + "/diff", "{}").ok();
        Response get = http.get(path(t) + "/diff").ok();

        for (Response r : List.of(post, get)) {
            assertThat(r.text()).as("raw diff body").contains("\"data\":" + stored + "}");
            assertThat(r.list("records")).hasSize(1);
        }
    }

    @Test
    void dataOfEveryRecordOfABatchIsKeptApart() {
        String t = uniqueTopic("batch.data");
        http.post(path(t), "{\"records\": [{\"data\": \"}]\"}, {\"data\": {\"records\": []}}, {\"data\": [null]}]}").ok();

        Response r = http.post(path(t) + "/diff", "{}").ok();

        List<Object> data = r.list("records").stream().map(rec -> Http.Json.obj(rec).get("data")).toList();
        assertThat(data).containsExactly("}]", Map.of("records", List.of()), java.util.Arrays.asList((Object) null));
    }
}
