package dev.topics.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.ServerTest;
import java.net.http.HttpRequest.BodyPublishers;
import org.junit.jupiter.api.Test;

/**
 * A wrong method on a known path is 405 with {@code Allow} and the error body, and changes
 * nothing; {@code OPTIONS} lists the methods; an unknown path stays 404.
 */
class MethodNotAllowedTest extends ServerTest {

    @Test
    void aWrongMethodOnAKnownPathIs405WithAllow() {
        Http.Response r = http.delete("/v0/topics").assertError(405, "method_not_allowed");
        assertThat(r.header("Allow")).isEqualTo("GET, OPTIONS");
        assertThat(r.str("error.message")).contains("DELETE", "/v0/topics");

        r = http.put("/v0/topics/t/diff", "{}").assertError(405, "method_not_allowed");
        assertThat(r.header("Allow")).isEqualTo("GET, OPTIONS, POST");
        r = http.send("PATCH", "/v0/watch", BodyPublishers.ofString("{}")).assertError(405, "method_not_allowed");
        assertThat(r.header("Allow")).isEqualTo("OPTIONS, POST");
        r = http.delete("/v0/topics/t/subscriptions/s/ack").assertError(405, "method_not_allowed");
        assertThat(r.header("Allow")).isEqualTo("OPTIONS, POST");
        r = http.post("/metrics", "{}").assertError(405, "method_not_allowed");
        assertThat(r.header("Allow")).isEqualTo("GET, OPTIONS");
        r = http.post("/topics", "x").expect(400); // the management surface's POST exists: not a 405
        assertThat(r.header("Allow")).isNull();
    }

    @Test
    void aRefusedMethodChangesNothing() {
        http.put("/v0/topics/keep.me", "{}").ok(201);
        http.send("POST", "/v0/topics/keep.me/stats", BodyPublishers.noBody()).assertError(405, "method_not_allowed");
        http.put("/v0/topics/keep.me/delete", "{\"match\": [\"tag\", \"Eq\", \"x\"]}").assertError(405, "method_not_allowed");
        http.post("/v0/topics/keep.me", "{\"records\": [{\"data\": 1}]}").ok();
        http.send("DELETE", "/v0/topics/keep.me/diff", BodyPublishers.noBody()).assertError(405, "method_not_allowed");
        assertThat(http.get("/v0/topics/keep.me/diff?from_seq=0").list("records")).hasSize(1);
    }

    @Test
    void optionsListsThePathsMethods() {
        Http.Response r = http.send("OPTIONS", "/v0/topics/any.name", BodyPublishers.noBody()).expect(204);
        assertThat(r.header("Allow")).isEqualTo("DELETE, GET, OPTIONS, PATCH, POST, PUT");
        assertThat(r.header("Access-Control-Allow-Origin")).isNull(); // not a preflight
        r = http.send("OPTIONS", "/v0/node", BodyPublishers.noBody()).expect(204);
        assertThat(r.header("Allow")).isEqualTo("GET, OPTIONS");
    }

    @Test
    void anUnknownPathIsStill404() {
        http.delete("/v0/nothing/here").assertError(404, "not_found");
        http.send("OPTIONS", "/v0/topics/a/b/c/d", BodyPublishers.noBody()).assertError(404, "not_found");
        http.get("/v1/none").assertError(404, "not_found");
    }
}
