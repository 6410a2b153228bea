package dev.topics.router;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.TestServer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §9 routers, black-box over HTTP against in-process servers: validation of
 * {@code PUT /v0/routers/{name}}, create/get/list/replace/delete, deletion with the source or
 * the destination topic, and a destination made only as {@code auto_create} allows.
 */
@Timeout(120)
class RouterCrudTest extends RouterFixtures {
    private static final List<String> PUT_FIELDS = List.of("router", "source", "dest", "filter", "cursor",
            "source_head_seq", "lag", "copied", "state", "last_error", "created_at", "created", "performance");
    private static final List<String> GET_FIELDS = List.of("router", "source", "dest", "filter", "cursor",
            "source_head_seq", "lag", "copied", "state", "last_error", "created_at", "performance");

    // ------------------------------------------------------------------ validation

    @Test
    void putRefusesInvalidRequestsAndStoresNothing() {
        String src = uniqueTopic("val-src");
        createTopic(http, src);
        writeRange(http, src, 1, 3);
        String name = uniqueTopic("val");
        String dest = uniqueTopic("val-dest");

        // the source: required, a valid name, and existing
        putRouter(http, name, "{\"dest\":\"" + dest + "\"}").assertError(400, "invalid_field");
        putRouter(http, name, "{\"source\":null,\"dest\":\"" + dest + "\"}").assertError(400, "invalid_field");
        putRouter(http, name, "{\"source\":5,\"dest\":\"" + dest + "\"}").assertError(400, "invalid_field");
        putRouter(http, name, "{\"source\":\"" + uniqueTopic("missing") + "\",\"dest\":\"" + dest + "\"}")
                .assertError(404, "topic_not_found");
        putRouter(http, name, "{\"source\":\"a..b\",\"dest\":\"" + dest + "\"}").assertError(400, "invalid_topic_name");

        // exactly one of dest / dest_url
        putRouter(http, name, "{\"source\":\"" + src + "\"}").assertError(400, "invalid_field");
        putRouter(http, name, "{\"source\":\"" + src + "\",\"dest\":null}").assertError(400, "invalid_field");
        putRouter(http, name, "{\"source\":\"" + src + "\",\"dest\":\"" + dest + "\",\"dest_url\":\"http://127.0.0.1:4000\"}")
                .assertError(400, "invalid_field");
        putRouter(http, name, "{\"source\":\"" + src + "\",\"dest\":\"x\"}").assertError(400, "invalid_topic_name");

        // dest_topic / dest_token only with dest_url
        putRouter(http, name, "{\"source\":\"" + src + "\",\"dest\":\"" + dest + "\",\"dest_topic\":\"" + dest + "\"}")
                .assertError(400, "invalid_field");
        putRouter(http, name, "{\"source\":\"" + src + "\",\"dest\":\"" + dest + "\",\"dest_token\":\"secret\"}")
                .assertError(400, "invalid_field");
        putRouter(http, name, "{\"source\":\"" + src + "\",\"dest_topic\":\"" + dest + "\"}").assertError(400, "invalid_field");

        // bad URLs
        for (String url : List.of("not a url", "ftp://127.0.0.1:4000", "127.0.0.1:4000", "http://", "http:///v0",
                "http://127.0.0.1:4000/?q=1", "http://127.0.0.1:4000/#frag", "http://user:pw@127.0.0.1:4000", "")) {
            Response r = putRouter(http, name, "{\"source\":\"" + src + "\",\"dest_url\":\"" + url + "\"}");
            r.assertError(400, "invalid_field");
        }
        putRouter(http, name, "{\"source\":\"" + src + "\",\"dest_url\":5}").assertError(400, "invalid_field");

        // unknown fields, malformed JSON
        putRouter(http, name, "{\"source\":\"" + src + "\",\"dest\":\"" + dest + "\",\"desst\":\"x\"}")
                .assertError(400, "unknown_field");
        putRouter(http, name, "{\"source\":\"" + src + "\",\"dest\":\"" + dest + "\",\"from\":0}")
                .assertError(400, "unknown_field");
        putRouter(http, name, "{\"source\":\"" + src + "\",").assertError(400, "invalid_json");

        // from_seq: an unsigned integer no greater than the source's head
        putRouter(http, name, "{\"source\":\"" + src + "\",\"dest\":\"" + dest + "\",\"from_seq\":4}")
                .assertError(400, "invalid_field");
        putRouter(http, name, "{\"source\":\"" + src + "\",\"dest\":\"" + dest + "\",\"from_seq\":-1}")
                .assertError(400, "invalid_field");
        putRouter(http, name, "{\"source\":\"" + src + "\",\"dest\":\"" + dest + "\",\"from_seq\":1.5}")
                .assertError(400, "invalid_field");
        putRouter(http, name, "{\"source\":\"" + src + "\",\"dest\":\"" + dest + "\",\"from_seq\":\"1\"}")
                .assertError(400, "invalid_field");

        // the filter is checked (SPEC §6)
        putRouter(http, name, "{\"source\":\"" + src + "\",\"dest\":\"" + dest + "\",\"filter\":[\"tag\",\"Like\",\"x\"]}")
                .assertError(400, "invalid_filter");
        putRouter(http, name, "{\"source\":\"" + src + "\",\"dest\":\"" + dest + "\",\"filter\":\"tag\"}")
                .assertError(400, "invalid_filter");

        // nothing was stored, and no destination was created
        http.get(router(name)).assertError(404, "router_not_found");
        http.get("/v0/topics/" + dest).assertError(404, "topic_not_found");
        assertThat(http.get("/v0/routers").ok().list("routers")).noneMatch(r -> name.equals(Http.Json.obj(r).get("router")));

        // from_seq equal to the head is fine
        putRouter(http, name, "{\"source\":\"" + src + "\",\"dest\":\"" + dest + "\",\"from_seq\":3}").ok(201);
        http.delete(router(name)).ok();
    }

