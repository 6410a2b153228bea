package dev.topics.manage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.MemoryTempDir;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed page on topic management (shared/seeds/004_…): every example on it, sent as
 * written — same method, path, headers and JSON body (whitespace included) — to a server
 * with auth required. {@code $TOKEN} is a principal's token; {@code tk_...} a share token
 * made for {@code alerts}. Where the page and SPEC differ, SPEC wins: one port (the test
 * server's), and stats for the admin only (the page sends {@code $TOKEN} there: 403 for
 * a principal, 200 for the admin). Also: its naming examples are valid names, the access
 * flags default off (unless {@code PINGD_DEFAULT_PUBLIC_*} says otherwise), owner/admin
 * come before deny permissions, and {@code alerts.>} / {@code deploy.>} permissions work as
 * its last paragraph says.
 */
@Timeout(300)
@ServerTest.Setup(auth = true, memory = true)
class SeedExamplesTest extends ServerTest {
    /** {@code $TOKEN} of the page. */
    static String token;

    @BeforeAll
    static void docsUser() {
        token = principal("docs-user");
    }

    /** The topic exists, owned by {@code $TOKEN}'s principal (made now, or earlier by this class). */
    static void ensureTopic(String name) {
        Response r = bearer(token).post("/topics", "{\"name\": \"" + name + "\"}");
        if (r.status() != 201) {
            r.assertError(409, "topic_exists");
        }
        assertThat(admin.get("/topics/" + name).ok().str("owner")).isEqualTo("docs-user");
    }

    static void assertTopic(Response r, String name, boolean publicRead, boolean publicPublish) {
        assertThat(r.map().keySet()).containsExactlyInAnyOrder("name", "publicRead", "publicPublish", "owner", "createdAt");
        assertThat(r.str("name")).isEqualTo(name);
        assertThat(r.bool("publicRead")).isEqualTo(publicRead);
        assertThat(r.bool("publicPublish")).isEqualTo(publicPublish);
        assertThat(r.str("owner")).isEqualTo("docs-user");
        Instant.parse(r.str("createdAt"));
    }

    // ------------------------------------------------------------------ the curl examples, in page order

    @Test
    void theCurlExamplesOfThePage() {
        admin.delete("/topics/alerts.critical"); // left by the Python examples only if they failed
        // Create
        Response created = http.post("/topics", """
                {
                    "name": "alerts.critical",
                    "publicRead": true,
                    "publicPublish": false
                  }""", "Authorization", "Bearer " + token, "Content-Type", "application/json").ok(201);
        assertTopic(created, "alerts.critical", true, false);
        // "The caller becomes the owner."
        assertThat(created.str("owner")).isEqualTo("docs-user");
        http.get("/topics/alerts.critical/messages").ok();
        http.post("/topics/alerts.critical/messages", "{\"payload\": 1}").assertError(401, "unauthorized");

        // Update
        Response updated = http.send("PATCH", "/topics/alerts.critical", BodyPublishers.ofString("""
                {
                    "publicRead": false,
                    "publicPublish": false
                  }"""), "Authorization", "Bearer " + token, "Content-Type", "application/json").ok();
        assertTopic(updated, "alerts.critical", false, false);
        assertThat(updated.str("createdAt")).isEqualTo(created.str("createdAt"));
        http.get("/topics/alerts.critical/messages").assertError(401, "unauthorized");

        // Stats: admin-only — with $TOKEN (a principal) 403, with the admin's token 200
        http.send("GET", "/topics/alerts.critical/stats", BodyPublishers.noBody(), "Authorization", "Bearer " + token)
                .assertError(403, "forbidden");
        Response stats = http.send("GET", "/topics/alerts.critical/stats", BodyPublishers.noBody(),
                "Authorization", "Bearer secret").ok();
        assertThat(stats.str("topic")).isEqualTo("alerts.critical");
        assertThat(stats.num("records")).isZero();
        assertThat(stats.map()).containsKeys("subscriptions", "deliveries", "activity");

        // Delete
        Response deleted = http.send("DELETE", "/topics/alerts.critical", BodyPublishers.noBody(),
                "Authorization", "Bearer " + token).ok();
        assertThat(deleted.map()).containsExactly(Map.entry("name", "alerts.critical"), Map.entry("deleted", true));
        admin.get("/topics/alerts.critical").assertError(404, "topic_not_found");
        admin.get("/topics/alerts.critical/stats").assertError(404, "topic_not_found");
    }

