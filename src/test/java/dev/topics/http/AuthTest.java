package dev.topics.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SPEC §11 smoke test: {@code auth: required} with an admin token. */
@ServerTest.Setup(auth = true)
class AuthTest extends ServerTest {
    /** Method, path, body (null: none) of every route there is. */
    record Call(String method, String path, String body) {
        Response on(Http http) {
            if (body == null) {
                return http.send(method, path, BodyPublishers.noBody());
            }
            return http.send(method, path, BodyPublishers.ofByteArray(body.getBytes(StandardCharsets.UTF_8)),
                    "Content-Type", "application/json");
        }
    }

    /** Every route that needs credentials (listing topics does not: it shows what the caller can read). */
    static List<Call> calls(String topic) {
        return List.of(
                new Call("GET", "/v0/node", null),
                new Call("PUT", "/v0/topics/" + topic, "{}"),
                new Call("GET", "/v0/topics/" + topic, null),
                new Call("PATCH", "/v0/topics/" + topic, "{\"ttl_ms\": 5}"),
                new Call("POST", "/v0/topics/" + topic, "{\"records\": [{\"data\": 1}]}"),
                new Call("POST", "/v0/topics/" + topic + "/diff", "{}"),
                new Call("GET", "/v0/topics/" + topic + "/diff", null),
                new Call("DELETE", "/v0/topics/" + topic, null));
    }

    @Test
    void withoutCredentialsEveryApiRouteIs401AndNothingChanges() {
        String t = TestServer.uniqueTopic("auth.anon");
        admin.post("/v0/topics/" + t, "{\"records\": [{\"data\": 0}]}").ok();

        for (Call c : calls(t)) {
            c.on(http).assertError(401, "unauthorized");
        }

        Response g = admin.get("/v0/topics/" + t).ok();
        assertThat(g.num("head_seq")).isEqualTo(1);
        assertThat(g.num("config.ttl_ms")).isZero();
    }

    @ParameterizedTest(name = "[{index}] Authorization: {0}")
    @ValueSource(strings = {"Bearer wrong", "Bearer secretX", "Bearer secre", "Bearer ", "Basic c2VjcmV0", "secret",
            "Bearer secret secret", "Token secret"})
    void aBadCredentialIs401NeverAnAnonymousFallback(String authorization) {
        String t = TestServer.uniqueTopic("auth.bad");
        Http bad = http.withHeader("Authorization", authorization);
        for (Call c : calls(t)) {
            c.on(bad).assertError(401, "unauthorized");
        }
        admin.get("/v0/topics/" + t).assertError(404, "topic_not_found");
    }

    @Test
    void theAdminTokenWorksOnEveryRoute() {
        String t = TestServer.uniqueTopic("auth.admin");
        List<Integer> statuses = calls(t).stream().map(c -> c.on(admin).status()).toList();
        assertThat(statuses).containsExactly(200, 201, 200, 200, 200, 200, 200, 200);
        assertThat(admin.get("/v0/node").ok().str("auth")).isEqualTo("required");
    }

    @Test
    void anAnonymousListShowsOnlyPublicTopics() {
        String hidden = TestServer.uniqueTopic("auth.hidden");
        String shown = TestServer.uniqueTopic("auth.shown");
        admin.put("/v0/topics/" + hidden, "{}").ok(201);
        admin.put("/v0/topics/" + shown, "{\"public_read\": true}").ok(201);
        List<String> names = http.get("/v0/topics?prefix=auth.").ok().list("topics").stream()
                .map(o -> String.valueOf(((java.util.Map<?, ?>) o).get("topic"))).toList();
        assertThat(names).contains(shown).doesNotContain(hidden);
    }

    @Test
    void theBearerSchemeIsCaseInsensitive() {
        http.withHeader("Authorization", "bearer secret").get("/v0/topics").ok();
        http.withHeader("Authorization", "BEARER secret").get("/v0/topics").ok();
    }

    @Test
    void healthzAndReadyzNeedNoCredentials() {
        http.get("/healthz").expect(200);
        http.get("/readyz").expect(200);
        http.withHeader("Authorization", "Bearer wrong").get("/healthz").expect(200);
    }

    @Test
    void aWriteWithTheTokenRecordsAndReadsBack() {
        String t = TestServer.uniqueTopic("auth.write");
        Response w = admin.post("/v0/topics/" + t, "{\"records\": [{\"data\": {\"ok\": true}}]}").ok();
        assertThat(w.bool("created")).isTrue();
        Response r = admin.post("/v0/topics/" + t + "/diff", "{}").ok();
        assertThat(r.list("records")).hasSize(1);
        assertThat(admin.get("/v0/topics/" + t).ok().str("owner")).isNotBlank();
    }
}
