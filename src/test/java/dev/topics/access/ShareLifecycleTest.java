package dev.topics.access;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.MemoryTempDir;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §11 share tokens: {@code POST /v0/topics/{t}/shares} (owner or admin; the {@code tk_}
 * token shown once), {@code GET …/shares} (never token values), {@code PATCH …/shares/{id}}
 * (access, label, expires_at), {@code POST …/rotate} (the old token stops at once),
 * {@code DELETE …/shares/{id}} (revoke); using them through {@code X-Topic-Token}; expiry;
 * validation; deletion with the topic; a restart.
 */
@Timeout(300)
@ServerTest.Setup(auth = true, memory = true)
class ShareLifecycleTest extends ServerTest {
    static Http owner;
    static Http other;

    @BeforeAll
    static void principals() {
        owner = bearer(principal("owner"));
        other = bearer(principal("other"));
        // "other" may read and publish every sh.* topic, but does not own them
        admin.post("/v0/permissions", "{\"principal\": \"other\", \"pattern\": \"sh.>\", \"actions\": [\"read\", "
                + "\"publish\"], \"effect\": \"allow\"}").ok(201);
    }

    static String path(String topic) {
        return "/v0/topics/" + topic;
    }

    static String newTopic() {
        String t = uniqueTopic("sh.t");
        owner.put(path(t), "{}").ok(201);
        owner.post(path(t), "{\"records\": [{\"data\": \"first\"}]}").ok();
        return t;
    }

    static Response create(String topic, String body) {
        return owner.post(path(topic) + "/shares", body).ok(201);
    }

    static List<Map<String, Object>> shares(String topic) {
        return admin.get(path(topic) + "/shares").ok().list("shares").stream().map(Http.Json::obj).toList();
    }

    static Map<String, Object> listed(String topic, String id) {
        return shares(topic).stream().filter(m -> id.equals(m.get("id"))).findFirst().orElse(null);
    }

