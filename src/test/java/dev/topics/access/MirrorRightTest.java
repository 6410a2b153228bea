package dev.topics.access;

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
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §11's {@code mirror} action: a write whose records carry {@code origin} needs publish
 * and mirror on the topic, because origin marks decide what dedupe drops (SPEC §8). A
 * plain publisher could otherwise plant a mark that silently swallows a router's copies
 * (issue 12, row 7). Admin and owner have the right, allow permissions grant it, deny
 * permissions take it away; share tokens and public flags never grant it. Local routers
 * copy with the server's own right; a remote router's {@code dest_token} needs it there.
 *
 * <p>Against real servers with {@code auth: required}; every refused write is checked to
 * have written nothing and set no mark.
 */
@Timeout(180)
@ServerTest.Setup(auth = true)
class MirrorRightTest extends ServerTest {
    private static final Duration AWAIT = Duration.ofSeconds(20);

    static Http pub;
    static Http mirrorer;
    static Http bob;
    static String node;

    @BeforeAll
    static void principals() {
        pub = as(admin, "pub");
        mirrorer = as(admin, "mirrorer");
        bob = as(admin, "bob");
        node = admin.get("/v0/node").ok().str("node_id");
    }

    // ------------------------------------------------------------------ helpers

    static Http as(Http admin, String principal) {
        String token = admin.post("/v0/principals", "{\"name\": \"" + principal + "\"}").ok(201).str("token");
        return admin.withHeader("Authorization", "Bearer " + token);
    }

