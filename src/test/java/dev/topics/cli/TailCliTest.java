package dev.topics.cli;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.Http;
import dev.topics.testing.ServerTest;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code topics tail} against a real server (SPEC §5, §14): it prints records as they are
 * written, starts at the head unless told otherwise, ends with exit 1 when the topic is
 * deleted, and follows the topic across a server restart with every record exactly once,
 * in order. The server listens on a fixed port, so a restart comes back where tail
 * reconnects. Each tail runs on its own thread; the test waits on its output, never on time.
 */
@Timeout(180)
@ServerTest.Setup(memory = true, fixedPort = true)
class TailCliTest extends ServerTest {
    /** How long a wait for the CLI or the server may take. */
    static final Duration WAIT = Duration.ofSeconds(60);
    static Cli cli;

    @BeforeAll
    static void cli() {
        cli = Cli.of(server);
    }

    /** A tail running on its own thread, its output readable while it runs. */
    private record Running(CompletableFuture<Cli.Result> result, StringWriter out, StringWriter err) {
        static Running start(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CompletableFuture<Cli.Result> result = new CompletableFuture<>();
            Thread.ofPlatform().daemon().name("tail").start(() -> {
                try {
                    result.complete(cli.run(out, err, args));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
            return new Running(result, out, err);
        }

        List<String> lines() {
            return out.toString().lines().toList();
        }

        void awaitLines(int n) {
            Await.until(n + " lines from tail; so far:\n" + out + err, WAIT, () -> lines().size() >= n || result.isDone());
            assertThat(lines()).as("tail's output; stderr: " + err).hasSizeGreaterThanOrEqualTo(n);
        }

        Cli.Result finish() throws Exception {
            return result.get(60, TimeUnit.SECONDS);
        }
    }

    private static long watchers(String topic) {
        return http.get("/v0/topics/" + topic + "/stats").ok().num("watchers");
    }

    private static void write(String topic, int from, int to) {
        StringBuilder records = new StringBuilder("{\"records\": [");
        for (int i = from; i <= to; i++) {
            records.append(i == from ? "" : ",").append("{\"data\": {\"i\": ").append(i).append("}}");
        }
        http.post("/v0/topics/" + topic, records.append("]}").toString()).ok();
    }

    /** The {@code data.i} of each JSON line, checking that {@code $seq} matches it. */
    private static List<Object> numbers(List<String> lines) {
        return lines.stream().map(l -> {
            Object rec = Http.Json.parse(l);
            assertThat(Http.Json.at(rec, "$seq")).as(l).isEqualTo(Http.Json.at(rec, "data.i"));
            return Http.Json.at(rec, "data.i");
        }).toList();
    }

    @Test
    void followsAcrossAServerRestartWithEveryRecordOnceInOrder() throws Exception {
        String t = uniqueTopic("tail.restart");
        write(t, 1, 3);
        Running tail = Running.start("tail", t, "--from-seq", "0", "--max", "12");
        tail.awaitLines(3);
        write(t, 4, 6);
        tail.awaitLines(6);

        server.restart();
        write(t, 7, 9);
        tail.awaitLines(9);
        server.restart();
        write(t, 10, 12);

        Cli.Result r = tail.finish();
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(numbers(r.lines())).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
        assertThat(r.err()).contains("reconnecting", "reconnected");
    }

    @Test
    void startsAtTheHeadUnlessToldWhere() throws Exception {
        String t = uniqueTopic("tail.head");
        write(t, 1, 2);
        Running tail = Running.start("tail", "--max", "2", t);
        Await.until("tail is watching", WAIT, () -> watchers(t) > 0);
        write(t, 3, 4);
        Cli.Result r = tail.finish();
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(numbers(r.lines())).containsExactly(3L, 4L);

        Cli.Result fromOne = cli.run("tail", t, "--from-seq", "1", "--max", "2");
        assertThat(numbers(fromOne.lines())).containsExactly(2L, 3L);
    }

    @Test
    void endsWithExitOneWhenTheTopicIsDeleted() throws Exception {
        String t = uniqueTopic("tail.deleted");
        write(t, 1, 1);
        Running tail = Running.start("tail", t, "--from-seq", "0");
        tail.awaitLines(1);
        Await.until("tail is watching", WAIT, () -> watchers(t) > 0);
        http.delete("/v0/topics/" + t).ok();
        Cli.Result r = tail.finish();
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).endsWith("topics: " + t + " was deleted\n");
    }

    @Test
    void aMissingTopicIsRefused() {
        Cli.Result r = cli.run("tail", uniqueTopic("tail.none"), "--from-seq", "0");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("topics: topic_not_found: ");
    }
}
