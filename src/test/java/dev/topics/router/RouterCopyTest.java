package dev.topics.router;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §9 routers, black-box over HTTP against in-process servers: which records a router copies
 * ({@code from_seq}, the filter), what a copy carries ({@code data}, {@code $tag}, {@code $node},
 * {@code $origin}), FIFO under concurrent writers, and durability across a restart.
 */
@Timeout(120)
class RouterCopyTest extends RouterFixtures {
    /**
     * A destination without {@code dedupe_node}: a local copy must be exactly-once by its
     * own commit, not because the destination drops what it already has.
     */
    private static void createUndedupedTopic(Http h, String topic) {
        h.put("/v0/topics/" + topic, "{\"dedupe_node\":false}").ok(201);
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
}
