package dev.topics.topic;

import static dev.topics.testing.TestServer.uniqueTopic;
import static dev.topics.topic.DiffTest.seqs;
import static dev.topics.topic.WriteTest.path;
import static dev.topics.topic.WriteTest.seed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * SPEC §4's {@code wait_ms} long poll. Timing bounds are loose on the upper side (a
 * loaded machine is slow, never early): a wait must last at least about as long as asked.
 */
class DiffWaitTest extends ServerTest {
    /** Scheduling slack allowed below a requested wait. */
    static final long EARLY_MS = 50;


    record Timed(Response response, long millis) {
    }

    static Timed timed(Supplier<Response> call) {
        long t0 = System.nanoTime();
        Response r = call.get();
        return new Timed(r, (System.nanoTime() - t0) / 1_000_000);
    }

    static CompletableFuture<Timed> async(Supplier<Response> call) {
        return CompletableFuture.supplyAsync(() -> timed(call));
    }

    @Test
    void anIdleWaitReturnsNothingAndCaughtUpAfterTheWait() {
        String t = uniqueTopic("wait.idle");
        seed(http, t, 2);

        Timed p = timed(() -> http.post(path(t) + "/diff", "{\"from_seq\": 2, \"wait_ms\": 700}").ok());
        Timed g = timed(() -> http.get(path(t) + "/diff?from_seq=2&wait_ms=700").ok());

        for (Timed x : new Timed[] {p, g}) {
            assertThat(x.response().list("records")).isEmpty();
            assertThat(x.response().bool("caught_up")).isTrue();
            assertThat(x.response().num("next_from_seq")).isEqualTo(2);
            assertThat(x.response().map()).containsEntry("tombstone", null);
            assertThat(x.millis()).as("held for the wait").isGreaterThanOrEqualTo(700 - EARLY_MS).isLessThan(5_000);
        }
    }

    @Test
    void anIdleWaitOnAnEmptyTopicHoldsToo() {
        String t = uniqueTopic("wait.empty");
        http.put(path(t), "{}").ok(201);

        Timed x = timed(() -> http.post(path(t) + "/diff", "{\"wait_ms\": 400}").ok());

        assertThat(x.response().list("records")).isEmpty();
        assertThat(x.response().bool("caught_up")).isTrue();
        assertThat(x.millis()).isGreaterThanOrEqualTo(400 - EARLY_MS);
    }

    @Test
    void aWriteWakesAWaitingReaderWithThatRecord() throws Exception {
        String t = uniqueTopic("wait.wake");
        seed(http, t, 1);
        CompletableFuture<Timed> waiting =
                async(() -> http.post(path(t) + "/diff", "{\"from_seq\": 1, \"wait_ms\": 20000}").ok());

        Thread.sleep(300); // the test is about waiting: write while the reader is held
        http.post(path(t), "{\"records\": [{\"data\": \"late\", \"tag\": \"w\"}]}").ok();

        Timed x = waiting.get(15, TimeUnit.SECONDS);
        assertThat(seqs(x.response())).containsExactly(2L);
        assertThat(Http.Json.obj(x.response().get("records.0")).get("data")).isEqualTo("late");
        assertThat(x.response().bool("caught_up")).isTrue();
        assertThat(x.millis()).as("held until the write, released by it")
                .isGreaterThanOrEqualTo(300 - EARLY_MS).isLessThan(10_000);
    }

    @Test
    void deletingTheTopicEndsAWaitAtOnceAndTheNextReadSaysItIsGone() throws Exception {
        String t = uniqueTopic("wait.gone");
        seed(http, t, 1);
        CompletableFuture<Timed> waiting = async(() -> http.get(path(t) + "/diff?from_seq=1&wait_ms=60000").ok());

        Thread.sleep(300);
        http.delete(path(t)).ok();

        // the delete wakes the wait (nothing re-checks on a timer): well before its 60 s
        Timed x = waiting.get(30, TimeUnit.SECONDS);
        assertThat(x.response().list("records")).isEmpty();
        assertThat(x.millis()).isLessThan(30_000);
        assertThat(http.get(path(t) + "/diff?from_seq=1").status()).isEqualTo(404);
    }

    @Test
    void aWriteWakesAWaitingGetToo() throws Exception {
        String t = uniqueTopic("wait.wakeget");
        seed(http, t, 1);
        CompletableFuture<Timed> waiting = async(() -> http.get(path(t) + "/diff?from_seq=1&wait_ms=20000").ok());

        Thread.sleep(300);
        seed(http, t, 1);

        Timed x = waiting.get(15, TimeUnit.SECONDS);
        assertThat(seqs(x.response())).containsExactly(2L);
        assertThat(x.millis()).isLessThan(10_000);
    }

    @Test
    void aWaitingReaderSkipsItsOwnNodesRecordsAndKeepsWaitingForOthers() throws Exception {
        String t = uniqueTopic("wait.node");
        seed(http, t, 1);
        CompletableFuture<Timed> waiting = async(() -> http.post(path(t) + "/diff",
                "{\"from_seq\": 1, \"node\": \"me\", \"wait_ms\": 20000}").ok());

        Thread.sleep(300);
        http.post(path(t), "{\"node\": \"me\", \"records\": [{\"data\": \"own\"}]}").ok();
        Thread.sleep(300);
        assertThat(waiting).as("its own record must not release the reader").isNotDone();
        http.post(path(t), "{\"node\": \"other\", \"records\": [{\"data\": \"theirs\"}]}").ok();

        Timed x = waiting.get(15, TimeUnit.SECONDS);
        assertThat(seqs(x.response())).containsExactly(3L);
        assertThat(x.response().num("next_from_seq")).isEqualTo(3);
        assertThat(x.millis()).isGreaterThanOrEqualTo(600 - EARLY_MS);
    }

    @Test
    void aWaitThatOnlySawSkippedRecordsEndsWithTheCursorPastThem() throws Exception {
        String t = uniqueTopic("wait.onlyskipped");
        seed(http, t, 1);
        CompletableFuture<Timed> waiting = async(() -> http.post(path(t) + "/diff",
                "{\"from_seq\": 1, \"node\": \"me\", \"wait_ms\": 1000}").ok());

        Thread.sleep(300);
        http.post(path(t), "{\"node\": \"me\", \"records\": [{\"data\": 1}, {\"data\": 2}]}").ok();

        Timed x = waiting.get(15, TimeUnit.SECONDS);
        assertThat(x.response().list("records")).isEmpty();
        assertThat(x.response().num("next_from_seq")).isEqualTo(3);
        assertThat(x.response().bool("caught_up")).isTrue();
        assertThat(x.response().num("lag")).isZero();
        assertThat(x.millis()).isGreaterThanOrEqualTo(1000 - EARLY_MS);
    }

    @Test
    void aResetIsAnsweredAtOnceWithoutWaiting() {
        String t = uniqueTopic("wait.reset");
        seed(http, t, 2);

        Timed x = timed(() -> http.post(path(t) + "/diff", "{\"from_seq\": 9, \"wait_ms\": 20000}").ok());

        assertThat(x.response().get("tombstone")).isEqualTo(Map.of("reason", "reset", "head_seq", 2L));
        assertThat(x.response().num("next_from_seq")).isZero();
        assertThat(x.millis()).isLessThan(5_000);
    }

    @Test
    void wait_msOver60000IsRefused() {
        String t = uniqueTopic("wait.over");
        seed(http, t, 1);
        http.post(path(t) + "/diff", "{\"wait_ms\": 60001}").assertError(400, "invalid_field");
        http.get(path(t) + "/diff?wait_ms=60001").assertError(400, "invalid_field");
    }
}