    @Test
    void thePythonExamplesOfThePage() {
        // requests' json= sends Content-Type: application/json and json.dumps' spacing
        Http py = bearer(token);
        String name = "alerts.critical";
        admin.delete("/topics/" + name); // left by the curl examples only if they failed
        Response created = py.post("/topics", "{\"name\": \"" + name + "\", \"publicRead\": true, \"publicPublish\": false}",
                "Content-Type", "application/json").ok(201);
        assertTopic(created, name, true, false);
        assertTopic(py.patch("/topics/" + name, "{\"publicRead\": false, \"publicPublish\": false}",
                "Content-Type", "application/json").ok(), name, false, false);
        py.get("/topics/" + name + "/stats").assertError(403, "forbidden");
        assertThat(admin.get("/topics/" + name + "/stats").ok().str("topic")).isEqualTo(name);
        assertThat(py.delete("/topics/" + name).ok().map())
                .containsExactly(Map.entry("name", name), Map.entry("deleted", true));
    }

    @Test
    void theShareTokenExample() {
        ensureTopic("alerts");
        Http owner = bearer(token);
        Response sh = owner.post("/topics/alerts/shares", "{\"access\": \"wo\", \"label\": \"docs\"}").ok(201);
        String tk = sh.str("token");
        assertThat(tk).startsWith("tk_");
        long before = owner.get("/v0/topics/alerts").ok().num("head_seq");

        // curl http://localhost:7685/topics/alerts/messages -H 'X-Topic-Token: tk_...'
        //   -H 'Content-Type: application/json' -d '{ "payload": { "body": "Hello" } }'
        Response r = http.post("/topics/alerts/messages", "{ \"payload\": { \"body\": \"Hello\" } }",
                "X-Topic-Token", tk, "Content-Type", "application/json").ok(201);
        assertThat(r.map().keySet()).containsExactlyInAnyOrder("id", "topic", "createdAt");
        assertThat(r.num("id")).isEqualTo(before + 1);
        assertThat(r.str("topic")).isEqualTo("alerts");
        Instant.parse(r.str("createdAt"));

        Response read = owner.get("/topics/alerts/messages?since=" + before).ok();
        assertThat(read.list("messages")).hasSize(1);
        assertThat(read.num("messages.0.id")).isEqualTo(r.num("id"));
        assertThat(read.str("messages.0.payload.body")).isEqualTo("Hello");
        assertThat(read.text()).contains("\"payload\":{\"body\":\"Hello\"}");

        // "Share tokens can expire and can be rotated or revoked without changing the topic's public flags."
        Map<String, Object> flags = owner.get("/topics/alerts").ok().map();
        String id = sh.str("id");
        owner.patch("/topics/alerts/shares/" + id, "{\"expiresAt\": \"2099-12-31T23:59:59Z\"}").ok();
        String rotated = owner.post("/topics/alerts/shares/" + id + "/rotate", "").ok().str("token");
        http.post("/topics/alerts/messages", "{\"payload\": 2}", "X-Topic-Token", tk).assertError(401, "unauthorized");
        http.post("/topics/alerts/messages", "{\"payload\": 2}", "X-Topic-Token", rotated).ok(201);
        owner.delete("/topics/alerts/shares/" + id).ok();
        http.post("/topics/alerts/messages", "{\"payload\": 3}", "X-Topic-Token", rotated).assertError(401, "unauthorized");
        assertThat(owner.get("/topics/alerts").ok().map()).isEqualTo(flags);
    }

    /** Every row of the page's endpoint table, with the rights it names. */
    @Test
    void theEndpointTable() {
        Http owner = bearer(token);
        Http other = bearer(principal("table-other"));
        String t = "table.topic";
        http.get("/topics").ok();                                                      // GET /topics
        assertTopic(owner.post("/topics", "{\"name\": \"" + t + "\"}").ok(201), t, false, false); // POST /topics
        http.post("/topics", "{\"name\": \"table.anon\"}").assertError(401, "unauthorized");
        assertTopic(owner.get("/topics/" + t).ok(), t, false, false);                  // GET /topics/:name
        other.patch("/topics/" + t, "{\"publicRead\": true}").assertError(403, "forbidden"); // PATCH
        assertTopic(owner.patch("/topics/" + t, "{\"publicRead\": true}").ok(), t, true, false);
        owner.get("/topics/" + t + "/stats").assertError(403, "forbidden");           // GET stats
        admin.get("/topics/" + t + "/stats").ok();
        other.get("/topics/" + t + "/shares").assertError(403, "forbidden");          // GET shares
        other.post("/topics/" + t + "/shares", "{\"access\": \"ro\"}").assertError(403, "forbidden");
        String id = owner.post("/topics/" + t + "/shares", "{\"access\": \"ro\"}").ok(201).str("id"); // POST shares
        assertThat(owner.get("/topics/" + t + "/shares").ok().list("shares")).hasSize(1);
        assertThat(admin.get("/topics/" + t + "/shares").ok().list("shares")).hasSize(1);
        other.patch("/topics/" + t + "/shares/" + id, "{\"access\": \"rw\"}").assertError(403, "forbidden");
        assertThat(owner.patch("/topics/" + t + "/shares/" + id, "{\"access\": \"rw\"}").ok().str("access"))
                .isEqualTo("rw");                                                      // PATCH share
        other.post("/topics/" + t + "/shares/" + id + "/rotate", "").assertError(403, "forbidden");
        assertThat(admin.post("/topics/" + t + "/shares/" + id + "/rotate", "").ok().str("token"))
                .startsWith("tk_");                                                    // rotate
        other.delete("/topics/" + t + "/shares/" + id).assertError(403, "forbidden");
        owner.delete("/topics/" + t + "/shares/" + id).ok();                           // DELETE share
        other.delete("/topics/" + t).assertError(403, "forbidden");                    // DELETE /topics/:name
        owner.delete("/topics/" + t).ok();
    }

