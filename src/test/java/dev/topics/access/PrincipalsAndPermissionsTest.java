package dev.topics.access;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.MemoryTempDir;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §11: principals (admin only; tokens shown once, stored hashed, rotated by adding and
 * deleting), permissions (admin only; patterns, actions, effects, validation), that both
 * survive a restart, and the 429 throttle on repeated failed authentications.
 */
@Timeout(300)
@ServerTest.Setup(auth = true, memory = true)
class PrincipalsAndPermissionsTest extends ServerTest {
    private static final AtomicInteger N = new AtomicInteger();

    static String name(String stem) {
        return stem + "-" + N.incrementAndGet();
    }

    static Response create(String name, boolean isAdmin) {
        return admin.post("/v0/principals", "{\"name\": \"" + name + "\", \"admin\": " + isAdmin + "}").ok(201);
    }

    static Map<String, Object> listed(Http as, String name) {
        for (Object o : as.get("/v0/principals").ok().list("principals")) {
            Map<String, Object> m = Http.Json.obj(o);
            if (name.equals(m.get("name"))) {
                return m;
            }
        }
        return null;
    }

    static List<String> tokenIds(Map<String, Object> principal) {
        return ((List<?>) principal.get("tokens")).stream().map(t -> String.valueOf(((Map<?, ?>) t).get("id"))).toList();
    }

    static Response permit(String principal, String pattern, String actions, String effect) {
        return admin.post("/v0/permissions", "{\"principal\": \"" + principal + "\", \"pattern\": \"" + pattern
                + "\", \"actions\": " + actions + ", \"effect\": \"" + effect + "\"}").ok(201);
    }

    static List<String> permissionIds() {
        return admin.get("/v0/permissions").ok().list("permissions").stream()
                .map(o -> String.valueOf(((Map<?, ?>) o).get("id"))).toList();
    }

    // ------------------------------------------------------------------ principals

    @Test
    void aNewPrincipalsTokenIsShownOnceAndTheListNeverShowsTokenValues() {
        String n = name("alice");
        Response r = create(n, false);
        assertThat(r.map().keySet()).contains("name", "admin", "token", "token_id", "created_at");
        assertThat(r.str("name")).isEqualTo(n);
        assertThat(r.bool("admin")).isFalse();
        String token = r.str("token");
        assertThat(token).matches("tpk_[A-Za-z0-9_-]{20,}");
        assertThat(r.str("token_id")).startsWith("tok_");
        Instant.parse(r.str("created_at"));
        assertThat(r.obj("performance")).containsKey("server_total_ms");

        bearer(token).get("/v0/node").ok();
        bearer(token).get("/v0/topics").ok();

        Response list = admin.get("/v0/principals").ok();
        assertThat(list.text()).doesNotContain(token).doesNotContain("tpk_").doesNotContain("\"token\"")
                .doesNotContain("sha256").doesNotContain("secret");
        Map<String, Object> me = listed(admin, n);
        assertThat(me).isNotNull();
        assertThat(me.keySet()).containsExactlyInAnyOrder("name", "admin", "created_at", "tokens");
        assertThat(me.get("admin")).isEqualTo(false);
        assertThat(tokenIds(me)).containsExactly(r.str("token_id"));
        for (Object t : (List<?>) me.get("tokens")) {
            assertThat(Http.Json.obj(t).keySet()).containsExactlyInAnyOrder("id", "created_at");
        }
        // the token is not shown again anywhere: a new token is a new value
        Response more = admin.post("/v0/principals/" + n + "/tokens", "").ok(201);
        assertThat(more.str("token")).startsWith("tpk_").isNotEqualTo(token);
        assertThat(admin.get("/v0/principals").ok().text()).doesNotContain(token).doesNotContain(more.str("token"));
    }