    @Test
    void routerNamesFollowTheRule() {
        String src = uniqueTopic("names-src");
        createTopic(http, src);
        String body = "{\"source\":\"" + src + "\",\"dest\":\"" + uniqueTopic("names-dest") + "\"}";
        for (String bad : List.of("a%20b", "a*b", "%C3%A9t%C3%A9", "a~b", "a!b", "%2E%2E", "x".repeat(129))) {
            putRouter(http, bad, body).assertError(400, "invalid_name");
            http.get(router(bad)).assertError(400, "invalid_name");
            http.delete(router(bad)).assertError(400, "invalid_name");
        }
        // an escaped slash may not even reach the router routes; either way nothing is made
        assertThat(putRouter(http, "a%2Fb", body).status()).isIn(400, 404);
        http.get(router("a")).assertError(404, "router_not_found");
        for (String good : List.of("r", "A-z_0.9", "x".repeat(128))) {
            Response r = putRouter(http, good, body).ok(201);
            assertThat(r.str("router")).isEqualTo(good);
            http.get(router(good)).ok();
            http.delete(router(good)).ok();
        }
    }

    // ------------------------------------------------------------------ create, get, list, replace, delete

    @Test
    void createGetListReplaceDelete() {
        String src = uniqueTopic("crud-src");
        String src2 = uniqueTopic("crud-src2");
        String dest = uniqueTopic("crud-dest");
        createTopic(http, src);
        createTopic(http, src2);
        writeRange(http, src, 1, 4);
        writeRange(http, src2, 1, 2);
        String name = uniqueTopic("crud");

        Response created = putRouter(http, name, "{\"source\":\"" + src + "\",\"dest\":\"" + dest + "\"}").ok(201);
        assertThat(created.map().keySet()).containsExactlyInAnyOrderElementsOf(PUT_FIELDS);
        assertThat(created.str("router")).isEqualTo(name);
        assertThat(created.str("source")).isEqualTo(src);
        assertThat(created.str("dest")).isEqualTo(dest);
        assertThat(created.get("filter")).isNull();
        assertThat(created.num("cursor")).as("a new router starts at the source's head").isEqualTo(4);
        assertThat(created.num("source_head_seq")).isEqualTo(4);
        assertThat(created.num("lag")).isZero();
        assertThat(created.num("copied")).isZero();
        assertThat(created.str("state")).isIn("running", "retrying");
        assertThat(created.bool("created")).isTrue();
        assertThat(created.get("performance.server_total_ms")).isInstanceOf(Number.class);
        java.time.Instant createdAt = java.time.Instant.parse(created.str("created_at"));
        assertThat(createdAt).isBetween(java.time.Instant.now().minusSeconds(60), java.time.Instant.now().plusSeconds(5));
        // the destination is created by the router
        assertThat(http.get("/v0/topics/" + dest).ok().num("head_seq")).isZero();

        Response got = awaitRouter(http, name, "running", r -> "running".equals(r.get("state")));
        assertThat(got.map().keySet()).containsExactlyInAnyOrderElementsOf(GET_FIELDS);
        assertThat(got.str("router")).isEqualTo(name);
        assertThat(got.str("source")).isEqualTo(src);
        assertThat(got.str("dest")).isEqualTo(dest);
        assertThat(got.get("last_error")).isNull();
        assertThat(got.str("created_at")).isEqualTo(created.str("created_at"));

        // copies what is written after creation; status follows
        writeRange(http, src, 5, 3);
        Response caught = awaitCaughtUp(http, name);
        assertThat(caught.num("cursor")).isEqualTo(7);
        assertThat(caught.num("source_head_seq")).isEqualTo(7);
        assertThat(caught.num("copied")).isEqualTo(3);
        List<Map<String, Object>> copies = awaitCount(http, dest, 3);
        assertThat(originSeqs(copies)).containsExactly(5L, 6L, 7L);

        // list: sorted by name, every router's full status
        String early = "0" + name; // sorts before name
        String late = name + "z";
        putRouter(http, late, "{\"source\":\"" + src + "\",\"dest\":\"" + uniqueTopic("crud-late") + "\"}").ok(201);
        putRouter(http, early, "{\"source\":\"" + src + "\",\"dest\":\"" + uniqueTopic("crud-early") + "\"}").ok(201);
        Response list = http.get("/v0/routers").ok();
        assertThat(list.map().keySet()).containsExactlyInAnyOrder("routers", "performance");
        List<String> names = list.list("routers").stream().map(o -> (String) Http.Json.obj(o).get("router")).toList();
        assertThat(names).isSorted().contains(early, name, late).doesNotHaveDuplicates();
        Map<String, Object> mine = list.list("routers").stream().map(Http.Json::obj)
                .filter(m -> name.equals(m.get("router"))).findFirst().orElseThrow();
        assertThat(mine.keySet()).containsExactlyInAnyOrderElementsOf(
                GET_FIELDS.stream().filter(f -> !f.equals("performance")).toList());
        assertThat(mine.get("cursor")).isEqualTo(7L);

        // replace with the same source: 200, the cursor is kept, created_at too
        Response same = putRouter(http, name, "{\"source\":\"" + src + "\",\"dest\":\"" + dest
                + "\",\"filter\":[\"tag\",\"Eq\",\"keep\"]}").ok(200);
        assertThat(same.bool("created")).isFalse();
        assertThat(same.num("cursor")).isEqualTo(7);
        assertThat(same.get("filter")).isEqualTo(List.of("tag", "Eq", "keep"));
        assertThat(same.str("created_at")).isEqualTo(created.str("created_at"));
        // …and the new filter applies from there on
        http.post("/v0/topics/" + src, "{\"records\":[{\"data\":8,\"tag\":\"drop\"},{\"data\":9,\"tag\":\"keep\"}]}").ok();
        awaitRouter(http, name, "at 9", r -> r.num("cursor") == 9);
        assertThat(originSeqs(awaitCount(http, dest, 4))).containsExactly(5L, 6L, 7L, 9L);

        // replace with from_seq: the cursor moves there (and the copy starts again from it)
        Response rewound = putRouter(http, name, "{\"source\":\"" + src + "\",\"dest\":\"" + dest + "\",\"from_seq\":2}")
                .ok(200);
        assertThat(rewound.bool("created")).isFalse();
        assertThat(rewound.num("cursor")).isBetween(2L, 9L);
        assertThat(rewound.get("filter")).isNull();
        awaitCaughtUp(http, name);

        // replace with another source: the cursor starts at that source's head
        Response moved = putRouter(http, name, "{\"source\":\"" + src2 + "\",\"dest\":\"" + dest + "\"}").ok(200);
        assertThat(moved.bool("created")).isFalse();
        assertThat(moved.str("source")).isEqualTo(src2);
        assertThat(moved.num("cursor")).isEqualTo(2);
        assertThat(moved.num("source_head_seq")).isEqualTo(2);
        assertThat(http.get(router(name)).ok().str("source")).isEqualTo(src2);

        // delete
        Response del = http.delete(router(name)).ok();
        assertThat(del.map().keySet()).contains("router", "deleted");
        assertThat(del.str("router")).isEqualTo(name);
        assertThat(del.bool("deleted")).isTrue();
        http.get(router(name)).assertError(404, "router_not_found");
        http.delete(router(name)).assertError(404, "router_not_found");
        assertThat(http.get("/v0/routers").ok().list("routers")).noneMatch(r -> name.equals(Http.Json.obj(r).get("router")));
        // a deleted router copies nothing more
        long destHead = headSeq(http, dest);
        writeRange(http, src2, 100, 2);
        writeRange(http, src, 100, 2);
        http.delete(router(early)).ok();
        http.delete(router(late)).ok();
        Await.sleep(300); // the absence of a copy can only be checked after some time
        assertThat(headSeq(http, dest)).isEqualTo(destHead);

        http.get(router(uniqueTopic("never"))).assertError(404, "router_not_found");
        http.delete(router(uniqueTopic("never"))).assertError(404, "router_not_found");
    }