    // ------------------------------------------------------------------ naming

    @Test
    void theNamingExamplesAreValidNames() {
        List<String> names = List.of("alerts", "alerts.disk", "alerts.disk.full", "deploy.prod.api", "home.frontdoor");
        for (String n : names) {
            ensureTopic(n);
            assertTopic(bearer(token).get("/topics/" + n).ok(), n, false, false);
            bearer(token).post("/topics/" + n + "/messages", "{\"payload\": \"" + n + "\"}").ok(201);
        }
        Response list = bearer(token).get("/topics").ok();
        List<Object> listed = list.list("topics").stream().map(o -> Http.Json.obj(o).get("name")).toList();
        assertThat(listed).containsAll(names);

        // "at least 3 characters", only a–z, A–Z, 0–9, ., -, _; wildcards are for permissions only
        for (String bad : List.of("ab", "alerts.>", "alerts.*", "alerts disk", "alerts/disk")) {
            bearer(token).post("/topics", "{\"name\": \"" + bad + "\"}").assertError(400, "invalid_topic_name");
        }
        ensureTopic("A-b_9");

        // topics are concrete: alerts.disk holds only its own messages
        ensureTopic("alerts.cpu");
        Http owner = bearer(token);
        long head = owner.get("/v0/topics/alerts.disk").ok().num("head_seq");
        owner.post("/topics/alerts.cpu/messages", "{\"payload\": \"cpu\"}").ok(201);
        assertThat(owner.get("/topics/alerts.disk/messages?since=" + head).ok().list("messages")).isEmpty();
    }

    // ------------------------------------------------------------------ access paragraphs

    @Test
    void adminAndOwnerComeBeforePermissionsAndDenyBeatsPublicFlags() {
        Http house = bearer(principal("house"));
        Http guest = bearer(principal("guest"));
        String t = "home.garage";
        house.post("/topics", "{\"name\": \"" + t + "\", \"publicRead\": true, \"publicPublish\": true}").ok(201);
        for (String p : List.of("house", "guest")) {
            admin.post("/v0/permissions", "{\"principal\": \"" + p + "\", \"pattern\": \"" + t
                    + "\", \"actions\": [\"read\", \"publish\"], \"effect\": \"deny\"}").ok(201);
        }
        // the non-owner: the deny overrides the public flags
        guest.get("/topics/" + t + "/messages").assertError(403, "forbidden");
        guest.post("/topics/" + t + "/messages", "{\"payload\": 1}").assertError(403, "forbidden");
        // the owner and the admin are resolved first
        house.post("/topics/" + t + "/messages", "{\"payload\": \"owner\"}").ok(201);
        house.get("/topics/" + t + "/messages").ok();
        admin.post("/topics/" + t + "/messages", "{\"payload\": \"admin\"}").ok(201);
        admin.get("/topics/" + t + "/messages").ok();
        // everyone else still gets the public flags
        http.get("/topics/" + t + "/messages").ok();
        http.post("/topics/" + t + "/messages", "{\"payload\": \"anon\"}").ok(201);
    }

