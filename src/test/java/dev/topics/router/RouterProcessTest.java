package dev.topics.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.json.JsonReader;
import dev.topics.testing.Await;
import dev.topics.testing.ChildServer;
import dev.topics.testing.DiffPages;
import dev.topics.testing.ProcessTest;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §9 routers across real crashes: the server runs in child JVMs and is SIGKILLed.
 * (a) A local router killed mid-copy resumes after a restart and leaves every source record
 * in the destination exactly once, in order — by its own commit (the destination has no
 * {@code dedupe_node} to hide a duplicate). (b) Two servers mirroring a topic with remote
 * routers both ways, written on both sides, one side killed and restarted on the same data
 * directory and port: both end with exactly the union of the records, each once, no echo.
 */
class RouterProcessTest extends ProcessTest {
    private static final Duration AWAIT = Duration.ofSeconds(30);

    private ChildServer start(Path data, Map<String, String> env) {
        return keep(ChildServer.start(data, env));
    }

    // ------------------------------------------------------------------ (a) local router, SIGKILL mid-copy

    @Test
    @Timeout(120)
    void aLocalRouterKilledMidCopyCopiesEveryRecordExactlyOnce() {
        Path data = tmp.resolve("data");
        ChildServer server = start(data, Map.of());
        expect(server.put("/v0/topics/src", "{}"), 201);
        expect(server.put("/v0/topics/dst", "{\"dedupe_node\":false}"), 201);
        long written = writeSource(server, 0, 100_000);
        expect(server.put("/v0/routers/copy", "{\"source\":\"src\",\"dest\":\"dst\",\"from_seq\":0}"), 201);

        // Kill while the cursor is between 1 and the head, and after each restart once the router
        // has moved on again; if it catches up before a kill can land, give it more to copy.
        int kills = 0;
        List<String> killedAt = new ArrayList<>();
        long progressFrom = 0;
        for (int attempt = 0; attempt < 8 && kills < 3; attempt++) {
            long after = progressFrom;
            Status st = awaitStatus(server, "copying past " + after,
                    x -> (x.cursor > after && x.cursor < x.head) || x.lag == 0);
            if (st.lag == 0) {
                if (written >= 400_000) {
                    break;
                }
                written = writeSource(server, written, 100_000);
                progressFrom = st.cursor;
                continue;
            }
            server.sigkill();
            assertThat(server.waitFor(Duration.ofSeconds(20))).as("exit code after SIGKILL").isEqualTo(137);
            kills++;
            killedAt.add(st.cursor + "/" + st.head);
            server = start(data, Map.of());
            Status back = status(server, "copy");
            assertThat(back.cursor).as("cursor after the restart (seen %d before the kill)", st.cursor)
                    .isGreaterThanOrEqualTo(st.cursor).isLessThanOrEqualTo(written);
            assertThat(back.head).isEqualTo(written);
            progressFrom = back.cursor;
        }
        assertThat(kills).as("kills that landed while the router was between 1 and the head").isPositive();

        Status done = awaitStatus(server, "caught up", st -> st.lag == 0 && st.cursor == st.head);
        assertThat(done.head).isEqualTo(written);
        assertThat(done.state).isEqualTo("running");
        System.out.printf("killed %d time(s) at cursor/head %s; %d records%n", kills, killedAt, written);

        List<Rec> source = readAll(server, "src");
        List<Rec> dest = readAll(server, "dst");
        assertThat(source).hasSize((int) written);
        assertThat(dest).as("the destination holds each source record once").hasSize((int) written);
        for (int i = 0; i < written; i++) {
            Rec s = source.get(i);
            Rec d = dest.get(i);
            assertThat(s.seq).isEqualTo(i + 1);
            if (d.originSeq != s.seq || !d.data.equals(s.data) || !"src".equals(d.originTopic)) {
                throw new AssertionError("dest record " + (i + 1) + " is " + d + ", expected a copy of " + s);
            }
            assertThat(d.seq).isEqualTo(i + 1);
        }
        server.sigterm();
        assertThat(server.waitFor(Duration.ofSeconds(20))).isZero();
    }

    /** Writes records {@code {"n": from+1 .. from+count}} to src in batches of 10,000; returns the new total. */
    private static long writeSource(ChildServer server, long from, int count) {
        long n = from;
        int left = count;
        while (left > 0) {
            int batch = Math.min(10_000, left);
            StringBuilder b = new StringBuilder(batch * 40).append("{\"records\":[");
            for (int i = 0; i < batch; i++) {
                n++;
                b.append(i == 0 ? "" : ",").append("{\"data\":{\"n\":").append(n).append(",\"p\":\"r").append(n % 977)
                        .append("\"}}");
            }
            ChildServer.Response r = server.post("/v0/topics/src", b.append("]}").toString());
            assertThat(r.status()).as("write: %s", r.body()).isEqualTo(200);
            left -= batch;
        }
        return n;
    }

    // ------------------------------------------------------------------ (b) mirroring both ways, one side killed