    // ------------------------------------------------------------------ deletion with a topic

    @Test
    void deletingTheSourceOrTheDestDeletesTheRouter() {
        String a = uniqueTopic("casc-a");
        String b = uniqueTopic("casc-b");
        String c = uniqueTopic("casc-c");
        String d = uniqueTopic("casc-d");
        createTopic(http, a);
        createTopic(http, c);
        String bySource = uniqueTopic("casc-src");
        String byDest = uniqueTopic("casc-dest");
        String remote = uniqueTopic("casc-remote");
        String other = uniqueTopic("casc-other");
        putRouter(http, bySource, "{\"source\":\"" + a + "\",\"dest\":\"" + b + "\"}").ok(201);
        putRouter(http, byDest, "{\"source\":\"" + c + "\",\"dest\":\"" + d + "\"}").ok(201);
        putRouter(http, remote, "{\"source\":\"" + a + "\",\"dest_url\":\"" + http.base() + "\",\"dest_topic\":\""
                + uniqueTopic("casc-remote-dest") + "\"}").ok(201);
        putRouter(http, other, "{\"source\":\"" + c + "\",\"dest\":\"" + uniqueTopic("casc-e") + "\"}").ok(201);

        http.delete("/v0/topics/" + a).ok();
        http.get(router(bySource)).assertError(404, "router_not_found");
        http.get(router(remote)).assertError(404, "router_not_found");
        http.get("/v0/topics/" + b).ok(); // the destination stays

        http.delete("/v0/topics/" + d).ok();
        http.get(router(byDest)).assertError(404, "router_not_found");
        http.get(router(other)).ok(); // a router of the source with another dest stays
        List<Object> names = http.get("/v0/routers").ok().list("routers").stream()
                .map(o -> Http.Json.obj(o).get("router")).toList();
        assertThat(names).doesNotContain(bySource, byDest, remote).contains(other);

        // the source made again is not routed, and the deleted dest is not made again
        createTopic(http, a);
        writeRange(http, a, 1, 2);
        writeRange(http, c, 1, 2);
        awaitCaughtUp(http, other);
        assertThat(headSeq(http, b)).isZero();
        http.get("/v0/topics/" + d).assertError(404, "topic_not_found");
        http.delete(router(other)).ok();
    }

    /** SPEC §2: {@code auto_create: false} in topic_defaults keeps a router from creating its destination. */
    @Test
    void aRouterCreatesItsDestinationOnlyWhenAutoCreateAllows() throws IOException {
        try (TestServer own = TestServer.builder(java.nio.file.Files.createDirectories(ownTmp.resolve("no-auto"))).yaml("""
                topic_defaults:
                  auto_create: false
                """).start()) {
            Http h = own.http();
            createTopic(h, "src");
            putRouter(h, "r", "{\"source\":\"src\",\"dest\":\"nowhere\"}").assertError(404, "topic_not_found");
            h.get(router("r")).assertError(404, "router_not_found");
            h.get("/v0/topics/nowhere").assertError(404, "topic_not_found");
            createTopic(h, "somewhere");
            putRouter(h, "r", "{\"source\":\"src\",\"dest\":\"somewhere\"}").ok(201);
        }
    }
}