    @Test
    void aDuplicateNameIs409AndLeavesTheExistingPrincipalAlone() {
        String n = name("dup");
        String token = create(n, false).str("token");
        admin.post("/v0/principals", "{\"name\": \"" + n + "\"}").assertError(409, "principal_exists");
        admin.post("/v0/principals", "{\"name\": \"" + n + "\", \"admin\": true}").assertError(409, "principal_exists");
        admin.post("/v0/principals", "{\"name\": \"admin\"}").assertError(409, "principal_exists");
        bearer(token).get("/v0/node").ok();
        Map<String, Object> me = listed(admin, n);
        assertThat(me.get("admin")).isEqualTo(false);
        assertThat(tokenIds(me)).hasSize(1);
        // still a plain principal: no admin rights were gained by the duplicate with admin: true
        bearer(token).get("/v0/principals").assertError(403, "forbidden");
    }

    @ParameterizedTest(name = "[{index}] name {0}")
    @ValueSource(strings = {"", ".", "..", "a b", "a/b", "a:b", "a@b", "caf\u00e9", "tab\\there", "x*", "a>b",
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890"
                    + "1234567890123456789"})
    void aBadNameIs400InvalidNameAndCreatesNothing(String bad) {
        int before = admin.get("/v0/principals").ok().list("principals").size();
        admin.post("/v0/principals", "{\"name\": \"" + bad + "\"}").assertError(400, "invalid_name");
        assertThat(admin.get("/v0/principals").ok().list("principals")).hasSize(before);
    }

    @Test
    void nameLengthsAndCharactersAtTheEdgesAreAccepted() {
        String longest = "p".repeat(128);
        create(longest, false);
        create("a", false);
        create("A.b-c_D9", false);
        admin.post("/v0/principals", "{\"name\": \"" + "p".repeat(129) + "\"}").assertError(400, "invalid_name");
        assertThat(listed(admin, longest)).isNotNull();
    }

    @Test
    void aMalformedPrincipalBodyIs400AndCreatesNothing() {
        int before = admin.get("/v0/principals").ok().list("principals").size();
        admin.post("/v0/principals", "{}").assertError(400, "invalid_field");
        admin.post("/v0/principals", "").assertError(400, "invalid_field");
        admin.post("/v0/principals", "{\"name\": 5}").assertError(400, "invalid_field");
        admin.post("/v0/principals", "{\"name\": null}").assertError(400, "invalid_field");
        admin.post("/v0/principals", "{\"name\": \"" + name("ok") + "\", \"admin\": \"yes\"}")
                .assertError(400, "invalid_field");
        admin.post("/v0/principals", "{\"name\": \"" + name("ok") + "\", \"role\": \"admin\"}")
                .assertError(400, "unknown_field");
        admin.post("/v0/principals", "{\"name\": \"x\", \"name\": \"y\"}").assertError(400, "invalid_field");
        admin.post("/v0/principals", "{\"name\": ").assertError(400, "invalid_json");
        admin.post("/v0/principals", "[\"name\"]").assertError(400, "invalid_field");
        assertThat(admin.get("/v0/principals").ok().list("principals")).hasSize(before);
    }

    @Test
    void onlyTheAdminManagesPrincipalsAndPermissions() {
        String n = name("plain");
        Http plain = bearer(create(n, false).str("token"));
        plain.post("/v0/principals", "{\"name\": \"" + name("x") + "\"}").assertError(403, "forbidden");
        plain.get("/v0/principals").assertError(403, "forbidden");
        plain.post("/v0/principals/" + n + "/tokens", "").assertError(403, "forbidden");
        plain.delete("/v0/principals/" + n).assertError(403, "forbidden");
        plain.post("/v0/permissions", "{\"principal\": \"" + n + "\", \"pattern\": \">\", \"actions\": [\"read\"]}")
                .assertError(403, "forbidden");
        plain.get("/v0/permissions").assertError(403, "forbidden");
        http.get("/v0/principals").assertError(401, "unauthorized");
        http.get("/v0/permissions").assertError(401, "unauthorized");
        // it did not grant itself anything
        assertThat(listed(admin, n)).isNotNull();
        assertThat(admin.get("/v0/permissions").ok().text()).doesNotContain("\"principal\":\"" + n + "\"");
    }