    @Test
    void patternPermissionsAsTheLastParagraphSays() {
        for (String n : List.of("alerts", "alerts.disk", "alerts.disk.full", "deploy", "deploy.prod.api",
                "deploy.staging.web")) {
            ensureTopic(n);
        }
        Http ci = bearer(principal("ci-bot"));
        Http oncall = bearer(principal("oncall"));
        String ciPerm = admin.post("/v0/permissions", "{\"principal\": \"ci-bot\", \"pattern\": \"deploy.>\", "
                + "\"actions\": [\"read\", \"publish\"], \"effect\": \"allow\"}").ok(201).str("id");
        admin.post("/v0/permissions", "{\"principal\": \"oncall\", \"pattern\": \"alerts.>\", "
                + "\"actions\": [\"read\"], \"effect\": \"allow\"}").ok(201);

        // a CI service token limited to deploy.>
        for (String t : List.of("deploy.prod.api", "deploy.staging.web")) {
            ci.post("/topics/" + t + "/messages", "{\"payload\": \"ci\"}").ok(201);
            ci.get("/topics/" + t + "/messages").ok();
            ci.get("/topics/" + t).ok();
        }
        for (String t : List.of("deploy", "alerts", "alerts.disk")) {
            ci.post("/topics/" + t + "/messages", "{\"payload\": \"ci\"}").assertError(403, "forbidden");
            ci.get("/topics/" + t + "/messages").assertError(403, "forbidden");
        }
        List<Object> ciSees = ci.get("/topics").ok().list("topics").stream().map(o -> Http.Json.obj(o).get("name"))
                .toList();
        assertThat(ciSees).contains("deploy.prod.api", "deploy.staging.web")
                .doesNotContain("deploy", "alerts", "alerts.disk", "alerts.disk.full");
        // a permission is not the owner's right
        ci.patch("/topics/deploy.prod.api", "{\"publicRead\": true}").assertError(403, "forbidden");
        ci.delete("/topics/deploy.prod.api").assertError(403, "forbidden");

        // alerts.> covers everything under alerts, not alerts itself
        oncall.get("/topics/alerts.disk/messages").ok();
        oncall.get("/topics/alerts.disk.full/messages").ok();
        oncall.get("/topics/alerts/messages").assertError(403, "forbidden");
        oncall.post("/topics/alerts.disk/messages", "{\"payload\": 1}").assertError(403, "forbidden");

        // "Pattern permissions are not topic-owned rows and are not deleted" with a topic
        bearer(token).delete("/topics/deploy.prod.api").ok();
        assertThat(admin.get("/v0/permissions").ok().list("permissions").stream()
                .map(o -> Http.Json.obj(o).get("id"))).contains(ciPerm);
        ensureTopic("deploy.prod.api");
        ci.get("/topics/deploy.prod.api/messages").ok();
        assertThat(ci.post("/topics/deploy.prod.api/messages", "{\"payload\": \"again\"}").ok(201).num("id")).isEqualTo(1);
    }

    // ------------------------------------------------------------------ default flags

    @Test
    void theFlagsDefaultOffUnlessThePingdVariablesSaySo(@TempDir Path dir) {
        Path r = MemoryTempDir.create(dir);
        try (TestServer s = TestServer.builder(r).env("TOPICS_AUTH", "required").env("TOPICS_ADMIN_TOKEN", "secret")
                .env("PINGD_DEFAULT_PUBLIC_READ", "true").env("PINGD_DEFAULT_PUBLIC_PUBLISH", "true")
                .yaml("auth:\n  failures_per_minute: 1000000\n").start()) {
            Http a = s.http().withHeader("Authorization", "Bearer secret");
            Http u = s.http().withHeader("Authorization", "Bearer "
                    + a.post("/v0/principals", "{\"name\": \"docs-user\"}").ok(201).str("token"));
            Response c = u.post("/topics", "{\"name\": \"alerts\"}").ok(201);
            assertThat(c.bool("publicRead")).isTrue();
            assertThat(c.bool("publicPublish")).isTrue();
            s.http().get("/topics/alerts/messages").ok();
            s.http().post("/topics/alerts/messages", "{\"payload\": 1}").ok(201);
            // explicit flags win over the defaults
            Response d = u.post("/topics", "{\"name\": \"alerts.quiet\", \"publicRead\": false}").ok(201);
            assertThat(d.bool("publicRead")).isFalse();
            assertThat(d.bool("publicPublish")).isTrue();
            s.http().get("/topics/alerts.quiet/messages").assertError(401, "unauthorized");
            // POST /topics still needs a principal
            s.http().post("/topics", "{\"name\": \"alerts.anon\"}").assertError(401, "unauthorized");
        } finally {
            MemoryTempDir.delete(r, dir);
        }
        // and with the defaults: private
        String n = "alerts.default";
        Response c = bearer(token).post("/topics", "{\"name\": \"" + n + "\"}").ok(201);
        assertThat(c.bool("publicRead")).isFalse();
        assertThat(c.bool("publicPublish")).isFalse();
        http.get("/topics/" + n + "/messages").assertError(401, "unauthorized");
        http.post("/topics/" + n + "/messages", "{\"payload\": 1}").assertError(401, "unauthorized");
    }
}
