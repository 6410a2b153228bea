package dev.topics.cluster;

import static dev.topics.cluster.ClusterNodes.awaitSame;
import static dev.topics.cluster.ClusterNodes.ok;
import static dev.topics.cluster.ClusterNodes.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.ChildServer;
import dev.topics.testing.KafkaBrokers;
import dev.topics.testing.ProcessTest;
import dev.topics.testing.SseClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two nodes of one cluster on one real Kafka broker (docs/CLUSTER.md): whatever is done on
 * node A is seen on node B with the same seqs and the same bytes, SSE on B follows writes on
 * A, a watch session made on A resumes on B, and a node that is wiped rebuilds from the log.
 * Each test has its own log topic, so the tests share the broker but not a cluster.
 */
class ClusterReplicationTest extends ProcessTest {
    private static final Pattern TOKEN = Pattern.compile("\"token\":\"([^\"]+)\"");
    private static final Pattern WID = Pattern.compile("\"wid\":\"([^\"]+)\"");
    private static Path kafkaDir;
    private static KafkaBrokers kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafkaDir = Files.createTempDirectory("topics-kafka-");
        kafka = KafkaBrokers.start(kafkaDir, 1);
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private ChildServer node(String logTopic, String id) {
        return keep(ClusterNodes.start(tmp.resolve(id), kafka.bootstrapServers(), logTopic, id));
    }

    private static String group(Pattern p, String body) {
        Matcher m = p.matcher(body);
        assertThat(m.find()).as("%s in %s", p, body).isTrue();
        return m.group(1);
    }

    @Test
    @Timeout(180)
    void everyChangeMadeOnNodeAIsSeenIdenticallyOnNodeB() {
        ChildServer a = node("log-every-change", "node-a");
        ChildServer b = node("log-every-change", "node-b");

        ok(a, "PUT", "/v0/topics/c.src", "{\"cap_records\": 1000}");
        ok(a, "POST", "/v0/topics/c.src", "{\"records\": [{\"data\": {\"n\": 1}, \"tag\": \"x\"},"
                + " {\"data\": \"two\", \"tag\": \"y\"}, {\"data\": [3]}]}");
        String first = ok(a, "POST", "/v0/topics/c.src", "{\"records\": [{\"data\": 4}], \"idempotency_key\": \"k1\"}").body();
        // the same key on the other node is answered once, as on one node
        String again = ok(b, "POST", "/v0/topics/c.src", "{\"records\": [{\"data\": 4}], \"idempotency_key\": \"k1\"}").body();
        assertThat(again).contains("\"deduped\":true").contains(seqsOf(first));
        ok(a, "POST", "/v0/topics/c.src/delete", "{\"match\": [\"tag\", \"Eq\", \"x\"]}");
        ok(a, "PATCH", "/v0/topics/c.src", "{\"ttl_ms\": 3600000}");
        String principal = ok(a, "POST", "/v0/principals", "{\"name\": \"bot\"}").body();
        ok(a, "POST", "/v0/permissions", "{\"principal\": \"bot\", \"pattern\": \"c.>\", \"actions\": [\"read\"]}");
        String share = ok(a, "POST", "/v0/topics/c.src/shares", "{\"access\": \"ro\", \"label\": \"tv\"}").body();
        ok(a, "PUT", "/v0/routers/r1", "{\"source\": \"c.src\", \"dest\": \"c.dst\", \"from_seq\": 0}");
        ok(a, "PUT", "/v0/topics/c.src/subscriptions/s1", "{}");
        ok(a, "POST", "/v0/topics/c.src/subscriptions/s1/next", "{\"limit\": 1}");
        ok(a, "POST", "/v0/topics/c.src", "{\"records\": [{\"data\": 5}, {\"data\": 6}]}");
        ok(a, "PUT", "/v0/topics/c.gone", "{}");
        ok(a, "POST", "/v0/topics/c.gone", "{\"records\": [{\"data\": 0}]}");
        ok(a, "DELETE", "/v0/topics/c.gone", null);

        String src = awaitSame(a, b, "/v0/topics/c.src/diff?from_seq=0&limit=1000");
        assertThat(src).contains("\"two\"").contains("[3]").doesNotContain("{\"n\":1}");
        awaitSame(a, b, "/v0/topics/c.src");
        // the router runs on one node; its copies reach both
        try {
            Await.until("the router copied every record", Duration.ofSeconds(20),
                    () -> send(a, "GET", "/v0/topics/c.dst", null).body().contains("\"count\":5"));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nrouter on A: " + send(a, "GET", "/v0/routers/r1", null).body()
                    + "\nrouter on B: " + send(b, "GET", "/v0/routers/r1", null).body()
                    + "\nA:\n" + a.output() + "\nB:\n" + b.output(), e);
        }
        awaitSame(a, b, "/v0/topics/c.dst/diff?from_seq=0&limit=1000");
        awaitSame(a, b, "/v0/topics/c.src/subscriptions/s1");
        awaitSame(a, b, "/v0/principals");
        awaitSame(a, b, "/v0/permissions");
        awaitSame(a, b, "/v0/topics/c.src/shares");
        awaitSame(a, b, "/v0/topics?prefix=c.");
        assertThat(send(b, "GET", "/v0/topics/c.gone", null).status()).isEqualTo(404);