    @Test
    void anAdminPrincipalActsAsTheAdmin() {
        String bossName = name("boss");
        Response b = create(bossName, true);
        assertThat(b.bool("admin")).isTrue();
        Http boss = bearer(b.str("token"));
        assertThat(listed(admin, bossName).get("admin")).isEqualTo(true);

        // someone else's private topic
        String ownerName = name("own");
        Http owner = bearer(create(ownerName, false).str("token"));
        String t = uniqueTopic("pp.boss");
        owner.put("/v0/topics/" + t, "{}").ok(201);
        owner.post("/v0/topics/" + t, "{\"records\": [{\"data\": 1}]}").ok();

        boss.get("/v0/topics/" + t).ok();
        boss.post("/v0/topics/" + t + "/diff", "{}").ok();
        boss.post("/v0/topics/" + t, "{\"records\": [{\"data\": 2}]}").ok();
        boss.patch("/v0/topics/" + t, "{\"ttl_ms\": 60000}").ok();
        String shareId = boss.post("/v0/topics/" + t + "/shares", "{\"access\": \"ro\"}").ok(201).str("id");
        boss.get("/v0/topics/" + t + "/shares").ok();
        boss.delete("/v0/topics/" + t + "/shares/" + shareId).ok();

        // principals and permissions
        String made = name("made-by-boss");
        Response m = boss.post("/v0/principals", "{\"name\": \"" + made + "\"}").ok(201);
        boss.get("/v0/principals").ok();
        boss.post("/v0/principals/" + made + "/tokens", "").ok(201);
        String perm = boss.post("/v0/permissions", "{\"principal\": \"" + made + "\", \"pattern\": \"" + t
                + "\", \"actions\": [\"read\"], \"effect\": \"allow\"}").ok(201).str("id");
        bearer(m.str("token")).get("/v0/topics/" + t).ok();
        boss.get("/v0/permissions").ok();
        boss.delete("/v0/permissions/" + perm).ok();
        bearer(m.str("token")).get("/v0/topics/" + t).assertError(403, "forbidden");
        String madeAdmin = name("admin-by-boss");
        Response ma = boss.post("/v0/principals", "{\"name\": \"" + madeAdmin + "\", \"admin\": true}").ok(201);
        bearer(ma.str("token")).get("/v0/principals").ok();
        boss.delete("/v0/principals/" + made).ok();

        // a deny does not bind the admin (rule 1 comes first)
        permit("*", t, "[\"read\", \"publish\"]", "deny");
        boss.get("/v0/topics/" + t).ok();
        boss.post("/v0/topics/" + t, "{\"records\": [{\"data\": 3}]}").ok();
        admin.get("/v0/topics/" + t).ok();
        boss.delete("/v0/topics/" + t).ok();
    }

