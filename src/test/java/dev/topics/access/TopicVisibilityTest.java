package dev.topics.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SPEC §11 through HTTP with {@code auth: required}: topic lists, and reads of topics that
 * do not exist.
 *
 * <p>Permissions are global, so every permission here names a pattern that only this
 * test's uniquely named topics can match.
 */
@ServerTest.Setup(auth = true, yaml = "auth:\n  failures_per_minute: 1000000\n")
class TopicVisibilityTest extends DecisionFixtures {
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
}
