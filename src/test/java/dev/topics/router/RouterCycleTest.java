package dev.topics.router;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §9 routers, black-box over HTTP against in-process servers: the local cycle check
 * (a diamond is no cycle; a remote router is not part of the check).
 */
@Timeout(120)
class RouterCycleTest extends RouterFixtures {
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
}