    @Test
    void addingATokenKeepsTheOldOneAndDeletingOneRevokesExactlyThatOne() {
        String n = name("rot");
        Response first = create(n, false);
        String t1 = first.str("token");
        Response second = admin.post("/v0/principals/" + n + "/tokens", "").ok(201);
        assertThat(second.str("name")).isEqualTo(n);
        String t2 = second.str("token");
        assertThat(t2).startsWith("tpk_").isNotEqualTo(t1);
        assertThat(second.str("token_id")).startsWith("tok_").isNotEqualTo(first.str("token_id"));
        Response third = admin.post("/v0/principals/" + n + "/tokens", "").ok(201);
        String t3 = third.str("token");

        for (String tok : List.of(t1, t2, t3)) {
            bearer(tok).get("/v0/node").ok();
        }
        assertThat(tokenIds(listed(admin, n))).containsExactlyInAnyOrder(first.str("token_id"), second.str("token_id"),
                third.str("token_id"));

        Response del = admin.delete("/v0/principals/" + n + "/tokens/" + second.str("token_id")).ok();
        assertThat(del.bool("deleted")).isTrue();
        bearer(t2).get("/v0/node").assertError(401, "unauthorized");
        bearer(t1).get("/v0/node").ok();
        bearer(t3).get("/v0/node").ok();
        assertThat(tokenIds(listed(admin, n))).containsExactlyInAnyOrder(first.str("token_id"), third.str("token_id"));

        admin.delete("/v0/principals/" + n + "/tokens/" + second.str("token_id")).assertError(404, "token_not_found");
        admin.delete("/v0/principals/" + n + "/tokens/tok_nope").assertError(404, "token_not_found");
        admin.delete("/v0/principals/" + name("nobody") + "/tokens/" + first.str("token_id"))
                .assertError(404, "principal_not_found");
        admin.post("/v0/principals/" + name("nobody") + "/tokens", "").assertError(404, "principal_not_found");

        // every token gone: the principal stays, and cannot authenticate until given a new one
        admin.delete("/v0/principals/" + n + "/tokens/" + first.str("token_id")).ok();
        admin.delete("/v0/principals/" + n + "/tokens/" + third.str("token_id")).ok();
        for (String tok : List.of(t1, t2, t3)) {
            bearer(tok).get("/v0/node").assertError(401, "unauthorized");
        }
        assertThat(tokenIds(listed(admin, n))).isEmpty();
        String t4 = admin.post("/v0/principals/" + n + "/tokens", "").ok(201).str("token");
        bearer(t4).get("/v0/node").ok();
    }

    @Test
    void deletingAPrincipalRevokesEveryTokenOfIt() {
        String n = name("gone");
        String t1 = create(n, false).str("token");
        String t2 = admin.post("/v0/principals/" + n + "/tokens", "").ok(201).str("token");
        String topic = uniqueTopic("pp.gone");
        bearer(t1).put("/v0/topics/" + topic, "{}").ok(201);

        Response del = admin.delete("/v0/principals/" + n).ok();
        assertThat(del.str("name")).isEqualTo(n);
        assertThat(del.bool("deleted")).isTrue();
        for (String tok : List.of(t1, t2)) {
            bearer(tok).get("/v0/node").assertError(401, "unauthorized");
            bearer(tok).get("/v0/topics/" + topic).assertError(401, "unauthorized");
            bearer(tok).delete("/v0/topics/" + topic).assertError(401, "unauthorized");
        }
        assertThat(listed(admin, n)).isNull();
        admin.delete("/v0/principals/" + n).assertError(404, "principal_not_found");
        admin.post("/v0/principals/" + n + "/tokens", "").assertError(404, "principal_not_found");
        admin.get("/v0/topics/" + topic).ok(); // the topic it made stays

        // the name may be used again; the old tokens stay dead
        String t3 = create(n, false).str("token");
        bearer(t3).get("/v0/node").ok();
        bearer(t1).get("/v0/node").assertError(401, "unauthorized");
        bearer(t2).get("/v0/node").assertError(401, "unauthorized");
    }

    // ------------------------------------------------------------------ permissions

