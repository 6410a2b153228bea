package dev.topics.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.webhook.Receiver.Reply;
import dev.topics.webhook.Receiver.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §10 webhook deliveries, end to end: a real server POSTs to a real {@link Receiver}
 * on loopback (see {@link WebhookDeliveryFixtures}). Checked from the receiver's side:
 * retries under the same delivery id with backoff, max_attempts and resuming, the 10 s
 * timeout, 3xx not followed.
 */
@Timeout(180)
class WebhookRetryTest extends WebhookDeliveryFixtures {
    // ------------------------------------------------------------------ retries, max_attempts, resume

    @Test
    void failedAttemptsAreRetriedWithTheSameDeliveryIdAndBackoff() {
        Receiver r = receiver().then(2, 500);
        String t = topic("wh.retry");
        Response created = createHook(http, t, r.url(), "");
        String id = created.str("id");
        write(http, t, 1, 3);

        // between the first failure and the retry, the log shows it pending with why
        Response pending = awaitDeliveries(http, t, id, "pending after one failed attempt",
                d -> Long.valueOf(1).equals(newest(d).get("attempts")) && newest(d).get("last_status") != null);
        Map<String, Object> p = newest(pending);
        assertThat(p).containsEntry("status", "pending").containsEntry("last_status", 500L)
                .containsEntry("from_seq", 1L).containsEntry("to_seq", 3L);
        assertThat((String) p.get("last_error")).contains("500");
        assertThat(Instant.parse((String) p.get("next_attempt_at"))).isAfter(Instant.now().minusSeconds(2));

        List<Request> got = awaitAcknowledged(r, id, range(1, 3), AWAIT);
        assertThat(got).hasSize(3);
        assertThat(got).extracting(q -> q.status).containsExactly(500, 500, 200);
        assertThat(got).extracting(Request::deliveryHeader).containsOnly(got.get(0).deliveryHeader());
        for (Request q : got) {
            assertThat(q.body).as("every attempt sends the same bytes").isEqualTo(got.get(0).body);
            assertSigned(q, created.str("secret"));
        }
        assertDeliveredInOrder(got, range(1, 3));
        // backoff: ~1 s, then ~2 s (±20 % jitter)
        assertThat(Duration.ofNanos(got.get(1).arrivedNanos - got.get(0).arrivedNanos)).isGreaterThan(Duration.ofMillis(700));
        assertThat(Duration.ofNanos(got.get(2).arrivedNanos - got.get(1).arrivedNanos)).isGreaterThan(Duration.ofMillis(1500));

        Response d = awaitDeliveries(http, t, id, "succeeded", x -> "succeeded".equals(newest(x).get("status")));
        assertThat(d.list("deliveries")).hasSize(1);
        assertThat(newest(d)).containsEntry("id", got.get(0).deliveryHeader()).containsEntry("attempts", 3L)
                .containsEntry("last_status", 200L).containsEntry("last_error", null).containsEntry("next_attempt_at", null);
        assertThat(http.get(hook(t, id)).ok().num("cursor")).isEqualTo(3);
        assertThat(http.get(hook(t, id)).ok().str("state")).isEqualTo("active");
    }

    @Test
    void afterMaxAttemptsTheWebhookIsFailingUntilResumed() {
        Receiver r = receiver().always(500);
        String t = topic("wh.failing");
        String id = createHook(http, t, r.url(), "\"max_attempts\":2").str("id");
        write(http, t, 1, 2);
        Response failing = awaitHook(http, t, id, "failing", h -> "failing".equals(h.get("state")));
        assertThat(failing.num("cursor")).isZero();
        assertThat(http.get(hooks(t)).ok().get("webhooks.0.state")).isEqualTo("failing");
        Response d = http.get(hook(t, id) + "/deliveries").ok();
        assertThat(newest(d)).containsEntry("status", "failed").containsEntry("attempts", 2L)
                .containsEntry("last_status", 500L).containsEntry("next_attempt_at", null);
        assertThat(stats(http, t).num("deliveries.failed")).isEqualTo(1);
        assertThat(stats(http, t).num("deliveries.pending")).isZero();

        // no more attempts: the next would have come ~2 s after the second
        assertThat(of(r.requests(), id)).hasSize(2);
        clock.skip(Duration.ofMillis(4000));
        Await.sleep(300);
        assertThat(of(r.requests(), id)).as("requests after the webhook went failing").hasSize(2);
        assertThat(http.get(hook(t, id)).ok().str("state")).isEqualTo("failing");

        // resumed: the pending batch is delivered
        r.always(200);
        Response resumed = http.patch(hook(t, id), "{\"state\":\"active\"}").ok();
        assertThat(resumed.str("state")).isEqualTo("active");
        List<Request> got = awaitAcknowledged(r, id, range(1, 2), AWAIT);
        assertDeliveredInOrder(got, range(1, 2));
        assertThat(got).hasSize(3);
        Response after = awaitHook(http, t, id, "at cursor 2", h -> h.num("cursor") == 2);
        assertThat(after.str("state")).isEqualTo("active");
        awaitDeliveries(http, t, id, "succeeded", x -> "succeeded".equals(newest(x).get("status")));
        write(http, t, 3, 1);
        assertDeliveredInOrder(awaitAcknowledged(r, id, range(1, 3), AWAIT), range(1, 3));
    }

