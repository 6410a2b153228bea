package dev.topics.subscription;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import java.net.http.HttpRequest.BodyPublishers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §10 subscriptions, black-box over HTTP: {@code POST …/next} (a diff from the cursor
 * that does not move it) and {@code POST …/ack} (forward only).
 */
@Timeout(90)
class SubscriptionCursorTest extends SubscriptionFixtures {
    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    // ------------------------------------------------------------------ next

    @Test
    void nextReadsAfterTheCursorWithoutMovingIt() {
        String t = uniqueTopic("sub.next");
        long head = seed(http, t, 5);
        http.put(sub(t, "s"), "{\"from_seq\": 1}").ok(201);

        Response first = next(http, t, "s", "{}");
        assertRead(first, 1, range(2, 5), 5, head, 1);
        assertThat(Http.Json.obj(first.list("records").get(0)).get("data")).isEqualTo(2L);
        Response again = next(http, t, "s", "{}");
        assertThat(again.list("records")).as("next does not move the cursor").isEqualTo(first.list("records"));
        assertRead(again, 1, range(2, 5), 5, head, 1);
        Response noBody = http.send("POST", sub(t, "s") + "/next", BodyPublishers.noBody()).ok();
        assertThat(seqs(noBody)).isEqualTo(range(2, 5));
        assertSub(get(t, "s"), t, "s", 1, head, null);

        Response limited = next(http, t, "s", "{\"limit\": 2}");
        assertRead(limited, 1, range(2, 3), 3, head, 1);
        assertThat(limited.bool("caught_up")).isFalse();
        assertThat(limited.num("lag")).isEqualTo(2);

        ack(http, t, "s", 3);
        assertRead(next(http, t, "s", "{\"limit\": 1, \"wait_ms\": 0}"), 3, List.of(4L), 4, head, 1);
        ack(http, t, "s", 5);
        assertRead(next(http, t, "s", "{}"), 5, List.of(), 5, head, 1);

        // a new record shows up after the cursor
        long newHead = seed(http, t, 1);
        assertRead(next(http, t, "s", "{}"), 5, List.of(newHead), newHead, newHead, 1);
    }

    @Test
    void nextReturnsAtMost100ByDefaultAndHonoursTheLimitRange() {
        String t = uniqueTopic("sub.nextlimit");
        long head = seed(http, t, 150);
        http.put(sub(t, "s"), "{\"from_seq\": 0}").ok(201);
        assertRead(next(http, t, "s", "{}"), 0, range(1, 100), 100, head, 1);
        assertRead(next(http, t, "s", "{\"limit\": 10000}"), 0, range(1, 150), 150, head, 1);
        assertRead(next(http, t, "s", "{\"limit\": 1}"), 0, List.of(1L), 1, head, 1);
    }

    @Test
    void nextAppliesTheSubscriptionsFilterAndSkippedRecordsStillAdvance() {
        String t = uniqueTopic("sub.nextfilter");
        long head = write(http, t, tagged("keep", 1), tagged("skip", 2), tagged("keep", 3), tagged("skip", 4),
                tagged("skip", 5));
        http.put(sub(t, "f"), "{\"from_seq\": 0, \"filter\": " + KEEP_JSON + "}").ok(201);

        Response all = next(http, t, "f", "{}");
        assertRead(all, 0, List.of(1L, 3L), 5, head, 1);
        for (Object o : all.list("records")) {
            assertThat(Http.Json.obj(o).get("$tag")).isEqualTo("keep");
        }
        assertRead(next(http, t, "f", "{\"limit\": 1}"), 0, List.of(1L), 1, head, 1);
        ack(http, t, "f", 1);
        assertRead(next(http, t, "f", "{\"limit\": 1}"), 1, List.of(3L), 3, head, 1);
        ack(http, t, "f", 3);
        Response none = next(http, t, "f", "{}");
        assertRead(none, 3, List.of(), 5, head, 1);
        assertThat(none.bool("caught_up")).as("skipped records advance next_from_seq").isTrue();

        // a filter on another field, changed by PUT, is used by the next read
        http.put(sub(t, "f"), "{\"from_seq\": 0, \"filter\": [\"seq\", \"Gte\", 4]}").ok(200);
        assertRead(next(http, t, "f", "{}"), 0, List.of(4L, 5L), 5, head, 1);
        http.put(sub(t, "f"), "{\"filter\": null}").ok(200);
        assertRead(next(http, t, "f", "{}"), 0, range(1, 5), 5, head, 1);
    }