    @Test
    void aPermissionIsCreatedListedAndDeleted() {
        String n = name("perm");
        Http p = bearer(create(n, false).str("token"));
        String stem = name("pq");
        String t = stem + ".a";
        admin.put("/v0/topics/" + t, "{}").ok(201);
        p.get("/v0/topics/" + t).assertError(403, "forbidden");

        Response made = permit(n, stem + ".>", "[\"read\"]", "allow");
        assertThat(made.str("id")).startsWith("perm_");
        assertThat(made.str("principal")).isEqualTo(n);
        assertThat(made.str("pattern")).isEqualTo(stem + ".>");
        assertThat(made.list("actions")).containsExactly("read");
        assertThat(made.str("effect")).isEqualTo("allow");
        Instant.parse(made.str("created_at"));
        String id = made.str("id");

        Map<String, Object> listed = admin.get("/v0/permissions").ok().list("permissions").stream()
                .map(Http.Json::obj).filter(m -> id.equals(m.get("id"))).findFirst().orElseThrow();
        assertThat(listed).containsEntry("principal", n).containsEntry("pattern", stem + ".>")
                .containsEntry("effect", "allow").containsEntry("actions", List.of("read"));

        p.get("/v0/topics/" + t).ok();
        p.post("/v0/topics/" + t, "{\"records\": [{\"data\": 1}]}").assertError(403, "forbidden");

        Response del = admin.delete("/v0/permissions/" + id).ok();
        assertThat(del.str("id")).isEqualTo(id);
        assertThat(del.bool("deleted")).isTrue();
        assertThat(permissionIds()).doesNotContain(id);
        p.get("/v0/topics/" + t).assertError(403, "forbidden");
        admin.delete("/v0/permissions/" + id).assertError(404, "permission_not_found");
        admin.delete("/v0/permissions/perm_doesNotExist").assertError(404, "permission_not_found");
    }

    @Test
    void patternsMatchLevelsAsSpecified() {
        String n = name("pat");
        Http p = bearer(create(n, false).str("token"));
        String s = name("lv");
        List<String> topics = List.of(s, s + ".disk", s + ".disk.full", s + ".net", s + ".x.log", s + ".x.y.log");
        for (String t : topics) {
            admin.put("/v0/topics/" + t, "{}").ok(201);
        }
        String gt = permit(n, s + ".>", "[\"read\"]", "allow").str("id");
        assertThat(readable(p, topics)).as("%s.> (one or more levels)", s)
                .containsExactly(s + ".disk", s + ".disk.full", s + ".net", s + ".x.log", s + ".x.y.log");
        admin.delete("/v0/permissions/" + gt).ok();

        String star = permit(n, s + ".*", "[\"read\"]", "allow").str("id");
        assertThat(readable(p, topics)).as("%s.* (exactly one level)", s).containsExactly(s + ".disk", s + ".net");
        admin.delete("/v0/permissions/" + star).ok();

        String mid = permit(n, s + ".*.log", "[\"read\"]", "allow").str("id");
        assertThat(readable(p, topics)).as("%s.*.log", s).containsExactly(s + ".x.log");
        admin.delete("/v0/permissions/" + mid).ok();

        String exact = permit(n, s + ".disk", "[\"read\"]", "allow").str("id");
        assertThat(readable(p, topics)).as("a literal pattern").containsExactly(s + ".disk");
        admin.delete("/v0/permissions/" + exact).ok();

        String all = permit(n, ">", "[\"read\"]", "allow").str("id");
        assertThat(readable(p, topics)).as(">").containsExactlyElementsOf(topics);
        admin.delete("/v0/permissions/" + all).ok();
        assertThat(readable(p, topics)).isEmpty();
    }

    private static List<String> readable(Http as, List<String> topics) {
        return topics.stream().filter(t -> {
            int st = as.get("/v0/topics/" + t).status();
            assertThat(st).as("GET %s", t).isIn(200, 403);
            return st == 200;
        }).toList();
    }

