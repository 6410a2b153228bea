package dev.topics.topic;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Plain-text writes (SPEC §3): a {@code text/plain} body is one record whose data is the
 * text as a JSON string, with tag, node and idempotency key in the query; every other
 * content type is JSON, and a JSON body that is not a write says what one looks like.
 */
class PlainTextWriteTest extends ServerTest {
    private static final String TEXT = "Content-Type";

    static String path(String topic) {
        return "/v0/topics/" + topic;
    }

    private static Response text(String pathAndQuery, String body, String type, String... more) {
        String[] headers = new String[2 + more.length];
        headers[0] = TEXT;
        headers[1] = type;
        System.arraycopy(more, 0, headers, 2, more.length);
        return http.postBytes(pathAndQuery, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    private static List<Object> records(String topic) {
        return http.get(path(topic) + "/diff?from_seq=0").ok().list("records");
    }

    @Test
    void aTextBodyIsOneRecordWhoseDataIsTheTextAsAJsonString() {
        String t = uniqueTopic("alerts");
        Response r = text(path(t), "disk full \"/var\"\nline two ✓", "text/plain").ok();
        assertThat(r.num("first_seq")).isEqualTo(1);
        assertThat(r.list("seqs")).containsExactly(1L);
        assertThat(r.bool("created")).isTrue();

        Map<?, ?> rec = (Map<?, ?>) records(t).getFirst();
        assertThat(rec.get("data")).isEqualTo("disk full \"/var\"\nline two ✓");
        assertThat(rec.containsKey("$tag")).isFalse();
        String raw = http.get(path(t) + "/diff?from_seq=0").ok().text();
        assertThat(raw).contains("\"data\":\"disk full \\\"/var\\\"\\nline two ✓\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain; charset=utf-8", "TEXT/PLAIN", "text/plain;charset=UTF-8", " text/plain "})
    void anyCharsetParameterAndAnyCaseIsText(String type) {
        String t = uniqueTopic("alerts");
        text(path(t), "hello", type).ok();
        assertThat(((Map<?, ?>) records(t).getFirst()).get("data")).isEqualTo("hello");
    }

    @Test
    void tagNodeAndIdempotencyKeyComeFromTheQuery() {
        String t = uniqueTopic("alerts");
        Response first = text(path(t) + "?tag=disk&node=eu-1&idempotency_key=k-1", "disk full", "text/plain").ok();
        Map<?, ?> rec = (Map<?, ?>) records(t).getFirst();
        assertThat(rec.get("$tag")).isEqualTo("disk");
        assertThat(rec.get("$node")).isEqualTo("eu-1");

        Response again = text(path(t) + "?tag=disk&node=eu-1&idempotency_key=k-1", "disk full", "text/plain").ok();
        assertThat(again.bool("deduped")).isTrue();
        assertThat(again.num("first_seq")).isEqualTo(first.num("first_seq"));
        Response header = text(path(t), "disk full", "text/plain", "Idempotency-Key", "k-1").ok();
        assertThat(header.bool("deduped")).as("the header is the same key").isTrue();
        assertThat(records(t)).hasSize(1);
    }

    @Test
    void badTextWritesAre4xxAndWriteNothing() {
        String t = uniqueTopic("alerts");
        text(path(t), "first", "text/plain").ok();
        byte[] notUtf8 = {'o', 'k', (byte) 0xC3, (byte) 0x28};
        http.postBytes(path(t), notUtf8, TEXT, "text/plain").assertError(400, "invalid_text");
        text(path(t) + "?priority=high", "x", "text/plain").assertError(400, "unknown_field");
        text(path(t) + "?node=bad%20node", "x", "text/plain").assertError(400, "invalid_field");
        text(path(t) + "?tag=" + "t".repeat(257), "x", "text/plain").assertError(400, "invalid_field");
        text(path(t) + "?idempotency_key=a", "x", "text/plain", "Idempotency-Key", "b")
                .assertError(400, "invalid_field");
        assertThat(records(t)).hasSize(1);
    }

    @Test
    void everyOtherContentTypeIsJsonCurlsFormTypeIncluded() {
        String t = uniqueTopic("alerts");
        text(path(t), "{\"records\":[{\"data\":{\"disk\":\"full\"}}]}", "application/x-www-form-urlencoded").ok();
        assertThat(((Map<?, ?>) records(t).getFirst()).get("data")).isEqualTo(Map.of("disk", "full"));
        Response refused = text(path(t), "disk full", "application/x-www-form-urlencoded")
                .assertError(400, "invalid_json");
        assertThat(refused.str("error.message")).contains("{\"records\": [{\"data\":").contains("text/plain");
        assertThat(records(t)).hasSize(1);
    }

    @Test
    void aJsonBodyWithoutTheEnvelopeShowsTheEnvelope() {
        String t = uniqueTopic("alerts");
        for (String body : List.of("{\"data\": {\"disk\": \"full\"}}", "{}", "[{\"data\": 1}]", "\"disk full\"")) {
            Response r = http.post(path(t), body);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.str("error.message")).as(body).contains("{\"records\": [{\"data\": <any JSON>}]}");
        }
        assertThat(http.post(path(t), "{\"data\": 1}").str("error.code")).isEqualTo("unknown_field");
        assertThat(http.get(path(t)).status()).as("nothing was written, so the topic was not made").isEqualTo(404);
    }
}
