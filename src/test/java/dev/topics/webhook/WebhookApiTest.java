package dev.topics.webhook;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §10 webhooks over HTTP, the management side: create/list/get/patch/delete and the
 * deliveries route; every validation error; secrets shown once when generated and never
 * otherwise; PATCH keeps omitted fields; owner or admin only (§11); webhooks and their
 * cursors survive a restart; {@code url_refused} for loopback, private and link-local
 * destinations unless {@code webhooks.allow_private} (auto = dev mode only).
 *
 * <p>Webhooks made here point at public literals (no DNS) on topics nothing is written
 * to, or at a local {@link Receiver}, so no delivery leaves the machine.
 */
@Timeout(120)
class WebhookApiTest extends ServerTest {
    private static final List<String> HOOK_FIELDS = List.of("id", "topic", "url", "filter", "batch_max",
            "max_attempts", "state", "cursor", "created_at");
    private static final String PUBLIC_URL = "http://8.8.8.8/hook";

    // The fixture's server: dev mode, {@code allow_private: auto}: private destinations allowed.
    /** Dev mode with {@code allow_private: false}. */
    static TestServer closed;
    /** Auth required (auto: private refused): admin, alice, bob, anonymous. */
    static TestServer auth;
    static Http anon;
    static Http admin;
    static Http alice;
    static Http bob;