        // credentials made on A work on B: the principal's token reads, the share token reads
        String botToken = group(TOKEN, principal);
        assertThat(b.send("GET", "/v0/topics/c.src/diff?from_seq=0", null,
                Map.of("Authorization", "Bearer " + botToken)).status()).isEqualTo(200);
        String shareToken = group(TOKEN, share);
        assertThat(b.send("GET", "/v0/topics/c.src/diff?from_seq=0", null,
                Map.of("X-Topic-Token", shareToken)).status()).isEqualTo(200);
        // and a principal deleted on A is refused on B
        ok(a, "DELETE", "/v0/principals/bot", null);
        Await.until("B refuses the deleted principal's token", Duration.ofSeconds(10), () -> b.send("GET",
                "/v0/topics/c.src/diff?from_seq=0", null, Map.of("Authorization", "Bearer " + botToken)).status() == 401);
    }

    private static String seqsOf(String writeAnswer) {
        Matcher m = Pattern.compile("\"first_seq\":\\d+,\"last_seq\":\\d+").matcher(writeAnswer);
        assertThat(m.find()).as("seqs in %s", writeAnswer).isTrue();
        return m.group();
    }

    @Test
    @Timeout(180)
    void sseOnNodeBFollowsWritesOnNodeAAndASessionMadeOnAResumesOnB() throws Exception {
        ChildServer a = node("log-sse", "node-a");
        ChildServer b = node("log-sse", "node-b");
        ok(a, "PUT", "/v0/topics/live", "{}");
        String wid = group(WID, ok(a, "POST", "/v0/watch", "{\"topics\": {\"live\": {\"from_seq\": 0}}}").body());
        List<String> ids = new ArrayList<>();
        try (SseClient sse = openWhenKnown(b, wid, null)) {
            for (int i = 1; i <= 3; i++) {
                ok(a, "POST", "/v0/topics/live", "{\"records\": [{\"data\": " + i + "}]}");
                SseClient.Event e;
                try {
                    e = nextRecord(sse);
                } catch (AssertionError err) {
                    throw new AssertionError(err.getMessage() + "; B's diff: "
                            + send(b, "GET", "/v0/topics/live/diff?from_seq=0", null).body() + "\nB:\n" + b.output()
                            + "\nA:\n" + a.output(), err);
                }
                assertThat(e).as("event %d on B", i).isNotNull();
                assertThat(e.data()).contains("\"$seq\":" + i).contains("\"data\":" + i);
                ids.add(e.id());
            }
        }
        ok(a, "POST", "/v0/topics/live", "{\"records\": [{\"data\": 4}]}");
        try (SseClient sse = openWhenKnown(b, wid, ids.get(1))) {
            StringBuilder seen = new StringBuilder();
            while (!seen.toString().contains("\"$seq\":4")) {
                SseClient.Event e = nextRecord(sse);
                assertThat(e).as("events after Last-Event-ID, so far: %s", seen).isNotNull();
                seen.append(e.data());
            }
            // from the event after the one resumed from: 3 then 4, nothing before
            assertThat(seen.toString()).doesNotContain("\"$seq\":2").doesNotContain("\"$seq\":1");
            assertThat(seen.indexOf("\"$seq\":3")).isBetween(0, seen.indexOf("\"$seq\":4"));
        }
    }

    @Test
    @Timeout(180)
    void aSessionStreamedOnlyOnANodeThatDoesNotLeadIsKeptUntilItGoesUnusedForItsTtl() throws Exception {
        // A leads (started first, alone); the session is made on A and streamed only on B. The
        // leader decides expiry: it must learn that B uses the session. Before B told it (a
        // last use kept per node), A expired the session one TTL after making it, mid-stream.
        Path config = Files.writeString(tmp.resolve("node.yaml"), """
                watch:
                  session_ttl_ms: 5000
                """);
        ChildServer a = keep(ClusterNodes.start(tmp.resolve("node-a"), kafka.bootstrapServers(), "log-ttl", "node-a",
                "--config", config.toString()));
        Await.until("A runs the workers", Duration.ofSeconds(20),
                () -> a.output().contains("this node runs the cluster's workers"));
        ChildServer b = keep(ClusterNodes.start(tmp.resolve("node-b"), kafka.bootstrapServers(), "log-ttl", "node-b",
                "--config", config.toString()));
        ok(a, "PUT", "/v0/topics/kept", "{}");
        // a heartbeat a second: a stream whose client has gone ends (and stops counting as a use) within one
        String wid = group(WID, ok(a, "POST", "/v0/watch",
                "{\"topics\": {\"kept\": {\"from_seq\": 0}}, \"heartbeat_ms\": 1000}").body());
        try (SseClient sse = openWhenKnown(b, wid, null)) {
            long end = System.nanoTime() + Duration.ofSeconds(15).toNanos(); // three TTLs
            int i = 0;
            while (System.nanoTime() < end) {
                ok(a, "POST", "/v0/topics/kept", "{\"records\": [{\"data\": " + ++i + "}]}");
                SseClient.Event e = nextRecord(sse);
                assertThat(e).as("record %d streamed on B", i).isNotNull();
                assertThat(e.data()).contains("\"data\":" + i);
                Thread.sleep(500);
            }
        }
        // still there right after the stream ends (opening it is a use: its TTL restarts)
        assertThat(streamStatus(b, wid)).as("the session's stream on B after 15 s of use there").isEqualTo(200);
        // unused from now on: gone from both once the stream's end (a heartbeat), the TTL, the
        // leader's check period (a quarter TTL) and the log have passed; a look is a use, so look
        // only after that
        Thread.sleep(10_000);
        assertThat(streamStatus(a, wid)).as("the session on A, 10 s after its last use").isEqualTo(404);
        assertThat(streamStatus(b, wid)).as("the session on B, 10 s after its last use").isEqualTo(404);
    }

    @Test
    @Timeout(180)
    void aStreamReadOnlyOnANodeThatDoesNotLeadLivesUntilItGoesUnreadForItsTtl() throws Exception {
        // A leads and expires streams; B only reads this one. Reads restart a Durable Streams
        // TTL: B logs them (USED), so A keeps the stream while B reads it.
        ChildServer a = node("log-stream-ttl", "node-a");
        Await.until("A runs the workers", Duration.ofSeconds(20),
                () -> a.output().contains("this node runs the cluster's workers"));
        ChildServer b = node("log-stream-ttl", "node-b");
        Map<String, String> create = Map.of("Authorization", "Bearer " + ClusterNodes.ADMIN,
                "Content-Type", "text/plain", "Stream-TTL", "6");
        assertThat(a.send("PUT", "/v1/stream/short.lived", "first", create).status()).isEqualTo(201);
        String read = "/v1/stream/short.lived?offset=-1";
        Await.until("B has the stream", Duration.ofSeconds(10), () -> send(b, "GET", read, null).status() == 200);
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos(); // two and a half TTLs
        while (System.nanoTime() < end) {
            ChildServer.Response r = send(b, "GET", read, null);
            assertThat(r.status()).as("a read on B, %s", r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("first");
            Thread.sleep(500);
        }
        assertThat(send(a, "HEAD", "/v1/stream/short.lived", null).status()).as("on A after 15 s of reads on B")
                .isEqualTo(200);
        // unread from now on: gone from both once the TTL and the log have passed
        Thread.sleep(9_000);
        assertThat(send(a, "HEAD", "/v1/stream/short.lived", null).status()).as("on A, 9 s after the last read")
                .isEqualTo(404);
        Await.until("gone from B", Duration.ofSeconds(5),
                () -> send(b, "HEAD", "/v1/stream/short.lived", null).status() == 404);
    }

    /** The status a watch session's stream opens with (closed at once). */
    private static int streamStatus(ChildServer n, String wid) {
        try (SseClient s = SseClient.open(n.uri("/v0/watch/" + wid), null)) {
            return s.status();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The next event that carries a record (the stream opens with the topics' heads). */
    private static SseClient.Event nextRecord(SseClient sse) throws InterruptedException {
        for (int i = 0; i < 10; i++) {
            SseClient.Event e = sse.next(15);
            if (e != null && e.data() == null) {
                continue; // a comment or retry line
            }
            if (e == null || e.data().contains("\"$seq\":")) {
                return e;
            }
        }
        return null;
    }

    /** Opens a session's stream on {@code node}, once that node has applied the session's creation. */
    private static SseClient openWhenKnown(ChildServer node, String wid, String lastEventId) {
        return Await.value("the session's stream opens on " + node.port(), Duration.ofSeconds(10), () -> {
            try {
                SseClient s = SseClient.open(node.uri("/v0/watch/" + wid), lastEventId);
                if (s.status() == 200) {
                    return s;
                }
                s.close();
                return null;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, java.util.Objects::nonNull);
    }

    @Test
    @Timeout(240)
    void aWipedNodeRebuildsFromTheLogAndAStoppedOneCatchesUp() throws Exception {
        ChildServer a = node("log-rebuild", "node-a");
        ChildServer b = node("log-rebuild", "node-b");
        for (int i = 0; i < 20; i++) {
            ok(i % 2 == 0 ? a : b, "POST", "/v0/topics/rb." + (i % 3), "{\"records\": [{\"data\": " + i + "}, {\"data\": \"x"
                    + i + "\"}]}");
        }
        ok(a, "POST", "/v0/topics/rb.0/delete", "{\"from_seq\": 2, \"to_seq\": 3}");
        awaitSame(a, b, "/v0/topics/rb.0/diff?from_seq=0&limit=1000");
        b.sigterm();
        assertThat(b.waitFor(Duration.ofSeconds(30))).isEqualTo(0);
        // B is away: A goes on
        for (int i = 0; i < 10; i++) {
            ok(a, "POST", "/v0/topics/rb.1", "{\"records\": [{\"data\": \"while-away-" + i + "\"}]}");
        }
        ChildServer b2 = node("log-rebuild", "node-b"); // same data dir: its snapshot, then the log
        for (String t : List.of("rb.0", "rb.1", "rb.2")) {
            awaitSame(a, b2, "/v0/topics/" + t + "/diff?from_seq=0&limit=1000");
        }
        b2.sigkill();
        b2.waitFor(Duration.ofSeconds(10));
        ChildServer c = keep(ClusterNodes.start(tmp.resolve("wiped"), kafka.bootstrapServers(), "log-rebuild",
                "node-c")); // an empty data dir: everything from offset 0
        for (String t : List.of("rb.0", "rb.1", "rb.2")) {
            awaitSame(a, c, "/v0/topics/" + t + "/diff?from_seq=0&limit=1000");
            awaitSame(a, c, "/v0/topics/" + t);
        }
    }
}