    /** Polls until {@code token} reading {@code topic} answers {@code status}; returns how long it took. */
    static long awaitStatus(String topic, String token, int status, Duration limit) {
        long t0 = System.nanoTime();
        Await.value("token reading " + topic + " to answer " + status, limit,
                () -> share(token).get(path(topic)).status(), got -> got == status);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    // ------------------------------------------------------------------ create, list, use

    @Test
    void aShareIsCreatedWithItsTokenShownOnceAndNeverListed() {
        String t = newTopic();
        Response r = create(t, "{\"access\": \"rw\", \"label\": \"ci\", \"expires_at\": \"2099-01-02T03:04:05Z\"}");
        assertThat(r.str("id")).startsWith("sh_");
        assertThat(r.str("token")).matches("tk_[A-Za-z0-9_-]{20,}");
        assertThat(r.str("topic")).isEqualTo(t);
        assertThat(r.str("access")).isEqualTo("rw");
        assertThat(r.str("label")).isEqualTo("ci");
        assertThat(r.str("expires_at")).isEqualTo("2099-01-02T03:04:05Z");
        Instant.parse(r.str("created_at"));
        assertThat(r.obj("performance")).containsKey("server_total_ms");

        Response plain = create(t, "{\"access\": \"ro\"}");
        assertThat(plain.get("expires_at")).isNull();
        assertThat(plain.get("label")).isNull();
        assertThat(plain.str("token")).isNotEqualTo(r.str("token"));
        assertThat(plain.str("id")).isNotEqualTo(r.str("id"));

        Response list = owner.get(path(t) + "/shares").ok();
        assertThat(list.str("topic")).isEqualTo(t);
        assertThat(list.text()).doesNotContain(r.str("token")).doesNotContain(plain.str("token")).doesNotContain("tk_")
                .doesNotContain("\"token\"").doesNotContain("sha256");
        Map<String, Object> m = listed(t, r.str("id"));
        assertThat(m).isNotNull();
        assertThat(m.keySet()).containsExactlyInAnyOrder("id", "topic", "access", "expires_at", "label", "created_at");
        assertThat(m).containsEntry("access", "rw").containsEntry("label", "ci")
                .containsEntry("expires_at", "2099-01-02T03:04:05Z").containsEntry("topic", t);
        assertThat(shares(t)).extracting(s -> s.get("id")).containsExactlyInAnyOrder(r.str("id"), plain.str("id"));
        // shares of other topics are not listed here
        String t2 = newTopic();
        create(t2, "{\"access\": \"ro\"}");
        assertThat(shares(t)).hasSize(2);
    }

    @Test
    void theAccessOfAShareDecidesWhatItsTokenMayDo() {
        String t = newTopic();
        String ro = create(t, "{\"access\": \"ro\"}").str("token");
        String wo = create(t, "{\"access\": \"wo\"}").str("token");
        String rw = create(t, "{\"access\": \"rw\"}").str("token");

        share(ro).get(path(t)).ok();
        share(ro).post(path(t) + "/diff", "{\"from_seq\": 0}").ok();
        share(ro).get(path(t) + "/diff?from_seq=0").ok();
        share(ro).post(path(t), "{\"records\": [{\"data\": \"ro\"}]}").assertError(403, "forbidden");

        share(wo).post(path(t), "{\"records\": [{\"data\": \"wo\"}]}").ok();
        share(wo).get(path(t)).assertError(403, "forbidden");
        share(wo).post(path(t) + "/diff", "{\"from_seq\": 0}").assertError(403, "forbidden");

        share(rw).post(path(t), "{\"records\": [{\"data\": \"rw\"}]}").ok();
        List<Object> records = share(rw).post(path(t) + "/diff", "{\"from_seq\": 0}").ok().list("records");
        assertThat(records.stream().map(o -> (Object) ((Map<?, ?>) o).get("data")).toList()).containsExactly("first", "wo", "rw");

        // a topic's share is no key to another topic, not even to create one
        String t2 = newTopic();
        for (String tok : List.of(ro, wo, rw)) {
            share(tok).get(path(t2)).assertError(403, "forbidden");
            share(tok).post(path(t2), "{\"records\": [{\"data\": 1}]}").assertError(403, "forbidden");
            share(tok).post(path(uniqueTopic("sh.new")), "{\"records\": [{\"data\": 1}]}").assertError(403, "forbidden");
            share(tok).put(path(uniqueTopic("sh.new")), "{}").assertError(403, "forbidden");
        }
        // nor does it make its holder the owner
        for (String tok : List.of(ro, wo, rw)) {
            share(tok).patch(path(t), "{\"ttl_ms\": 1}").assertError(403, "forbidden");
            share(tok).delete(path(t)).assertError(403, "forbidden");
            share(tok).post(path(t) + "/delete", "{\"from_seq\": 1}").assertError(403, "forbidden");
            share(tok).post(path(t) + "/shares", "{\"access\": \"rw\"}").assertError(403, "forbidden");
            share(tok).get(path(t) + "/shares").assertError(403, "forbidden");
            share(tok).get("/v0/principals").assertError(403, "forbidden");
        }
        assertThat(admin.get(path(t)).ok().num("count")).isEqualTo(3);
        assertThat(shares(t)).hasSize(3);
    }

    @Test
    void onlyTheOwnerOrAnAdminManagesShares() {
        String t = newTopic();
        Response s = create(t, "{\"access\": \"ro\"}");
        String id = s.str("id");
        String base = path(t) + "/shares";
        Http boss = bearer(admin.post("/v0/principals", "{\"name\": \"boss\", \"admin\": true}").ok(201).str("token"));

        for (Http who : List.of(other, share(s.str("token")))) {
            who.post(base, "{\"access\": \"rw\"}").assertError(403, "forbidden");
            who.get(base).assertError(403, "forbidden");
            who.patch(base + "/" + id, "{\"access\": \"rw\"}").assertError(403, "forbidden");
            who.post(base + "/" + id + "/rotate", "").assertError(403, "forbidden");
            who.delete(base + "/" + id).assertError(403, "forbidden");
        }
        http.post(base, "{\"access\": \"rw\"}").assertError(401, "unauthorized");
        http.get(base).assertError(401, "unauthorized");
        http.patch(base + "/" + id, "{\"access\": \"rw\"}").assertError(401, "unauthorized");
        http.post(base + "/" + id + "/rotate", "").assertError(401, "unauthorized");
        http.delete(base + "/" + id).assertError(401, "unauthorized");
        // nothing changed: one share, ro, the same token
        assertThat(shares(t)).hasSize(1);
        assertThat(listed(t, id)).containsEntry("access", "ro");
        share(s.str("token")).get(path(t)).ok();

        // the owner, the admin token and an admin principal may
        for (Http who : List.of(owner, admin, boss)) {
            String made = who.post(base, "{\"access\": \"rw\"}").ok(201).str("id");
            who.get(base).ok();
            who.patch(base + "/" + made, "{\"label\": \"x\"}").ok();
            who.post(base + "/" + made + "/rotate", "").ok();
            who.delete(base + "/" + made).ok();
        }
        // a topic nobody may see yet: 404 for the admin, no hint for others
        String missing = uniqueTopic("sh.missing");
        admin.post(path(missing) + "/shares", "{\"access\": \"ro\"}").assertError(404, "topic_not_found");
        admin.get(path(missing) + "/shares").assertError(404, "topic_not_found");
        other.post(path(missing) + "/shares", "{\"access\": \"ro\"}").assertError(403, "forbidden");
    }

    // ------------------------------------------------------------------ change

    @Test
    void patchChangesAccessLabelAndExpiryAndKeepsWhatItIsNotGiven() {
        String t = newTopic();
        Response s = create(t, "{\"access\": \"ro\", \"label\": \"first\"}");
        String id = s.str("id");
        String tok = s.str("token");
        String at = path(t) + "/shares/" + id;

        share(tok).post(path(t), "{\"records\": [{\"data\": 1}]}").assertError(403, "forbidden");
        Response p = owner.patch(at, "{\"access\": \"rw\"}").ok();
        assertThat(p.str("id")).isEqualTo(id);
        assertThat(p.str("access")).isEqualTo("rw");
        assertThat(p.str("label")).isEqualTo("first");
        assertThat(p.get("token")).as("a patch shows no token").isNull();
        share(tok).post(path(t), "{\"records\": [{\"data\": 1}]}").ok();
        share(tok).get(path(t)).ok();

        owner.patch(at, "{\"access\": \"wo\"}").ok();
        share(tok).get(path(t)).assertError(403, "forbidden");
        share(tok).post(path(t), "{\"records\": [{\"data\": 2}]}").ok();

        Response lab = owner.patch(at, "{\"label\": \"second\"}").ok();
        assertThat(lab.str("label")).isEqualTo("second");
        assertThat(lab.str("access")).isEqualTo("wo");
        assertThat(owner.patch(at, "{\"label\": null}").ok().get("label")).isNull();
        assertThat(listed(t, id).get("label")).isNull();

        Response exp = owner.patch(at, "{\"expires_at\": \"2098-05-06T07:08:09Z\"}").ok();
        assertThat(exp.str("expires_at")).isEqualTo("2098-05-06T07:08:09Z");
        Response offset = owner.patch(at, "{\"expires_at\": \"2098-05-06T09:08:09+02:00\"}").ok();
        assertThat(Instant.parse(offset.str("expires_at"))).as("an RFC 3339 offset is the same instant")
                .isEqualTo(Instant.parse("2098-05-06T07:08:09Z"));
        assertThat(listed(t, id)).containsEntry("access", "wo");
        assertThat(owner.patch(at, "{}").ok().str("expires_at")).as("{} keeps the expiry")
                .isEqualTo(offset.str("expires_at"));
        Response cleared = owner.patch(at, "{\"expires_at\": null}").ok();
        assertThat(cleared.get("expires_at")).isNull();
        assertThat(listed(t, id).get("expires_at")).isNull();
        assertThat(listed(t, id)).containsEntry("access", "wo");
        // the token is the same all along
        share(tok).post(path(t), "{\"records\": [{\"data\": 3}]}").ok();
    }

    @Test
    void anExpiredShareIs401AndPatchingTheExpiryAwayRevivesIt() {
        String t = newTopic();
        Instant soon = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.MILLIS);
        Response s = create(t, "{\"access\": \"rw\", \"expires_at\": \"" + soon + "\"}");
        assertThat(Instant.parse(s.str("expires_at"))).isEqualTo(soon);
        String tok = s.str("token");
        share(tok).get(path(t)).ok(); // valid until then
        long ms = awaitStatus(t, tok, 401, Duration.ofSeconds(20));
        System.out.println("share token expired " + ms + " ms after the first poll (expires_at was " + soon + ")");
        assertThat(Instant.now()).as("not before its expires_at").isAfterOrEqualTo(soon);
        share(tok).get(path(t)).assertError(401, "unauthorized");
        share(tok).post(path(t), "{\"records\": [{\"data\": 1}]}").assertError(401, "unauthorized");
        assertThat(admin.get(path(t)).ok().num("count")).isEqualTo(1);

        // the owner can still see it and push the expiry out
        assertThat(listed(t, s.str("id"))).isNotNull();
        owner.patch(path(t) + "/shares/" + s.str("id"), "{\"expires_at\": null}").ok();
        share(tok).get(path(t)).ok();
        // a past expiry stops it at once
        owner.patch(path(t) + "/shares/" + s.str("id"), "{\"expires_at\": \"2001-01-01T00:00:00Z\"}").ok();
        share(tok).get(path(t)).assertError(401, "unauthorized");
    }

