package dev.topics.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SPEC §11 through HTTP with {@code auth: required}: the first-match-wins decision (admin,
 * owner, share token, deny, allow, public flag, refused — 401 without credentials, 403
 * with), topic lists, topic creation, and reads of topics that do not exist. Writes whose
 * records carry {@code origin} need publish and {@code mirror}, which no share token and no
 * public flag grants.
 *
 * <p>Permissions are global, so every permission here names a pattern that only this
 * test's uniquely named topics can match.
 */
@ServerTest.Setup(auth = true, yaml = "auth:\n  failures_per_minute: 1000000\n")
class DecisionOrderHttpTest extends ServerTest {
    static final String RECORD = "{\"records\": [{\"data\": {\"n\": 1}}]}";

    /** Auth required, {@code TOPICS_DEFAULT_PUBLIC_PUBLISH=true}. */
    static TestServer openPublish;

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

    @AfterAll
    static void stop() {
        if (openPublish != null) {
            openPublish.close();
        }
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

    private static long originSeq;

    /** A write whose record carries an origin (a new origin seq each time, so none is dropped). */
    static Response mirror(Http who, String topic) {
        return who.post("/v0/topics/" + topic, "{\"records\": [{\"data\": {\"n\": 1}, \"origin\": {\"node\": "
                + "\"far\", \"topic\": \"far.src\", \"seq\": " + (++originSeq) + "}}]}");
    }

    // ------------------------------------------------------------------ the matrix

    /** Who a caller of the matrix is: a principal role (or none), its share access for the topic, a share elsewhere. */
    record Who(String name, boolean admin, String role, String shareAccess, boolean otherShare) {
        boolean credentialed() {
            return admin || role != null || shareAccess != null || otherShare;
        }
    }

    /**
     * One permission of a matrix row: for a role ("bob", "owner", "carol" or "*"); actions of
     * r, p, m (read, publish, mirror); {@code matches} the topic or not.
     */
    record Perm(String role, boolean allow, String actions, boolean matches) {
        boolean appliesTo(Who w, String action) {
            return matches && actions.contains(action) && (role.equals("*") || role.equals(w.role()));
        }
    }

    /**
     * SPEC §11, first match wins; the status a read ("r"), a publish ("p") or a write with
     * origin ("m": publish, then mirror, which has no public flag and no share access) gets.
     */
    static int expected(Who w, List<Perm> perms, boolean publicFlag, String action) {
        if (action.equals("m")) {
            int publish = expected(w, perms, publicFlag, "p");
            return publish != 200 ? publish : expectedRight(w, perms, false, "m");
        }
        return expectedRight(w, perms, publicFlag, action);
    }

    private static int expectedRight(Who w, List<Perm> perms, boolean publicFlag, String action) {
        if (w.admin()) {
            return 200; // 1
        }
        if ("owner".equals(w.role())) {
            return 200; // 2
        }
        if (w.shareAccess() != null && !action.equals("m") && (w.shareAccess().equals("rw")
                || w.shareAccess().equals(action.equals("r") ? "ro" : "wo"))) {
            return 200; // 3
        }
        int refused = w.credentialed() ? 403 : 401;
        if (perms.stream().anyMatch(p -> !p.allow() && p.appliesTo(w, action))) {
            return refused; // 4
        }
        if (perms.stream().anyMatch(p -> p.allow() && p.appliesTo(w, action))) {
            return 200; // 5
        }
        return publicFlag ? 200 : refused; // 6, 7
    }

    @Test
    void everyCombinationOfCallerPermissionAndFlagDecidesInSpecOrder() {
        // a share token for a topic that is not the one being asked about
        String elsewhere = TestServer.uniqueTopic("acc.elsewhere");
        create(owner, elsewhere, false, false);
        String otherToken = share(owner, elsewhere, "rw");

        Map<String, List<Perm>> rows = new LinkedHashMap<>();
        rows.put("none", List.of());
        rows.put("deny bob", List.of(new Perm("bob", false, "rp", true)));
        rows.put("deny *", List.of(new Perm("*", false, "rp", true)));
        rows.put("allow bob", List.of(new Perm("bob", true, "rp", true)));
        rows.put("allow *", List.of(new Perm("*", true, "rp", true)));
        rows.put("deny bob + allow bob", List.of(new Perm("bob", true, "rp", true), new Perm("bob", false, "rp", true)));
        rows.put("deny * read + allow bob", List.of(new Perm("bob", true, "rp", true), new Perm("*", false, "r", true)));
        rows.put("allow * read + deny bob publish",
                List.of(new Perm("*", true, "r", true), new Perm("bob", false, "p", true)));
        rows.put("deny owner + deny carol + deny root", List.of(new Perm("owner", false, "rp", true),
                new Perm("carol", false, "rp", true), new Perm("root", false, "rp", true)));
        rows.put("allow carol publish + deny * publish",
                List.of(new Perm("carol", true, "p", true), new Perm("*", false, "p", true)));
        rows.put("non-matching deny bob + allow *", List.of(new Perm("bob", false, "rp", false),
                new Perm("*", true, "rp", false)));
        rows.put("allow bob rpm", List.of(new Perm("bob", true, "rpm", true)));
        rows.put("allow * pm", List.of(new Perm("*", true, "pm", true)));
        rows.put("allow * m + deny bob m", List.of(new Perm("*", true, "m", true), new Perm("bob", false, "m", true)));
        rows.put("allow bob m, no publish", List.of(new Perm("bob", true, "m", true)));
        rows.put("allow carol rpm + deny * m", List.of(new Perm("carol", true, "rpm", true),
                new Perm("*", false, "m", true)));
        rows.put("non-matching allow * pm", List.of(new Perm("*", true, "pm", false)));

        List<String> mismatches = new ArrayList<>();
        int requests = 0;
        int[] byStatus = new int[3];
        int mirrorsByPermission = 0; // writes with origin let through for neither admin nor owner
        int k = 0; // rotates the pattern shapes over all rows
        for (var row : rows.entrySet()) {
            for (int flags = 0; flags < 4; flags++) {
                boolean pr = (flags & 1) != 0;
                boolean pp = (flags & 2) != 0;
                String base = TestServer.uniqueTopic("acc.m"); // acc.m-<n>: the <n> level is this topic's own
                String topic = base + ".t";
                String own = base.substring("acc.".length());
                create(owner, topic, pr, pp);
                // matching patterns in several shapes; non-matching ones one level short or one level long
                String[] matching = {topic, base + ".>", "*." + own + ".*", base + ".*"};
                String[] missing = {base, topic + ".>", "*." + own, base + ".t.*"};
                for (Perm p : row.getValue()) {
                    String pattern = p.matches() ? matching[k % matching.length] : missing[k % missing.length];
                    k++;
                    permission(admin, p.role(), pattern, p.actions(), p.allow() ? "allow" : "deny");
                }
                String ro = share(owner, topic, "ro");
                String wo = share(owner, topic, "wo");
                String rw = share(owner, topic, "rw");

                Map<Who, Http> callers = new LinkedHashMap<>();
                callers.put(new Who("admin", true, null, null, false), admin);
                callers.put(new Who("admin principal", true, "root", null, false), root);
                callers.put(new Who("owner", false, "owner", null, false), owner);
                callers.put(new Who("bob", false, "bob", null, false), bob);
                callers.put(new Who("carol", false, "carol", null, false), carol);
                callers.put(new Who("anonymous", false, null, null, false), http);
                callers.put(new Who("ro share", false, null, "ro", false), topicToken(http, ro));
                callers.put(new Who("wo share", false, null, "wo", false), topicToken(http, wo));
                callers.put(new Who("rw share", false, null, "rw", false), topicToken(http, rw));
                callers.put(new Who("share for another topic", false, null, null, true),
                        topicToken(http, otherToken));
                callers.put(new Who("bob + ro share", false, "bob", "ro", false), topicToken(bob, ro));
                callers.put(new Who("bob + share for another topic", false, "bob", null, true),
                        topicToken(bob, otherToken));
                callers.put(new Who("carol + wo share", false, "carol", "wo", false), topicToken(carol, wo));

                for (var c : callers.entrySet()) {
                    for (String action : List.of("r", "p", "m")) {
                        int want = expected(c.getKey(), row.getValue(), action.equals("r") ? pr : pp, action);
                        Response got = switch (action) {
                            case "r" -> read(c.getValue(), topic);
                            case "p" -> publish(c.getValue(), topic);
                            default -> mirror(c.getValue(), topic);
                        };
                        requests++;
                        byStatus[want == 200 ? 0 : want == 401 ? 1 : 2]++;
                        if (action.equals("m") && want == 200 && !c.getKey().admin()
                                && !"owner".equals(c.getKey().role())) {
                            mirrorsByPermission++;
                        }
                        String code = want == 200 ? null : want == 401 ? "unauthorized" : "forbidden";
                        boolean same = got.status() == want
                                && (code == null || code.equals(got.get("error.code")));
                        if (!same) {
                            mismatches.add(String.format("%s | perms: %s | public_read=%s public_publish=%s | %s: "
                                            + "expected %d, got %d %s", c.getKey().name(), row.getKey(), pr, pp,
                                    Map.of("r", "read", "p", "publish", "m", "write with origin").get(action), want,
                                    got.status(), got.text()));
                        }
                    }
                }
            }
        }
        assertThat(mismatches).as("%d of %d requests", mismatches.size(), requests).isEmpty();
        assertThat(byStatus[0]).as("expected 200s").isGreaterThan(20);
        assertThat(byStatus[1]).as("expected 401s").isGreaterThan(20);
        assertThat(byStatus[2]).as("expected 403s").isGreaterThan(20);
        assertThat(mirrorsByPermission).as("writes with origin allowed by a permission").isGreaterThan(20);
    }

    // ------------------------------------------------------------------ named cases

    @Test
    void aDenyOverridesThePublicFlagsForNonOwnersButNeverForTheOwnerOrAdmin() {
        String t = TestServer.uniqueTopic("acc.denypub");
        create(owner, t, true, true);
        String rw = share(owner, t, "rw");
        read(http, t).ok();
        publish(http, t).ok();
        read(bob, t).ok();

        String id = permission(admin, "*", t, "rp", "deny");
        permission(admin, "root", t, "rp", "deny");
        read(http, t).assertError(401, "unauthorized");
        publish(http, t).assertError(401, "unauthorized");
        read(bob, t).assertError(403, "forbidden");
        publish(carol, t).assertError(403, "forbidden");
        http.get("/v0/topics/" + t).assertError(401, "unauthorized");
        // the owner, the admin and a share token for the topic come before any deny
        read(owner, t).ok();
        publish(owner, t).ok();
        read(admin, t).ok();
        publish(admin, t).ok();
        read(root, t).ok();
        read(topicToken(http, rw), t).ok();
        publish(topicToken(http, rw), t).ok();

        // a deny for the owner by name changes nothing for the owner either
        String own = permission(admin, "owner", t, "rp", "deny");
        read(owner, t).ok();
        publish(owner, t).ok();
        owner.patch("/v0/topics/" + t, "{\"public_read\": true}").ok();

        // removing the denies gives the public flags back at once
        admin.delete("/v0/permissions/" + id).ok();
        admin.delete("/v0/permissions/" + own).ok();
        read(http, t).ok();
        publish(http, t).ok();
        assertThat(read(bob, t).list("records")).hasSize(6);
    }

    @Test
    void aShareTokenForAnotherTopicIsACredential() {
        String t = TestServer.uniqueTopic("acc.other");
        String u = TestServer.uniqueTopic("acc.other");
        create(owner, t, false, false);
        create(owner, u, false, false);
        Http holder = topicToken(http, share(owner, u, "rw"));
        read(holder, u).ok();
        publish(holder, u).ok();

        read(holder, t).assertError(403, "forbidden");
        publish(holder, t).assertError(403, "forbidden");
        holder.post("/v0/topics/" + t + "/diff", "{}").assertError(403, "forbidden");
        holder.get("/v0/topics/" + t).assertError(403, "forbidden");
        read(http, t).assertError(401, "unauthorized");
        publish(http, t).assertError(401, "unauthorized");
        // not even the owner's share-granting right comes with it
        holder.post("/v0/topics/" + t + "/shares", "{\"access\": \"rw\"}").assertError(403, "forbidden");
        assertThat(admin.get("/v0/topics/" + t).ok().num("head_seq")).isZero();
    }

    @Test
    void starPermissionsApplyToAnonymousCallers() {
        String base = TestServer.uniqueTopic("acc.star");
        String closed = base + ".closed";
        String open = base + ".open";
        create(owner, closed, false, false);
        create(owner, open, true, true);
        read(http, closed).assertError(401, "unauthorized");

        permission(admin, "*", closed, "r", "allow");
        read(http, closed).ok();
        http.get("/v0/topics/" + closed).ok();
        publish(http, closed).assertError(401, "unauthorized");
        permission(admin, "*", base + ".>", "p", "allow");
        publish(http, closed).ok();

        publish(http, open).ok();
        permission(admin, "*", "*." + base.substring("acc.".length()) + ".open", "p", "deny");
        publish(http, open).assertError(401, "unauthorized");
        read(http, open).ok();
        // a permission for a principal is not one for http callers
        String t = TestServer.uniqueTopic("acc.star");
        create(owner, t, false, false);
        permission(admin, "bob", t, "rp", "allow");
        read(http, t).assertError(401, "unauthorized");
        read(bob, t).ok();
    }

    @Test
    void topicListsShowOnlyWhatEachCallerCanRead() {
        String p = TestServer.uniqueTopic("acc.list");
        String a = p + ".a"; // private
        String b = p + ".b"; // public read
        String c = p + ".c"; // private, allow bob read
        String d = p + ".d"; // public read, deny bob read
        String e = p + ".e"; // private, allow * read
        String f = p + ".f"; // private, shared
        String g = p + ".g"; // public publish only
        String h = p + ".h"; // private, allow bob publish only
        String i = p + ".i"; // private, made by bob
        create(owner, a, false, false);
        create(owner, b, true, false);
        create(owner, c, false, false);
        create(owner, d, true, false);
        create(owner, e, false, false);
        create(owner, f, false, false);
        create(owner, g, false, true);
        create(owner, h, false, false);
        create(bob, i, false, false);
        permission(admin, "bob", c, "r", "allow");
        permission(admin, "bob", d, "r", "deny");
        permission(admin, "*", e, "r", "allow");
        permission(admin, "bob", h, "p", "allow");
        String ro = share(owner, f, "ro");
        String wo = share(owner, f, "wo");
        String rwOfA = share(owner, a, "rw");

        Map<String, Http> callers = new LinkedHashMap<>();
        Map<String, List<String>> want = new LinkedHashMap<>();
        callers.put("admin", admin);
        want.put("admin", List.of(a, b, c, d, e, f, g, h, i));
        callers.put("admin principal", root);
        want.put("admin principal", List.of(a, b, c, d, e, f, g, h, i));
        callers.put("owner", owner);
        want.put("owner", List.of(a, b, c, d, e, f, g, h));
        callers.put("bob", bob);
        want.put("bob", List.of(b, c, e, i));
        callers.put("carol", carol);
        want.put("carol", List.of(b, d, e));
        callers.put("anonymous", http);
        want.put("anonymous", List.of(b, d, e));
        callers.put("ro share of f", topicToken(http, ro));
        want.put("ro share of f", List.of(b, d, e, f));
        callers.put("wo share of f", topicToken(http, wo));
        want.put("wo share of f", List.of(b, d, e));
        callers.put("bob + ro share of f", topicToken(bob, ro));
        want.put("bob + ro share of f", List.of(b, c, e, f, i));
        callers.put("carol + rw share of a", topicToken(carol, rwOfA));
        want.put("carol + rw share of a", List.of(a, b, d, e));

        for (var who : callers.entrySet()) {
            Response r = who.getValue().get("/v0/topics?prefix=" + p + ".").ok();
            List<String> names = names(r);
            assertThat(names).as("GET /v0/topics for %s", who.getKey()).containsExactlyElementsOf(want.get(who.getKey()));
            for (Object o : r.list("topics")) {
                Map<String, Object> entry = Http.Json.obj(o);
                assertThat(entry.get("owner")).as("owner of %s", entry.get("topic"))
                        .isEqualTo(entry.get("topic").equals(i) ? "bob" : "owner");
            }
            // page by page, one name at a time: the same names, in the same order
            List<String> paged = new ArrayList<>();
            String after = "";
            for (int guard = 0; guard < 20; guard++) {
                Response page = who.getValue().get("/v0/topics?limit=1&prefix=" + p + "." + "&after=" + after).ok();
                paged.addAll(names(page));
                Object next = page.get("next_after");
                if (next == null) {
                    break;
                }
                after = (String) next;
            }
            assertThat(paged).as("paged GET /v0/topics for %s", who.getKey()).isEqualTo(names);
            // and each listed topic is indeed readable, each left out is not
            for (String t : List.of(a, b, c, d, e, f, g, h, i)) {
                int status = read(who.getValue(), t).status();
                assertThat(status == 200).as("%s reads %s (status %d)", who.getKey(), t, status)
                        .isEqualTo(names.contains(t));
            }
        }
    }

    private static List<String> names(Response r) {
        return r.list("topics").stream().map(o -> (String) Http.Json.obj(o).get("topic")).toList();
    }

    @Test
    void anyPrincipalMayCreateATopicAndOwnsIt() {
        String byWrite = TestServer.uniqueTopic("acc.create");
        Response w = publish(bob, byWrite).ok();
        assertThat(w.bool("created")).isTrue();
        assertThat(admin.get("/v0/topics/" + byWrite).ok().str("owner")).isEqualTo("bob");
        assertThat(bob.get("/v0/topics/" + byWrite).ok().str("owner")).isEqualTo("bob");
        read(bob, byWrite).ok();
        read(carol, byWrite).assertError(403, "forbidden");
        publish(carol, byWrite).assertError(403, "forbidden");
        read(http, byWrite).assertError(401, "unauthorized");
        // the creator may manage it: flags and shares
        bob.patch("/v0/topics/" + byWrite, "{\"public_read\": true}").ok();
        read(carol, byWrite).ok();
        share(bob, byWrite, "ro");

        String byPut = TestServer.uniqueTopic("acc.create");
        assertThat(carol.put("/v0/topics/" + byPut, "{}").ok(201).bool("created")).isTrue();
        assertThat(admin.get("/v0/topics/" + byPut).ok().str("owner")).isEqualTo("carol");
        bob.put("/v0/topics/" + byPut, "{}").assertError(403, "forbidden"); // exists now: only owner or admin

        // the admin creates too (and owns it under its principal name)
        String byAdmin = TestServer.uniqueTopic("acc.create");
        publish(admin, byAdmin).ok();
        assertThat(admin.get("/v0/topics/" + byAdmin).ok().str("owner")).isEqualTo("admin");
    }

    @Test
    void anonymousMayNotCreateWhenPublicPublishDefaultsOff() {
        String t = TestServer.uniqueTopic("acc.anoncreate");
        publish(http, t).assertError(401, "unauthorized");
        http.put("/v0/topics/" + t, "{}").assertError(401, "unauthorized");
        // a share token alone is a credential, but names no principal to own the topic
        String u = TestServer.uniqueTopic("acc.anoncreate");
        create(owner, u, false, false);
        publish(topicToken(http, share(owner, u, "rw")), t).assertError(403, "forbidden");
        admin.get("/v0/topics/" + t).assertError(404, "topic_not_found");
    }

    @Test
    void aDenyPermissionOnThePatternRefusesCreation() {
        String p = TestServer.uniqueTopic("acc.nocreate");
        permission(admin, "bob", p + ".>", "p", "deny");
        publish(bob, p + ".x").assertError(403, "forbidden");
        bob.put("/v0/topics/" + p + ".x", "{}").assertError(403, "forbidden");
        admin.get("/v0/topics/" + p + ".x").assertError(404, "topic_not_found");
        // others may; and the deny on publish keeps bob out of it afterwards
        assertThat(publish(carol, p + ".y").ok().bool("created")).isTrue();
        owner.put("/v0/topics/" + p + ".z", "{\"public_publish\": true}").ok(201);
        publish(bob, p + ".z").assertError(403, "forbidden");

        // a deny for everyone: principals 403, http 401, the admin still creates
        String q = TestServer.uniqueTopic("acc.nocreate");
        permission(admin, "*", q + ".*", "p", "deny");
        publish(carol, q + ".x").assertError(403, "forbidden");
        carol.put("/v0/topics/" + q + ".x", "{}").assertError(403, "forbidden");
        publish(http, q + ".x").assertError(401, "unauthorized");
        admin.get("/v0/topics/" + q + ".x").assertError(404, "topic_not_found");
        admin.put("/v0/topics/" + q + ".x", "{}").ok(201);
        assertThat(admin.get("/v0/topics/" + q + ".x").ok().str("owner")).isEqualTo("admin");

        // a deny on read only does not stop creation, and the creator then owns (and reads) it
        String r = TestServer.uniqueTopic("acc.nocreate");
        permission(admin, "bob", r + ".>", "r", "deny");
        assertThat(publish(bob, r + ".x").ok().bool("created")).isTrue();
        read(bob, r + ".x").ok();
        // a deny on another pattern does not either
        permission(admin, "bob", r + ".y.>", "p", "deny");
        publish(bob, r + ".y").ok();
    }

    @Test
    void readingATopicThatDoesNotExist() {
        String t = TestServer.uniqueTopic("acc.ghost");
        for (Http.Response r : List.of(read(http, t), http.get("/v0/topics/" + t),
                http.post("/v0/topics/" + t + "/diff", "{}"))) {
            r.assertError(401, "unauthorized");
        }
        for (Http who : List.of(bob, carol, topicToken(http, share(owner, elsewhere(), "rw")))) {
            read(who, t).assertError(403, "forbidden");
            who.get("/v0/topics/" + t).assertError(403, "forbidden");
            who.post("/v0/topics/" + t + "/diff", "{}").assertError(403, "forbidden");
        }
        read(admin, t).assertError(404, "topic_not_found");
        admin.get("/v0/topics/" + t).assertError(404, "topic_not_found");
        admin.post("/v0/topics/" + t + "/diff", "{}").assertError(404, "topic_not_found");

        // callers who could read it, were it made with the defaults, learn that it does not exist
        String base = TestServer.uniqueTopic("acc.ghost");
        permission(admin, "bob", base + ".>", "r", "allow");
        permission(admin, "*", base + ".pub.>", "r", "allow");
        permission(admin, "carol", base + ".pub.x", "r", "deny");
        read(bob, base + ".x").assertError(404, "topic_not_found");
        bob.get("/v0/topics/" + base + ".x").assertError(404, "topic_not_found");
        read(carol, base + ".x").assertError(403, "forbidden");
        read(http, base + ".pub.x").assertError(404, "topic_not_found");
        read(carol, base + ".pub.y").assertError(404, "topic_not_found");
        read(carol, base + ".pub.x").assertError(403, "forbidden"); // a deny beats the allow for *
        // an allow for publish only is not one to read
        permission(admin, "carol", base + ".w", "p", "allow");
        read(carol, base + ".w").assertError(403, "forbidden");
    }

    private static String elsewhere() {
        String u = TestServer.uniqueTopic("acc.elsewhere");
        create(owner, u, false, false);
        return u;
    }

    // ------------------------------------------------------------------ TOPICS_DEFAULT_PUBLIC_PUBLISH=true

    static synchronized Http openPublish() throws IOException {
        if (openPublish == null) {
            openPublish = TestServer.builder(Files.createDirectories(tmp.resolve("open")))
                    .env("TOPICS_AUTH", "required").env("TOPICS_ADMIN_TOKEN", "secret2")
                    .env("TOPICS_DEFAULT_PUBLIC_PUBLISH", "true")
                    .yaml("auth:\n  failures_per_minute: 1000000\n").start();
        }
        return openPublish.http();
    }

    @Test
    void withPublicPublishByDefaultAnonymousWritesCreateTopicsUnlessDenied() throws IOException {
        Http anon = openPublish();
        Http root = anon.withHeader("Authorization", "Bearer secret2");
        Http dan = bearer(anon, principal(root, "dan"));

        String t = TestServer.uniqueTopic("acc.open");
        Response w = publish(anon, t).ok();
        assertThat(w.bool("created")).isTrue();
        Response g = root.get("/v0/topics/" + t).ok();
        assertThat(g.get("owner")).as("an http writer owns nothing").isNull();
        assertThat(g.bool("config.public_publish")).isTrue();
        assertThat(g.bool("config.public_read")).isFalse();
        publish(anon, t).ok();
        read(anon, t).assertError(401, "unauthorized"); // public_read still defaults off
        read(dan, t).assertError(403, "forbidden");
        read(root, t).ok();
        // nobody owns it: no one but the admin manages it
        dan.patch("/v0/topics/" + t, "{\"public_read\": true}").assertError(403, "forbidden");
        anon.patch("/v0/topics/" + t, "{\"public_read\": true}").assertError(401, "unauthorized");

        // a principal's first write still makes it the owner
        String mine = TestServer.uniqueTopic("acc.open");
        publish(dan, mine).ok();
        assertThat(root.get("/v0/topics/" + mine).ok().str("owner")).isEqualTo("dan");

        // a deny for everyone on the pattern refuses creation: http 401, principals 403
        String p = TestServer.uniqueTopic("acc.open");
        permission(root, "*", p + ".>", "p", "deny");
        publish(anon, p + ".x").assertError(401, "unauthorized");
        publish(dan, p + ".x").assertError(403, "forbidden");
        root.get("/v0/topics/" + p + ".x").assertError(404, "topic_not_found");
        publish(anon, p).ok(); // not matched by p.>

        // a deny for one principal leaves http writers free
        String q = TestServer.uniqueTopic("acc.open");
        permission(root, "dan", q + ".*", "p", "deny");
        publish(dan, q + ".x").assertError(403, "forbidden");
        assertThat(publish(anon, q + ".x").ok().bool("created")).isTrue();
        publish(dan, q + ".x").assertError(403, "forbidden"); // public_publish, but the deny comes first

        // reading a name that does not exist: still 401 / 403 / 404 by the read defaults
        String ghost = TestServer.uniqueTopic("acc.open");
        read(anon, ghost).assertError(401, "unauthorized");
        read(dan, ghost).assertError(403, "forbidden");
        read(root, ghost).assertError(404, "topic_not_found");
    }
}
