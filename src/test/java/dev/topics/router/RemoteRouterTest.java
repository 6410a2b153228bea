package dev.topics.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.TestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §9 routers, black-box over HTTP against in-process servers: remote routers between
 * two servers (mirroring both ways with no echo, and a destination that is down for a while),
 * their token, and records deleted before they are copied.
 */
@Timeout(120)
class RemoteRouterTest extends RouterFixtures {
    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError("no free port", e);
        }
    }

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
