package dev.topics.manage;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SPEC §13, the {@code /topics} management surface (camelCase), black box, with auth
 * required: the four public-flag combinations, PATCH keeping omitted fields,
 * owner-or-admin rights, the per-caller list and the admin-only stats.
 */
@Timeout(300)
@ServerTest.Setup(auth = true, memory = true)
class ManagementFlagsAndRightsTest extends ManagementFixtures {
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
