package dev.topics.manage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §13, the {@code /topics} management surface (camelCase), black box, with auth
 * required: share tokens in camelCase, through their whole life.
 */
@Timeout(300)
@ServerTest.Setup(auth = true, memory = true)
class ManagementSharesTest extends ManagementFixtures {
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
}