    @Test
    void rotationReplacesTheTokenAtOnce() {
        String t = newTopic();
        Response s = create(t, "{\"access\": \"rw\", \"label\": \"rot\", \"expires_at\": \"2097-01-01T00:00:00Z\"}");
        String old = s.str("token");
        share(old).get(path(t)).ok();
        Response r = owner.post(path(t) + "/shares/" + s.str("id") + "/rotate", "").ok();
        String fresh = r.str("token");
        assertThat(fresh).matches("tk_[A-Za-z0-9_-]{20,}").isNotEqualTo(old);
        assertThat(r.str("id")).isEqualTo(s.str("id"));
        assertThat(r.str("access")).isEqualTo("rw");
        assertThat(r.str("label")).isEqualTo("rot");
        assertThat(r.str("expires_at")).isEqualTo("2097-01-01T00:00:00Z");
        share(old).get(path(t)).assertError(401, "unauthorized");
        share(old).post(path(t), "{\"records\": [{\"data\": 1}]}").assertError(401, "unauthorized");
        share(fresh).get(path(t)).ok();
        share(fresh).post(path(t), "{\"records\": [{\"data\": 1}]}").ok();
        assertThat(shares(t)).hasSize(1);
        assertThat(owner.get(path(t) + "/shares").ok().text()).doesNotContain(fresh).doesNotContain(old);
        // rotating again retires the second token too
        String third = admin.post(path(t) + "/shares/" + s.str("id") + "/rotate", "").ok().str("token");
        share(fresh).get(path(t)).assertError(401, "unauthorized");
        share(third).get(path(t)).ok();
    }

