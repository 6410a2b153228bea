package dev.topics.router;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §9 routers, black-box over HTTP against in-process servers: validation of
 * {@code PUT /v0/routers/{name}}, create/get/list/replace/delete, the local cycle check,
 * what a copy carries ({@code data}, {@code $tag}, {@code $node}, {@code $origin}), FIFO
 * under concurrent writers, durability across a restart, deletion with the source or the
 * destination topic, and remote routers between two servers (mirroring both ways with no
 * echo, and a destination that is down for a while).
 */
@Timeout(120)
class RouterHttpTest extends ServerTest {
    private static final Duration AWAIT = Duration.ofSeconds(20);
    /**
     * The clock of the servers whose routers retry (a destination down or refusing): waits
     * move it on instead of waiting out the backoff.
     */
    /** How far {@link #clock} moves on each poll of a wait (10 ms of real time). */
    private static final Duration SKIP = Duration.ofMillis(100);
    private static final List<String> PUT_FIELDS = List.of("router", "source", "dest", "filter", "cursor",
            "source_head_seq", "lag", "copied", "state", "last_error", "created_at", "created", "performance");
    private static final List<String> GET_FIELDS = List.of("router", "source", "dest", "filter", "cursor",
            "source_head_seq", "lag", "copied", "state", "last_error", "created_at", "performance");

    /** For tests that run servers of their own (restarts, remote routers). */
    @TempDir
    Path ownTmp;

    // ------------------------------------------------------------------ helpers

    private static String router(String name) {
        return "/v0/routers/" + name;
    }

    private static Response putRouter(Http h, String name, String body) {
        return h.put(router(name), body);
    }

    private static void createTopic(Http h, String topic) {
        h.put("/v0/topics/" + topic, "{}").ok(201);
    }

    /**
     * A destination without {@code dedupe_node}: a local copy must be exactly-once by its
     * own commit, not because the destination drops what it already has.
     */
    private static void createUndedupedTopic(Http h, String topic) {
        h.put("/v0/topics/" + topic, "{\"dedupe_node\":false}").ok(201);
    }

    /** Writes one record per data text; returns the write's answer. */
    private static Response write(Http h, String topic, String... data) {
        StringBuilder b = new StringBuilder("{\"records\":[");
        for (int i = 0; i < data.length; i++) {
            b.append(i == 0 ? "" : ",").append("{\"data\":").append(data[i]).append('}');
        }
        return h.post("/v0/topics/" + topic, b.append("]}").toString()).ok();
    }

    /** Writes {@code n} records {@code {"i": from..from+n-1}} in one batch. */
    private static Response writeRange(Http h, String topic, long from, int n) {
        String[] d = new String[n];
        for (int i = 0; i < n; i++) {
            d[i] = "{\"i\":" + (from + i) + "}";
        }
        return write(h, topic, d);
    }

    /** Every live record of a topic, read with diff pages. */
    private static List<Map<String, Object>> readAll(Http h, String topic) {
        List<Map<String, Object>> out = new ArrayList<>();
        long from = 0;
        while (true) {
            Response r = h.get("/v0/topics/" + topic + "/diff?from_seq=" + from + "&limit=10000").ok();
            for (Object o : r.list("records")) {
                out.add(Http.Json.obj(o));
            }
            long next = r.num("next_from_seq");
            if (next >= r.num("head_seq")) {
                return out;
            }
            assertThat(next).as("diff of %s from %d made no progress", topic, from).isGreaterThan(from);
            from = next;
        }
    }

    private static long headSeq(Http h, String topic) {
        return h.get("/v0/topics/" + topic).ok().num("head_seq");
    }

    private static String nodeId(Http h) {
        return h.get("/v0/node").ok().str("node_id");
    }

    /**
     * Polls GET /v0/routers/{name} until the condition holds, moving {@link #clock} on
     * meanwhile (a retry may be due); fails with the last answer after {@link #AWAIT}.
     */
    private static Response awaitRouter(Http h, String name, String what, Predicate<Response> cond) {
        return Await.value("router " + name + ": " + what, AWAIT, () -> {
            clock.skip(SKIP);
            return h.get(router(name)).ok();
        }, cond);
    }

    private static Response awaitCaughtUp(Http h, String name) {
        return awaitRouter(h, name, "caught up", r -> r.num("lag") == 0 && r.num("cursor") == r.num("source_head_seq"));
    }

