package dev.topics.manage;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §13, the {@code /topics} management surface (camelCase), black box, with auth
 * required: creating topics (the caller owns them), the four public-flag combinations,
 * PATCH keeping omitted fields, owner-or-admin rights, the per-caller list, messages
 * ({@code payload} stored byte for byte, ids = seqs, {@code since}/{@code limit}), share
 * tokens in camelCase, DELETE's cascade and the admin-only stats.
 */
@Timeout(300)
@ServerTest.Setup(auth = true, memory = true)
class ManagementSurfaceTest extends ServerTest {
    static final List<String> TOPIC_KEYS = List.of("name", "publicRead", "publicPublish", "owner", "createdAt");

    static Http alice;
    static Http bob;

    @BeforeAll
    static void principals() {
        alice = bearer(principal("alice"));
        bob = bearer(principal("bob"));
    }

    static String path(String topic) {
        return "/topics/" + topic;
    }

    static String msgs(String topic) {
        return "/topics/" + topic + "/messages";
    }

    static String createBody(String name, boolean publicRead, boolean publicPublish) {
        return "{\"name\": \"" + name + "\", \"publicRead\": " + publicRead + ", \"publicPublish\": " + publicPublish + "}";
    }

    /** A new topic owned by {@code as}'s principal, with these flags. */
    static String newTopic(Http as, boolean publicRead, boolean publicPublish) {
        String t = uniqueTopic("mg.t");
        as.post("/topics", createBody(t, publicRead, publicPublish)).ok(201);
        return t;
    }

    static Response post(Http as, String topic, String payload) {
        return as.post(msgs(topic), "{\"payload\": " + payload + "}");
    }

    /** Asserts the topic object's exact shape and values. */
    static Map<String, Object> assertTopic(Map<String, Object> m, String name, boolean publicRead, boolean publicPublish,
                                           String owner) {
        assertThat(m.keySet()).as("topic object %s", m).containsExactlyInAnyOrderElementsOf(TOPIC_KEYS);
        if (name != null) {
            assertThat(m.get("name")).isEqualTo(name);
        }
        assertThat(m.get("publicRead")).as("publicRead of %s", m).isEqualTo(publicRead);
        assertThat(m.get("publicPublish")).as("publicPublish of %s", m).isEqualTo(publicPublish);
        assertThat(m.get("owner")).isEqualTo(owner);
        assertThat(m.get("createdAt")).isInstanceOf(String.class);
        Instant.parse((String) m.get("createdAt"));
        return m;
    }