    @Test
    void aRevokedShareIs401AndGone() {
        String t = newTopic();
        Response s = create(t, "{\"access\": \"rw\"}");
        Response keep = create(t, "{\"access\": \"ro\"}");
        String id = s.str("id");
        share(s.str("token")).get(path(t)).ok();
        Response del = owner.delete(path(t) + "/shares/" + id).ok();
        assertThat(del.str("id")).isEqualTo(id);
        assertThat(del.bool("deleted")).isTrue();
        share(s.str("token")).get(path(t)).assertError(401, "unauthorized");
        share(s.str("token")).post(path(t), "{\"records\": [{\"data\": 1}]}").assertError(401, "unauthorized");
        assertThat(shares(t)).extracting(m -> m.get("id")).containsExactly(keep.str("id"));
        share(keep.str("token")).get(path(t)).ok();

        owner.delete(path(t) + "/shares/" + id).assertError(404, "share_not_found");
        owner.patch(path(t) + "/shares/" + id, "{\"access\": \"rw\"}").assertError(404, "share_not_found");
        owner.post(path(t) + "/shares/" + id + "/rotate", "").assertError(404, "share_not_found");
        share(s.str("token")).get(path(t)).assertError(401, "unauthorized");
    }

    @Test
    void aShareIdOnlyWorksUnderItsOwnTopic() {
        String a = newTopic();
        String b = newTopic();
        Response s = create(a, "{\"access\": \"ro\"}");
        String id = s.str("id");
        owner.patch(path(b) + "/shares/" + id, "{\"access\": \"rw\"}").assertError(404, "share_not_found");
        owner.post(path(b) + "/shares/" + id + "/rotate", "").assertError(404, "share_not_found");
        owner.delete(path(b) + "/shares/" + id).assertError(404, "share_not_found");
        owner.delete(path(a) + "/shares/sh_doesNotExist").assertError(404, "share_not_found");
        assertThat(listed(a, id)).containsEntry("access", "ro");
        share(s.str("token")).get(path(a)).ok();
    }