    /**
     * A delivery is one batch: the records first sent under an id are the ones every retry of
     * that id carries, even when more records were written between the attempts (a receiver
     * that drops repeats by {@code X-Topics-Delivery} must not lose the newer records); the
     * retry keeps its backoff; and once all is acknowledged, nothing in the log or in stats is
     * still pending.
     */
    @Test
    void aRetryCarriesTheSameBatchEvenWhenRecordsArriveInBetween() {
        Receiver r = receiver().then(1, 500);
        String t = topic("wh.samebatch");
        String id = createHook(http, t, r.url(), "").str("id");
        write(http, t, 1, 3);
        r.await("the first attempt answered", AWAIT, reqs -> of(reqs, id).size() == 1 && of(reqs, id).get(0).answered);
        write(http, t, 4, 3); // before the retry, due ~1 s later
        List<Request> got = awaitAcknowledged(r, id, range(1, 6), AWAIT);
        awaitHook(http, t, id, "at cursor 6", h -> h.num("cursor") == 6);
        Response d = http.get(hook(t, id) + "/deliveries").ok();
        Response s = stats(http, t);
        SoftAssertions.assertSoftly(soft -> {
            soft.assertThat(got.get(1).seqs()).as("the retry of %s (requests: %s)", got.get(0).deliveryHeader(), got)
                    .isEqualTo(got.get(0).seqs());
            soft.assertThat(Duration.ofNanos(got.get(1).arrivedNanos - got.get(0).arrivedNanos))
                    .as("time from the failed attempt to its retry").isGreaterThan(Duration.ofMillis(700));
            soft.assertThat(d.list("deliveries")).as("deliveries log %s", d.text())
                    .noneMatch(o -> "pending".equals(Http.Json.obj(o).get("status")));
            soft.assertThat(d.list("deliveries")).as("delivery ids in the log %s", d.text())
                    .extracting(o -> Http.Json.obj(o).get("id")).doesNotHaveDuplicates();
            soft.assertThat(s.num("deliveries.pending")).as("stats deliveries.pending, %s", s.text()).isZero();
        });
        assertDeliveredInOrder(got, range(1, 6));
    }

    /**
     * A webhook resumed after {@code failing} reads its batch anew, and meanwhile more records
     * may have come (after a restart too): the larger batch goes under a new {@code webhook-id},
     * or a receiver that drops repeats by id (as Standard Webhooks advises) would drop the
     * newer records with it.
     */
    @Test
    void aBatchReadAnewWithMoreRecordsHasANewDeliveryId() {
        Receiver r = receiver().always(500);
        String t = topic("wh.regrown");
        String id = createHook(http, t, r.url(), "\"max_attempts\":1").str("id");
        write(http, t, 1, 2);
        awaitHook(http, t, id, "failing", h -> "failing".equals(h.get("state")));
        write(http, t, 3, 2);
        r.always(200);
        http.patch(hook(t, id), "{\"state\":\"active\"}").ok();
        List<Request> got = awaitAcknowledged(r, id, range(1, 4), AWAIT);
        assertThat(got).extracting(Request::seqs).containsExactly(range(1, 2), range(1, 4));
        assertThat(got.get(1).deliveryHeader()).as("the id of the larger batch").isNotEqualTo(got.get(0).deliveryHeader());
        assertDeliveredInOrder(got.subList(1, 2), range(1, 4));
        assertThat(http.get(hook(t, id) + "/deliveries").ok().list("deliveries")).extracting(o -> Http.Json.obj(o).get("id"))
                .containsExactly(got.get(1).deliveryHeader(), got.get(0).deliveryHeader());
    }

    /** Writes that keep coming must not reset a failing batch's attempts, nor skip its backoff. */
    @Test
    void maxAttemptsHoldsWhileRecordsKeepArriving() {
        Receiver r = receiver().always(500);
        String t = topic("wh.attempts-writes");
        String id = createHook(http, t, r.url(), "\"max_attempts\":3").str("id");
        write(http, t, 1, 1);
        // attempts at ~0 s, ~1 s, ~3 s (±20 %): failing after ~3.6 s at most. Keep writing meanwhile,
        // one write per 300 ms of the clock.
        long deadline = clock.nanos() + Duration.ofSeconds(10).toNanos();
        long i = 2;
        while (!"failing".equals(http.get(hook(t, id)).ok().get("state")) && clock.nanos() < deadline) {
            write(http, t, i++, 1);
            clock.skip(Duration.ofMillis(300));
            Await.sleep(20);
        }
        List<Request> attempts = of(r.requests(), id);
        long writes = i - 1;
        SoftAssertions.assertSoftly(soft -> {
            soft.assertThat(http.get(hook(t, id)).ok().str("state"))
                    .as("state after %d writes and %d attempts", writes, attempts.size()).isEqualTo("failing");
            soft.assertThat(attempts.size()).as("attempts").isEqualTo(3);
            Duration shortest = Duration.ofDays(1);
            for (int k = 1; k < attempts.size(); k++) {
                Duration gap = Duration.ofNanos(attempts.get(k).arrivedNanos - attempts.get(k - 1).arrivedNanos);
                shortest = gap.compareTo(shortest) < 0 ? gap : shortest;
            }
            soft.assertThat(shortest).as("the shortest time between two attempts").isGreaterThan(Duration.ofMillis(700));
        });
    }