    @Test
    void theDecisionOrderIsAdminOwnerShareDenyAllowPublic() {
        String n = name("ord");
        Http p = bearer(create(n, false).str("token"));
        String s = name("od");
        String owned = s + ".mine";
        p.put("/v0/topics/" + owned, "{}").ok(201);
        String pub = s + ".pub";
        admin.put("/v0/topics/" + pub, "{\"public_read\": true, \"public_publish\": true}").ok(201);
        String shared = s + ".shared";
        admin.put("/v0/topics/" + shared, "{}").ok(201);
        String shareTok = admin.post("/v0/topics/" + shared + "/shares", "{\"access\": \"rw\"}").ok(201).str("token");

        // allow read, and a deny on publish for the same pattern: each action decided on its own
        permit(n, s + ".>", "[\"read\", \"publish\"]", "allow");
        String deny = permit(n, s + ".>", "[\"publish\"]", "deny").str("id");
        p.get("/v0/topics/" + pub).ok();
        p.post("/v0/topics/" + pub, "{\"records\": [{\"data\": 1}]}").assertError(403, "forbidden");
        // the deny beats the public flag too
        admin.delete("/v0/permissions/" + deny).ok();
        permit(n, s + ".>", "[\"read\"]", "deny");
        p.get("/v0/topics/" + pub).assertError(403, "forbidden");
        p.get("/v0/topics/" + shared).assertError(403, "forbidden");
        // the owner comes before any deny
        p.get("/v0/topics/" + owned).ok();
        p.post("/v0/topics/" + owned, "{\"records\": [{\"data\": 1}]}").ok();
        // a share token comes before a deny (rule 3 before 4): with both credentials, the share decides
        p.get("/v0/topics/" + shared, "X-Topic-Token", shareTok).ok();
        // a deny for "*" binds anonymous callers too, and beats the public flag
        http.get("/v0/topics/" + pub).ok();
        permit("*", pub, "[\"read\"]", "deny");
        http.get("/v0/topics/" + pub).assertError(401, "unauthorized");
        p.get("/v0/topics/" + pub).assertError(403, "forbidden");
        admin.get("/v0/topics/" + pub).ok();
    }

