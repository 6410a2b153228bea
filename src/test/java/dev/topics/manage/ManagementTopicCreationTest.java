package dev.topics.manage;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §13, the {@code /topics} management surface (camelCase), black box, with auth
 * required: creating topics (the caller owns them): who may, which names and
 * bodies are refused, and that a name is made once.
 */
@Timeout(300)
@ServerTest.Setup(auth = true, memory = true)
class ManagementTopicCreationTest extends ManagementFixtures {
    @Test
    void createReturnsTheTopicObjectOwnedByTheCaller() {
        String t = uniqueTopic("mg.create");
        Instant before = Instant.now().minusSeconds(2);
        Response r = alice.post("/topics", createBody(t, true, false)).ok(201);
        Instant after = Instant.now().plusSeconds(2);
        Map<String, Object> m = assertTopic(r.map(), t, true, false, "alice");
        assertCamel(r.json(), "POST /topics");
        assertThat(Instant.parse((String) m.get("createdAt"))).isBetween(before, after);

        // the same object on GET, in the list, and the same topic on /v0
        assertThat(alice.get(path(t)).ok().map()).isEqualTo(m);
        assertThat(listed(alice, t)).isEqualTo(m);
        Response v0 = admin.get("/v0/topics/" + t).ok();
        assertThat(v0.str("owner")).isEqualTo("alice");
        assertThat(v0.bool("config.public_read")).isTrue();
        assertThat(v0.bool("config.public_publish")).isFalse();
        assertThat(v0.num("head_seq")).isZero();

        // both flags default to false (the server's defaults)
        String plain = uniqueTopic("mg.create");
        assertTopic(bob.post("/topics", "{\"name\": \"" + plain + "\"}").ok(201).map(), plain, false, false, "bob");

        // the admin may create too, and owns what it makes
        String byAdmin = uniqueTopic("mg.create");
        assertTopic(admin.post("/topics", createBody(byAdmin, false, true)).ok(201).map(), byAdmin, false, true, "admin");
    }

    @Test
    void createIsRefusedWithoutAPrincipal() {
        String t = uniqueTopic("mg.refused");
        http.post("/topics", createBody(t, true, true)).assertError(401, "unauthorized");
        bearer("tpk_not-a-real-token").post("/topics", createBody(t, true, true)).assertError(401, "unauthorized");

        // a share token alone is a credential, but for its own topic only
        String other = newTopic(alice, false, false);
        String tk = alice.post(path(other) + "/shares", "{\"access\": \"rw\"}").ok(201).str("token");
        share(tk).post("/topics", createBody(t, false, false)).assertError(403, "forbidden");

        admin.get("/v0/topics/" + t).assertError(404, "topic_not_found");
        assertThat(listedNames(admin)).doesNotContain(t);
    }

    @Test
    void aDenyPermissionRefusesCreation() {
        Http carol = bearer(admin.post("/v0/principals", "{\"name\": \"carol\"}").ok(201).str("token"));
        admin.post("/v0/permissions", "{\"principal\": \"carol\", \"pattern\": \"mg.denied.>\", "
                + "\"actions\": [\"publish\"], \"effect\": \"deny\"}").ok(201);
        String t = uniqueTopic("mg.denied.t");
        carol.post("/topics", createBody(t, false, false)).assertError(403, "forbidden");
        admin.get("/v0/topics/" + t).assertError(404, "topic_not_found");
        assertTopic(carol.post("/topics", createBody(uniqueTopic("mg.allowed"), true, false)).ok(201).map(),
                null, true, false, "carol");
        assertTopic(alice.post("/topics", createBody(t, false, false)).ok(201).map(), t, false, false, "alice");
    }

    @Test
    void aDeletedPrincipalsTokenNoLongerWorksHere() {
        String token = admin.post("/v0/principals", "{\"name\": \"dave\"}").ok(201).str("token");
        String t = newTopic(bearer(token), false, false);
        bearer(token).get(msgs(t)).ok();
        admin.delete("/v0/principals/dave").ok();
        bearer(token).get(msgs(t)).assertError(401, "unauthorized");
        bearer(token).get("/topics").assertError(401, "unauthorized");
        bearer(token).post("/topics", createBody(uniqueTopic("mg.dave"), false, false)).assertError(401, "unauthorized");
        assertTopic(admin.get(path(t)).ok().map(), t, false, false, "dave");
    }

    @Test
    void createOfAnExistingNameIs409() {
        String t = newTopic(alice, false, false);
        alice.post("/topics", createBody(t, true, true)).assertError(409, "topic_exists");
        bob.post("/topics", createBody(t, true, true)).assertError(409, "topic_exists");
        admin.post("/topics", "{\"name\": \"" + t + "\"}").assertError(409, "topic_exists");
        // nothing changed
        assertTopic(alice.get(path(t)).ok().map(), t, false, false, "alice");

        // a topic made on /v0 (same engine) exists here too
        String v0 = uniqueTopic("mg.v0");
        alice.put("/v0/topics/" + v0, "{}").ok(201);
        alice.post("/topics", createBody(v0, false, false)).assertError(409, "topic_exists");
        assertTopic(alice.get(path(v0)).ok().map(), v0, false, false, "alice");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ab", ".abc", "abc.", "a..b", "has space", "alerts.>", "alerts.*", "a/b", "caf\u00e9", ""})
    void createWithABadNameIs400(String name) {
        alice.post("/topics", "{\"name\": \"" + name + "\"}").assertError(400, "invalid_topic_name");
    }

    @Test
    void createWithATooLongNameIs400AndTheLongestIsFine() {
        alice.post("/topics", "{\"name\": \"" + "x".repeat(256) + "\"}").assertError(400, "invalid_topic_name");
        String longest = uniqueTopic("mg.long");
        longest = longest + "x".repeat(255 - longest.length());
        assertTopic(alice.post("/topics", "{\"name\": \"" + longest + "\"}").ok(201).map(), longest, false, false, "alice");
    }

    @Test
    void createValidatesItsBody() {
        String t = uniqueTopic("mg.body");
        alice.post("/topics", "{\"name\": \"" + t + "\", \"public_read\": true}").assertError(400, "unknown_field");
        alice.post("/topics", "{\"name\": \"" + t + "\", \"owner\": \"bob\"}").assertError(400, "unknown_field");
        alice.post("/topics", "{\"name\": \"" + t + "\", \"publicRead\": \"yes\"}").assertError(400, "invalid_field");
        alice.post("/topics", "{\"name\": 42}").assertError(400, "invalid_field");
        alice.post("/topics", "{\"publicRead\": true}").assertError(400, "invalid_field");
        alice.post("/topics", "{\"name\": \"" + t + "\"").assertError(400, "invalid_json");
        alice.post("/topics", "[]").expect(400);
        admin.get("/v0/topics/" + t).assertError(404, "topic_not_found");
    }
}