    @Test
    @Timeout(120)
    void twoServersMirroringBothWaysSurviveASigkillOfOneSide() throws Exception {
        int westPort = freePort();
        int eastPort = freePort();
        Path westData = tmp.resolve("west");
        Path eastData = tmp.resolve("east");
        Map<String, String> westEnv = Map.of("TOPICS_NODE_ID", "west", "TOPICS_PORT", Integer.toString(westPort));
        Map<String, String> eastEnv = Map.of("TOPICS_NODE_ID", "east", "TOPICS_PORT", Integer.toString(eastPort));
        ChildServer west = start(westData, westEnv);
        ChildServer east = start(eastData, eastEnv);
        assertThat(west.port()).isEqualTo(westPort);
        assertThat(east.port()).isEqualTo(eastPort);
        expect(west.put("/v0/topics/mirror", "{}"), 201);
        expect(east.put("/v0/topics/mirror", "{}"), 201);
        expect(west.put("/v0/routers/to-east", "{\"source\":\"mirror\",\"dest_url\":\"http://127.0.0.1:" + eastPort + "\"}"),
                201);
        expect(east.put("/v0/routers/to-west", "{\"source\":\"mirror\",\"dest_url\":\"http://127.0.0.1:" + westPort + "\"}"),
                201);

        Writers writers = new Writers();
        writers.start("west", westPort, 2);
        writers.start("east", eastPort, 2);
        try {
            Await.sleep(2500);
            assertThat(writers.acked.get("west")).as("west writes before the kill").isNotEmpty();
            west.sigkill();
            assertThat(west.waitFor(Duration.ofSeconds(20))).as("exit code after SIGKILL").isEqualTo(137);
            // while west is down, east's router retries
            Status retrying = awaitStatus(east, "to-west", "retrying", st -> "retrying".equals(st.state) && st.lastError != null);
            System.out.println("east's router while west is down: " + retrying);
            Await.sleep(500);
            west = start(westData, westEnv);
            assertThat(west.port()).isEqualTo(westPort);
            Await.sleep(2000);
        } finally {
            writers.stop();
        }
        assertThat(writers.problems).isEmpty();
        System.out.println("acknowledged: west " + writers.acked.get("west").size() + ", east "
                + writers.acked.get("east").size() + "; failed: " + writers.failed.get());

        // both routers caught up, then nothing more moves
        ChildServer w = west;
        ChildServer e = east;
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (true) {
            Status we = status(w, "to-east");
            Status ew = status(e, "to-west");
            long wc = count(w);
            long ec = count(e);
            if (we.lag == 0 && ew.lag == 0 && wc == ec && status(w, "to-east").lag == 0 && status(e, "to-west").lag == 0
                    && count(w) == wc && count(e) == ec) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no convergence within " + AWAIT + ": west " + wc + " records, router " + we
                        + "; east " + ec + " records, router " + ew);
            }
            Await.sleep(50);
        }

        List<Rec> onWest = readAll(w, "mirror");
        List<Rec> onEast = readAll(e, "mirror");
        checkMirror(onWest, onEast, "west", "east");
        checkMirror(onEast, onWest, "east", "west");
        Set<String> westData1 = new HashSet<>();
        onWest.forEach(r -> westData1.add(r.data));
        Set<String> eastData1 = new HashSet<>();
        onEast.forEach(r -> eastData1.add(r.data));
        assertThat(westData1).as("both sides hold the same records").isEqualTo(eastData1);
        assertThat(westData1).as("every acknowledged write is on both sides")
                .containsAll(writers.acked.get("west")).containsAll(writers.acked.get("east"));
        System.out.printf("converged: %d records on each side%n", onWest.size());
        w.sigterm();
        e.sigterm();
        assertThat(w.waitFor(Duration.ofSeconds(20))).isZero();
        assertThat(e.waitFor(Duration.ofSeconds(20))).isZero();
    }

    /**
     * What {@code here} wrote itself (no $origin) is on {@code there} exactly once, in order,
     * with origin (here, mirror, seq); nothing on {@code here} came back from itself; no data twice.
     */
    private static void checkMirror(List<Rec> here, List<Rec> there, String hereNode, String thereNode) {
        List<Rec> own = here.stream().filter(r -> r.originNode == null).toList();
        List<Rec> arrived = there.stream().filter(r -> hereNode.equals(r.originNode)).toList();
        assertThat(arrived.stream().map(r -> r.originSeq).toList()).as("%s's records on %s by origin seq", hereNode, thereNode)
                .isEqualTo(own.stream().map(r -> r.seq).toList());
        assertThat(arrived.stream().map(r -> r.data).toList()).isEqualTo(own.stream().map(r -> r.data).toList());
        assertThat(arrived).allSatisfy(r -> assertThat(r.originTopic).isEqualTo("mirror"));
        assertThat(here).allSatisfy(r -> assertThat(r.originNode == null || thereNode.equals(r.originNode))
                .as("record on %s: %s", hereNode, r).isTrue());
        assertThat(own).allSatisfy(r -> assertThat(r.data).contains("\"s\":\"" + hereNode + "\""));
        Set<String> seen = new HashSet<>();
        for (Rec r : here) {
            assertThat(seen.add(r.data)).as("on %s twice: %s", hereNode, r.data).isTrue();
        }
    }

    /** Writer threads per side: batches of fresh, unique records; failures are noted, never re-sent. */
    private static final class Writers {
        final Map<String, Set<String>> acked = new ConcurrentHashMap<>();
        final AtomicLong failed = new AtomicLong();
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        private final List<Thread> threads = new ArrayList<>();
        private volatile boolean stop;

        void start(String side, int port, int n) {
            Set<String> mine = acked.computeIfAbsent(side, k -> ConcurrentHashMap.newKeySet());
            for (int i = 0; i < n; i++) {
                int writer = i;
                Thread t = Thread.ofPlatform().daemon().name("writer-" + side + "-" + i)
                        .start(() -> run(side, port, writer, mine));
                threads.add(t);
            }
        }

        private void run(String side, int port, int writer, Set<String> mine) {
            URI uri = URI.create("http://127.0.0.1:" + port + "/v0/topics/mirror");
            long n = 0;
            try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2)).build()) {
                while (!stop) {
                    int size = 1 + (int) (n % 7) * 3;
                    List<String> batch = new ArrayList<>();
                    StringBuilder b = new StringBuilder("{\"records\":[");
                    for (int i = 0; i < size; i++) {
                        n++;
                        String d = "{\"s\":\"" + side + "\",\"w\":" + writer + ",\"n\":" + n + "}";
                        batch.add(d);
                        b.append(i == 0 ? "" : ",").append("{\"data\":").append(d).append('}');
                    }
                    HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(b.append("]}").toString(), StandardCharsets.UTF_8))
                            .build();
                    try {
                        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                            mine.addAll(batch);
                        } else if (r.statusCode() < 500) {
                            problems.add(side + " write refused: " + r.statusCode() + " " + r.body());
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (IOException e) {
                        failed.incrementAndGet(); // the server is down: this batch may or may not be there
                        Await.sleep(50);
                    }
                    Await.sleep(5);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException | Error e) {
                problems.add(side + " writer " + writer + " failed: " + e);
            }
        }

        void stop() throws InterruptedException {
            stop = true;
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(20));
                assertThat(t.isAlive()).as(t.getName() + " still writing after the stop").isFalse();
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A router's status. */
    record Status(long cursor, long head, long lag, long copied, String state, String lastError) {
    }

    private static Status status(ChildServer s, String router) {
        ChildServer.Response r = s.get("/v0/routers/" + router);
        assertThat(r.status()).as("GET router %s: %s", router, r.body()).isEqualTo(200);
        byte[] b = r.bytes();
        JsonReader j = new JsonReader(b, 0, b.length, 64);
        long cursor = -1;
        long head = -1;
        long lag = -1;
        long copied = -1;
        String state = null;
        String lastError = null;
        j.beginObject("router");
        while (j.nextField()) {
            switch (j.name()) {
                case "cursor" -> cursor = j.nextU64("cursor");
                case "source_head_seq" -> head = j.nextU64("source_head_seq");
                case "lag" -> lag = j.nextU64("lag");
                case "copied" -> copied = j.nextU64("copied");
                case "state" -> state = j.nextString("state");
                case "last_error" -> lastError = j.nextStringOrNull("last_error");
                default -> j.skipValue();
            }
        }
        return new Status(cursor, head, lag, copied, state, lastError);
    }

    private static Status awaitStatus(ChildServer s, String what, Predicate<Status> cond) {
        return awaitStatus(s, "copy", what, cond);
    }

    private static Status awaitStatus(ChildServer s, String router, String what, Predicate<Status> cond) {
        return Await.value("router " + router + " " + what, AWAIT, Duration.ofMillis(2), () -> status(s, router), cond);
    }

    private static long count(ChildServer s) {
        ChildServer.Response r = s.get("/v0/topics/mirror");
        assertThat(r.status()).as("GET topic: %s", r.body()).isEqualTo(200);
        byte[] b = r.bytes();
        JsonReader j = new JsonReader(b, 0, b.length, 64);
        long count = -1;
        j.beginObject("topic");
        while (j.nextField()) {
            if (j.name().equals("count")) {
                count = j.nextU64("count");
            } else {
                j.skipValue();
            }
        }
        return count;
    }

    /** One record as read back: data as its exact canonical text, and its origin if any. */
    record Rec(long seq, String data, String originNode, String originTopic, long originSeq) {
    }

    /** A topic read in full with GET diff pages. */
    private static List<Rec> readAll(ChildServer server, String topic) {
        return DiffPages.readAll(server, topic).records().stream()
                .map(r -> new Rec(r.seq(), r.data(), r.originNode(), r.originTopic(), r.originSeq())).toList();
    }

    private static void expect(ChildServer.Response r, int status) {
        assertThat(r.status()).as("answer %s", r.body()).isEqualTo(status);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError("no free port", e);
        }
    }
}