    static Path dir(String name) {
        try {
            return Files.createDirectories(tmp.resolve(name));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String topic(String name) {
        return "/v0/topics/" + name;
    }

    static String permission(Http admin, String principal, String pattern, String actions, String effect) {
        Response r = admin.post("/v0/permissions", "{\"principal\": \"" + principal + "\", \"pattern\": \"" + pattern
                + "\", \"actions\": " + actions + ", \"effect\": \"" + effect + "\"}").ok(201);
        return r.str("id");
    }

    /** One record {@code data} carrying origin (node, topic, seq). */
    static String withOrigin(String data, String originNode, String originTopic, long seq) {
        return "{\"records\": [{\"data\": " + data + ", \"origin\": {\"node\": \"" + originNode + "\", \"topic\": \""
                + originTopic + "\", \"seq\": " + seq + "}}]}";
    }

    static String plain(String... data) {
        StringBuilder b = new StringBuilder("{\"records\": [");
        for (int i = 0; i < data.length; i++) {
            b.append(i == 0 ? "" : ", ").append("{\"data\": ").append(data[i]).append('}');
        }
        return b.append("]}").toString();
    }

    static long head(String t) {
        return admin.get(topic(t)).ok().num("head_seq");
    }

    static List<Map<String, Object>> records(Http h, String t) {
        return h.get(topic(t) + "/diff?from_seq=0&limit=1000").ok().list("records").stream().map(Http.Json::obj)
                .toList();
    }

    static Map<String, Object> origin(Map<String, Object> rec) {
        return rec.get("$origin") == null ? null : Http.Json.obj(rec.get("$origin"));
    }

    static Response await(Http h, String path, String what, Predicate<Response> cond) {
        return Await.value(path + ": " + what, AWAIT, () -> h.get(path).ok(), cond);
    }

    // ------------------------------------------------------------------ issue 12, row 7

    /**
     * A principal with only publish writes a record whose origin names this server and
     * {@code other.t} at seq 999999 into {@code secret.t}; then the admin routes
     * {@code other.t → secret.t}. Before the mirror right, the write was taken, its mark made
     * the destination drop every routed record, and the router still said {@code copied: 3}.
     */
    @Test
    void aPublishOnlyWriteWithOriginIsRefusedSoTheAdminsRouterDelivers() {
        String base = uniqueTopic("row7");
        String secret = base + ".secret.t";
        String other = base + ".other.t";
        admin.put(topic(secret), "{}").ok(201);
        admin.put(topic(other), "{}").ok(201);
        permission(admin, "pub", secret, "[\"publish\"]", "allow");

        Response refused = pub.post(topic(secret), withOrigin("\"x\"", node, other, 999_999),
                "Idempotency-Key", "row7-key");
        refused.assertError(403, "forbidden");
        assertThat(refused.str("error.message")).contains("mirror");
        assertThat(head(secret)).as("a refused write writes nothing").isZero();
        // nor does it remember its idempotency key: the same key now writes
        Response again = pub.post(topic(secret), plain("\"plain\""), "Idempotency-Key", "row7-key").ok();
        assertThat(again.bool("deduped")).isFalse();
        assertThat(again.num("first_seq")).isEqualTo(1);

        admin.put("/v0/routers/" + base + "-r", "{\"source\": \"" + other + "\", \"dest\": \"" + secret + "\"}").ok(201);
        admin.post(topic(other), plain("1", "2", "3")).ok();
        Response r = await(admin, "/v0/routers/" + base + "-r", "caught up",
                x -> x.num("lag") == 0 && x.num("copied") == 3);
        assertThat(r.str("state")).isEqualTo("running");
        assertThat(r.get("last_error")).isNull();

        // no mark was set: every routed record arrived, with its origin
        List<Map<String, Object>> got = records(admin, secret);
        assertThat(got).hasSize(4);
        assertThat(got.subList(1, 4)).extracting(m -> m.get("data")).containsExactly(1L, 2L, 3L);
        assertThat(got.subList(1, 4)).extracting(MirrorRightTest::origin)
                .containsExactly(Map.of("node", node, "topic", other, "seq", 1L),
                        Map.of("node", node, "topic", other, "seq", 2L),
                        Map.of("node", node, "topic", other, "seq", 3L));
    }

    // ------------------------------------------------------------------ who holds it

    @Test
    void anAllowPermissionGrantsMirrorAndADenyTakesItAway() {
        String base = uniqueTopic("mgrant");
        String t = base + ".t";
        admin.put(topic(t), "{}").ok(201);

        // publish alone is not enough, nor mirror alone: a write with origin needs both
        permission(admin, "mirrorer", base + ".>", "[\"mirror\"]", "allow");
        mirrorer.post(topic(t), withOrigin("1", "far", "src", 1)).assertError(403, "forbidden");
        mirrorer.post(topic(t), plain("1")).assertError(403, "forbidden");
        String pubId = permission(admin, "mirrorer", base + ".*", "[\"publish\"]", "allow");
        Response w = mirrorer.post(topic(t), withOrigin("1", "far", "src", 1)).ok();
        assertThat(w.num("dropped")).isZero();
        assertThat(w.num("head_seq")).isEqualTo(1);
        // its mark is real: the same origin again is dropped (SPEC §8)
        Response dup = mirrorer.post(topic(t), withOrigin("1", "far", "src", 1)).ok();
        assertThat(dup.num("dropped")).isEqualTo(1);
        assertThat(head(t)).isEqualTo(1);
        assertThat(origin(records(admin, t).getFirst())).isEqualTo(Map.of("node", "far", "topic", "src", "seq", 1L));

        // the permission lists its actions as given
        List<Object> actions = admin.get("/v0/permissions").ok().list("permissions").stream().map(Http.Json::obj)
                .filter(p -> p.get("principal").equals("mirrorer") && p.get("pattern").equals(base + ".>"))
                .map(p -> p.get("actions")).findFirst().orElseThrow() instanceof List<?> l ? List.copyOf(l) : null;
        assertThat(actions).containsExactly("mirror");

        // a deny for mirror comes before the allow; plain writes are not touched by it
        String denyId = permission(admin, "mirrorer", t, "[\"mirror\"]", "deny");
        mirrorer.post(topic(t), withOrigin("2", "far", "src", 2)).assertError(403, "forbidden");
        mirrorer.post(topic(t), plain("2")).ok();
        assertThat(head(t)).isEqualTo(2);
        admin.delete("/v0/permissions/" + denyId).ok();
        assertThat(mirrorer.post(topic(t), withOrigin("3", "far", "src", 3)).ok().num("dropped")).isZero();

        // a permission for mirror and publish in one
        admin.delete("/v0/permissions/" + pubId).ok();
        mirrorer.post(topic(t), withOrigin("4", "far", "src", 4)).assertError(403, "forbidden");
        permission(admin, "mirrorer", t, "[\"publish\", \"mirror\"]", "allow");
        mirrorer.post(topic(t), withOrigin("4", "far", "src", 4)).ok();
        assertThat(head(t)).isEqualTo(4);
    }

    @Test
    void theOwnerAndTheAdminHoldItEvenAgainstADeny() {
        String base = uniqueTopic("mowner");
        String t = base + ".t";
        bob.put(topic(t), "{}").ok(201);
        permission(admin, "bob", base + ".>", "[\"mirror\"]", "deny");
        permission(admin, "*", base + ".>", "[\"mirror\"]", "deny");
        assertThat(bob.post(topic(t), withOrigin("1", "far", "src", 1)).ok().num("head_seq")).isEqualTo(1);
        assertThat(admin.post(topic(t), withOrigin("2", "far", "src", 2)).ok().num("head_seq")).isEqualTo(2);
        // a principal made admin has it too
        String token = admin.post("/v0/principals", "{\"name\": \"mroot\", \"admin\": true}").ok(201).str("token");
        http.post(topic(t), withOrigin("3", "far", "src", 3), "Authorization", "Bearer " + token).ok();
        assertThat(head(t)).isEqualTo(3);
    }

    @Test
    void shareTokensNeverGrantMirrorWhateverTheirAccess() {
        String t = uniqueTopic("mshare") + ".t";
        bob.put(topic(t), "{}").ok(201);
        for (String access : List.of("wo", "rw")) {
            String tok = bob.post(topic(t) + "/shares", "{\"access\": \"" + access + "\"}").ok(201).str("token");
            Http holder = http.withHeader("X-Topic-Token", tok);
            long before = head(t);
            holder.post(topic(t), withOrigin("1", "far", "src", 50), "Idempotency-Key", "share-" + access)
                    .assertError(403, "forbidden");
            assertThat(head(t)).as("%s share: nothing written", access).isEqualTo(before);
            holder.post(topic(t), plain("1")).ok();
            assertThat(head(t)).isEqualTo(before + 1);
        }
        // no mark was set by the refused writes: origin seq 50 is still accepted
        assertThat(bob.post(topic(t), withOrigin("1", "far", "src", 50)).ok().num("dropped")).isZero();
        // a principal with the right keeps it when it also sends a share token
        String tok = bob.post(topic(t) + "/shares", "{\"access\": \"rw\"}").ok(201).str("token");
        permission(admin, "mirrorer", t, "[\"publish\", \"mirror\"]", "allow");
        mirrorer.withHeader("X-Topic-Token", tok).post(topic(t), withOrigin("2", "far", "src", 51)).ok();
    }

    @Test
    void noPublicFlagGrantsMirror() {
        String t = uniqueTopic("mpublic") + ".t";
        bob.put(topic(t), "{\"public_publish\": true, \"public_read\": true}").ok(201);
        http.post(topic(t), plain("1")).ok();
        pub.post(topic(t), plain("2")).ok();
        http.post(topic(t), withOrigin("3", "far", "src", 1)).assertError(401, "unauthorized");
        pub.post(topic(t), withOrigin("3", "far", "src", 1)).assertError(403, "forbidden");
        assertThat(head(t)).isEqualTo(2);
        // an allow for "*" grants it to anonymous writers as well
        permission(admin, "*", t, "[\"mirror\"]", "allow");
        http.post(topic(t), withOrigin("3", "far", "src", 1)).ok();
        pub.post(topic(t), withOrigin("4", "far", "src", 2)).ok();
        assertThat(head(t)).isEqualTo(4);
    }

    // ------------------------------------------------------------------ creating by writing

    @Test
    void aWriteWithOriginMayCreateATopicItsWriterThenOwns() {
        String base = uniqueTopic("mcreate");
        Response w = bob.post(topic(base + ".a"), withOrigin("1", "far", "src", 9)).ok();
        assertThat(w.bool("created")).isTrue();
        assertThat(admin.get(topic(base + ".a")).ok().str("owner")).isEqualTo("bob");
        assertThat(origin(records(bob, base + ".a").getFirst())).containsEntry("seq", 9L);

        // a deny for mirror does not stop it: bob will own the topic, and an owner's right comes
        // before any deny (refusing here would only make bob create it with a plain write first)
        permission(admin, "bob", base + ".no.>", "[\"mirror\"]", "deny");
        assertThat(bob.post(topic(base + ".no.x"), withOrigin("1", "far", "src", 9)).ok().bool("created")).isTrue();
        assertThat(admin.get(topic(base + ".no.x")).ok().str("owner")).isEqualTo("bob");
        // but it does on a topic someone else made, publish right or not
        admin.put(topic(base + ".no.y"), "{\"public_publish\": true}").ok(201);
        bob.post(topic(base + ".no.y"), plain("1")).ok();
        bob.post(topic(base + ".no.y"), withOrigin("1", "far", "src", 9)).assertError(403, "forbidden");
        // creating still needs the create right: a deny for publish refuses either write
        permission(admin, "bob", base + ".shut.>", "[\"publish\"]", "deny");
        bob.post(topic(base + ".shut.x"), withOrigin("1", "far", "src", 9)).assertError(403, "forbidden");
        admin.get(topic(base + ".shut.x")).assertError(404, "topic_not_found");
    }

    /**
     * With {@code public_publish} on by default, an anonymous write creates a topic nobody
     * owns: no one would hold mirror there but the admin, so an anonymous write with origin
     * may not create it.
     */
    @Test
    void anAnonymousWriteWithOriginCreatesNothing() {
        try (TestServer open = TestServer.withAuth(dir("open")).env("TOPICS_DEFAULT_PUBLIC_PUBLISH", "true")
                .start()) {
            Http a = open.http();
            Http root = a.withHeader("Authorization", "Bearer " + TestServer.ADMIN_TOKEN);
            String t = uniqueTopic("manon");
            a.post(topic(t), withOrigin("1", "far", "src", 1)).assertError(401, "unauthorized");
            root.get(topic(t)).assertError(404, "topic_not_found");
            assertThat(a.post(topic(t), plain("1")).ok().bool("created")).isTrue();
            a.post(topic(t), withOrigin("1", "far", "src", 1)).assertError(401, "unauthorized");
            assertThat(root.get(topic(t)).ok().num("head_seq")).isEqualTo(1);
            // a share token alone names no owner either
            String u = uniqueTopic("manon");
            root.put(topic(u), "{}").ok(201);
            String tok = root.post(topic(u) + "/shares", "{\"access\": \"rw\"}").ok(201).str("token");
            a.post(topic(t + "-x"), withOrigin("1", "far", "src", 1), "X-Topic-Token", tok)
                    .assertError(403, "forbidden");
            root.get(topic(t + "-x")).assertError(404, "topic_not_found");
        }
    }

    // ------------------------------------------------------------------ routers

    /** A local router copies (with origins) by the server's own right: its creator needs no mirror. */
    @Test
    void aLocalRouterOfACreatorWithoutMirrorStillCopies() {
        String base = uniqueTopic("mlocal");
        String src = base + ".src";
        String dest = base + ".dest";
        admin.put(topic(src), "{}").ok(201);
        admin.put(topic(dest), "{}").ok(201);
        permission(admin, "bob", src, "[\"read\"]", "allow");
        permission(admin, "bob", dest, "[\"publish\"]", "allow");
        bob.post(topic(dest), withOrigin("0", node, src, 1)).assertError(403, "forbidden");

        bob.put("/v0/routers/" + base + "-r", "{\"source\": \"" + src + "\", \"dest\": \"" + dest + "\"}").ok(201);
        admin.post(topic(src), plain("1", "2", "3")).ok();
        Response r = await(admin, "/v0/routers/" + base + "-r", "caught up",
                x -> x.num("lag") == 0 && x.num("copied") == 3);
        assertThat(r.str("state")).isEqualTo("running");
        List<Map<String, Object>> got = records(admin, dest);
        assertThat(got).extracting(m -> m.get("data")).containsExactly(1L, 2L, 3L);
        assertThat(got).extracting(m -> origin(m).get("seq")).containsExactly(1L, 2L, 3L);
    }

    /**
     * A remote router writes with its {@code dest_token}: that principal needs mirror on the
     * destination topic. Without it the router retries and says why; once granted, every
     * record arrives once.
     */
    @Test
    void aRemoteRoutersTokenNeedsMirrorAtTheDestination() {
        try (TestServer src = TestServer.start(dir("rsrc"));
             TestServer dst = TestServer.withAuth(dir("rdst")).start()) {
            Http s = src.http();
            Http d = dst.http().withHeader("Authorization", "Bearer " + TestServer.ADMIN_TOKEN);
            String token = d.post("/v0/principals", "{\"name\": \"replica\"}").ok(201).str("token");
            d.put(topic("inbox"), "{}").ok(201);
            permission(d, "replica", "inbox", "[\"publish\"]", "allow");
            s.put(topic("outbox"), "{}").ok(201);
            s.post(topic("outbox"), plain("1", "2", "3")).ok();
            s.put("/v0/routers/out", "{\"source\": \"outbox\", \"dest_url\": \"" + dst.base()
                    + "\", \"dest_topic\": \"inbox\", \"dest_token\": \"" + token + "\", \"from_seq\": 0}").ok(201);

            Response stuck = await(s, "/v0/routers/out", "retrying",
                    x -> "retrying".equals(x.get("state")) && x.get("last_error") != null);
            assertThat(stuck.str("last_error")).contains("403").contains("mirror");
            assertThat(stuck.num("cursor")).isZero();
            assertThat(d.get(topic("inbox")).ok().num("head_seq")).isZero();

            permission(d, "replica", "inbox", "[\"mirror\"]", "allow");
            await(s, "/v0/routers/out", "caught up and running",
                    x -> x.num("lag") == 0 && "running".equals(x.get("state")));
            String srcNode = s.get("/v0/node").ok().str("node_id");
            List<Map<String, Object>> got = records(d, "inbox");
            assertThat(got).extracting(m -> m.get("data")).containsExactly(1L, 2L, 3L);
            assertThat(got).extracting(MirrorRightTest::origin)
                    .containsExactly(Map.of("node", srcNode, "topic", "outbox", "seq", 1L),
                            Map.of("node", srcNode, "topic", "outbox", "seq", 2L),
                            Map.of("node", srcNode, "topic", "outbox", "seq", 3L));
        }
    }

    // ------------------------------------------------------------------ the rest of the surface

    @Test
    void permissionsForMirrorAreValidatedAndSurviveARestart() {
        try (TestServer own = TestServer.withAuth(dir("restart")).start()) {
            Http a = own.http();
            Http root = a.withHeader("Authorization", "Bearer " + TestServer.ADMIN_TOKEN);
            Http carl = as(root, "carl");
            Response bad = root.post("/v0/permissions",
                    "{\"principal\": \"carl\", \"pattern\": \"x.>\", \"actions\": [\"mirrors\"]}");
            bad.assertError(400, "invalid_field");
            assertThat(bad.str("error.message")).contains("mirror");
            assertThat(root.get("/v0/permissions").ok().list("permissions")).isEmpty();

            root.put(topic("m.t"), "{}").ok(201);
            Response p = root.post("/v0/permissions",
                    "{\"principal\": \"carl\", \"pattern\": \"m.>\", \"actions\": [\"publish\", \"mirror\"]}").ok(201);
            assertThat(p.list("actions")).containsExactly("publish", "mirror");
            assertThat(p.str("effect")).isEqualTo("allow");
            carl.post(topic("m.t"), withOrigin("1", "far", "src", 1)).ok();

            own.restart();
            assertThat(root.get("/v0/permissions").ok().list("permissions")).singleElement()
                    .satisfies(o -> assertThat(Http.Json.obj(o).get("actions")).isEqualTo(List.of("publish", "mirror")));
            carl.post(topic("m.t"), withOrigin("2", "far", "src", 2)).ok();
            assertThat(root.get(topic("m.t")).ok().num("head_seq")).isEqualTo(2);
        }
    }

    /** The camelCase surface's messages carry a payload only: there is no way to give an origin there. */
    @Test
    void theMessagesSurfaceTakesNoOrigin() {
        String t = uniqueTopic("mmsg");
        bob.post("/topics", "{\"name\": \"" + t + "\"}").ok(201);
        bob.post("/topics/" + t + "/messages",
                "{\"payload\": 1, \"origin\": {\"node\": \"far\", \"topic\": \"src\", \"seq\": 1}}")
                .assertError(400, "unknown_field");
        assertThat(head(t)).isZero();
    }

    /** Dev mode: every caller is the admin, so writes with origin need nothing more. */
    @Test
    void devModeIsUnaffected() {
        try (TestServer dev = TestServer.start(dir("dev"))) {
            Http h = dev.http();
            Response w = h.post(topic("dev.t"), withOrigin("1", "far", "src", 1)).ok();
            assertThat(w.bool("created")).isTrue();
            assertThat(h.post(topic("dev.t"), withOrigin("1", "far", "src", 1)).ok().num("dropped")).isEqualTo(1);
        }
    }
}