    @Test
    void nextRefusesBadBodies() {
        String t = uniqueTopic("sub.nextbad");
        seed(http, t, 2);
        http.put(sub(t, "s"), "{\"from_seq\": 0}").ok(201);
        String p = sub(t, "s") + "/next";
        for (String body : List.of("{\"limit\": 0}", "{\"limit\": 10001}", "{\"limit\": -1}", "{\"limit\": \"5\"}",
                "{\"limit\": 1.5}", "{\"limit\": null}", "{\"wait_ms\": 60001}", "{\"wait_ms\": -1}",
                "{\"limit\": 1, \"limit\": 2}")) {
            http.post(p, body).assertError(400, "invalid_field");
        }
        http.post(p, "{\"from_seq\": 0}").assertError(400, "unknown_field");
        http.post(p, "{\"filter\": null}").assertError(400, "unknown_field");
        http.post(p, "{\"limit\": ").assertError(400, "invalid_json");
        for (String notAnObject : List.of("[]", "null", "1")) {
            http.post(p, notAnObject).assertError(400, "invalid_field");
        }
        http.post(sub(t, "nope") + "/next", "{}").assertError(404, "subscription_not_found");
        // the edges of the ranges are fine
        assertThat(seqs(next(http, t, "s", "{\"limit\": 10000, \"wait_ms\": 0}"))).isEqualTo(range(1, 2));
        assertSub(get(t, "s"), t, "s", 0, 2, null);
    }

    @Test
    void nextWithWaitMsTimesOutEmptyWhenNothingArrives() {
        String t = uniqueTopic("sub.nextidle");
        long head = seed(http, t, 2);
        http.put(sub(t, "s"), "{}").ok(201);
        long t0 = System.nanoTime();
        Response r = next(http, t, "s", "{\"wait_ms\": 300}");
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertRead(r, head, List.of(), head, head, 1);
        assertThat(tookMs).as("the request was held for its wait_ms").isGreaterThanOrEqualTo(250);
    }

