package dev.topics.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the SPEC §9 router tests share (black-box over HTTP against in-process servers, one
 * server per test class): the paths, writing and reading records, waiting for a router or a
 * topic (moving {@link #clock} on, so that retries come without their backoff), and the
 * parts of a copy ({@code $origin}, seqs, data).
 */
abstract class RouterFixtures extends ServerTest {
    static final Duration AWAIT = Duration.ofSeconds(20);
    /**
     * The clock of the servers whose routers retry (a destination down or refusing): waits
     * move it on instead of waiting out the backoff.
     */
    /** How far {@link #clock} moves on each poll of a wait (10 ms of real time). */
    private static final Duration SKIP = Duration.ofMillis(100);

    /** For tests that run servers of their own (restarts, remote routers). */
    @TempDir
    Path ownTmp;

    // ------------------------------------------------------------------ helpers

    static String router(String name) {
        return "/v0/routers/" + name;
    }

    static Response putRouter(Http h, String name, String body) {
        return h.put(router(name), body);
    }

    static void createTopic(Http h, String topic) {
        h.put("/v0/topics/" + topic, "{}").ok(201);
    }

    /** Writes one record per data text; returns the write's answer. */
    static Response write(Http h, String topic, String... data) {
        StringBuilder b = new StringBuilder("{\"records\":[");
        for (int i = 0; i < data.length; i++) {
            b.append(i == 0 ? "" : ",").append("{\"data\":").append(data[i]).append('}');
        }
        return h.post("/v0/topics/" + topic, b.append("]}").toString()).ok();
    }

    /** Writes {@code n} records {@code {"i": from..from+n-1}} in one batch. */
    static Response writeRange(Http h, String topic, long from, int n) {
        String[] d = new String[n];
        for (int i = 0; i < n; i++) {
            d[i] = "{\"i\":" + (from + i) + "}";
        }
        return write(h, topic, d);
    }

    /** Every live record of a topic, read with diff pages. */
    static List<Map<String, Object>> readAll(Http h, String topic) {
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

    static long headSeq(Http h, String topic) {
        return h.get("/v0/topics/" + topic).ok().num("head_seq");
    }

    static String nodeId(Http h) {
        return h.get("/v0/node").ok().str("node_id");
    }

    /**
     * Polls GET /v0/routers/{name} until the condition holds, moving {@link #clock} on
     * meanwhile (a retry may be due); fails with the last answer after {@link #AWAIT}.
     */
    static Response awaitRouter(Http h, String name, String what, Predicate<Response> cond) {
        return Await.value("router " + name + ": " + what, AWAIT, () -> {
            clock.skip(SKIP);
            return h.get(router(name)).ok();
        }, cond);
    }

    static Response awaitCaughtUp(Http h, String name) {
        return awaitRouter(h, name, "caught up", r -> r.num("lag") == 0 && r.num("cursor") == r.num("source_head_seq"));
    }

    /** Polls a topic until it holds {@code n} live records (fails if it gets more). */
    static List<Map<String, Object>> awaitCount(Http h, String topic, int n) {
        Await.value(topic + " holding " + n + " records", AWAIT, () -> {
            long count = h.get("/v0/topics/" + topic).ok().num("count");
            assertThat(count).as("records in %s (expected %d)", topic, n).isLessThanOrEqualTo(n);
            return count;
        }, count -> count == n);
        return readAll(h, topic);
    }

    static Map<String, Object> origin(Map<String, Object> rec) {
        return rec.get("$origin") == null ? null : Http.Json.obj(rec.get("$origin"));
    }

    private static long originSeq(Map<String, Object> rec) {
        Map<String, Object> o = origin(rec);
        assertThat(o).as("$origin of %s", rec).isNotNull();
        return (Long) o.get("seq");
    }

    static List<Long> seqs(List<Map<String, Object>> recs) {
        return recs.stream().map(r -> (Long) r.get("$seq")).toList();
    }

    static List<Long> originSeqs(List<Map<String, Object>> recs) {
        return recs.stream().map(RouterFixtures::originSeq).toList();
    }

    static List<Object> datas(List<Map<String, Object>> recs) {
        return recs.stream().map(r -> r.get("data")).toList();
    }

    static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }
}
