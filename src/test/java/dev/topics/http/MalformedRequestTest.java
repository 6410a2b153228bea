package dev.topics.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §0 "Errors, everywhere": requests broken at the HTTP level (sent over a raw
 * socket) still get a 4xx with the JSON error body, and the server keeps serving.
 */
class MalformedRequestTest extends ServerTest {
    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "GET /v0/topics/%zz HTTP/1.1",
            "GET /v0/topics/abc%2 HTTP/1.1",
            "GET /v0/topics?limit=%zz HTTP/1.1",
            "GET /v0/topics HTTP/1.1\r\nBad Header: x",
            "GET /v0/topics HTTP/1.1\r\nNoColonHere",
            "POST /v0/topics/abc HTTP/1.1\r\nContent-Length: ten"})
    void aMalformedRequestGetsA4xxWithTheJsonErrorBody(String head) {
        Response r = http.raw(head, new byte[0]); // the error shape is checked on arrival
        assertThat(r.status()).as("%s", r).isBetween(400, 499);
        http.get("/healthz").expect(200);
    }

    @Test
    void aPathWithInvalidUtf8IsRefusedAsAnInvalidName() {
        Response r = http.raw("GET /v0/topics/ab%FF%FEc HTTP/1.1", new byte[0]);
        assertThat(r.status()).as("%s", r).isBetween(400, 404);
    }

    @Test
    void aBodyShorterThanItsContentLengthIsNotWritten() {
        String t = TestServer.uniqueTopic("short");
        byte[] body = "{\"records\": [{\"data\": 1}]}".getBytes(StandardCharsets.UTF_8);
        // Claims 10 more bytes than it sends, then half-closes: the server must not commit it.
        Response r = http.raw("POST /v0/topics/" + t + " HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: "
                + (body.length + 10), body);
        assertThat(r.status()).as("%s", r).isBetween(400, 499);
        http.get("/v0/topics/" + t).assertError(404, "topic_not_found");
    }
}
