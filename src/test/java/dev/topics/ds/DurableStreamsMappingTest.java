package dev.topics.ds;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.SseClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A Durable Streams stream is a topic (SPEC §16): what {@code /v1/stream} writes, {@code /v0}
 * reads and lists (JSON messages as records, bytes as base64 with their content type), what
 * {@code /v0} writes, {@code /v1/stream} reads as a JSON stream, offsets are seqs and sort as
 * strings, and the refusals that keep the two surfaces consistent.
 */
@ServerTest.Setup(memory = true)
class DurableStreamsMappingTest extends ServerTest {

    private static String v1(String name) {
        return "/v1/stream/" + name;
    }

    private static Response put(String name, String type, byte[] body, String... headers) {
        return send("PUT", name, type, body, headers);
    }

    private static Response post(String name, String type, byte[] body, String... headers) {
        return send("POST", name, type, body, headers);
    }

    private static Response send(String method, String name, String type, byte[] body, String... headers) {
        String[] h = new String[headers.length + 2];
        h[0] = "Content-Type";
        h[1] = type;
        System.arraycopy(headers, 0, h, 2, headers.length);
        return http.send(method, v1(name), BodyPublishers.ofByteArray(body), h);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<Map<String, Object>> records(String topic) {
        return http.get("/v0/topics/" + topic + "/diff?from_seq=0").ok().list("records").stream()
                .map(Http.Json::obj).toList();
    }

    @Test
    void aJsonStreamsMessagesAreRecordsWhoseSeqsAreItsOffsets() {
        String name = uniqueTopic("ds.json");
        Response created = put(name, "application/json", utf8("[{\"a\":1},{\"b\":2}]")).expect(201);
        assertThat(created.header("stream-next-offset")).isEqualTo("0000000000000002_0000000000000000");
        Response appended = post(name, "application/json", utf8("{\"c\": [3, 4]}")).expect(204);
        assertThat(appended.header("stream-next-offset")).isEqualTo("0000000000000003_0000000000000000");

        List<Map<String, Object>> recs = records(name);
        assertThat(recs).extracting(r -> r.get("$seq")).containsExactly(1L, 2L, 3L);
        assertThat(recs).extracting(r -> r.get("data"))
                .containsExactly(Map.of("a", 1L), Map.of("b", 2L), Map.of("c", List.of(3L, 4L)));
        assertThat(recs.getFirst()).doesNotContainKey("$encoding");

        // reading from the offset after seq 1 gives seqs 2 and 3, the same data
        Response read = http.get(v1(name) + "?offset=0000000000000001_0000000000000000").expect(200);
        assertThat(Http.Json.parse(read.text())).isEqualTo(List.of(Map.of("b", 2L), Map.of("c", List.of(3L, 4L))));

        // the stream is a topic: listed, described, and its delete is the stream's
        assertThat(http.get("/v0/topics?prefix=" + name).ok().list("topics")).hasSize(1);
        assertThat(http.get("/v0/topics/" + name).ok().num("head_seq")).isEqualTo(3);
        http.delete("/v0/topics/" + name).ok();
        http.get(v1(name)).assertError(404, "topic_not_found");
    }

    @Test
    void aByteStreamsAppendsReadOnV0AsBase64WithTheirContentType() {
        String name = uniqueTopic("ds.bytes");
        byte[] first = {0, 1, 2, (byte) 0xFF};
        put(name, "application/octet-stream", first).expect(201);
        post(name, "application/octet-stream", utf8("hello")).expect(204);

        List<Map<String, Object>> recs = records(name);
        assertThat(recs).hasSize(2);
        assertThat(recs.get(0)).containsEntry("$content_type", "application/octet-stream")
                .containsEntry("$encoding", "base64")
                .containsEntry("data", Base64.getEncoder().encodeToString(first));
        assertThat(recs.get(1)).containsEntry("data", Base64.getEncoder().encodeToString(utf8("hello")));

        Response bytes = http.get(v1(name)).expect(200);
        assertThat(bytes.bytes()).isEqualTo(new byte[] {0, 1, 2, (byte) 0xFF, 'h', 'e', 'l', 'l', 'o'});

        // /v0 writes JSON records: refused on a byte stream, and nothing is written
        http.post("/v0/topics/" + name, "{\"records\": [{\"data\": 1}]}").assertError(409, "content_type_mismatch");
        assertThat(records(name)).hasSize(2);
    }

    @Test
    void aV0TopicReadsAndTakesAppendsAsAJsonStream() {
        String name = uniqueTopic("ds.v0");
        http.post("/v0/topics/" + name, "{\"records\": [{\"data\": {\"x\": 1}}, {\"data\": \"two\"}]}").ok();

        Response head = http.withoutErrorShapeCheck().send("HEAD", v1(name), BodyPublishers.noBody());
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("content-type")).isEqualTo("application/json");
        assertThat(head.header("stream-next-offset")).isEqualTo("0000000000000002_0000000000000000");
        assertThat(Http.Json.parse(http.get(v1(name)).expect(200).text())).isEqualTo(List.of(Map.of("x", 1L), "two"));

        post(name, "application/json", utf8("[3, 4]")).expect(204);
        assertThat(records(name)).extracting(r -> r.get("data")).containsExactly(Map.of("x", 1L), "two", 3L, 4L);

        // a PUT confirming it as the JSON stream it is: 200; as another type: 409
        put(name, "application/json", new byte[0]).expect(200);
        put(name, "text/plain", new byte[0]).assertError(409, "stream_exists");
    }