    @TempDir
    Path ownTmp;
    private final List<Receiver> receivers = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        closed = TestServer.builder(Files.createDirectories(tmp.resolve("closed")))
                .yaml("webhooks:\n  allow_private: false\n").start();
        auth = TestServer.startWithAuth(Files.createDirectories(tmp.resolve("auth")));
        anon = auth.http();
        admin = anon.withHeader("Authorization", "Bearer " + TestServer.ADMIN_TOKEN);
        alice = anon.withHeader("Authorization", "Bearer "
                + admin.post("/v0/principals", "{\"name\": \"alice\"}").ok(201).str("token"));
        bob = anon.withHeader("Authorization", "Bearer "
                + admin.post("/v0/principals", "{\"name\": \"bob\"}").ok(201).str("token"));
    }

    @AfterAll
    static void stop() {
        for (TestServer s : new TestServer[] {closed, auth}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @AfterEach
    void closeReceivers() {
        receivers.forEach(Receiver::close);
    }

    // ------------------------------------------------------------------ helpers

    private static String path(String t) {
        return "/v0/topics/" + t;
    }

    private static String hooks(String t) {
        return path(t) + "/webhooks";
    }

    private static String hook(String t, String id) {
        return hooks(t) + "/" + id;
    }

    private static String topic(Http h, String stem) {
        String t = uniqueTopic(stem);
        h.put(path(t), "{}").ok(201);
        return t;
    }

    private static Response write(Http h, String t, int n) {
        StringBuilder b = new StringBuilder("{\"records\":[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"data\":").append(i).append('}');
        }
        return h.post(path(t), b.append("]}").toString()).ok();
    }

    private static String q(String s) {
        return "\"" + s + "\"";
    }

    private static void assertHookShape(Map<String, Object> m) {
        assertThat(m.get("id")).isInstanceOf(String.class);
        assertThat((String) m.get("id")).matches("wh_[A-Za-z0-9-]+");
        assertThat(m.get("batch_max")).isInstanceOf(Long.class);
        assertThat(m.get("max_attempts")).isInstanceOf(Long.class);
        assertThat(m.get("cursor")).isInstanceOf(Long.class);
        assertThat(Instant.parse((String) m.get("created_at"))).isBeforeOrEqualTo(Instant.now());
    }

    // ------------------------------------------------------------------ create, read, shapes

    @Test
    void createAnswersTheFullWebhookWithDefaults() {
        String t = topic(http, "api.create");
        write(http, t, 4);
        Response c = http.post(hooks(t), "{\"url\":" + q(PUBLIC_URL) + "}").ok(201);
        assertThat(c.map().keySet()).containsExactlyInAnyOrderElementsOf(
                concat(HOOK_FIELDS, List.of("secret", "performance")));
        assertHookShape(c.map());
        assertThat(c.str("topic")).isEqualTo(t);
        assertThat(c.str("url")).isEqualTo(PUBLIC_URL);
        assertThat(c.get("filter")).isNull();
        assertThat(c.num("batch_max")).isEqualTo(100);
        assertThat(c.num("max_attempts")).isEqualTo(20);
        assertThat(c.str("state")).isEqualTo("active");
        assertThat(c.num("cursor")).as("from_seq defaults to the head").isEqualTo(4);
        assertThat(c.obj("performance")).containsKey("server_total_ms");

        Response g = http.get(hook(t, c.str("id"))).ok();
        assertThat(g.map().keySet()).containsExactlyInAnyOrderElementsOf(concat(HOOK_FIELDS, List.of("performance")));
        for (String f : HOOK_FIELDS) {
            assertThat(g.get(f)).as(f).isEqualTo(c.get(f));
        }

        Response second = http.post(hooks(t), "{\"url\":\"https://[2001:4860::8888]:8443/x?y=1\",\"secret\":\"s\","
                + "\"filter\":[\"tag\",\"Eq\",\"a\"],\"from_seq\":1,\"batch_max\":10000,\"max_attempts\":1000}").ok(201);
        assertThat(second.map()).doesNotContainKey("secret");
        assertThat(second.get("filter")).isEqualTo(List.of("tag", "Eq", "a"));
        assertThat(second.num("cursor")).isEqualTo(1);
        assertThat(second.num("batch_max")).isEqualTo(10_000);
        assertThat(second.num("max_attempts")).isEqualTo(1000);
        assertThat(second.str("id")).isNotEqualTo(c.str("id"));

        Response list = http.get(hooks(t)).ok();
        assertThat(list.map().keySet()).containsExactlyInAnyOrder("topic", "webhooks", "performance");
        assertThat(list.str("topic")).isEqualTo(t);
        assertThat(list.list("webhooks")).hasSize(2);
        for (Object o : list.list("webhooks")) {
            assertThat(Http.Json.obj(o).keySet()).containsExactlyInAnyOrderElementsOf(HOOK_FIELDS);
        }
        assertThat(list.list("webhooks")).extracting(o -> Http.Json.obj(o).get("id"))
                .containsExactlyInAnyOrder(c.str("id"), second.str("id"));

        // the edges of the ranges, and from_seq at the head or null
        http.post(hooks(t), "{\"url\":" + q(PUBLIC_URL) + ",\"batch_max\":1,\"max_attempts\":1,\"from_seq\":4}").ok(201);
        assertThat(http.post(hooks(t), "{\"url\":" + q(PUBLIC_URL) + ",\"from_seq\":null,\"filter\":null}").ok(201)
                .num("cursor")).isEqualTo(4);

        Response d = http.get(hook(t, c.str("id")) + "/deliveries").ok();
        assertThat(d.map().keySet()).containsExactlyInAnyOrder("webhook", "deliveries", "performance");
        assertThat(d.str("webhook")).isEqualTo(c.str("id"));
        assertThat(d.list("deliveries")).isEmpty();

        Response del = http.delete(hook(t, second.str("id"))).ok();
        assertThat(del.str("id")).isEqualTo(second.str("id"));
        assertThat(del.bool("deleted")).isTrue();
        assertThat(http.get(hooks(t)).ok().list("webhooks")).hasSize(3);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }

    // ------------------------------------------------------------------ validation

    @Test
    void everyValidationErrorIsA400AndCreatesNothing() {
        String t = topic(http, "api.invalid");
        write(http, t, 3);
        String url = q(PUBLIC_URL);
        Object[][] cases = {
                {"{}", "invalid_field"},
                {"{\"url\":null}", "invalid_field"},
                {"{\"url\":5}", "invalid_field"},
                {"{\"url\":[\"http://8.8.8.8/\"]}", "invalid_field"},
                {"{\"url\":\"not a url\"}", "invalid_field"},
                {"{\"url\":\"http://exa mple.com/\"}", "invalid_field"},
                {"{\"url\":\"http://user:pw@8.8.8.8/hook\"}", "invalid_field"},
                {"{\"url\":\"http://8.8.8.8/hook#frag\"}", "invalid_field"},
                {"{\"url\":" + url + ",\"colour\":\"red\"}", "unknown_field"},
                {"{\"url\":" + url + ",\"batchMax\":5}", "unknown_field"},
                {"{\"url\":" + url + ",\"state\":\"active\"}", "unknown_field"},
                {"{\"url\":" + url + ",\"id\":\"wh_mine\"}", "unknown_field"},
                {"{\"url\":" + url + ",\"batch_max\":0}", "invalid_field"},
                {"{\"url\":" + url + ",\"batch_max\":10001}", "invalid_field"},
                {"{\"url\":" + url + ",\"batch_max\":-1}", "invalid_field"},
                {"{\"url\":" + url + ",\"batch_max\":1.5}", "invalid_field"},
                {"{\"url\":" + url + ",\"batch_max\":\"5\"}", "invalid_field"},
                {"{\"url\":" + url + ",\"batch_max\":null}", "invalid_field"},
                {"{\"url\":" + url + ",\"max_attempts\":0}", "invalid_field"},
                {"{\"url\":" + url + ",\"max_attempts\":1001}", "invalid_field"},
                {"{\"url\":" + url + ",\"max_attempts\":true}", "invalid_field"},
                {"{\"url\":" + url + ",\"from_seq\":4}", "invalid_field"},
                {"{\"url\":" + url + ",\"from_seq\":18446744073709551615}", "invalid_field"},
                {"{\"url\":" + url + ",\"from_seq\":-1}", "invalid_field"},
                {"{\"url\":" + url + ",\"from_seq\":\"0\"}", "invalid_field"},
                {"{\"url\":" + url + ",\"secret\":\"\"}", "invalid_field"},
                {"{\"url\":" + url + ",\"secret\":5}", "invalid_field"},
                {"{\"url\":" + url + ",\"secret\":\"" + "x".repeat(1025) + "\"}", "invalid_field"},
                {"{\"url\":" + url + ",\"filter\":[\"tag\",\"Eq\"]}", "invalid_filter"},
                {"{\"url\":" + url + ",\"filter\":[\"Nope\",[]]}", "invalid_filter"},
                {"{\"url\":" + url + ",\"filter\":[\"colour\",\"Eq\",\"red\"]}", "invalid_filter"},
                {"{\"url\":" + url + ",\"filter\":\"tag == a\"}", "invalid_filter"},
                {"{\"url\":" + url + ",\"filter\":[\"And\",[[\"tag\",\"In\",\"notalist\"]]]}", "invalid_filter"},
                {"{\"url\":" + url, "invalid_json"},
                {"not json", "invalid_json"},
        };
        for (Object[] c : cases) {
            http.post(hooks(t), (String) c[0]).assertError(400, (String) c[1]);
        }
        // non-http(s) URLs and URLs without a host: refused, whatever the code says about them
        for (String bad : List.of("ftp://8.8.8.8/x", "file:///etc/passwd", "javascript:alert(1)", "/relative",
                "8.8.8.8/hook", "", "http:///no-host")) {
            Response r = http.post(hooks(t), "{\"url\":" + q(bad) + "}");
            r.expect(400);
            assertThat(r.str("error.code")).as("%s", r).isIn("invalid_field", "url_refused");
        }
        assertThat(http.get(hooks(t)).ok().list("webhooks")).as("nothing was created").isEmpty();
        assertThat(http.get(path(t)).ok().num("head_seq")).isEqualTo(3);
    }

    @Test
    void patchValidatesLikeCreateAndChangesNothingWhenRefused() {
        String t = topic(http, "api.patchinvalid");
        Response c = http.post(hooks(t), "{\"url\":" + q(PUBLIC_URL) + ",\"batch_max\":5}").ok(201);
        String id = c.str("id");
        Object[][] cases = {
                {"{\"state\":\"failing\"}", "invalid_field"},
                {"{\"state\":\"paused\"}", "invalid_field"},
                {"{\"state\":\"\"}", "invalid_field"},
                {"{\"state\":null}", "invalid_field"},
                {"{\"state\":1}", "invalid_field"},
                {"{\"from_seq\":0}", "unknown_field"},
                {"{\"cursor\":0}", "unknown_field"},
                {"{\"id\":\"wh_other\"}", "unknown_field"},
                {"{\"topic\":\"elsewhere\"}", "unknown_field"},
                {"{\"url\":null}", "invalid_field"},
                {"{\"url\":\"not a url\"}", "invalid_field"},
                {"{\"url\":\"http://u@8.8.8.8/\"}", "invalid_field"},
                {"{\"batch_max\":0}", "invalid_field"},
                {"{\"batch_max\":10001}", "invalid_field"},
                {"{\"max_attempts\":0}", "invalid_field"},
                {"{\"max_attempts\":1001}", "invalid_field"},
                {"{\"secret\":\"\"}", "invalid_field"},
                {"{\"filter\":[\"tag\",\"Glob\"]}", "invalid_filter"},
                {"{\"batch_max\":7,\"state\":\"stopped\"}", "invalid_field"},
                {"{\"batch_max\":7", "invalid_json"},
        };
        for (Object[] x : cases) {
            http.patch(hook(t, id), (String) x[0]).assertError(400, (String) x[1]);
        }
        Response g = http.get(hook(t, id)).ok();
        for (String f : HOOK_FIELDS) {
            assertThat(g.get(f)).as(f).isEqualTo(c.get(f));
        }
    }

    @Test
    void unknownTopicsAndWebhooksAre404() {
        String t = topic(http, "api.missing");
        String other = topic(http, "api.other");
        String id = http.post(hooks(other), "{\"url\":" + q(PUBLIC_URL) + "}").ok(201).str("id");
        String missing = uniqueTopic("api.never");
        http.post(hooks(missing), "{\"url\":" + q(PUBLIC_URL) + "}").assertError(404, "topic_not_found");
        http.get(hooks(missing)).assertError(404, "topic_not_found");
        http.get(hook(missing, id)).assertError(404, "topic_not_found");
        http.post(hooks("a..b"), "{\"url\":" + q(PUBLIC_URL) + "}").assertError(400, "invalid_topic_name");
        for (String wrong : List.of("wh_nope", id)) { // an id of another topic is not found under this one
            http.get(hook(t, wrong)).assertError(404, "webhook_not_found");
            http.patch(hook(t, wrong), "{\"batch_max\":3}").assertError(404, "webhook_not_found");
            http.delete(hook(t, wrong)).assertError(404, "webhook_not_found");
            http.get(hook(t, wrong) + "/deliveries").assertError(404, "webhook_not_found");
        }
        assertThat(http.get(hook(other, id)).ok().num("batch_max")).isEqualTo(100);
    }

    // ------------------------------------------------------------------ secrets and PATCH

    @Test
    void aSecretIsShownOnceWhenGeneratedAndNeverOtherwise() {
        String t = topic(http, "api.secret");
        Response gen = http.post(hooks(t), "{\"url\":" + q(PUBLIC_URL) + "}").ok(201);
        String generated = gen.str("secret");
        assertThat(generated).as("whsec_ and standard base64 of 24 bytes").matches("whsec_[A-Za-z0-9+/]{32}");
        Response gen2 = http.post(hooks(t), "{\"url\":" + q(PUBLIC_URL) + "}").ok(201);
        assertThat(gen2.str("secret")).isNotEqualTo(generated);
        Response given = http.post(hooks(t), "{\"url\":" + q(PUBLIC_URL) + ",\"secret\":\"my-own-secret-123\"}").ok(201);
        assertThat(given.map()).doesNotContainKey("secret");
        assertThat(given.text()).doesNotContain("my-own-secret-123");

        List<Response> seen = new ArrayList<>();
        for (String id : List.of(gen.str("id"), gen2.str("id"), given.str("id"))) {
            seen.add(http.get(hook(t, id)).ok());
            seen.add(http.get(hook(t, id) + "/deliveries").ok());
            seen.add(http.patch(hook(t, id), "{\"batch_max\":3}").ok());
        }
        Response patchedSecret = http.patch(hook(t, given.str("id")), "{\"secret\":\"rotated-secret-456\"}").ok();
        seen.add(patchedSecret);
        seen.add(http.get(hooks(t)).ok());
        seen.add(http.get(hook(t, given.str("id"))).ok());
        for (Response r : seen) {
            assertThat(r.text()).as("%s", r).doesNotContain("\"secret\"").doesNotContain(generated)
                    .doesNotContain(gen2.str("secret")).doesNotContain("my-own-secret-123")
                    .doesNotContain("rotated-secret-456");
        }
    }

    @Test
    void patchChangesOnlyWhatItNamesAndKeepsTheRest() {
        String t = topic(http, "api.patch");
        write(http, t, 5);
        Response c = http.post(hooks(t), "{\"url\":" + q(PUBLIC_URL) + ",\"filter\":[\"tag\",\"Eq\",\"x\"],"
                + "\"from_seq\":5,\"batch_max\":7,\"max_attempts\":3,\"secret\":\"abc\"}").ok(201);
        String id = c.str("id");

        Response p1 = http.patch(hook(t, id), "{\"batch_max\":9}").ok();
        assertThat(p1.map().keySet()).containsExactlyInAnyOrderElementsOf(concat(HOOK_FIELDS, List.of("performance")));
        assertThat(p1.num("batch_max")).isEqualTo(9);
        for (String f : List.of("id", "topic", "url", "filter", "max_attempts", "state", "cursor", "created_at")) {
            assertThat(p1.get(f)).as(f).isEqualTo(c.get(f));
        }

        Response p2 = http.patch(hook(t, id), "{}").ok();
        for (String f : HOOK_FIELDS) {
            assertThat(p2.get(f)).as(f).isEqualTo(p1.get(f));
        }

        Response p3 = http.patch(hook(t, id), "{\"url\":\"https://1.1.1.1/other\",\"max_attempts\":50}").ok();
        assertThat(p3.str("url")).isEqualTo("https://1.1.1.1/other");
        assertThat(p3.num("max_attempts")).isEqualTo(50);
        assertThat(p3.num("batch_max")).isEqualTo(9);
        assertThat(p3.get("filter")).isEqualTo(List.of("tag", "Eq", "x"));

        Response p4 = http.patch(hook(t, id), "{\"filter\":null}").ok();
        assertThat(p4.get("filter")).isNull();
        Response p5 = http.patch(hook(t, id), "{\"filter\":[\"seq\",\"Gt\",2],\"state\":\"active\"}").ok();
        assertThat(p5.get("filter")).isEqualTo(List.of("seq", "Gt", 2L));
        assertThat(p5.str("state")).isEqualTo("active");

        Response g = http.get(hook(t, id)).ok();
        for (String f : HOOK_FIELDS) {
            assertThat(g.get(f)).as(f).isEqualTo(p5.get(f));
        }
        assertThat(g.str("url")).isEqualTo("https://1.1.1.1/other");
        assertThat(g.num("batch_max")).isEqualTo(9);
        assertThat(g.num("max_attempts")).isEqualTo(50);
        assertThat(g.num("cursor")).isEqualTo(5);
        assertThat(g.str("created_at")).isEqualTo(c.str("created_at"));
    }

    // ------------------------------------------------------------------ rights

    @Test
    void onlyTheOwnerOrAnAdminMayTouchWebhooks() {
        String t = topic(alice, "api.rights");
        admin.patch(path(t), "{\"public_read\":true,\"public_publish\":true}").ok();
        String share = alice.post(path(t) + "/shares", "{\"access\":\"rw\"}").ok(201).str("token");
        Http shared = anon.withHeader("X-Topic-Token", share);
        Http adminPrincipal = anon.withHeader("Authorization", "Bearer "
                + admin.post("/v0/principals", "{\"name\": \"ops-" + t + "\", \"admin\": true}").ok(201).str("token"));

        String byAlice = alice.post(hooks(t), "{\"url\":" + q(PUBLIC_URL) + "}").ok(201).str("id");
        String byAdmin = admin.post(hooks(t), "{\"url\":" + q(PUBLIC_URL) + "}").ok(201).str("id");
        String byOps = adminPrincipal.post(hooks(t), "{\"url\":" + q(PUBLIC_URL) + "}").ok(201).str("id");

        Map<Http, Integer> refused = Map.of(anon, 401, bob, 403, shared, 403);
        refused.forEach((who, status) -> {
            String code = status == 401 ? "unauthorized" : "forbidden";
            who.post(hooks(t), "{\"url\":" + q(PUBLIC_URL) + "}").assertError(status, code);
            who.get(hooks(t)).assertError(status, code);
            who.get(hook(t, byAlice)).assertError(status, code);
            who.patch(hook(t, byAlice), "{\"batch_max\":2}").assertError(status, code);
            who.get(hook(t, byAlice) + "/deliveries").assertError(status, code);
            who.delete(hook(t, byAlice)).assertError(status, code);
        });
        anon.withHeader("Authorization", "Bearer tpk_wrong").get(hooks(t)).assertError(401, "unauthorized");

        for (Http who : List.of(alice, admin, adminPrincipal)) {
            assertThat(who.get(hooks(t)).ok().list("webhooks")).hasSize(3);
            who.get(hook(t, byAlice)).ok();
            who.get(hook(t, byAlice) + "/deliveries").ok();
            who.patch(hook(t, byAlice), "{\"batch_max\":2}").ok();
        }
        assertThat(alice.get(hook(t, byAlice)).ok().num("batch_max")).isEqualTo(2);
        alice.delete(hook(t, byAdmin)).ok();
        admin.delete(hook(t, byOps)).ok();
        adminPrincipal.delete(hook(t, byAlice)).ok();
        assertThat(alice.get(hooks(t)).ok().list("webhooks")).isEmpty();
    }

    // ------------------------------------------------------------------ restart

    @Test
    void webhooksSurviveARestartWithTheirCursor() {
        Receiver r = Receiver.start();
        receivers.add(r);
        try (TestServer own = TestServer.start(ownTmp)) {
            Http h = own.http();
            h.put(path("keep.t"), "{}").ok(201);
            write(h, "keep.t", 3);
            Response a = h.post(hooks("keep.t"), "{\"url\":" + q(r.url()) + ",\"from_seq\":1,\"batch_max\":2,"
                    + "\"max_attempts\":7,\"filter\":[\"seq\",\"Gte\",1],\"secret\":\"kept-secret\"}").ok(201);
            Response b = h.post(hooks("keep.t"), "{\"url\":\"http://8.8.8.8/elsewhere\",\"from_seq\":3}").ok(201);
            Await.until("delivered up to 3", Duration.ofSeconds(20),
                    () -> h.get(hook("keep.t", a.str("id"))).ok().num("cursor") == 3);
            Map<String, Response> before = Map.of(a.str("id"), h.get(hook("keep.t", a.str("id"))).ok(),
                    b.str("id"), h.get(hook("keep.t", b.str("id"))).ok());
            int requests = r.count();

            own.restart();
            assertThat(h.get(hooks("keep.t")).ok().list("webhooks")).hasSize(2);
            before.forEach((id, was) -> {
                Response now = h.get(hook("keep.t", id)).ok();
                for (String f : HOOK_FIELDS) {
                    assertThat(now.get(f)).as("%s of %s after the restart", f, id).isEqualTo(was.get(f));
                }
            });
            assertThat(h.get(hook("keep.t", a.str("id"))).ok().num("cursor")).isEqualTo(3);
            assertThat(h.get(hook("keep.t", a.str("id")) + "/deliveries").ok().list("deliveries"))
                    .as("the log is in memory").isEmpty();

            // it goes on from its cursor, with the secret it had
            write(h, "keep.t", 1);
            Receiver.Request next = r.await("the record after the restart", Duration.ofSeconds(20),
                    reqs -> reqs.size() > requests && reqs.get(reqs.size() - 1).answered).get(requests);
            assertThat(next.seqs()).containsExactly(4L);
            assertThat(next.header("X-Topics-Signature"))
                    .isEqualTo("sha256=" + WebhookDeliveryFixtures.hmac("kept-secret", next.body));
            assertThat(r.count()).isEqualTo(requests + 1);
        }
    }

    // ------------------------------------------------------------------ private destinations

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:9/hook", "http://localhost:9/hook", "http://10.1.2.3/hook",
            "http://192.168.1.10/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]:9/hook",
            "http://172.16.0.1/x", "http://100.64.0.1/x", "http://[fd00::1]/x", "http://[fe80::1]/x",
            "http://0.0.0.0:9/", "https://127.0.0.1/"})
    void privateDestinationsAreRefusedUnlessAllowed(String url) {
        // allow_private: false (dev mode): refused on create and on PATCH
        Http c = closed.http();
        String t = topic(c, "api.private");
        c.post(hooks(t), "{\"url\":" + q(url) + "}").assertError(400, "url_refused");
        String id = c.post(hooks(t), "{\"url\":" + q(PUBLIC_URL) + "}").ok(201).str("id");
        c.patch(hook(t, id), "{\"url\":" + q(url) + "}").assertError(400, "url_refused");
        assertThat(c.get(hook(t, id)).ok().str("url")).isEqualTo(PUBLIC_URL);
        assertThat(c.get(hooks(t)).ok().list("webhooks")).hasSize(1);

        // auth required, allow_private auto: not dev mode, refused
        String ta = topic(admin, "api.private-auth");
        admin.post(hooks(ta), "{\"url\":" + q(url) + "}").assertError(400, "url_refused");

        // dev mode, allow_private auto: accepted
        String td = topic(http, "api.private-dev");
        Response ok = http.post(hooks(td), "{\"url\":" + q(url) + "}").ok(201);
        assertThat(ok.str("url")).isEqualTo(url);
        http.delete(path(td)).ok();
    }

    @Test
    void publicDestinationsAreAcceptedWhenPrivateIsNotAllowed() {
        Http c = closed.http();
        String t = topic(c, "api.public");
        for (String url : List.of(PUBLIC_URL, "https://1.1.1.1:8443/a?b=c", "http://[2001:4860::8888]/hook")) {
            c.post(hooks(t), "{\"url\":" + q(url) + "}").ok(201);
        }
        String ta = topic(admin, "api.public-auth");
        admin.post(hooks(ta), "{\"url\":" + q(PUBLIC_URL) + "}").ok(201);
    }

    @Test
    void allowPrivateTrueAllowsThemEvenWithAuthRequired() throws Exception {
        try (TestServer s = TestServer.builder(ownTmp).env("TOPICS_AUTH", "required").env("TOPICS_ADMIN_TOKEN", "tok")
                .yaml("webhooks:\n  allow_private: true\n").start()) { // the YAML replaces withAuth's
            Http h = s.http().withHeader("Authorization", "Bearer tok");
            String t = topic(h, "api.allowed");
            for (String url : List.of("http://127.0.0.1:9/hook", "http://10.0.0.1/x", "http://[::1]:9/x")) {
                h.post(hooks(t), "{\"url\":" + q(url) + "}").ok(201);
            }
        }
    }
}