    /** Polls a topic until it holds {@code n} live records (fails if it gets more). */
    private static List<Map<String, Object>> awaitCount(Http h, String topic, int n) {
        Await.value(topic + " holding " + n + " records", AWAIT, () -> {
            long count = h.get("/v0/topics/" + topic).ok().num("count");
            assertThat(count).as("records in %s (expected %d)", topic, n).isLessThanOrEqualTo(n);
            return count;
        }, count -> count == n);
        return readAll(h, topic);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError("no free port", e);
        }
    }

    private static Map<String, Object> origin(Map<String, Object> rec) {
        return rec.get("$origin") == null ? null : Http.Json.obj(rec.get("$origin"));
    }

    private static long originSeq(Map<String, Object> rec) {
        Map<String, Object> o = origin(rec);
        assertThat(o).as("$origin of %s", rec).isNotNull();
        return (Long) o.get("seq");
    }

    private static List<Long> seqs(List<Map<String, Object>> recs) {
        return recs.stream().map(r -> (Long) r.get("$seq")).toList();
    }

    private static List<Long> originSeqs(List<Map<String, Object>> recs) {
        return recs.stream().map(RouterHttpTest::originSeq).toList();
    }

    private static List<Object> datas(List<Map<String, Object>> recs) {
        return recs.stream().map(r -> r.get("data")).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

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

    // ------------------------------------------------------------------ cycles

    @Test
    void localCyclesAreRefused() {
        String a = uniqueTopic("cyc-a");
        String b = uniqueTopic("cyc-b");
        String c = uniqueTopic("cyc-c");
        createTopic(http, a);
        String ab = uniqueTopic("cyc-ab");
        String bc = uniqueTopic("cyc-bc");
        String self = uniqueTopic("cyc-self");
        String ba = uniqueTopic("cyc-ba");
        String ca = uniqueTopic("cyc-ca");

        // a → a
        putRouter(http, self, "{\"source\":\"" + a + "\",\"dest\":\"" + a + "\"}").assertError(409, "router_cycle");
        http.get(router(self)).assertError(404, "router_not_found");

        // a → b → a
        putRouter(http, ab, "{\"source\":\"" + a + "\",\"dest\":\"" + b + "\"}").ok(201);
        putRouter(http, ba, "{\"source\":\"" + b + "\",\"dest\":\"" + a + "\"}").assertError(409, "router_cycle");
        putRouter(http, ba, "{\"source\":\"" + b + "\",\"dest\":\"" + a + "\",\"filter\":[\"tag\",\"Eq\",\"x\"]}")
                .assertError(409, "router_cycle");
        http.get(router(ba)).assertError(404, "router_not_found");

        // a → b → c → a
        putRouter(http, bc, "{\"source\":\"" + b + "\",\"dest\":\"" + c + "\"}").ok(201);
        putRouter(http, ca, "{\"source\":\"" + c + "\",\"dest\":\"" + a + "\"}").assertError(409, "router_cycle");
        http.get(router(ca)).assertError(404, "router_not_found");
        // replacing a router in the cycle's path into one closing it is refused too, and keeps the old one
        putRouter(http, bc, "{\"source\":\"" + b + "\",\"dest\":\"" + a + "\"}").assertError(409, "router_cycle");
        assertThat(http.get(router(bc)).ok().str("dest")).isEqualTo(c);

        // replacing a router by its own reverse is no cycle (the old edge goes)
        String x = uniqueTopic("cyc-x");
        String y = uniqueTopic("cyc-y");
        createTopic(http, x);
        createTopic(http, y);
        String xy = uniqueTopic("cyc-xy");
        putRouter(http, xy, "{\"source\":\"" + x + "\",\"dest\":\"" + y + "\"}").ok(201);
        putRouter(http, xy, "{\"source\":\"" + y + "\",\"dest\":\"" + x + "\"}").ok(200);
        // once a router in the ring is deleted, the closing edge is fine
        http.delete(router(bc)).ok();
        putRouter(http, ca, "{\"source\":\"" + c + "\",\"dest\":\"" + a + "\"}").ok(201);

        // a remote router is not part of the check (a → b remote, b → a local is fine)
        String p = uniqueTopic("cyc-p");
        String q = uniqueTopic("cyc-q");
        createTopic(http, p);
        createTopic(http, q);
        String pq = uniqueTopic("cyc-pq-remote");
        putRouter(http, pq, "{\"source\":\"" + p + "\",\"dest_url\":\"" + http.base() + "\",\"dest_topic\":\"" + q + "\"}")
                .ok(201);
        String qp = uniqueTopic("cyc-qp");
        putRouter(http, qp, "{\"source\":\"" + q + "\",\"dest\":\"" + p + "\"}").ok(201);

        for (String r : List.of(ab, ca, xy, pq, qp)) {
            http.delete(router(r)).ok();
        }
    }

    @Test
    void aDiamondIsNoCycleAndTheDestinationKeepsEachOriginOnce() {
        String a = uniqueTopic("dag-a");
        String b = uniqueTopic("dag-b");
        String c = uniqueTopic("dag-c");
        createTopic(http, a);
        String ab = uniqueTopic("dag-ab");
        String ac = uniqueTopic("dag-ac");
        String bc = uniqueTopic("dag-bc");
        putRouter(http, ab, "{\"source\":\"" + a + "\",\"dest\":\"" + b + "\"}").ok(201);
        putRouter(http, ac, "{\"source\":\"" + a + "\",\"dest\":\"" + c + "\"}").ok(201);
        putRouter(http, bc, "{\"source\":\"" + b + "\",\"dest\":\"" + c + "\"}").ok(201);
        assertThat(http.get("/v0/routers").ok().list("routers").stream()
                .map(o -> (String) Http.Json.obj(o).get("router")).toList()).contains(ab, ac, bc);

        writeRange(http, a, 1, 5);
        awaitCaughtUp(http, ab);
        assertThat(originSeqs(awaitCount(http, b, 5))).containsExactly(1L, 2L, 3L, 4L, 5L);
        awaitCaughtUp(http, ac);
        awaitCaughtUp(http, bc);
        // c gets a's records by two paths with the same origin: dedupe_node keeps each once
        List<Map<String, Object>> inC = readAll(http, c);
        assertThat(inC).allSatisfy(r -> assertThat(origin(r)).containsEntry("topic", a));
        assertThat(originSeqs(inC)).containsExactly(1L, 2L, 3L, 4L, 5L);
        for (String r : List.of(ab, ac, bc)) {
            http.delete(router(r)).ok();
        }
    }

    // ------------------------------------------------------------------ copying

    @Test
    void copiesFromSeqZeroOrFromTheHead() {
        String src = uniqueTopic("copy-src");
        createTopic(http, src);
        writeRange(http, src, 1, 3);
        String all = uniqueTopic("copy-all");
        String fromHead = uniqueTopic("copy-head");
        String fromTwo = uniqueTopic("copy-two");
        String allDest = uniqueTopic("copy-all-dest");
        String headDest = uniqueTopic("copy-head-dest");
        String twoDest = uniqueTopic("copy-two-dest");
        createUndedupedTopic(http, allDest);

        Response r0 = putRouter(http, all, "{\"source\":\"" + src + "\",\"dest\":\"" + allDest + "\",\"from_seq\":0}").ok(201);
        assertThat(r0.num("cursor")).isBetween(0L, 3L);
        assertThat(r0.num("source_head_seq")).isEqualTo(3);
        putRouter(http, fromHead, "{\"source\":\"" + src + "\",\"dest\":\"" + headDest + "\",\"from_seq\":null}").ok(201);
        putRouter(http, fromTwo, "{\"source\":\"" + src + "\",\"dest\":\"" + twoDest + "\",\"from_seq\":2}").ok(201);

        awaitCaughtUp(http, all);
        awaitCaughtUp(http, fromTwo);
        assertThat(originSeqs(awaitCount(http, allDest, 3))).containsExactly(1L, 2L, 3L);
        assertThat(originSeqs(awaitCount(http, twoDest, 1))).containsExactly(3L);
        assertThat(headSeq(http, headDest)).isZero();

        writeRange(http, src, 4, 2);
        Response done = awaitCaughtUp(http, all);
        assertThat(done.num("copied")).isEqualTo(5);
        assertThat(awaitCaughtUp(http, fromHead).num("copied")).isEqualTo(2);
        List<Map<String, Object>> a = awaitCount(http, allDest, 5);
        List<Map<String, Object>> h = awaitCount(http, headDest, 2);
        assertThat(originSeqs(a)).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(seqs(a)).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(datas(a)).isEqualTo(datas(readAll(http, src)));
        assertThat(originSeqs(h)).containsExactly(4L, 5L);
        assertThat(datas(h)).containsExactly(Map.of("i", 4L), Map.of("i", 5L));
        assertThat(originSeqs(awaitCount(http, twoDest, 3))).containsExactly(3L, 4L, 5L);
        for (String r : List.of(all, fromHead, fromTwo)) {
            http.delete(router(r)).ok();
        }
    }

    @Test
    void aFilterSelectsWhatIsCopiedAndTheCursorPassesTheRest() {
        String src = uniqueTopic("filter-src");
        String dest = uniqueTopic("filter-dest");
        createTopic(http, src);
        String name = uniqueTopic("filter");
        Response r = putRouter(http, name, "{\"source\":\"" + src + "\",\"dest\":\"" + dest
                + "\",\"filter\":[\"Or\",[[\"tag\",\"Glob\",\"order-*\"],[\"node\",\"Eq\",\"vip\"]]]}").ok(201);
        assertThat(r.get("filter")).isEqualTo(List.of("Or", List.of(List.of("tag", "Glob", "order-*"),
                List.of("node", "Eq", "vip"))));
        http.post("/v0/topics/" + src, """
                {"records":[
                  {"data":1,"tag":"order-1"},
                  {"data":2,"tag":"refund-1"},
                  {"data":3},
                  {"data":4,"node":"vip"},
                  {"data":5,"tag":"order-2","node":"other"},
                  {"data":6,"tag":"ping"}]}""").ok();
        Response done = awaitCaughtUp(http, name);
        assertThat(done.num("cursor")).as("the cursor passes skipped records too").isEqualTo(6);
        assertThat(done.num("copied")).isEqualTo(3);
        List<Map<String, Object>> got = awaitCount(http, dest, 3);
        assertThat(datas(got)).containsExactly(1L, 4L, 5L);
        assertThat(originSeqs(got)).containsExactly(1L, 4L, 5L);
        // only skipped records after: the cursor still reaches the head
        http.post("/v0/topics/" + src, "{\"records\":[{\"data\":7,\"tag\":\"ping\"},{\"data\":8}]}").ok();
        assertThat(awaitCaughtUp(http, name).num("cursor")).isEqualTo(8);
        assertThat(headSeq(http, dest)).isEqualTo(3);
        http.delete(router(name)).ok();
    }

    @Test
    void copiesKeepDataTagAndNodeAndStampTheOrigin() {
        String a = uniqueTopic("hop-a");
        String b = uniqueTopic("hop-b");
        String c = uniqueTopic("hop-c");
        createTopic(http, a);
        String node = nodeId(http);
        String ab = uniqueTopic("hop-ab");
        String bc = uniqueTopic("hop-bc");
        putRouter(http, ab, "{\"source\":\"" + a + "\",\"dest\":\"" + b + "\"}").ok(201);
        putRouter(http, bc, "{\"source\":\"" + b + "\",\"dest\":\"" + c + "\"}").ok(201);

        String body = """
                {"records":[
                  {"data":{"sku":"AEROPRESS-GO","price":1.50,"big":12345678901234567890123,"s":"é 🚀 \\"q\\""},"tag":"order-7731","node":"eu-1"},
                  {"data":[1,2,{"x":null}]},
                  {"data":"plain","tag":"t2"},
                  {"data":42,"node":"edge-7"},
                  {"data":{"far":true},"tag":"far","node":"n-far","origin":{"node":"n-far","topic":"upstream","seq":77}}]}""";
        http.post("/v0/topics/" + a, body).ok();
        List<Map<String, Object>> inA = readAll(http, a);
        assertThat(inA).hasSize(5);

        awaitCaughtUp(http, ab);
        List<Map<String, Object>> inB = awaitCount(http, b, 5);
        awaitCaughtUp(http, bc);
        List<Map<String, Object>> inC = awaitCount(http, c, 5);

        for (List<Map<String, Object>> copies : List.of(inB, inC)) {
            for (int i = 0; i < 5; i++) {
                Map<String, Object> src = inA.get(i);
                Map<String, Object> cp = copies.get(i);
                assertThat(cp.get("data")).as("data of copy %d", i).isEqualTo(src.get("data"));
                assertThat(cp.get("$tag")).as("$tag of copy %d", i).isEqualTo(src.get("$tag"));
                assertThat(cp.get("$node")).as("$node of copy %d", i).isEqualTo(src.get("$node"));
                assertThat(cp.containsKey("$tag")).isEqualTo(src.containsKey("$tag"));
                assertThat(cp.containsKey("$node")).isEqualTo(src.containsKey("$node"));
            }
            // records without an origin get this server's node, the source topic (a, even two hops on) and seq
            for (int i = 0; i < 4; i++) {
                assertThat(origin(copies.get(i))).isEqualTo(Map.of("node", node, "topic", a, "seq", (long) (i + 1)));
            }
            // a record with an origin keeps it
            assertThat(origin(copies.get(4))).isEqualTo(Map.of("node", "n-far", "topic", "upstream", "seq", 77L));
        }
        // data is byte-identical (exact digits)
        String cText = http.get("/v0/topics/" + c + "/diff?from_seq=0&limit=1").ok().text();
        assertThat(cText).contains("\"price\":1.50").contains("12345678901234567890123");
        assertThat(origin(inA.get(0))).as("a client's record shows no $origin").isNull();
        http.delete(router(ab)).ok();
        http.delete(router(bc)).ok();
    }

    @Test
    void fifoUnderEightConcurrentWriters() throws Exception {
        String src = uniqueTopic("fifo-src");
        String dest = uniqueTopic("fifo-dest");
        createTopic(http, src);
        createUndedupedTopic(http, dest);
        String name = uniqueTopic("fifo");
        putRouter(http, name, "{\"source\":\"" + src + "\",\"dest\":\"" + dest + "\",\"from_seq\":0}").ok(201);

        int writers = 8;
        int batches = 40;
        CountDownLatch go = new CountDownLatch(1);
        ConcurrentLinkedQueue<Throwable> problems = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            Thread t = Thread.ofPlatform().name("fifo-writer-" + w).start(() -> {
                try {
                    go.await();
                    for (int k = 0; k < batches; k++) {
                        int n = 1 + (k * 7 + writer) % 5;
                        StringBuilder b = new StringBuilder("{\"records\":[");
                        for (int i = 0; i < n; i++) {
                            b.append(i == 0 ? "" : ",").append("{\"data\":{\"w\":").append(writer).append(",\"k\":").append(k)
                                    .append(",\"i\":").append(i).append("},\"tag\":\"w").append(writer).append("\"}");
                        }
                        http.post("/v0/topics/" + src, b.append("]}").toString()).ok();
                    }
                } catch (Throwable e) {
                    problems.add(e);
                }
            });
            threads.add(t);
        }
        go.countDown();
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(60));
            assertThat(t.isAlive()).as(t.getName() + " still writing").isFalse();
        }
        assertThat(problems).isEmpty();

        long head = headSeq(http, src);
        List<Map<String, Object>> source = readAll(http, src);
        assertThat(seqs(source)).isEqualTo(range(1, head));
        awaitCaughtUp(http, name);
        List<Map<String, Object>> copies = awaitCount(http, dest, (int) head);
        assertThat(originSeqs(copies)).as("copies in the source's order, each once").isEqualTo(seqs(source));
        assertThat(datas(copies)).isEqualTo(datas(source));
        assertThat(copies.stream().map(r -> r.get("$tag")).toList())
                .isEqualTo(source.stream().map(r -> r.get("$tag")).toList());
        http.delete(router(name)).ok();
    }

    // ------------------------------------------------------------------ restarts

    @Test
    void routersAndCursorsSurviveARestart() {
        try (TestServer own = TestServer.start(ownTmp.resolve("restart"))) {
            Http h = own.http();
            String src = "restart-src";
            String dest = "restart-dest";
            String filtered = "restart-filtered";
            createTopic(h, src);
            createUndedupedTopic(h, dest);
            createUndedupedTopic(h, filtered);
            putRouter(h, "r-all", "{\"source\":\"" + src + "\",\"dest\":\"" + dest + "\",\"from_seq\":0}").ok(201);
            Response f = putRouter(h, "r-filtered", "{\"source\":\"" + src + "\",\"dest\":\"" + filtered
                    + "\",\"filter\":[\"seq\",\"Gt\",10]}").ok(201);
            writeRange(h, src, 1, 20);
            awaitCaughtUp(h, "r-all");
            awaitCaughtUp(h, "r-filtered");
            awaitCount(h, dest, 20);
            awaitCount(h, filtered, 10);

            own.restart();
            Response after = h.get(router("r-filtered")).ok();
            assertThat(after.num("cursor")).isEqualTo(20);
            assertThat(after.get("filter")).isEqualTo(List.of("seq", "Gt", 10L));
            assertThat(after.str("created_at")).isEqualTo(f.str("created_at"));
            assertThat(h.get(router("r-all")).ok().num("cursor")).isEqualTo(20);
            assertThat(h.get("/v0/routers").ok().list("routers").stream()
                    .map(o -> Http.Json.obj(o).get("router")).toList()).containsExactly("r-all", "r-filtered");

            writeRange(h, src, 21, 10);
            awaitCaughtUp(h, "r-all");
            awaitCaughtUp(h, "r-filtered");
            assertThat(originSeqs(awaitCount(h, dest, 30))).isEqualTo(range(1, 30));
            assertThat(originSeqs(awaitCount(h, filtered, 20))).isEqualTo(range(11, 30));

            // a restart while the router is (probably) still copying a large batch
            writeRange(h, src, 31, 10_000);
            Response before = h.get(router("r-all")).ok();
            own.restart();
            System.out.println("restarted with r-all at cursor " + before.num("cursor") + " of " + before.num("source_head_seq")
                    + "; after the restart: " + h.get(router("r-all")).ok().num("cursor"));
            writeRange(h, src, 10_031, 5);
            Response done = awaitCaughtUp(h, "r-all");
            assertThat(done.num("cursor")).isEqualTo(10_035);
            assertThat(done.str("state")).isEqualTo("running");
            List<Map<String, Object>> copies = awaitCount(h, dest, 10_035);
            assertThat(originSeqs(copies)).isEqualTo(range(1, 10_035));
            assertThat(datas(copies)).isEqualTo(datas(readAll(h, src)));
            awaitCaughtUp(h, "r-filtered");
            assertThat(originSeqs(awaitCount(h, filtered, 10_025))).isEqualTo(range(11, 10_035));
        }
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

    // ------------------------------------------------------------------ remote routers

    @Test
    void twoServersMirrorATopicBothWaysWithoutEchoOrDuplicates() {
        try (TestServer west = TestServer.builder(ownTmp.resolve("west")).env("TOPICS_NODE_ID", "west").start();
             TestServer east = TestServer.builder(ownTmp.resolve("east")).env("TOPICS_NODE_ID", "east").start()) {
            Http w = west.http();
            Http e = east.http();
            assertThat(nodeId(w)).isEqualTo("west");
            assertThat(nodeId(e)).isEqualTo("east");
            String topic = "mirror";
            createTopic(w, topic);
            createTopic(e, topic);
            Response toEast = putRouter(w, "to-east", "{\"source\":\"mirror\",\"dest_url\":\"" + east.base()
                    + "\",\"dest_token\":\"s3cret-token\"}").ok(201);
            assertThat(toEast.map().keySet()).containsExactlyInAnyOrder("router", "source", "dest", "dest_url",
                    "dest_topic", "filter", "cursor", "source_head_seq", "lag", "copied", "state", "last_error",
                    "created_at", "created", "performance");
            assertThat(toEast.get("dest")).isNull();
            assertThat(toEast.str("dest_url")).isEqualTo(east.base().toString());
            assertThat(toEast.str("dest_topic")).as("dest_topic defaults to the source's name").isEqualTo("mirror");
            assertThat(toEast.text()).doesNotContain("s3cret-token").doesNotContain("dest_token");
            assertThat(w.get(router("to-east")).ok().text()).doesNotContain("s3cret-token");
            assertThat(w.get("/v0/routers").ok().text()).doesNotContain("s3cret-token");
            putRouter(e, "to-west", "{\"source\":\"mirror\",\"dest_url\":\"" + west.base() + "\",\"dest_topic\":\"mirror\"}")
                    .ok(201);

            // interleaved writes on both sides, plus one record per side whose $node is the other side
            for (int i = 1; i <= 10; i++) {
                write(w, topic, "{\"from\":\"west\",\"i\":" + i + "}");
                write(e, topic, "{\"from\":\"east\",\"i\":" + i + "}", "{\"from\":\"east\",\"i\":" + (100 + i) + "}");
            }
            w.post("/v0/topics/mirror", "{\"records\":[{\"data\":{\"from\":\"west\",\"as\":\"east\"},\"node\":\"east\"}]}").ok();
            e.post("/v0/topics/mirror", "{\"records\":[{\"data\":{\"from\":\"east\",\"as\":\"west\"},\"node\":\"west\"}]}").ok();
            long westLocal = 11;
            long eastLocal = 21;

            List<Map<String, Object>> onWest = awaitCount(w, topic, (int) (westLocal + eastLocal - 1));
            List<Map<String, Object>> onEast = awaitCount(e, topic, (int) (westLocal + eastLocal - 1));
            Response we = awaitCaughtUp(w, "to-east");
            Response ew = awaitCaughtUp(e, "to-west");
            // both caught up: anything echoed would be there now
            onWest = readAll(w, topic);
            onEast = readAll(e, topic);
            assertThat(onWest).hasSize((int) (westLocal + eastLocal - 1));
            assertThat(onEast).hasSize((int) (westLocal + eastLocal - 1));
            assertThat(we.num("copied")).as("west sent its own records only (not east's, nor the one marked east)")
                    .isEqualTo(westLocal - 1);
            assertThat(ew.num("copied")).isEqualTo(eastLocal - 1);
            assertThat(we.str("state")).isEqualTo("running");
            assertThat(we.get("last_error")).isNull();

            checkMirror(onWest, onEast, "west", "east");
            checkMirror(onEast, onWest, "east", "west");
        }
    }

    /**
     * Every record {@code here} wrote itself (no $origin) and whose $node is not {@code there}
     * is {@code there} exactly once, in order, with origin (here, mirror, seq), and nothing
     * else came from here.
     */
    private static void checkMirror(List<Map<String, Object>> here, List<Map<String, Object>> there, String hereNode,
                                    String thereNode) {
        List<Map<String, Object>> own = here.stream().filter(r -> origin(r) == null).toList();
        List<Map<String, Object>> sendable = own.stream().filter(r -> !thereNode.equals(r.get("$node"))).toList();
        List<Map<String, Object>> arrived = there.stream()
                .filter(r -> origin(r) != null && hereNode.equals(origin(r).get("node"))).toList();
        assertThat(originSeqs(arrived)).as("%s's records on %s, by origin seq", hereNode, thereNode)
                .isEqualTo(seqs(sendable));
        assertThat(datas(arrived)).isEqualTo(datas(sendable));
        assertThat(arrived).allSatisfy(r -> assertThat(origin(r)).containsEntry("topic", "mirror"));
        // nothing came back: every record here is its own or came from there
        assertThat(here).allSatisfy(r -> {
            Map<String, Object> o = origin(r);
            assertThat(o == null || thereNode.equals(o.get("node"))).as("record %s on %s", r, hereNode).isTrue();
        });
        Set<Object> data = new HashSet<>();
        assertThat(there).allSatisfy(r -> assertThat(data.add(r.get("data"))).as("duplicate %s", r).isTrue());
    }

    @Test
    void aRemoteDestinationThatIsDownIsRetriedThenGetsEverythingOnce() {
        int port = freePort();
        try (TestServer src = TestServer.builder(ownTmp.resolve("src")).env("TOPICS_NODE_ID", "src-node").clock(clock)
                .start()) {
            Http s = src.http();
            createTopic(s, "outbox");
            putRouter(s, "out", "{\"source\":\"outbox\",\"dest_url\":\"http://127.0.0.1:" + port
                    + "\",\"dest_topic\":\"inbox\",\"from_seq\":0}").ok(201);
            writeRange(s, "outbox", 1, 5);
            Response retrying = awaitRouter(s, "out", "retrying",
                    r -> "retrying".equals(r.get("state")) && r.get("last_error") != null);
            assertThat(retrying.str("last_error")).isNotBlank();
            assertThat(retrying.num("cursor")).as("nothing is passed while the destination is down").isZero();
            assertThat(retrying.num("lag")).isEqualTo(5);

            try (TestServer dest = TestServer.builder(ownTmp.resolve("dest")).env("TOPICS_PORT", Integer.toString(port))
                    .env("TOPICS_NODE_ID", "dest-node").start()) {
                Http d = dest.http();
                writeRange(s, "outbox", 6, 5);
                Response up = awaitRouter(s, "out", "caught up and running",
                        r -> r.num("lag") == 0 && "running".equals(r.get("state")));
                assertThat(up.num("cursor")).isEqualTo(10);
                List<Map<String, Object>> inbox = awaitCount(d, "inbox", 10);
                assertThat(originSeqs(inbox)).isEqualTo(range(1, 10));
                assertThat(datas(inbox)).isEqualTo(datas(readAll(s, "outbox")));
                assertThat(inbox).allSatisfy(r -> assertThat(origin(r)).containsEntry("node", "src-node")
                        .containsEntry("topic", "outbox"));

                // down again for a moment (same port), then up: the rest arrives, once
                dest.stop();
                writeRange(s, "outbox", 11, 5);
                awaitRouter(s, "out", "retrying", r -> "retrying".equals(r.get("state")) && r.get("last_error") != null);
                writeRange(s, "outbox", 16, 5);
                dest.restart();
                awaitRouter(s, "out", "caught up and running", r -> r.num("lag") == 0 && "running".equals(r.get("state")));
                inbox = awaitCount(d, "inbox", 20);
                assertThat(originSeqs(inbox)).isEqualTo(range(1, 20));
                assertThat(datas(inbox)).isEqualTo(datas(readAll(s, "outbox")));

                // everything sent again (the router rewound to 0): dedupe_node drops it all
                Response rewound = putRouter(s, "out", "{\"source\":\"outbox\",\"dest_url\":\"http://127.0.0.1:" + port
                        + "\",\"dest_topic\":\"inbox\",\"from_seq\":0}").ok(200);
                assertThat(rewound.num("cursor")).isBetween(0L, 20L);
                Response again = awaitRouter(s, "out", "caught up again", r -> r.num("lag") == 0);
                assertThat(again.num("copied")).as("records sent again").isEqualTo(20);
                assertThat(d.get("/v0/topics/inbox").ok().num("head_seq")).isEqualTo(20);
                writeRange(s, "outbox", 21, 2);
                assertThat(originSeqs(awaitCount(d, "inbox", 22))).isEqualTo(range(1, 22));
            }
        }
    }

    /** SPEC §6: a delete is effective on every router at once — deleted records are never copied. */
    @Test
    void recordsDeletedBeforeTheyAreCopiedAreNeverCopied() {
        int port = freePort();
        try (TestServer src = TestServer.builder(ownTmp.resolve("del-src")).clock(clock).start()) {
            Http s = src.http();
            createTopic(s, "jobs");
            putRouter(s, "jobs-out", "{\"source\":\"jobs\",\"dest_url\":\"http://127.0.0.1:" + port + "\",\"from_seq\":0}")
                    .ok(201);
            s.post("/v0/topics/jobs", """
                    {"records":[{"data":1},{"data":2,"tag":"cancelled"},{"data":3},{"data":4,"tag":"cancelled"},{"data":5}]}""")
                    .ok();
            awaitRouter(s, "jobs-out", "retrying", r -> "retrying".equals(r.get("state")));
            assertThat(s.post("/v0/topics/jobs/delete", "{\"match\":[\"tag\",\"Eq\",\"cancelled\"]}").ok().num("deleted"))
                    .isEqualTo(2);
            try (TestServer dest = TestServer.builder(ownTmp.resolve("del-dest")).env("TOPICS_PORT", Integer.toString(port))
                    .start()) {
                Response done = awaitCaughtUp(s, "jobs-out");
                assertThat(done.num("cursor")).isEqualTo(5);
                List<Map<String, Object>> got = awaitCount(dest.http(), "jobs", 3);
                assertThat(originSeqs(got)).containsExactly(1L, 3L, 5L);
                assertThat(datas(got)).containsExactly(1L, 3L, 5L);
            }
        }
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

    /** A remote router sends to another server with {@code dest_token} as its bearer token. */
    @Test
    void aRemoteRouterUsesItsTokenAndReportsRefusals() {
        String admin = "admin-token-for-router-test";
        try (TestServer src = TestServer.builder(ownTmp.resolve("tsrc")).clock(clock).start();
             TestServer dest = TestServer.builder(ownTmp.resolve("tdest")).env("TOPICS_AUTH", "required")
                     .env("TOPICS_ADMIN_TOKEN", admin).start()) {
            Http s = src.http();
            createTopic(s, "notes");
            putRouter(s, "no-token", "{\"source\":\"notes\",\"dest_url\":\"" + dest.base() + "\",\"from_seq\":0}").ok(201);
            writeRange(s, "notes", 1, 3);
            Response refused = awaitRouter(s, "no-token", "retrying", r -> "retrying".equals(r.get("state"))
                    && r.get("last_error") != null);
            assertThat(refused.num("cursor")).isZero();
            s.delete(router("no-token")).ok();

            putRouter(s, "with-token", "{\"source\":\"notes\",\"dest_url\":\"" + dest.base() + "\",\"dest_token\":\""
                    + admin + "\",\"from_seq\":0}").ok(201);
            awaitCaughtUp(s, "with-token");
            Http d = dest.http().withHeader("Authorization", "Bearer " + admin);
            assertThat(originSeqs(awaitCount(d, "notes", 3))).isEqualTo(range(1, 3));
        }
    }
}
