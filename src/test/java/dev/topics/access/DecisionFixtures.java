package dev.topics.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import org.junit.jupiter.api.BeforeAll;

/**
 * The server and callers of the SPEC §11 decision-order tests through HTTP: with
 * {@code auth: required} (a subclass says so with its {@code @ServerTest.Setup}), the principals
 * {@code owner}, {@code bob}, {@code carol} and {@code root} (an admin principal), made once for
 * the class, and the requests they make.
 */
abstract class DecisionFixtures extends ServerTest {
    static final String RECORD = "{\"records\": [{\"data\": {\"n\": 1}}]}";

    static Http owner;
    static Http bob;
    static Http carol;
    /** A principal made with {@code "admin": true}. */
    static Http root;

    @BeforeAll
    static void principals() {
        owner = bearer(http, principal(admin, "owner"));
        bob = bearer(http, principal(admin, "bob"));
        carol = bearer(http, principal(admin, "carol"));
        Response r = admin.post("/v0/principals", "{\"name\": \"root\", \"admin\": true}").ok(201);
        assertThat(r.bool("admin")).isTrue();
        root = bearer(http, r.str("token"));
    }

    // ------------------------------------------------------------------ helpers

    static String principal(Http admin, String name) {
        Response r = admin.post("/v0/principals", "{\"name\": \"" + name + "\"}").ok(201);
        assertThat(r.str("name")).isEqualTo(name);
        return r.str("token");
    }

    static Http bearer(Http http, String token) {
        return http.withHeader("Authorization", "Bearer " + token);
    }

    static Http topicToken(Http base, String token) {
        return base.withHeader("X-Topic-Token", token);
    }

    /** Creates the topic with the owner's token (PUT) and sets its flags with PATCH. */
    static void create(Http who, String topic, boolean publicRead, boolean publicPublish) {
        who.put("/v0/topics/" + topic, "{\"durability\": \"async\"}").ok(201);
        Response p = who.patch("/v0/topics/" + topic,
                "{\"public_read\": " + publicRead + ", \"public_publish\": " + publicPublish + "}").ok();
        assertThat(p.bool("config.public_read")).isEqualTo(publicRead);
        assertThat(p.bool("config.public_publish")).isEqualTo(publicPublish);
    }

    static String share(Http who, String topic, String access) {
        Response r = who.post("/v0/topics/" + topic + "/shares", "{\"access\": \"" + access + "\"}").ok(201);
        assertThat(r.str("id")).startsWith("sh_");
        return r.str("token");
    }

    static String permission(Http admin, String principal, String pattern, String actions, String effect) {
        StringBuilder a = new StringBuilder();
        if (actions.contains("r")) {
            a.append("\"read\"");
        }
        if (actions.contains("p")) {
            a.append(a.isEmpty() ? "" : ", ").append("\"publish\"");
        }
        if (actions.contains("m")) {
            a.append(a.isEmpty() ? "" : ", ").append("\"mirror\"");
        }
        Response r = admin.post("/v0/permissions", "{\"principal\": \"" + principal + "\", \"pattern\": \"" + pattern
                + "\", \"actions\": [" + a + "], \"effect\": \"" + effect + "\"}").ok(201);
        assertThat(r.str("effect")).isEqualTo(effect);
        return r.str("id");
    }

    static Response read(Http who, String topic) {
        return who.get("/v0/topics/" + topic + "/diff");
    }

    static Response publish(Http who, String topic) {
        return who.post("/v0/topics/" + topic, RECORD);
    }
}