    // ------------------------------------------------------------------ validation

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "{}|invalid_field",
            "|invalid_field",
            "{\"access\": \"rx\"}|invalid_field",
            "{\"access\": \"RO\"}|invalid_field",
            "{\"access\": \"\"}|invalid_field",
            "{\"access\": null}|invalid_field",
            "{\"access\": 1}|invalid_field",
            "{\"access\": [\"ro\"]}|invalid_field",
            "{\"access\": \"ro\", \"token\": \"tk_mine\"}|unknown_field",
            "{\"access\": \"ro\", \"expiresAt\": \"2099-01-01T00:00:00Z\"}|unknown_field",
            "{\"access\": \"ro\", \"expires_at\": \"tomorrow\"}|invalid_field",
            "{\"access\": \"ro\", \"expires_at\": \"2099-01-01\"}|invalid_field",
            "{\"access\": \"ro\", \"expires_at\": 4102444800000}|invalid_field",
            "{\"access\": \"ro\", \"label\": 5}|invalid_field",
            "{\"access\": \"ro\", \"access\": \"rw\"}|invalid_field",
            "{\"access\": \"ro\"|invalid_json",
            "[]|invalid_field"})
    void aBadShareRequestIs400AndCreatesNothing(String spec) {
        String t = newTopic();
        int bar = spec.lastIndexOf('|');
        owner.post(path(t) + "/shares", spec.substring(0, bar)).assertError(400, spec.substring(bar + 1));
        assertThat(shares(t)).isEmpty();
    }

    @Test
    void aLabelOfMoreThan256CharactersIsRefused() {
        String t = newTopic();
        create(t, "{\"access\": \"ro\", \"label\": \"" + "l".repeat(256) + "\"}");
        owner.post(path(t) + "/shares", "{\"access\": \"ro\", \"label\": \"" + "l".repeat(257) + "\"}")
                .assertError(400, "invalid_field");
        assertThat(shares(t)).hasSize(1);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "{\"access\": \"rx\"}|invalid_field",
            "{\"access\": null}|invalid_field",
            "{\"expires_at\": \"soon\"}|invalid_field",
            "{\"expires_at\": 5}|invalid_field",
            "{\"label\": [\"x\"]}|invalid_field",
            "{\"token\": \"tk_mine\"}|unknown_field",
            "{\"access\": \"rw\", \"id\": \"sh_other\"}|unknown_field",
            "{\"access\": |invalid_json"})
    void aBadPatchIs400AndChangesNothing(String spec) {
        String t = newTopic();
        Response s = create(t, "{\"access\": \"ro\", \"label\": \"kept\", \"expires_at\": \"2096-01-01T00:00:00Z\"}");
        int bar = spec.lastIndexOf('|');
        owner.patch(path(t) + "/shares/" + s.str("id"), spec.substring(0, bar)).assertError(400, spec.substring(bar + 1));
        assertThat(listed(t, s.str("id"))).containsEntry("access", "ro").containsEntry("label", "kept")
                .containsEntry("expires_at", "2096-01-01T00:00:00Z");
        share(s.str("token")).get(path(t)).ok();
    }

    // ------------------------------------------------------------------ the topic's life

    @Test
    void deletingTheTopicDeletesItsSharesForGood() {
        String t = newTopic();
        Response s = create(t, "{\"access\": \"rw\"}");
        String tok = s.str("token");
        share(tok).get(path(t)).ok();
        owner.delete(path(t)).ok();
        share(tok).get(path(t)).assertError(401, "unauthorized");

        // the same name made again (by someone else, even) knows nothing of the old token
        admin.put(path(t), "{}").ok(201);
        share(tok).get(path(t)).assertError(401, "unauthorized");
        share(tok).post(path(t), "{\"records\": [{\"data\": 1}]}").assertError(401, "unauthorized");
        assertThat(shares(t)).isEmpty();
        admin.patch(path(t) + "/shares/" + s.str("id"), "{\"access\": \"rw\"}").assertError(404, "share_not_found");
        assertThat(admin.get(path(t)).ok().num("count")).isZero();
    }

    @Test
    void sharesSurviveARestart(@TempDir Path own) {
        Path dir = MemoryTempDir.create(own);
        try (TestServer s = TestServer.startWithAuth(dir)) {
            Http a = s.http().withHeader("Authorization", "Bearer secret");
            Http none = s.http();
            a.put(path("rs.share"), "{}").ok(201);
            a.post(path("rs.share"), "{\"records\": [{\"data\": 1}]}").ok();
            Response ro = a.post(path("rs.share") + "/shares", "{\"access\": \"ro\", \"label\": \"reader\", "
                    + "\"expires_at\": \"2095-01-01T00:00:00Z\"}").ok(201);
            Response wo = a.post(path("rs.share") + "/shares", "{\"access\": \"rw\"}").ok(201);
            String rotatedAway = wo.str("token");
            String wo2 = a.post(path("rs.share") + "/shares/" + wo.str("id") + "/rotate", "").ok().str("token");
            a.patch(path("rs.share") + "/shares/" + wo.str("id"), "{\"access\": \"wo\"}").ok();
            Response revoked = a.post(path("rs.share") + "/shares", "{\"access\": \"rw\"}").ok(201);
            a.delete(path("rs.share") + "/shares/" + revoked.str("id")).ok();
            a.put(path("rs.gone"), "{}").ok(201);
            String goneTok = a.post(path("rs.gone") + "/shares", "{\"access\": \"rw\"}").ok(201).str("token");
            a.delete(path("rs.gone")).ok();
            String before = a.get(path("rs.share") + "/shares").ok().get("shares").toString();

            s.restart();

            assertThat(a.get(path("rs.share") + "/shares").ok().get("shares").toString()).isEqualTo(before);
            none.get(path("rs.share"), "X-Topic-Token", ro.str("token")).ok();
            none.post(path("rs.share"), "{\"records\": [{\"data\": 2}]}", "X-Topic-Token", ro.str("token"))
                    .assertError(403, "forbidden");
            none.post(path("rs.share"), "{\"records\": [{\"data\": 2}]}", "X-Topic-Token", wo2).ok();
            none.get(path("rs.share"), "X-Topic-Token", wo2).assertError(403, "forbidden");
            none.get(path("rs.share"), "X-Topic-Token", rotatedAway).assertError(401, "unauthorized");
            none.get(path("rs.share"), "X-Topic-Token", revoked.str("token")).assertError(401, "unauthorized");
            none.get(path("rs.share"), "X-Topic-Token", goneTok).assertError(401, "unauthorized");
            a.put(path("rs.gone"), "{}").ok(201);
            none.get(path("rs.gone"), "X-Topic-Token", goneTok).assertError(401, "unauthorized");

            // managing it after the restart works, and that too survives the next one
            String ro2 = a.post(path("rs.share") + "/shares/" + ro.str("id") + "/rotate", "").ok().str("token");
            s.restart();
            none.get(path("rs.share"), "X-Topic-Token", ro.str("token")).assertError(401, "unauthorized");
            none.get(path("rs.share"), "X-Topic-Token", ro2).ok();
            assertThat(a.get(path("rs.share")).ok().num("count")).isEqualTo(2);
        } finally {
            MemoryTempDir.delete(dir, own);
        }
    }
}