    /** No JSON key of the answer (outside message payloads) is snake_case, and no performance block. */
    static void assertCamel(Object json, String what) {
        if (json instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String k = (String) e.getKey();
                assertThat(k).as("%s: key %s", what, k).doesNotContain("_").isNotEqualTo("performance");
                if (!k.equals("payload")) {
                    assertCamel(e.getValue(), what);
                }
            }
        } else if (json instanceof List<?> l) {
            l.forEach(v -> assertCamel(v, what));
        }
    }

    static List<String> listedNames(Http as) {
        Response r = as.get("/topics").ok();
        assertThat(r.map().keySet()).containsExactly("topics");
        assertCamel(r.json(), "GET /topics");
        List<String> names = new ArrayList<>();
        for (Object o : r.list("topics")) {
            Map<String, Object> m = Http.Json.obj(o);
            assertThat(m.keySet()).containsExactlyInAnyOrderElementsOf(TOPIC_KEYS);
            names.add((String) m.get("name"));
        }
        return names;
    }

    static Map<String, Object> listed(Http as, String topic) {
        for (Object o : as.get("/topics").ok().list("topics")) {
            Map<String, Object> m = Http.Json.obj(o);
            if (topic.equals(m.get("name"))) {
                return m;
            }
        }
        return null;
    }

    static long headSeq(String topic) {
        return admin.get("/v0/topics/" + topic).ok().num("head_seq");
    }

    // ------------------------------------------------------------------ create

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

    // ------------------------------------------------------------------ the public flags

    /** The seed's access matrix: anonymous and a non-owner principal against each combination. */
    @ParameterizedTest(name = "publicRead={0} publicPublish={1}")
    @CsvSource({"false,false", "true,false", "false,true", "true,true"})
    void thePublicFlagMatrix(boolean publicRead, boolean publicPublish) {
        String t = newTopic(alice, publicRead, publicPublish);
        // owner and admin: always
        post(alice, t, "{\"by\": \"owner\"}").ok(201);
        post(admin, t, "{\"by\": \"admin\"}").ok(201);
        alice.get(msgs(t)).ok();
        admin.get(msgs(t)).ok();
        alice.get(path(t)).ok();

        // anonymous: the flag or 401
        Response ar = http.get(msgs(t));
        Response ap = post(http, t, "{\"by\": \"anonymous\"}");
        Response at = http.get(path(t));
        if (publicRead) {
            assertThat(ar.ok().list("messages")).isNotEmpty();
            assertTopic(at.ok().map(), t, publicRead, publicPublish, "alice");
        } else {
            ar.assertError(401, "unauthorized");
            at.assertError(401, "unauthorized");
        }
        if (publicPublish) {
            ap.ok(201);
        } else {
            ap.assertError(401, "unauthorized");
        }

        // a principal who does not own it: the flag or 403
        Response br = bob.get(msgs(t));
        Response bp = post(bob, t, "{\"by\": \"bob\"}");
        if (publicRead) {
            br.ok();
            bob.get(path(t)).ok();
        } else {
            br.assertError(403, "forbidden");
            bob.get(path(t)).assertError(403, "forbidden");
        }
        if (publicPublish) {
            bp.ok(201);
        } else {
            bp.assertError(403, "forbidden");
        }

        // exactly the allowed writes landed
        List<Object> all = alice.get(msgs(t)).ok().list("messages");
        List<Object> bys = all.stream().map(o -> Http.Json.at(o, "payload.by")).toList();
        List<Object> expected = new ArrayList<>(List.of("owner", "admin"));
        if (publicPublish) {
            expected.add("anonymous");
            expected.add("bob");
        }
        assertThat(bys).isEqualTo(expected);
    }

    // ------------------------------------------------------------------ PATCH and DELETE rights

    @Test
    void patchKeepsOmittedFields() {
        String t = newTopic(alice, false, false);
        Map<String, Object> created = alice.get(path(t)).ok().map();

        Response r = alice.patch(path(t), "{\"publicRead\": true}").ok();
        assertTopic(r.map(), t, true, false, "alice");
        assertCamel(r.json(), "PATCH");
        assertThat(r.map().get("createdAt")).isEqualTo(created.get("createdAt"));
        http.get(msgs(t)).ok();
        post(http, t, "{}").assertError(401, "unauthorized");

        assertTopic(alice.patch(path(t), "{\"publicPublish\": true}").ok().map(), t, true, true, "alice");
        assertTopic(alice.get(path(t)).ok().map(), t, true, true, "alice");
        post(http, t, "{}").ok(201);

        assertTopic(alice.patch(path(t), "{}").ok().map(), t, true, true, "alice");
        assertTopic(alice.patch(path(t), "{\"publicRead\": false}").ok().map(), t, false, true, "alice");
        http.get(msgs(t)).assertError(401, "unauthorized");
        assertTopic(alice.get(path(t)).ok().map(), t, false, true, "alice");

        // the admin may patch; the owner stays
        assertTopic(admin.patch(path(t), "{\"publicPublish\": false, \"publicRead\": true}").ok().map(), t, true, false,
                "alice");
        Response v0 = admin.get("/v0/topics/" + t).ok();
        assertThat(v0.bool("config.public_read")).isTrue();
        assertThat(v0.bool("config.public_publish")).isFalse();
    }

    @Test
    void patchAndDeleteAreForTheOwnerOrTheAdmin() {
        String t = newTopic(alice, true, true);
        bob.patch(path(t), "{\"publicRead\": false}").assertError(403, "forbidden");
        http.patch(path(t), "{\"publicRead\": false}").assertError(401, "unauthorized");
        bob.delete(path(t)).assertError(403, "forbidden");
        http.delete(path(t)).assertError(401, "unauthorized");
        String tk = alice.post(path(t) + "/shares", "{\"access\": \"rw\"}").ok(201).str("token");
        share(tk).patch(path(t), "{\"publicRead\": false}").assertError(403, "forbidden");
        share(tk).delete(path(t)).assertError(403, "forbidden");
        assertTopic(alice.get(path(t)).ok().map(), t, true, true, "alice");

        alice.patch(path(t), "{\"name\": \"other\"}").assertError(400, "unknown_field");
        alice.patch(path(t), "{\"public_read\": false}").assertError(400, "unknown_field");
        alice.patch(path(t), "{\"publicRead\": null}").assertError(400, "invalid_field");
        assertTopic(alice.get(path(t)).ok().map(), t, true, true, "alice");

        String missing = uniqueTopic("mg.missing");
        admin.patch(path(missing), "{\"publicRead\": true}").assertError(404, "topic_not_found");
        admin.delete(path(missing)).assertError(404, "topic_not_found");
        admin.get(path(missing)).assertError(404, "topic_not_found");
        admin.get(path("a..b")).assertError(400, "invalid_topic_name");
    }

    // ------------------------------------------------------------------ the list

    @Test
    void theListShowsWhatTheCallerCanRead() {
        String alicePrivate = newTopic(alice, false, false);
        String alicePublic = newTopic(alice, true, false);
        String alicePublishOnly = newTopic(alice, false, true);
        String bobPrivate = newTopic(bob, false, false);
        String shared = newTopic(alice, false, false);
        String tk = alice.post(path(shared) + "/shares", "{\"access\": \"ro\"}").ok(201).str("token");
        String wo = alice.post(path(shared) + "/shares", "{\"access\": \"wo\"}").ok(201).str("token");
        List<String> mine = List.of(alicePrivate, alicePublic, alicePublishOnly, bobPrivate, shared);

        assertThat(listedNames(http)).contains(alicePublic)
                .doesNotContain(alicePrivate, alicePublishOnly, bobPrivate, shared);
        assertThat(listedNames(alice)).contains(alicePrivate, alicePublic, alicePublishOnly, shared)
                .doesNotContain(bobPrivate);
        assertThat(listedNames(bob)).contains(bobPrivate, alicePublic)
                .doesNotContain(alicePrivate, alicePublishOnly, shared);
        assertThat(listedNames(admin)).containsAll(mine);
        assertThat(listedNames(share(tk))).contains(shared, alicePublic)
                .doesNotContain(alicePrivate, alicePublishOnly, bobPrivate);
        assertThat(listedNames(share(wo))).contains(alicePublic).doesNotContain(shared, alicePrivate);

        assertTopic(listed(bob, alicePublic), alicePublic, true, false, "alice");
        assertTopic(listed(admin, bobPrivate), bobPrivate, false, false, "bob");
        http.get("/topics?prefix=mg").assertError(400, "unknown_field");
    }

    // ------------------------------------------------------------------ messages

    /** The raw text of each message's {@code payload} in a {@code GET …/messages} answer. */
    static List<String> rawPayloads(String json) {
        RawScanner s = new RawScanner(json);
        s.value(0);
        return s.payloads;
    }

    /** Walks JSON text and keeps the exact text of {@code payload} members of the messages (depth 2). */
    static final class RawScanner {
        final String s;
        int p;
        final List<String> payloads = new ArrayList<>();

        RawScanner(String s) {
            this.s = s;
        }

        void ws() {
            while (p < s.length() && " \t\r\n".indexOf(s.charAt(p)) >= 0) {
                p++;
            }
        }

        String string() {
            int start = ++p;
            while (s.charAt(p) != '"') {
                p += s.charAt(p) == '\\' ? 2 : 1;
            }
            return s.substring(start, p++);
        }

        void value(int depth) {
            ws();
            char c = s.charAt(p);
            if (c == '{' || c == '[') {
                p++;
                ws();
                char close = c == '{' ? '}' : ']';
                if (s.charAt(p) == close) {
                    p++;
                    return;
                }
                while (true) {
                    ws();
                    String key = null;
                    if (c == '{') {
                        key = string();
                        ws();
                        p++; // ':'
                        ws();
                    }
                    int start = p;
                    value(depth + 1);
                    if (depth == 2 && "payload".equals(key)) {
                        payloads.add(s.substring(start, p));
                    }
                    ws();
                    if (s.charAt(p++) == close) {
                        return;
                    }
                }
            } else if (c == '"') {
                string();
            } else {
                while (p < s.length() && ",}] \t\r\n".indexOf(s.charAt(p)) < 0) {
                    p++;
                }
            }
        }
    }

    @Test
    void messagesKeepTheirPayloadByteForByteAndGetConsecutiveIds() {
        String t = newTopic(alice, false, false);
        List<String> payloads = List.of(
                "{\"order\":{\"sku\":\"AEROPRESS-GO\",\"lines\":[1,2,{\"deep\":[[[null]]]}],\"ok\":true}}",
                "12345678901234567890123456789.000000000000000000010",
                "1E+400",
                "-0",
                "2.50",
                "\"h\u00e9llo w\u00f6rld \u2713 \uD83D\uDE00 \u65e5\u672c\"",
                "\"escapes kept: \\u00e9 \\n \\\" \\\\ \\/\"",
                "[true,false,null,\"\",{},[]]",
                "{\"payload\":{\"payload\":1}}",
                "null",
                "0.1e-7");
        List<String> createdAts = new ArrayList<>();
        for (int i = 0; i < payloads.size(); i++) {
            Response r = post(alice, t, payloads.get(i)).ok(201);
            assertThat(r.map().keySet()).containsExactlyInAnyOrder("id", "topic", "createdAt");
            assertThat(r.num("id")).as("id of message %d", i).isEqualTo(i + 1L);
            assertThat(r.str("topic")).isEqualTo(t);
            Instant.parse(r.str("createdAt"));
            createdAts.add(r.str("createdAt"));
        }
        // insignificant whitespace is the only thing dropped
        Response spaced = alice.post(msgs(t), "{ \"payload\" :  { \"a\" : [ 1 , 2.0 ] ,\n \"b\" : \"x y\" } }").ok(201);
        assertThat(spaced.num("id")).isEqualTo(payloads.size() + 1L);

        Response got = alice.get(msgs(t)).ok();
        assertThat(got.map().keySet()).containsExactlyInAnyOrder("messages", "next");
        assertCamel(got.json(), "GET messages");
        List<Object> messages = got.list("messages");
        assertThat(messages).hasSize(payloads.size() + 1);
        List<String> raw = rawPayloads(got.text());
        for (int i = 0; i < payloads.size(); i++) {
            Map<String, Object> m = Http.Json.obj(messages.get(i));
            assertThat(m.keySet()).containsExactlyInAnyOrder("id", "payload", "createdAt");
            assertThat(m.get("id")).isEqualTo(i + 1L);
            assertThat(m.get("createdAt")).as("createdAt of %d", i + 1).isEqualTo(createdAts.get(i));
            assertThat(raw.get(i)).as("payload %d byte for byte", i + 1).isEqualTo(payloads.get(i));
        }
        assertThat(raw.get(payloads.size())).isEqualTo("{\"a\":[1,2.0],\"b\":\"x y\"}");
        assertThat(got.num("next")).isEqualTo(payloads.size() + 1L);

        // the same bytes on /v0: a message is a record, its payload the data, its createdAt the $ts
        Response diff = alice.get("/v0/topics/" + t + "/diff?from_seq=0").ok();
        for (String p : payloads) {
            assertThat(diff.text()).contains("\"data\":" + p);
        }
        for (int i = 0; i < payloads.size(); i++) {
            assertThat(Instant.parse(createdAts.get(i)).toEpochMilli()).as("createdAt of %d", i + 1)
                    .isEqualTo(diff.num("records." + i + ".$ts"));
        }
        assertThat(diff.num("head_seq")).isEqualTo(payloads.size() + 1L);
        // and a record written on /v0 is a message here
        alice.post("/v0/topics/" + t, "{\"records\": [{\"data\": {\"from\": \"v0\"}}]}").ok();
        Response after = alice.get(msgs(t) + "?since=" + (payloads.size() + 1)).ok();
        assertThat(rawPayloads(after.text())).containsExactly("{\"from\":\"v0\"}");
        assertThat(after.num("messages.0.id")).isEqualTo(payloads.size() + 2L);
    }

    @Test
    void sinceAndLimitPage() {
        String t = newTopic(alice, false, false);
        for (int i = 1; i <= 5; i++) {
            assertThat(post(alice, t, "{\"n\": " + i + "}").ok(201).num("id")).isEqualTo(i);
        }
        Response p1 = alice.get(msgs(t) + "?since=0&limit=2").ok();
        assertThat(ids(p1)).containsExactly(1L, 2L);
        assertThat(p1.num("next")).isEqualTo(2);
        Response p2 = alice.get(msgs(t) + "?since=" + p1.num("next") + "&limit=2").ok();
        assertThat(ids(p2)).containsExactly(3L, 4L);
        assertThat(p2.num("messages.0.payload.n")).isEqualTo(3);
        Response p3 = alice.get(msgs(t) + "?since=" + p2.num("next") + "&limit=2").ok();
        assertThat(ids(p3)).containsExactly(5L);
        assertThat(p3.num("next")).isEqualTo(5);
        Response p4 = alice.get(msgs(t) + "?since=5").ok();
        assertThat(ids(p4)).isEmpty();
        assertThat(p4.num("next")).isEqualTo(5);
        assertThat(ids(alice.get(msgs(t) + "?limit=3").ok())).containsExactly(1L, 2L, 3L);
        assertThat(ids(alice.get(msgs(t) + "?since=3").ok())).containsExactly(4L, 5L);

        // past the head: nothing, and (as a reset in SPEC §4: the cursor is from an earlier
        // life of the name) next starts over at 0
        Response past = alice.get(msgs(t) + "?since=99").ok();
        assertThat(ids(past)).isEmpty();
        assertThat(past.num("next")).isZero();
        assertThat(ids(alice.get(msgs(t) + "?since=18446744073709551615").ok())).isEmpty();

        // deleted seqs are skipped, and next passes them
        alice.post("/v0/topics/" + t + "/delete", "{\"from_seq\": 2, \"to_seq\": 3}").ok();
        Response holes = alice.get(msgs(t) + "?since=1&limit=1").ok();
        assertThat(ids(holes)).containsExactly(4L);
        assertThat(holes.num("next")).isEqualTo(4);

        // bounds are refused, never clamped
        alice.get(msgs(t) + "?limit=10000").ok();
        alice.get(msgs(t) + "?limit=1").ok();
        alice.get(msgs(t) + "?limit=0").assertError(400, "invalid_field");
        alice.get(msgs(t) + "?limit=10001").assertError(400, "invalid_field");
        alice.get(msgs(t) + "?limit=-1").assertError(400, "invalid_field");
        alice.get(msgs(t) + "?limit=abc").assertError(400, "invalid_field");
        alice.get(msgs(t) + "?since=-1").assertError(400, "invalid_field");
        alice.get(msgs(t) + "?since=1.5").assertError(400, "invalid_field");
        alice.get(msgs(t) + "?since=18446744073709551616").assertError(400, "invalid_field");
        alice.get(msgs(t) + "?from_seq=0").assertError(400, "unknown_field");
        alice.get(msgs(t) + "?since=1&since=2").assertError(400, "invalid_field");
    }

    @Test
    void theDefaultLimitIs100() {
        String t = newTopic(alice, false, false);
        StringBuilder b = new StringBuilder("{\"records\": [");
        for (int i = 1; i <= 150; i++) {
            b.append(i == 1 ? "" : ",").append("{\"data\": ").append(i).append('}');
        }
        alice.post("/v0/topics/" + t, b.append("]}").toString()).ok();
        Response r = alice.get(msgs(t)).ok();
        assertThat(ids(r)).hasSize(100).startsWith(1L).endsWith(100L);
        assertThat(r.num("next")).isEqualTo(100);
        Response rest = alice.get(msgs(t) + "?since=100").ok();
        assertThat(ids(rest)).hasSize(50).startsWith(101L).endsWith(150L);
        assertThat(rest.num("next")).isEqualTo(150);
    }

    @Test
    void aPageStopsAtTheByteCapAndNextResumesIt() {
        String t = newTopic(alice, false, false);
        String big = "\"" + "y".repeat(1_000_000) + "\"";
        for (int i = 1; i <= 6; i++) {
            post(alice, t, big).ok(201);
        }
        List<Long> seen = new ArrayList<>();
        long since = 0;
        for (int pages = 0; seen.size() < 6; pages++) {
            assertThat(pages).as("pages needed for 6 messages of 1 MB").isLessThan(6);
            Response r = alice.get(msgs(t) + "?since=" + since + "&limit=10").ok();
            List<Long> page = ids(r);
            assertThat(page).as("a page holds at least one message").isNotEmpty();
            assertThat(rawPayloads(r.text())).allMatch(big::equals);
            assertThat(r.num("next")).isEqualTo(page.get(page.size() - 1));
            seen.addAll(page);
            since = r.num("next");
        }
        assertThat(seen).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(ids(alice.get(msgs(t) + "?since=" + since).ok())).isEmpty();
    }

    static List<Long> ids(Response r) {
        return r.list("messages").stream().map(o -> (Long) Http.Json.obj(o).get("id")).toList();
    }

    @Test
    void aMessageNeedsExactlyAPayload() {
        String t = newTopic(alice, false, false);
        post(alice, t, "1").ok(201);
        alice.post(msgs(t), "{}").assertError(400, "invalid_field");
        alice.post(msgs(t), "{\"payload\": 1, \"tag\": \"x\"}").assertError(400, "unknown_field");
        alice.post(msgs(t), "{\"records\": [{\"data\": 1}]}").assertError(400, "unknown_field");
        alice.post(msgs(t), "{\"payload\": 1, \"payload\": 2}").assertError(400, "invalid_field");
        alice.post(msgs(t), "{\"payload\": }").assertError(400, "invalid_json");
        alice.post(msgs(t), "{\"payload\": [1, 2}").assertError(400, "invalid_json");
        alice.post(msgs(t), "").expect(400);
        alice.post(msgs(t), "[1]").expect(400);
        assertThat(headSeq(t)).isEqualTo(1);
        assertThat(post(alice, t, "2").ok(201).num("id")).isEqualTo(2);

        // a payload is a record's data: at most 1 MiB serialized (SPEC §0), 413 past it, nothing written
        String atLimit = "\"" + "x".repeat(1024 * 1024 - 2) + "\"";
        assertThat(post(alice, t, atLimit).ok(201).num("id")).isEqualTo(3);
        alice.post(msgs(t), "{\"payload\": \"" + "x".repeat(1024 * 1024 - 1) + "\"}").assertError(413, "record_too_large");
        assertThat(headSeq(t)).isEqualTo(3);
    }

    @Test
    void postingToANewNameCreatesItAsPOSTDoesOnV0() {
        // SPEC §2: a first write creates its topic (owner = the writer) unless auto_create is off
        String t = uniqueTopic("mg.lazy");
        post(http, t, "1").assertError(401, "unauthorized");
        assertThat(post(bob, t, "1").ok(201).num("id")).isEqualTo(1);
        assertTopic(bob.get(path(t)).ok().map(), t, false, false, "bob");
    }

    // ------------------------------------------------------------------ share tokens

    @Test
    void messagesThroughShareTokens() {
        String t = newTopic(alice, false, false);
        String other = newTopic(alice, false, false);
        post(alice, t, "{\"first\": true}").ok(201);
        Http ro = share(alice.post(path(t) + "/shares", "{\"access\": \"ro\"}").ok(201).str("token"));
        Http wo = share(alice.post(path(t) + "/shares", "{\"access\": \"wo\"}").ok(201).str("token"));
        Http rw = share(alice.post(path(t) + "/shares", "{\"access\": \"rw\"}").ok(201).str("token"));

        assertThat(ids(ro.get(msgs(t)).ok())).containsExactly(1L);
        post(ro, t, "\"ro\"").assertError(403, "forbidden");
        ro.get(path(t)).ok();

        assertThat(post(wo, t, "\"wo\"").ok(201).num("id")).isEqualTo(2);
        wo.get(msgs(t)).assertError(403, "forbidden");
        wo.get(path(t)).assertError(403, "forbidden");

        assertThat(post(rw, t, "\"rw\"").ok(201).num("id")).isEqualTo(3);
        assertThat(ids(rw.get(msgs(t)).ok())).containsExactly(1L, 2L, 3L);

        // a share token is for its own topic only
        rw.get(msgs(other)).assertError(403, "forbidden");
        post(rw, other, "1").assertError(403, "forbidden");
        // and never manages it
        rw.get(path(t) + "/shares").assertError(403, "forbidden");
        rw.post(path(t) + "/shares", "{\"access\": \"rw\"}").assertError(403, "forbidden");
        share("tk_not-a-real-token").get(msgs(t)).assertError(401, "unauthorized");
    }

    @Test
    void sharesUseCamelCaseThroughTheirWholeLife() {
        String t = newTopic(alice, false, false);
        post(alice, t, "1").ok(201);
        Response c = alice.post(path(t) + "/shares",
                "{\"access\": \"rw\", \"label\": \"ci\", \"expiresAt\": \"2099-01-02T03:04:05Z\"}").ok(201);
        assertCamel(c.json(), "POST shares");
        assertThat(c.map().keySet()).containsExactlyInAnyOrder("id", "topic", "access", "expiresAt", "label", "createdAt",
                "token");
        assertThat(c.str("id")).startsWith("sh_");
        assertThat(c.str("token")).startsWith("tk_");
        assertThat(c.str("topic")).isEqualTo(t);
        assertThat(c.str("access")).isEqualTo("rw");
        assertThat(c.str("label")).isEqualTo("ci");
        assertThat(Instant.parse(c.str("expiresAt"))).isEqualTo(Instant.parse("2099-01-02T03:04:05Z"));
        Instant.parse(c.str("createdAt"));
        String id = c.str("id");
        String token = c.str("token");
        post(share(token), t, "2").ok(201);

        // snake_case is the other surface's
        alice.post(path(t) + "/shares", "{\"access\": \"ro\", \"expires_at\": \"2099-01-01T00:00:00Z\"}")
                .assertError(400, "unknown_field");
        alice.post(path(t) + "/shares", "{\"access\": \"rx\"}").assertError(400, "invalid_field");
        alice.post(path(t) + "/shares", "{}").assertError(400, "invalid_field");
        alice.post(path(t) + "/shares", "{\"access\": \"ro\", \"expiresAt\": \"tomorrow\"}")
                .assertError(400, "invalid_field");

        // list: camelCase, never the token
        Response list = alice.get(path(t) + "/shares").ok();
        assertCamel(list.json(), "GET shares");
        assertThat(list.text()).doesNotContain(token).doesNotContain("\"token\"");
        assertThat(list.list("shares")).hasSize(1);
        Map<String, Object> listed = Http.Json.obj(list.list("shares").get(0));
        assertThat(listed.keySet()).containsExactlyInAnyOrder("id", "topic", "access", "expiresAt", "label", "createdAt");
        assertThat(listed.get("id")).isEqualTo(id);
        assertThat(listed.get("createdAt")).isEqualTo(c.str("createdAt"));
        assertThat(admin.get(path(t) + "/shares").ok().list("shares")).hasSize(1);
        bob.get(path(t) + "/shares").assertError(403, "forbidden");
        http.get(path(t) + "/shares").assertError(401, "unauthorized");

        // patch: narrowed to ro, expiry removed, label changed; the token keeps working as ro
        Response p = alice.patch(path(t) + "/shares/" + id, "{\"access\": \"ro\", \"expiresAt\": null, \"label\": \"ro now\"}")
                .ok();
        assertCamel(p.json(), "PATCH share");
        assertThat(p.map().keySet()).containsExactlyInAnyOrder("id", "topic", "access", "expiresAt", "label", "createdAt");
        assertThat(p.str("access")).isEqualTo("ro");
        assertThat(p.get("expiresAt")).isNull();
        assertThat(p.map()).containsKey("expiresAt");
        assertThat(p.str("label")).isEqualTo("ro now");
        assertThat(p.str("createdAt")).isEqualTo(c.str("createdAt"));
        share(token).get(msgs(t)).ok();
        post(share(token), t, "3").assertError(403, "forbidden");
        // omitted fields keep their values
        Response p2 = alice.patch(path(t) + "/shares/" + id, "{\"expiresAt\": \"2098-05-06T07:08:09Z\"}").ok();
        assertThat(p2.str("access")).isEqualTo("ro");
        assertThat(p2.str("label")).isEqualTo("ro now");
        assertThat(Instant.parse(p2.str("expiresAt"))).isEqualTo(Instant.parse("2098-05-06T07:08:09Z"));
        bob.patch(path(t) + "/shares/" + id, "{\"access\": \"rw\"}").assertError(403, "forbidden");
        alice.patch(path(t) + "/shares/sh_nope", "{\"access\": \"rw\"}").assertError(404, "share_not_found");

        // rotate: a new token; the old one stops at once
        Response rot = alice.post(path(t) + "/shares/" + id + "/rotate", "").ok();
        assertCamel(rot.json(), "rotate");
        assertThat(rot.str("id")).isEqualTo(id);
        assertThat(rot.str("access")).isEqualTo("ro");
        String rotated = rot.str("token");
        assertThat(rotated).startsWith("tk_").isNotEqualTo(token);
        share(token).get(msgs(t)).assertError(401, "unauthorized");
        share(rotated).get(msgs(t)).ok();
        bob.post(path(t) + "/shares/" + id + "/rotate", "").assertError(403, "forbidden");

        // an expired token is 401
        String expired = alice.post(path(t) + "/shares", "{\"access\": \"rw\", \"expiresAt\": \"2001-01-01T00:00:00Z\"}")
                .ok(201).str("token");
        share(expired).get(msgs(t)).assertError(401, "unauthorized");

        // delete (revoke)
        bob.delete(path(t) + "/shares/" + id).assertError(403, "forbidden");
        Response d = alice.delete(path(t) + "/shares/" + id).ok();
        assertThat(d.map()).containsEntry("id", id).containsEntry("deleted", true);
        assertCamel(d.json(), "DELETE share");
        share(rotated).get(msgs(t)).assertError(401, "unauthorized");
        alice.delete(path(t) + "/shares/" + id).assertError(404, "share_not_found");
        assertThat(alice.get(path(t) + "/shares").ok().list("shares")).hasSize(1); // the expired one

        // the admin manages shares of any topic
        String byAdmin = admin.post(path(t) + "/shares", "{\"access\": \"ro\"}").ok(201).str("token");
        share(byAdmin).get(msgs(t)).ok();
    }

    // ------------------------------------------------------------------ delete cascades

    @Test
    void deleteCascadesAndTheNameStartsAfresh() {
        String t = newTopic(alice, false, false);
        for (int i = 1; i <= 3; i++) {
            post(alice, t, "{\"n\": " + i + "}").ok(201);
        }
        String tk = alice.post(path(t) + "/shares", "{\"access\": \"rw\"}").ok(201).str("token");
        alice.put("/v0/topics/" + t + "/subscriptions/s1", "{\"from_seq\": 0}").ok(201);
        share(tk).get(msgs(t)).ok();

        Response d = alice.delete(path(t)).ok();
        assertThat(d.map()).containsExactly(Map.entry("name", t), Map.entry("deleted", true));
        assertCamel(d.json(), "DELETE topic");

        // gone: its share tokens, the topic, its subscriptions
        share(tk).get(msgs(t)).assertError(401, "unauthorized");
        post(share(tk), t, "1").assertError(401, "unauthorized");
        admin.get(path(t)).assertError(404, "topic_not_found");
        admin.get(msgs(t)).assertError(404, "topic_not_found");
        admin.get("/v0/topics/" + t + "/subscriptions/s1").assertError(404, "topic_not_found");
        assertThat(listedNames(admin)).doesNotContain(t);
        admin.delete(path(t)).assertError(404, "topic_not_found");

        // made again: empty, ids restart at 1, nothing attached, old tokens still dead
        assertTopic(alice.post("/topics", createBody(t, false, false)).ok(201).map(), t, false, false, "alice");
        Response empty = alice.get(msgs(t)).ok();
        assertThat(ids(empty)).isEmpty();
        assertThat(empty.num("next")).isZero();
        assertThat(post(alice, t, "{\"again\": true}").ok(201).num("id")).isEqualTo(1);
        assertThat(rawPayloads(alice.get(msgs(t)).ok().text())).containsExactly("{\"again\":true}");
        assertThat(alice.get("/v0/topics/" + t + "/subscriptions").ok().list("subscriptions")).isEmpty();
        alice.get("/v0/topics/" + t + "/subscriptions/s1").expect(404);
        assertThat(alice.get(path(t) + "/shares").ok().list("shares")).isEmpty();
        share(tk).get(msgs(t)).assertError(401, "unauthorized");

        // the admin may delete any topic
        Response byAdmin = admin.delete(path(t)).ok();
        assertThat(byAdmin.map()).containsExactly(Map.entry("name", t), Map.entry("deleted", true));
    }

    @Test
    void deleteEndsOpenStreamsOnTheTopic() throws Exception {
        String t = newTopic(alice, true, false);
        post(alice, t, "1").ok(201);
        String wid = alice.post("/v0/watch", "{\"topics\": {\"" + t + "\": {\"from_seq\": 0}}, \"heartbeat_ms\": 200}")
                .ok(201).str("wid");
        try (var sse = dev.topics.testing.SseClient.open(http.base().resolve("/v0/watch/" + wid), null)) {
            assertThat(sse.status()).isEqualTo(200);
            assertThat(sse.nextEvent(30).name()).isEqualTo("record");
            alice.delete(path(t)).ok();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            boolean tombstone = false;
            while (System.nanoTime() < deadline) {
                var e = sse.nextEvent(30);
                if (e == null) {
                    break;
                }
                if ("tombstone".equals(e.name())) {
                    assertThat(e.data()).contains("deleted");
                    tombstone = true;
                }
            }
            assertThat(tombstone).as("a deleted tombstone before the stream closed").isTrue();
        }
    }

    // ------------------------------------------------------------------ stats

    @Test
    void statsAreForTheAdminAndCamelCase() {
        String t = newTopic(alice, true, true);
        post(alice, t, "{\"a\": 1}").ok(201);
        post(alice, t, "{\"b\": 2}").ok(201);
        alice.get(msgs(t)).ok();

        alice.get(path(t) + "/stats").assertError(403, "forbidden");
        bob.get(path(t) + "/stats").assertError(403, "forbidden");
        http.get(path(t) + "/stats").assertError(401, "unauthorized");
        String tk = alice.post(path(t) + "/shares", "{\"access\": \"rw\"}").ok(201).str("token");
        share(tk).get(path(t) + "/stats").assertError(403, "forbidden");

        Response s = admin.get(path(t) + "/stats").ok();
        assertCamel(s.json(), "GET stats");
        assertThat(s.map().keySet()).containsExactlyInAnyOrder("topic", "records", "bytes", "headSeq", "earliestSeq",
                "watchers", "subscriptions", "webhooks", "deliveries", "routers", "activity");
        assertThat(s.obj("deliveries").keySet()).containsExactlyInAnyOrder("pending", "succeeded", "failed");
        assertThat(s.obj("routers").keySet()).containsExactlyInAnyOrder("in", "out");
        assertThat(s.obj("activity").keySet()).containsExactlyInAnyOrder("writes1m", "writes1h", "reads1m", "reads1h",
                "lastWriteAt", "lastReadAt");
        assertThat(s.str("topic")).isEqualTo(t);
        Response v0 = admin.get("/v0/topics/" + t).ok();
        assertThat(s.num("records")).isEqualTo(2).isEqualTo(v0.num("count"));
        assertThat(s.num("bytes")).isEqualTo(v0.num("bytes"));
        assertThat(s.num("headSeq")).isEqualTo(2);
        assertThat(s.num("earliestSeq")).isEqualTo(1);
        assertThat(s.num("activity.writes1m")).isEqualTo(2);
        assertThat(s.num("activity.writes1h")).isEqualTo(2);
        assertThat(s.num("activity.reads1m")).isEqualTo(1);
        Instant.parse(s.str("activity.lastWriteAt"));
        Instant.parse(s.str("activity.lastReadAt"));

        admin.get(path(uniqueTopic("mg.nostats")) + "/stats").assertError(404, "topic_not_found");
        http.get(path(uniqueTopic("mg.nostats")) + "/stats").assertError(401, "unauthorized");
    }
}