    /** An acknowledged PATCH is not undone by the worker giving up on an attempt that was in flight. */
    @Test
    void aPatchDuringAnAttemptIsNotLostWhenTheAttemptExhaustsMaxAttempts() {
        Receiver a = receiver().always(Reply.delayed(1500, 500));
        Receiver b = receiver();
        String t = topic("wh.patchrace");
        String id = createHook(http, t, a.url(), "\"max_attempts\":1").str("id");
        write(http, t, 1, 1);
        a.await("the attempt in flight", AWAIT, reqs -> !of(reqs, id).isEmpty());
        Response patched = http.patch(hook(t, id), "{\"url\":\"" + b.url() + "\",\"batch_max\":7}").ok();
        assertThat(patched.str("url")).isEqualTo(b.url());
        // the attempt to the old URL fails (its last allowed one): the webhook goes failing, or
        // at least its batch goes on to the new URL
        Response after = awaitHook(http, t, id, "done with the attempt in flight",
                h -> "failing".equals(h.get("state")) || !of(b.requests(), id).isEmpty());
        assertThat(after.str("url")).as("url after the PATCH answered 200; webhook %s", after).isEqualTo(b.url());
        assertThat(after.num("batch_max")).as("batch_max after the PATCH answered 200").isEqualTo(7);
    }

    // ------------------------------------------------------------------ timeout, redirects

    @Test
    @Timeout(60)
    void noAnswerWithinTenSecondsIsAFailedAttempt() {
        Receiver r = receiver().then(Reply.delayed(12_000, 200));
        String t = topic("wh.timeout");
        String id = createHook(http, t, r.url(), "").str("id");
        write(http, t, 1, 2);
        Response failed = await(() -> http.get(hook(t, id) + "/deliveries").ok(), "a timed-out attempt",
                Duration.ofSeconds(30), d -> newest(d).get("last_error") != null);
        Map<String, Object> first = newest(failed);
        assertThat(first).containsEntry("status", "pending").containsEntry("attempts", 1L).containsEntry("last_status", null);
        assertThat(((String) first.get("last_error")).toLowerCase(Locale.ROOT)).containsAnyOf("timed out", "timeout");
        List<Request> got = awaitAcknowledged(r, id, range(1, 2), AWAIT);
        assertThat(got).hasSizeGreaterThanOrEqualTo(2);
        assertThat(got).extracting(Request::deliveryHeader).containsOnly(got.get(0).deliveryHeader());
        assertThat(Duration.ofNanos(got.get(1).arrivedNanos - got.get(0).arrivedNanos))
                .as("the retry came after the 10 s timeout").isGreaterThan(Duration.ofSeconds(9));
        assertDeliveredInOrder(got, range(1, 2));
        Response d = awaitDeliveries(http, t, id, "succeeded", x -> "succeeded".equals(newest(x).get("status")));
        assertThat((Long) newest(d).get("attempts")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aRedirectIsNotFollowedAndCountsAsAFailure() {
        Receiver elsewhere = receiver();
        Receiver r307 = receiver().always(Reply.redirect(307, elsewhere.url("/moved")));
        Receiver r302 = receiver().always(Reply.redirect(302, elsewhere.url("/moved")));
        String t = topic("wh.redirect");
        String a = createHook(http, t, r307.url(), "\"max_attempts\":1").str("id");
        String b = createHook(http, t, r302.url(), "\"max_attempts\":1").str("id");
        write(http, t, 1, 1);
        for (String id : List.of(a, b)) {
            Response f = awaitHook(http, t, id, "failing", x -> "failing".equals(x.get("state")));
            assertThat(f.num("cursor")).isZero();
        }
        assertThat(newest(http.get(hook(t, a) + "/deliveries").ok())).containsEntry("status", "failed")
                .containsEntry("last_status", 307L);
        assertThat(newest(http.get(hook(t, b) + "/deliveries").ok())).containsEntry("status", "failed")
                .containsEntry("last_status", 302L);
        assertThat(of(r307.requests(), a)).hasSize(1);
        assertThat(of(r302.requests(), b)).hasSize(1);
        assertThat(elsewhere.requests()).as("requests at the redirect target").isEmpty();
    }
}
