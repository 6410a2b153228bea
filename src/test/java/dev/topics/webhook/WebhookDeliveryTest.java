package dev.topics.webhook;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.ChildServer;
import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.MemoryTempDir;
import dev.topics.testing.ServerTest;
import dev.topics.testing.SkipClock;
import dev.topics.testing.TestServer;
import dev.topics.webhook.Receiver.Reply;
import dev.topics.webhook.Receiver.Request;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §10 webhook deliveries, end to end: a real server (in-process, or a child JVM for
 * SIGKILL) POSTs to a real {@link Receiver} on loopback (dev mode, so
 * {@code webhooks.allow_private: auto} lets it). Checked from the receiver's side: the
 * body and headers, the HMAC signature (recomputed here over the raw bytes received),
 * batching, order, filter, from_seq; retries under the same delivery id with backoff,
 * max_attempts and resuming, a receiver down across a restart and across a SIGKILL, the
 * 10 s timeout, 3xx not followed, deletion of the webhook or its topic, stats counts, and
 * the deliveries log.
 *
 * <p>The central check, {@link #assertDeliveredInOrder}: every record arrives, first
 * arrivals in seq order, and a record arrives twice only as a repeat of a whole earlier
 * batch under the same {@code X-Topics-Delivery}.
 *
 * <p>The servers run their webhooks on a {@link SkipClock} (the fixture's {@link #clock}): where a test waits for a retry,
 * it moves that clock on instead of waiting out the backoff, and the receivers stamp
 * arrivals with it, so the time between two attempts still includes their backoff.
 */
@Timeout(180)
class WebhookDeliveryTest extends ServerTest {
    private static final Duration AWAIT = Duration.ofSeconds(20);
    /** How far the clock moves on each poll of a wait that waits for retries (10 ms of real time). */
    private static final Duration SKIP = Duration.ofMillis(100);
    private static final Set<String> DELIVERY_FIELDS = Set.of("id", "from_seq", "to_seq", "attempts", "status",
            "last_status", "last_error", "next_attempt_at", "created_at");

    /** For tests that run servers of their own (restarts, SIGKILL). */
    @TempDir
    Path ownTmp;

    private final List<Receiver> receivers = new ArrayList<>();
    private final List<String> topics = new ArrayList<>();
    private final List<AutoCloseable> closeLast = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (String t : topics) {
            http.delete(path(t)); // stops its webhooks; 404 when the test deleted it already
        }
        receivers.forEach(Receiver::close);
        for (AutoCloseable c : closeLast) {
            c.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String path(String t) {
        return "/v0/topics/" + t;
    }

    private static String hooks(String t) {
        return path(t) + "/webhooks";
    }

    private static String hook(String t, String id) {
        return hooks(t) + "/" + id;
    }

    private Receiver receiver() {
        Receiver r = Receiver.start(clock::nanos);
        receivers.add(r);
        return r;
    }

    /** A new topic on the shared server, deleted after the test. */
    private String topic(String stem) {
        String t = uniqueTopic(stem);
        http.put(path(t), "{}").ok(201);
        topics.add(t);
        return t;
    }

    /** POST …/webhooks with {@code "url"} and the extra members given as JSON text ({@code ""} for none). */
    private static Response createHook(Http h, String t, String url, String extra) {
        return h.post(hooks(t), "{\"url\":\"" + url + "\"" + (extra.isEmpty() ? "" : "," + extra) + "}").ok(201);
    }

    /** Writes {@code n} records {@code {"i": from..from+n-1}} in one batch (optionally tagged). */
    private static Response write(Http h, String t, long from, int n, String tag) {
        StringBuilder b = new StringBuilder("{\"records\":[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"data\":{\"i\":").append(from + i).append('}');
            if (tag != null) {
                b.append(",\"tag\":\"").append(tag).append('"');
            }
            b.append('}');
        }
        return h.post(path(t), b.append("]}").toString()).ok();
    }

    private static Response write(Http h, String t, long from, int n) {
        return write(h, t, from, n, null);
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    static String hmac(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertSigned(Request q, String secret) {
        assertThat(q.header("X-Topics-Signature")).as("signature of %s", q)
                .isEqualTo("sha256=" + hmac(secret, q.body));
    }

    /** The requests that carry deliveries of webhook {@code id}. */
    private static List<Request> of(List<Request> all, String id) {
        return all.stream().filter(q -> id.equals(q.json().get("webhook"))).toList();
    }

    /** The seqs that {@code id}'s acknowledged deliveries carried. */
    private static Set<Long> acknowledgedSeqs(List<Request> all, String id) {
        Set<Long> s = new HashSet<>();
        for (Request q : of(all, id)) {
            if (q.acknowledged()) {
                s.addAll(q.seqs());
            }
        }
        return s;
    }

    /**
     * Waits until the receiver has acknowledged every seq in {@code expected} for webhook
     * {@code id}, moving the clock on meanwhile: retries come without waiting out their backoff.
     */
    private static List<Request> awaitAcknowledged(Receiver r, String id, List<Long> expected, Duration timeout) {
        List<Request> all = Await.value("receiver: " + expected.size() + " records of " + id + " acknowledged", timeout,
                () -> {
                    clock.skip(SKIP);
                    return r.requests();
                }, reqs -> acknowledgedSeqs(reqs, id).containsAll(expected));
        return of(all, id);
    }

    /**
     * Asserts what a receiver got for one webhook: each request's delivery header matches
     * its body's {@code delivery}; the first arrivals of records are exactly
     * {@code expected}, in order; a record arrives again only in a repeat of a whole earlier
     * batch under the same delivery id.
     */
    static void assertDeliveredInOrder(List<Request> reqs, List<Long> expected) {
        Map<String, List<Long>> batches = new LinkedHashMap<>();
        List<Long> firsts = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        for (Request q : reqs) {
            String id = q.deliveryHeader();
            assertThat(id).as("X-Topics-Delivery of %s", q).isNotNull().startsWith("dl_");
            assertThat(q.json().get("delivery")).as("body delivery of %s", q).isEqualTo(id);
            List<Long> seqs = q.seqs();
            assertThat(seqs).as("records of %s", q).isNotEmpty().isSorted().doesNotHaveDuplicates();
            List<Long> before = batches.putIfAbsent(id, seqs);
            if (before != null) {
                assertThat(seqs).as("a repeat of delivery %s carries the same batch as before", id).isEqualTo(before);
                continue;
            }
            for (Long s : seqs) {
                assertThat(seen.add(s)).as("seq %d came again in a new delivery %s (not a repeat of its batch): %s",
                        s, id, reqs).isTrue();
                firsts.add(s);
            }
        }
        assertThat(firsts).as("records in the order of first arrival").isEqualTo(expected);
    }

    /** Polls the webhook until {@code cond} holds, moving the clock on meanwhile (a retry may be due). */
    private static Response awaitHook(Http h, String t, String id, String what, Predicate<Response> cond) {
        return await(() -> {
            clock.skip(SKIP);
            return h.get(hook(t, id)).ok();
        }, "webhook " + id + " " + what, AWAIT, cond);
    }

    private static Response awaitDeliveries(Http h, String t, String id, String what, Predicate<Response> cond) {
        return await(() -> h.get(hook(t, id) + "/deliveries").ok(), "deliveries of " + id + " " + what, AWAIT, cond);
    }

    private static Response await(Supplier<Response> get, String what, Duration timeout,
                                  Predicate<Response> cond) {
        return Await.value(what, timeout, get, cond);
    }

    private static Map<String, Object> newest(Response deliveries) {
        List<Object> l = deliveries.list("deliveries");
        return l.isEmpty() ? Map.of() : Http.Json.obj(l.get(0));
    }

    private static Response stats(Http h, String t) {
        return h.get(path(t) + "/stats").ok();
    }

    // ------------------------------------------------------------------ delivery and signature

    @Test
    void aDeliveryIsASignedPostOfTheRecordsAsDiffShowsThem() {
        Receiver r = receiver();
        String t = topic("wh.signed");
        Response created = createHook(http, t, r.url(), "");
        String id = created.str("id");
        String secret = created.str("secret");
        assertThat(secret).startsWith("whsec_");
        assertThat(created.num("cursor")).isZero();

        http.post(path(t), """
                {"records": [
                  {"data": {"sku": "AEROPRESS-GO", "qty": 1, "price": 12.50, "big": 123456789012345678901234567890},
                   "tag": "order-7731", "node": "eu-1"},
                  {"data": "just a string"},
                  {"data": [1, {"nested": ["deep", null, true]}], "tag": "t\\u00e9st"}
                ]}""").ok();
        List<Request> got = awaitAcknowledged(r, id, range(1, 3), AWAIT);
        assertThat(got).hasSize(1);
        Request q = got.get(0);
        assertThat(q.method).isEqualTo("POST");
        assertThat(q.path).isEqualTo("/hook");
        assertThat(q.header("Content-Type")).startsWith("application/json");
        assertSigned(q, secret);
        assertThat(q.header("X-Topics-Signature")).matches("sha256=[0-9a-f]{64}");
        assertThat(q.header("X-Topics-Signature")).isNotEqualTo("sha256=" + hmac(secret + "x", q.body));

        Map<String, Object> body = q.json();
        assertThat(body.keySet()).containsExactlyInAnyOrder("topic", "webhook", "delivery", "records");
        assertThat(body.get("topic")).isEqualTo(t);
        assertThat(body.get("webhook")).isEqualTo(id);
        assertThat(body.get("delivery")).isEqualTo(q.deliveryHeader());
        // the records exactly as a diff shows them (SPEC §4), data byte-identical
        Response diff = http.get(path(t) + "/diff?from_seq=0").ok();
        assertThat(body.get("records")).isEqualTo(diff.get("records"));
        assertThat(q.text()).contains("\"data\":{\"sku\":\"AEROPRESS-GO\",\"qty\":1,\"price\":12.50,"
                + "\"big\":123456789012345678901234567890}");
        assertThat(q.records().get(0)).containsEntry("$tag", "order-7731").containsEntry("$node", "eu-1");
        assertThat(q.records().get(1)).doesNotContainKeys("$tag", "$node", "$origin");

        // the webhook moved its cursor; the deliveries log shows one success
        awaitHook(http, t, id, "at cursor 3", h -> h.num("cursor") == 3);
        Response d = awaitDeliveries(http, t, id, "succeeded", x -> "succeeded".equals(newest(x).get("status")));
        assertThat(d.str("webhook")).isEqualTo(id);
        assertThat(d.list("deliveries")).hasSize(1);
        Map<String, Object> one = newest(d);
        assertThat(one.keySet()).containsExactlyInAnyOrderElementsOf(DELIVERY_FIELDS);
        assertThat(one).containsEntry("id", q.deliveryHeader()).containsEntry("from_seq", 1L).containsEntry("to_seq", 3L)
                .containsEntry("attempts", 1L).containsEntry("last_status", 200L).containsEntry("last_error", null)
                .containsEntry("next_attempt_at", null);
        assertThat(Instant.parse((String) one.get("created_at"))).isBeforeOrEqualTo(Instant.now());
    }

    @Test
    void aGivenSecretSignsAndAPatchedSecretSignsWhatFollows() {
        Receiver r = receiver();
        String t = topic("wh.secret");
        String first = "s3cr\u00e9t-\u2603"; // non-ASCII: the key is its UTF-8 bytes
        Response created = createHook(http, t, r.url(), "\"secret\":\"" + first + "\"");
        String id = created.str("id");
        assertThat(created.map()).doesNotContainKey("secret");
        write(http, t, 1, 2);
        assertSigned(awaitAcknowledged(r, id, range(1, 2), AWAIT).get(0), first);

        http.patch(hook(t, id), "{\"secret\":\"rotated-2\"}").ok();
        write(http, t, 3, 1);
        List<Request> got = awaitAcknowledged(r, id, range(1, 3), AWAIT);
        assertThat(got).hasSize(2);
        assertSigned(got.get(1), "rotated-2");
        assertThat(got.get(1).header("X-Topics-Signature")).isNotEqualTo("sha256=" + hmac(first, got.get(1).body));
        assertDeliveredInOrder(got, range(1, 3));
    }

    // ------------------------------------------------------------------ batching, order, filter, from_seq

    @Test
    void batchesHoldAtMostBatchMaxRecords() {
        Receiver r = receiver();
        String t = topic("wh.batch");
        write(http, t, 1, 25);
        String id = createHook(http, t, r.url(), "\"from_seq\":0,\"batch_max\":10").str("id");
        List<Request> got = awaitAcknowledged(r, id, range(1, 25), AWAIT);
        assertThat(got).extracting(Request::seqs).containsExactly(range(1, 10), range(11, 20), range(21, 25));
        assertThat(got).extracting(Request::deliveryHeader).doesNotHaveDuplicates();
        assertDeliveredInOrder(got, range(1, 25));
        for (Request q : got) {
            for (Map<String, Object> rec : q.records()) {
                assertThat(Http.Json.at(rec, "data.i")).isEqualTo(rec.get("$seq"));
            }
        }
        // the log, newest first
        Response d = awaitDeliveries(http, t, id, "all succeeded", x -> x.list("deliveries").size() == 3
                && x.list("deliveries").stream().allMatch(o -> "succeeded".equals(Http.Json.obj(o).get("status"))));
        assertThat(d.list("deliveries")).extracting(o -> Http.Json.obj(o).get("from_seq")).containsExactly(21L, 11L, 1L);
        assertThat(d.list("deliveries")).extracting(o -> Http.Json.obj(o).get("to_seq")).containsExactly(25L, 20L, 10L);
        assertThat(d.list("deliveries")).extracting(o -> Http.Json.obj(o).get("id"))
                .containsExactly(got.get(2).deliveryHeader(), got.get(1).deliveryHeader(), got.get(0).deliveryHeader());
    }

    @Test
    void orderIsKeptAcrossManyBatchesWhileWritersAppend() throws Exception {
        Receiver r = receiver().always(Reply.delayed(3, 200));
        String t = topic("wh.order");
        String id = createHook(http, t, r.url(), "\"batch_max\":7").str("id");
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            writers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 40; i++) {
                    write(http, t, 0, 1 + i % 3);
                }
            }));
        }
        for (Thread w : writers) {
            w.join();
        }
        long head = http.get(path(t)).ok().num("head_seq");
        assertThat(head).isEqualTo(3 * LongStream.range(0, 40).map(i -> 1 + i % 3).sum());
        List<Request> got = awaitAcknowledged(r, id, range(1, head), AWAIT);
        assertThat(got).allSatisfy(q -> assertThat(q.seqs()).hasSizeLessThanOrEqualTo(7));
        assertDeliveredInOrder(got, range(1, head));
        awaitHook(http, t, id, "at the head", h -> h.num("cursor") == head);
    }

    @Test
    void theFilterPicksRecordsAndTheCursorStillPassesTheRest() {
        Receiver r = receiver();
        String t = topic("wh.filter");
        String id = createHook(http, t, r.url(), "\"filter\":[\"Or\",[[\"tag\",\"Eq\",\"keep\"],[\"tag\",\"Glob\",\"k?-*\"]]]")
                .str("id");
        assertThat(http.get(hook(t, id)).ok().get("filter"))
                .isEqualTo(List.of("Or", List.of(List.of("tag", "Eq", "keep"), List.of("tag", "Glob", "k?-*"))));
        write(http, t, 1, 2, "keep");   // 1, 2
        write(http, t, 3, 3, "drop");   // 3, 4, 5
        write(http, t, 6, 1, "kx-1");   // 6
        write(http, t, 7, 2, null);     // 7, 8 (no tag)
        write(http, t, 9, 1, "keep");   // 9
        write(http, t, 10, 2, "drop");  // 10, 11: the last ones are skipped
        List<Request> got = awaitAcknowledged(r, id, List.of(1L, 2L, 6L, 9L), AWAIT);
        awaitHook(http, t, id, "past the skipped tail", h -> h.num("cursor") == 11);
        got = of(r.requests(), id);
        assertDeliveredInOrder(got, List.of(1L, 2L, 6L, 9L));
        assertThat(got).flatExtracting(Request::records).allSatisfy(rec ->
                assertThat((String) rec.get("$tag")).matches("keep|k.-.*"));
    }

    @Test
    void fromSeqChoosesTheFirstRecordAndTheDefaultIsTheHead() {
        Receiver r = receiver();
        String t = topic("wh.from");
        write(http, t, 1, 10);
        String fromSix = createHook(http, t, r.url(), "\"from_seq\":6").str("id");
        String fromZero = createHook(http, t, r.url(), "\"from_seq\":0").str("id");
        Response atHead = createHook(http, t, r.url(), "");
        assertThat(atHead.num("cursor")).isEqualTo(10);
        String headHook = atHead.str("id");
        List<Request> six = awaitAcknowledged(r, fromSix, range(7, 10), AWAIT);
        List<Request> zero = awaitAcknowledged(r, fromZero, range(1, 10), AWAIT);
        write(http, t, 11, 1);
        List<Request> head = awaitAcknowledged(r, headHook, List.of(11L), AWAIT);
        six = awaitAcknowledged(r, fromSix, range(7, 11), AWAIT);
        zero = awaitAcknowledged(r, fromZero, range(1, 11), AWAIT);
        assertDeliveredInOrder(six, range(7, 11));
        assertDeliveredInOrder(zero, range(1, 11));
        assertDeliveredInOrder(head, List.of(11L));
    }

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

    // ------------------------------------------------------------------ restarts and crashes

    @Test
    void aReceiverDownAcrossARestartLosesNothing() {
        try (TestServer own = TestServer.builder(ownTmp).clock(clock).start()) {
            Http h = own.http();
            Receiver r = receiver();
            Receiver refusing = receiver().always(500);
            h.put(path("down.t"), "{}").ok(201);
            String id = createHook(h, "down.t", r.url(), "\"batch_max\":5").str("id");
            String failingId = createHook(h, "down.t", refusing.url(), "\"max_attempts\":1").str("id");
            Receiver rejecting = receiver().always(500); // until the restart
            String retriedId = createHook(h, "down.t", rejecting.url(), "\"batch_max\":10").str("id");
            write(h, "down.t", 1, 10);
            awaitAcknowledged(r, id, range(1, 10), AWAIT);
            String retriedDelivery = rejecting.await("a rejected attempt", AWAIT, reqs -> !of(reqs, retriedId).isEmpty())
                    .get(0).deliveryHeader();
            awaitHook(h, "down.t", failingId, "failing", x -> "failing".equals(x.get("state")));
            awaitHook(h, "down.t", id, "at cursor 10", x -> x.num("cursor") == 10);

            r.down();
            for (int i = 0; i < 6; i++) {
                write(h, "down.t", 11 + 5L * i, 5); // 11..40
            }
            awaitDeliveries(h, "down.t", id, "failing to connect",
                    d -> newest(d).get("last_error") != null && "pending".equals(newest(d).get("status")));
            assertThat(h.get(hook("down.t", id)).ok().num("cursor")).isEqualTo(10);

            own.restart();
            rejecting.always(200);
            // the webhooks, their cursors and the failing state survived; the log starts empty
            assertThat(h.get(hooks("down.t")).ok().list("webhooks")).hasSize(3);
            assertThat(h.get(hook("down.t", id)).ok().num("cursor")).isEqualTo(10);
            assertThat(h.get(hook("down.t", failingId)).ok().str("state")).isEqualTo("failing");
            write(h, "down.t", 41, 10); // 41..50
            Await.sleep(500);
            r.up();
            List<Request> got = awaitAcknowledged(r, id, range(1, 50), Duration.ofSeconds(40));
            assertDeliveredInOrder(got, range(1, 50));
            awaitHook(h, "down.t", id, "at cursor 50", x -> x.num("cursor") == 50);
            // a batch tried before the restart is retried after it under the same delivery id
            List<Request> retried = awaitAcknowledged(rejecting, retriedId, range(1, 50), AWAIT);
            assertDeliveredInOrder(retried, range(1, 50));
            assertThat(retried.get(0).seqs()).isEqualTo(range(1, 10));
            Request firstAfter = retried.stream().filter(Request::acknowledged).findFirst().orElseThrow();
            assertThat(firstAfter.deliveryHeader()).isEqualTo(retriedDelivery);
            assertThat(firstAfter.seqs()).isEqualTo(range(1, 10));
            assertThat(of(refusing.requests(), failingId)).as("a failing webhook sends nothing after a restart")
                    .hasSize(1);
            assertThat(h.get(hook("down.t", failingId)).ok().str("state")).isEqualTo("failing");
        }
    }

    /**
     * The server in a child JVM is SIGKILLed while deliveries flow; the receiver is down while
     * it comes back and more records are written; then it is up again: every record arrives,
     * first arrivals in order, repeats only as whole batches under the same delivery id.
     */
    @Test
    @Timeout(90)
    void aSigkillWhileDeliveringLosesNothing() throws Exception {
        Path data = ownTmp.resolve("child-data");
        AtomicReference<ChildServer> child = new AtomicReference<>(ChildServer.start(data));
        closeLast.add(() -> child.get().close());
        Http h = new Http(() -> URI.create("http://127.0.0.1:" + child.get().port()));
        Receiver r = receiver().always(Reply.delayed(30, 200));
        h.put(path("crash.t"), "{}").ok(201);
        for (int i = 0; i < 4; i++) {
            write(h, "crash.t", 1 + 50L * i, 50); // 1..200, before the webhook: every batch is full
        }
        String id = createHook(h, "crash.t", r.url(), "\"from_seq\":0,\"batch_max\":5").str("id");
        r.await("deliveries flowing", AWAIT, reqs -> of(reqs, id).size() >= 8);
        child.get().sigkill();
        assertThat(child.get().waitFor(Duration.ofSeconds(10))).isNotZero();
        int beforeKill = of(r.requests(), id).size();
        assertThat(beforeKill).as("the kill landed mid-way").isLessThan(40);

        r.down();
        child.set(ChildServer.start(data));
        assertThat(h.get(hook("crash.t", id)).ok().num("cursor")).isBetween(0L, 200L);
        write(h, "crash.t", 201, 20);
        Await.sleep(1500);
        r.up();
        List<Request> got = awaitAcknowledged(r, id, range(1, 220), Duration.ofSeconds(40));
        assertDeliveredInOrder(got, range(1, 220));
        awaitHook(h, "crash.t", id, "at cursor 220", x -> x.num("cursor") == 220);
        System.out.println("SIGKILL after " + beforeKill + " requests; " + got.size() + " requests in all");
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

    // ------------------------------------------------------------------ deletion

    @Test
    void deletingTheWebhookStopsItsDeliveries() {
        Receiver r = receiver().always(Reply.delayed(150, 200));
        String t = topic("wh.delete");
        String id = createHook(http, t, r.url(), "\"batch_max\":1").str("id");
        String other = createHook(http, t, r.url(), "").str("id");
        write(http, t, 1, 50);
        r.await("some deliveries", AWAIT, reqs -> of(reqs, id).size() >= 3);
        Response del = http.delete(hook(t, id)).ok();
        assertThat(del.str("id")).isEqualTo(id);
        assertThat(del.bool("deleted")).isTrue();
        int atReturn = of(r.requests(), id).size();
        Await.sleep(2000);
        assertThat(of(r.requests(), id).size()).as("requests after the DELETE returned").isLessThanOrEqualTo(atReturn + 1);
        assertThat(of(r.requests(), id).size()).isLessThan(50);
        http.get(hook(t, id)).assertError(404, "webhook_not_found");
        http.get(hook(t, id) + "/deliveries").assertError(404, "webhook_not_found");
        http.delete(hook(t, id)).assertError(404, "webhook_not_found");
        assertThat(http.get(hooks(t)).ok().list("webhooks")).extracting(o -> Http.Json.obj(o).get("id"))
                .containsExactly(other);
        assertThat(stats(http, t).num("webhooks")).isEqualTo(1);
        // the other webhook of the topic goes on
        assertDeliveredInOrder(awaitAcknowledged(r, other, range(1, 50), AWAIT), range(1, 50));
    }

    @Test
    void deletingTheTopicRemovesItsWebhooksAndStopsDeliveries() {
        Receiver slow = receiver().always(Reply.delayed(150, 200));
        Receiver refusing = receiver().always(500);
        String t = topic("wh.deltopic");
        String flowing = createHook(http, t, slow.url(), "\"batch_max\":1").str("id");
        String retrying = createHook(http, t, refusing.url(), "").str("id");
        write(http, t, 1, 50);
        slow.await("some deliveries", AWAIT, reqs -> of(reqs, flowing).size() >= 3);
        refusing.await("a failed attempt", AWAIT, reqs -> !of(reqs, retrying).isEmpty());

        http.delete(path(t)).ok();
        int slowAt = of(slow.requests(), flowing).size();
        int refusingAt = of(refusing.requests(), retrying).size();
        http.get(hooks(t)).assertError(404, "topic_not_found");
        http.get(hook(t, flowing)).assertError(404, "topic_not_found");

        http.put(path(t), "{}").ok(201);
        assertThat(http.get(hooks(t)).ok().list("webhooks")).isEmpty();
        http.get(hook(t, flowing)).assertError(404, "webhook_not_found");
        http.get(hook(t, retrying) + "/deliveries").assertError(404, "webhook_not_found");
        http.patch(hook(t, retrying), "{\"state\":\"active\"}").assertError(404, "webhook_not_found");
        write(http, t, 1, 5);
        clock.skip(Duration.ofMillis(3000)); // the retrying one would have tried again after ~1 s and ~2 s
        Await.sleep(500);
        assertThat(of(slow.requests(), flowing).size()).as("deliveries after the topic was deleted")
                .isLessThanOrEqualTo(slowAt + 1);
        assertThat(of(refusing.requests(), retrying).size()).as("retries after the topic was deleted")
                .isLessThanOrEqualTo(refusingAt + 1);
        Response s = stats(http, t);
        assertThat(s.num("webhooks")).isZero();
        assertThat(s.num("deliveries.pending") + s.num("deliveries.succeeded") + s.num("deliveries.failed")).isZero();
    }

    // ------------------------------------------------------------------ stats and the log

    @Test
    void statsCountWebhooksAndDeliveries() {
        Receiver r = receiver().then(1, 500);
        String t = topic("wh.stats");
        Response s0 = stats(http, t);
        assertThat(s0.num("webhooks")).isZero();
        assertThat(s0.num("deliveries.succeeded")).isZero();
        String id = createHook(http, t, r.url(), "\"batch_max\":2").str("id");
        assertThat(stats(http, t).num("webhooks")).isEqualTo(1);
        write(http, t, 1, 1);
        await(() -> stats(http, t), "one delivery pending", AWAIT, x -> x.num("deliveries.pending") == 1);
        awaitAcknowledged(r, id, range(1, 1), AWAIT);
        Response s1 = await(() -> stats(http, t), "one delivery succeeded", AWAIT, x -> x.num("deliveries.succeeded") == 1);
        assertThat(s1.num("deliveries.pending")).isZero();
        assertThat(s1.num("deliveries.failed")).isZero();
        write(http, t, 2, 4);
        awaitAcknowledged(r, id, range(1, 5), AWAIT);
        Response s2 = await(() -> stats(http, t), "three deliveries succeeded", AWAIT,
                x -> x.num("deliveries.succeeded") == 3);
        assertThat(s2.num("deliveries.pending")).isZero();
        createHook(http, t, r.url(), "");
        assertThat(stats(http, t).num("webhooks")).isEqualTo(2);
    }

    @Test
    void theDeliveriesLogKeepsTheLastThousandNewestFirst() {
        Path root = MemoryTempDir.create(ownTmp);
        try (TestServer own = TestServer.start(root)) {
            Http h = own.http();
            Receiver r = receiver();
            h.put(path("log.t"), "{}").ok(201);
            write(h, "log.t", 1, 1005);
            String id = createHook(h, "log.t", r.url(), "\"from_seq\":0,\"batch_max\":1").str("id");
            await(() -> h.get(hook("log.t", id)).ok(), "at cursor 1005", Duration.ofSeconds(60),
                    x -> x.num("cursor") == 1005);
            Response d = awaitDeliveries(h, "log.t", id, "all succeeded",
                    x -> "succeeded".equals(newest(x).get("status")) && newest(x).get("from_seq").equals(1005L));
            List<Object> l = d.list("deliveries");
            assertThat(l).hasSize(1000);
            assertThat(l).extracting(o -> Http.Json.obj(o).get("from_seq"))
                    .isEqualTo(LongStream.iterate(1005, x -> x - 1).limit(1000).boxed().toList());
            assertThat(l).allSatisfy(o -> assertThat(Http.Json.obj(o)).containsEntry("status", "succeeded"));
            assertThat(stats(h, "log.t").num("deliveries.succeeded")).isEqualTo(1000);
            assertDeliveredInOrder(of(r.requests(), id), range(1, 1005));
        } finally {
            MemoryTempDir.delete(root, ownTmp);
        }
    }
}
