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
 * SPEC §11 through HTTP with {@code auth: required}: the first-match-wins decision (admin,
 * owner, share token, deny, allow, public flag, refused — 401 without credentials, 403
 * with), for every combination of caller, permissions and public flags. Writes whose
 * records carry {@code origin} need publish and {@code mirror}, which no share token and no
 * public flag grants.
 *
 * <p>Permissions are global, so every permission here names a pattern that only this
 * test's uniquely named topics can match.
 */
@ServerTest.Setup(auth = true, yaml = "auth:\n  failures_per_minute: 1000000\n")
class DecisionOrderMatrixTest extends DecisionFixtures {
    private static long originSeq;

    /** A write whose record carries an origin (a new origin seq each time, so none is dropped). */
    static Response mirror(Http who, String topic) {
        return who.post("/v0/topics/" + topic, "{\"records\": [{\"data\": {\"n\": 1}, \"origin\": {\"node\": "
                + "\"far\", \"topic\": \"far.src\", \"seq\": " + (++originSeq) + "}}]}");
    }

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
}