    @Test
    void nextWithWaitMsReturnsARecordWrittenDuringTheWait() throws Exception {
        String t = uniqueTopic("sub.nextwait");
        long head = seed(http, t, 2);
        http.put(sub(t, "plain"), "{}").ok(201);
        http.put(sub(t, "filtered"), "{\"filter\": " + KEEP_JSON + "}").ok(201);

        CompletableFuture<Response> plain = CompletableFuture.supplyAsync(
                () -> http.post(sub(t, "plain") + "/next", "{\"wait_ms\": 30000}"));
        CompletableFuture<Response> filtered = CompletableFuture.supplyAsync(
                () -> http.post(sub(t, "filtered") + "/next", "{\"wait_ms\": 30000}"));
        // nothing is after either cursor: both requests are held
        assertThatThrownBy(() -> plain.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(filtered).isNotDone();

        Thread writer = Thread.ofVirtual().start(() -> {
            write(http, t, tagged("skip", 3));
            write(http, t, tagged("keep", 4));
        });
        writer.join(Duration.ofSeconds(30));

        Response p = plain.get(30, TimeUnit.SECONDS).ok();
        assertThat(p.num("cursor")).isEqualTo(head);
        assertThat(seqs(p)).as("the first record after the cursor, written during the wait").startsWith(head + 1);
        assertThat(Http.Json.obj(p.list("records").get(0)).get("$tag")).isEqualTo("skip");

        Response f = filtered.get(30, TimeUnit.SECONDS).ok();
        assertThat(f.num("cursor")).isEqualTo(head);
        assertThat(seqs(f)).as("only the matching record").containsExactly(head + 2);
        assertThat(f.num("next_from_seq")).isEqualTo(head + 2);
        assertThat(f.bool("caught_up")).isTrue();

        // the wait did not move either cursor
        assertSub(get(t, "plain"), t, "plain", head, head + 2, null);
        assertSub(get(t, "filtered"), t, "filtered", head, head + 2, KEEP);
    }

    // ------------------------------------------------------------------ ack

    @Test
    void ackMovesTheCursorForwardOnly() {
        String t = uniqueTopic("sub.ack");
        long head = seed(http, t, 5);
        Response created = http.put(sub(t, "s"), "{\"from_seq\": 0, \"filter\": " + KEEP_JSON + "}").ok(201);

        Response a = ack(http, t, "s", 3);
        assertSub(a, t, "s", 3, head, KEEP);
        assertThat(a.str("created_at")).isEqualTo(created.str("created_at"));
        assertSub(get(t, "s"), t, "s", 3, head, KEEP);

        assertSub(ack(http, t, "s", 1), t, "s", 3, head, KEEP);
        assertSub(ack(http, t, "s", 0), t, "s", 3, head, KEEP);
        assertSub(ack(http, t, "s", 3), t, "s", 3, head, KEEP);
        assertSub(get(t, "s"), t, "s", 3, head, KEEP);

        http.put(sub(t, "s"), "{\"filter\": null}").ok(200);
        assertRead(next(http, t, "s", "{}"), 3, List.of(4L, 5L), 5, head, 1);

        assertSub(ack(http, t, "s", head), t, "s", head, head, null);
        assertThat(get(t, "s").num("lag")).isZero();
        http.post(sub(t, "s") + "/ack", "{\"seq\": " + (head + 1) + "}").assertError(400, "invalid_field");
        assertSub(get(t, "s"), t, "s", head, head, null);
    }

    @Test
    void ackRefusesBadBodies() {
        String t = uniqueTopic("sub.ackbad");
        long head = seed(http, t, 4);
        http.put(sub(t, "s"), "{\"from_seq\": 2}").ok(201);
        String p = sub(t, "s") + "/ack";
        for (String body : List.of("{}", "{\"seq\": null}", "{\"seq\": -1}", "{\"seq\": \"3\"}", "{\"seq\": 2.5}",
                "{\"seq\": 3, \"seq\": 4}", "{\"seq\": " + (head + 1) + "}", "{\"seq\": 18446744073709551615}")) {
            http.post(p, body).assertError(400, "invalid_field");
        }
        http.send("POST", p, BodyPublishers.noBody()).assertError(400, "invalid_field");
        http.post(p, "{\"seq\": 3, \"force\": true}").assertError(400, "unknown_field");
        http.post(p, "{\"cursor\": 3}").assertError(400, "unknown_field");
        http.post(p, "{\"seq\": 3").assertError(400, "invalid_json");
        for (String notAnObject : List.of("[]", "null", "3")) {
            http.post(p, notAnObject).assertError(400, "invalid_field");
        }
        http.post(sub(t, "nope") + "/ack", "{\"seq\": 1}").assertError(404, "subscription_not_found");
        assertSub(get(t, "s"), t, "s", 2, head, null);
    }

    @Test
    void nextReportsARetentionTombstoneForRecordsEvictedBeforeTheCursorReachedThem() {
        String t = uniqueTopic("sub.retention");
        http.put(topicPath(t), "{\"cap_records\": 3}").ok(201);
        http.put(sub(t, "s"), "{}").ok(201);
        long head = seed(http, t, 5); // records 1 and 2 are evicted by the cap

        Response r = next(http, t, "s", "{}");
        assertThat(r.num("cursor")).isZero();
        assertThat(seqs(r)).isEqualTo(range(3, 5));
        assertThat(r.num("earliest_seq")).isEqualTo(3);
        assertThat(r.num("next_from_seq")).isEqualTo(head);
        assertThat(r.obj("tombstone")).isEqualTo(Map.of("reason", "retention", "from_seq", 1L, "to_seq", 2L));

        ack(http, t, "s", head);
        Response after = next(http, t, "s", "{}");
        assertRead(after, head, List.of(), head, head, 3);
    }

    @Test
    void concurrentAcksNeverMoveTheCursorBackwardsAndAPutWithoutFromSeqKeepsThem() throws Exception {
        String t = uniqueTopic("sub.concurrent");
        int n = 40;
        long head = seed(http, t, n);
        http.put(sub(t, "s"), "{\"from_seq\": 0}").ok(201);

        List<Long> order = new ArrayList<>(range(1, n));
        java.util.Collections.shuffle(order, new java.util.Random(7));
        List<CompletableFuture<Response>> acks = new ArrayList<>();
        for (long seq : order) {
            acks.add(CompletableFuture.supplyAsync(() -> http.post(sub(t, "s") + "/ack", "{\"seq\": " + seq + "}")));
        }
        for (CompletableFuture<Response> f : acks) {
            Response r = f.get(30, TimeUnit.SECONDS).ok();
            assertThat(r.num("cursor")).isBetween(1L, (long) n);
        }
        assertSub(get(t, "s"), t, "s", n, head, null);

        // an updater changing only the filter, racing a consumer that acks one by one
        http.put(sub(t, "s"), "{\"from_seq\": 0}").ok(200);
        CompletableFuture<Void> updater = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < n; i++) {
                http.put(sub(t, "s"), i % 2 == 0 ? "{\"filter\": " + KEEP_JSON + "}" : "{\"filter\": null}").ok(200);
            }
        });
        long last = 0;
        for (long seq = 1; seq <= n; seq++) {
            long cursor = ack(http, t, "s", seq).num("cursor");
            assertThat(cursor).isGreaterThanOrEqualTo(last);
            last = cursor;
        }
        updater.get(60, TimeUnit.SECONDS);
        assertThat(get(t, "s").num("cursor")).as("no PUT without from_seq lost an ack").isEqualTo(n);
    }
}