    @Test
    void anAllowForEveryoneLetsAnonymousCallersIn() {
        String t = uniqueTopic("pp.star");
        admin.put("/v0/topics/" + t, "{}").ok(201);
        http.get("/v0/topics/" + t).assertError(401, "unauthorized");
        String id = permit("*", t, "[\"read\"]", "allow").str("id");
        http.get("/v0/topics/" + t).ok();
        http.post("/v0/topics/" + t + "/diff", "{}").ok();
        http.post("/v0/topics/" + t, "{\"records\": [{\"data\": 1}]}").assertError(401, "unauthorized");
        admin.delete("/v0/permissions/" + id).ok();
        http.get("/v0/topics/" + t).assertError(401, "unauthorized");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "{\"principal\": \"p\", \"pattern\": \"a..b\", \"actions\": [\"read\"], \"effect\": \"allow\"}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": \"\", \"actions\": [\"read\"], \"effect\": \"allow\"}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": \".a\", \"actions\": [\"read\"], \"effect\": \"allow\"}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": \"a.\", \"actions\": [\"read\"], \"effect\": \"allow\"}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": \">.a\", \"actions\": [\"read\"], \"effect\": \"allow\"}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": \"a.>.b\", \"actions\": [\"read\"], \"effect\": \"allow\"}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": \"a b\", \"actions\": [\"read\"], \"effect\": \"allow\"}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": \"a.b*\", \"actions\": [\"read\"], \"effect\": \"allow\"}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": \"a/b\", \"actions\": [\"read\"], \"effect\": \"allow\"}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": \"a.**\", \"actions\": [\"read\"], \"effect\": \"allow\"}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": 5, \"actions\": [\"read\"], \"effect\": \"allow\"}|invalid_field",
            "{\"principal\": \"p\", \"actions\": [\"read\"], \"effect\": \"allow\"}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": \"a.>\", \"actions\": [], \"effect\": \"allow\"}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": \"a.>\", \"actions\": [\"write\"], \"effect\": \"allow\"}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": \"a.>\", \"actions\": [\"read\", \"delete\"], \"effect\": \"allow\"}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": \"a.>\", \"actions\": \"read\", \"effect\": \"allow\"}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": \"a.>\", \"actions\": [1], \"effect\": \"allow\"}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": \"a.>\", \"effect\": \"allow\"}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": \"a.>\", \"actions\": [\"read\"], \"effect\": \"permit\"}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": \"a.>\", \"actions\": [\"read\"], \"effect\": \"Allow\"}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": \"a.>\", \"actions\": [\"read\"], \"effect\": true}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": \"a.>\", \"actions\": [\"read\"], \"effect\": \"allow\", \"scope\": 1}|unknown_field",
            "{\"pattern\": \"a.>\", \"actions\": [\"read\"], \"effect\": \"allow\"}|invalid_field",
            "{\"principal\": \"a b\", \"pattern\": \"a.>\", \"actions\": [\"read\"], \"effect\": \"allow\"}|invalid_name",
            "{\"principal\": 7, \"pattern\": \"a.>\", \"actions\": [\"read\"], \"effect\": \"allow\"}|invalid_field",
            "{\"principal\": \"p\", \"pattern\": \"a.>\", \"actions\": [\"read\"], \"effect\": \"allow\"|invalid_json",
            "|invalid_field"})
    void aBadPermissionIs400AndCreatesNothing(String spec) {
        int bar = spec.lastIndexOf('|');
        String body = spec.substring(0, bar);
        String code = spec.substring(bar + 1);
        List<String> before = permissionIds();
        admin.post("/v0/permissions", body).assertError(400, code);
        assertThat(permissionIds()).containsExactlyInAnyOrderElementsOf(before);
    }

    @Test
    void aPatternOfMoreThan255CharactersIsRefused() {
        String longPattern = "a" + ".b".repeat(127); // 255 characters: fine
        assertThat(longPattern).hasSize(255);
        String id = permit(name("lp"), longPattern, "[\"read\"]", "allow").str("id");
        admin.delete("/v0/permissions/" + id).ok();
        admin.post("/v0/permissions", "{\"principal\": \"p\", \"pattern\": \"" + longPattern + "b\", \"actions\": "
                + "[\"read\"], \"effect\": \"allow\"}").assertError(400, "invalid_field");
    }

    // ------------------------------------------------------------------ restart

    @Test
    void principalsTokensAndPermissionsSurviveARestart(@TempDir Path own) {
        Path dir = MemoryTempDir.create(own);
        try (TestServer s = TestServer.startWithAuth(dir)) {
            Http a = s.http().withHeader("Authorization", "Bearer secret");
            Http none = s.http();
            Response kept = a.post("/v0/principals", "{\"name\": \"kept\"}").ok(201);
            String k1 = kept.str("token");
            String k2 = a.post("/v0/principals/kept/tokens", "").ok(201).str("token");
            Response dropped = a.post("/v0/principals/kept/tokens", "").ok(201);
            a.delete("/v0/principals/kept/tokens/" + dropped.str("token_id")).ok();
            String bossTok = a.post("/v0/principals", "{\"name\": \"boss\", \"admin\": true}").ok(201).str("token");
            String goneTok = a.post("/v0/principals", "{\"name\": \"gone\"}").ok(201).str("token");
            a.delete("/v0/principals/gone").ok();
            a.put("/v0/topics/rs.a", "{}").ok(201);
            a.put("/v0/topics/rs.b", "{}").ok(201);
            String allow = a.post("/v0/permissions", "{\"principal\": \"kept\", \"pattern\": \"rs.*\", \"actions\": "
                    + "[\"read\"], \"effect\": \"allow\"}").ok(201).str("id");
            a.post("/v0/permissions", "{\"principal\": \"kept\", \"pattern\": \"rs.b\", \"actions\": [\"read\"], "
                    + "\"effect\": \"deny\"}").ok(201);
            String removed = a.post("/v0/permissions", "{\"principal\": \"kept\", \"pattern\": \"rs.>\", \"actions\": "
                    + "[\"publish\"], \"effect\": \"allow\"}").ok(201).str("id");
            a.delete("/v0/permissions/" + removed).ok();
            String principalsBefore = a.get("/v0/principals").ok().get("principals").toString();
            String permissionsBefore = a.get("/v0/permissions").ok().get("permissions").toString();

            s.restart();

            assertThat(a.get("/v0/principals").ok().get("principals").toString()).isEqualTo(principalsBefore);
            assertThat(a.get("/v0/permissions").ok().get("permissions").toString()).isEqualTo(permissionsBefore);
            Http kept1 = none.withHeader("Authorization", "Bearer " + k1);
            kept1.get("/v0/topics/rs.a").ok();
            kept1.get("/v0/topics/rs.b").assertError(403, "forbidden");
            kept1.post("/v0/topics/rs.a", "{\"records\": [{\"data\": 1}]}").assertError(403, "forbidden");
            none.withHeader("Authorization", "Bearer " + k2).get("/v0/topics/rs.a").ok();
            none.withHeader("Authorization", "Bearer " + dropped.str("token")).get("/v0/node")
                    .assertError(401, "unauthorized");
            none.withHeader("Authorization", "Bearer " + goneTok).get("/v0/node").assertError(401, "unauthorized");
            none.withHeader("Authorization", "Bearer " + bossTok).get("/v0/principals").ok();
            none.get("/v0/topics/rs.a").assertError(401, "unauthorized");

            // and changes made after the restart also survive the next one
            a.delete("/v0/permissions/" + allow).ok();
            a.delete("/v0/principals/kept/tokens/" + kept.str("token_id")).ok();
            s.restart();
            none.withHeader("Authorization", "Bearer " + k1).get("/v0/node").assertError(401, "unauthorized");
            none.withHeader("Authorization", "Bearer " + k2).get("/v0/topics/rs.a").assertError(403, "forbidden");
            assertThat(a.get("/v0/permissions").ok().text()).doesNotContain(allow);
        } finally {
            MemoryTempDir.delete(dir, own);
        }
    }

    // ------------------------------------------------------------------ throttle

    @Test
    void repeatedFailuresFromOneAddressAreThrottledButValidCredentialsAndAnonymousRequestsAreNot(@TempDir Path own) {
        Path dir = MemoryTempDir.create(own);
        try (TestServer s = TestServer.builder(dir).env("TOPICS_AUTH", "required").env("TOPICS_ADMIN_TOKEN", "secret")
                .yaml("auth:\n  failures_per_minute: 5\n").start()) {
            Http none = s.http();
            Http good = none.withHeader("Authorization", "Bearer secret");
            good.put("/v0/topics/th.pub", "{\"public_read\": true}").ok(201);
            String shareTok = good.post("/v0/topics/th.pub/shares", "{\"access\": \"ro\"}").ok(201).str("token");
            // good credentials do not count as failures
            for (int i = 0; i < 10; i++) {
                good.get("/v0/node").ok();
            }
            for (int i = 1; i <= 5; i++) {
                none.withHeader("Authorization", "Bearer wrong-" + i).get("/v0/node").assertError(401, "unauthorized");
            }
            none.withHeader("Authorization", "Bearer wrong-6").get("/v0/node").assertError(429, "too_many_failures");
            none.withHeader("X-Topic-Token", "tk_wrong").get("/v0/topics/th.pub").assertError(429, "too_many_failures");
            // the throttle answers failures only: valid credentials from the same address still pass
            good.get("/v0/node").ok();
            good.put("/v0/topics/th.open", "{}").ok(201);
            none.get("/v0/topics/th.pub", "X-Topic-Token", shareTok).ok();
            // requests without credentials are not throttled
            none.get("/v0/topics/th.pub").ok();
            none.get("/v0/topics").ok();
            none.get("/v0/node").assertError(401, "unauthorized");
            none.get("/healthz").expect(200);
            none.get("/readyz").expect(200);
        } finally {
            MemoryTempDir.delete(dir, own);
        }
    }
}