    @Test
    void aClosedStreamRefusesV0WritesToo() {
        String name = uniqueTopic("ds.closed");
        put(name, "application/json", utf8("[1]"), "Stream-Closed", "true").expect(201);
        Response refused = http.post("/v0/topics/" + name, "{\"records\": [{\"data\": 2}]}");
        refused.assertError(409, "stream_closed");
        assertThat(records(name)).hasSize(1);
    }

    @Test
    void aForkReadsItsSourcesRecordsOnV0() {
        String src = uniqueTopic("ds.src");
        String fork = uniqueTopic("ds.fork");
        put(src, "application/json", utf8("[\"a\", \"b\", \"c\"]")).expect(201);
        put(fork, "application/json", new byte[0], "Stream-Forked-From", v1(src), "Stream-Fork-Offset",
                "0000000000000002_0000000000000000").expect(201);
        post(fork, "application/json", utf8("\"z\"")).expect(204);
        post(src, "application/json", utf8("\"d\"")).expect(204);

        assertThat(records(fork)).extracting(r -> r.get("$seq"), r -> r.get("data"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "a"), org.assertj.core.groups.Tuple.tuple(2L, "b"),
                        org.assertj.core.groups.Tuple.tuple(3L, "z"));
        assertThat(records(src)).extracting(r -> r.get("data")).containsExactly("a", "b", "c", "d");

        // the source deleted while the fork reads it: hidden (410, not listed), the fork still reads
        http.delete(v1(src)).expect(204);
        http.get(v1(src)).assertError(410, "stream_deleted");
        assertThat(http.get("/v0/topics?prefix=" + src).ok().list("topics")).isEmpty();
        assertThat(records(fork)).extracting(r -> r.get("data")).containsExactly("a", "b", "z");
        // the fork's delete takes the source with it
        http.delete(v1(fork)).expect(204);
        http.get(v1(src)).assertError(404, "topic_not_found");
    }

    @Test
    void offsetsSortAsStringsInSeqOrder() {
        String name = uniqueTopic("ds.order");
        put(name, "text/plain", new byte[0]).expect(201);
        List<String> offsets = new ArrayList<>();
        for (int i = 0; i < 12; i++) { // past one digit: 9 < 10 must hold as strings too
            offsets.add(post(name, "text/plain", utf8("m" + i)).expect(204).header("stream-next-offset"));
        }
        assertThat(offsets).isSorted().doesNotHaveDuplicates();
        assertThat(offsets.get(11)).isEqualTo("0000000000000012_0000000000000000");
        assertThat(http.get(v1(name) + "?offset=" + offsets.get(9)).expect(200).text()).isEqualTo("m10m11");
    }

    @Test
    void aV0WatchOfAStreamDeletedWhileForkedEndsWithADeletedTombstone() throws Exception {
        String src = uniqueTopic("ds.watched");
        String fork = uniqueTopic("ds.wfork");
        put(src, "application/json", utf8("[1]")).expect(201);
        put(fork, "application/json", new byte[0], "Stream-Forked-From", src).expect(201);
        try (SseClient sse = SseClient.open(http.base().resolve("/v0/topics/" + src + "/watch?from_seq=0"), null)) {
            assertThat(sse.nextEvent(10).name()).isEqualTo("record");
            http.delete(v1(src)).expect(204); // only hidden: the fork reads it
            SseClient.Event e = sse.nextEvent(10);
            while (e != null && !"tombstone".equals(e.name())) {
                e = sse.nextEvent(10);
            }
            assertThat(e).as("a tombstone before the stream ends").isNotNull();
            assertThat(e.data()).contains("\"reason\":\"deleted\"");
        }
    }
}
