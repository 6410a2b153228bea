package dev.topics.webhook;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.SkipClock;
import dev.topics.webhook.Receiver.Request;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the SPEC §10 webhook delivery tests share: a real server (in-process, one per test
 * class, or a server of the test's own) POSTs to a real {@link Receiver} on loopback (dev
 * mode, so {@code webhooks.allow_private: auto} lets it); the receivers and topics a test
 * makes are closed and deleted after it.
 *
 * <p>The central check, {@link #assertDeliveredInOrder}: every record arrives, first
 * arrivals in seq order, and a record arrives twice only as a repeat of a whole earlier
 * batch under the same {@code webhook-id} (and, while it is still sent, {@code X-Topics-Delivery}).
 *
 * <p>The servers run their webhooks on a {@link SkipClock} (the fixture's {@link #clock}): where a test waits for a retry,
 * it moves that clock on instead of waiting out the backoff, and the receivers stamp
 * arrivals with it, so the time between two attempts still includes their backoff.
 */
abstract class WebhookDeliveryFixtures extends ServerTest {
    static final Duration AWAIT = Duration.ofSeconds(20);
    /** How far the clock moves on each poll of a wait that waits for retries (10 ms of real time). */
    private static final Duration SKIP = Duration.ofMillis(100);

    /** For tests that run servers of their own (restarts, SIGKILL). */
    @TempDir
    Path ownTmp;

    private final List<Receiver> receivers = new ArrayList<>();
    private final List<String> topics = new ArrayList<>();
    final List<AutoCloseable> closeLast = new ArrayList<>();

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

    static String path(String t) {
        return "/v0/topics/" + t;
    }

    static String hooks(String t) {
        return path(t) + "/webhooks";
    }

    static String hook(String t, String id) {
        return hooks(t) + "/" + id;
    }

    Receiver receiver() {
        Receiver r = Receiver.start(clock::nanos);
        receivers.add(r);
        return r;
    }

    /** A new topic on the shared server, deleted after the test. */
    String topic(String stem) {
        String t = uniqueTopic(stem);
        http.put(path(t), "{}").ok(201);
        topics.add(t);
        return t;
    }

    /** POST …/webhooks with {@code "url"} and the extra members given as JSON text ({@code ""} for none). */
    static Response createHook(Http h, String t, String url, String extra) {
        return h.post(hooks(t), "{\"url\":\"" + url + "\"" + (extra.isEmpty() ? "" : "," + extra) + "}").ok(201);
    }

    /** Writes {@code n} records {@code {"i": from..from+n-1}} in one batch (optionally tagged). */
    static Response write(Http h, String t, long from, int n, String tag) {
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

    static Response write(Http h, String t, long from, int n) {
        return write(h, t, from, n, null);
    }

    static List<Long> range(long from, long to) {
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

    /**
     * Asserts both signatures of a request: the Standard Webhooks one, checked by the
     * independent {@link StandardWebhooksVerifier} with the secret's {@code whsec_} form (see
     * {@link #whsecForm}), and the deprecated {@code X-Topics-Signature}.
     */
    static void assertSigned(Request q, String secret) {
        try {
            new StandardWebhooksVerifier(whsecForm(secret)).verify(q);
        } catch (StandardWebhooksVerifier.Refused e) {
            throw new AssertionError("webhook-signature of " + q + ": " + e.getMessage(), e);
        }
        assertThat(q.header("X-Topics-Signature")).as("signature of %s", q)
                .isEqualTo("sha256=" + hmac(secret, q.body));
    }

    /**
     * What a receiver gives a Standard Webhooks library: a secret that is {@code whsec_} and
     * non-empty, padded standard base64 as it is; any other secret as {@code whsec_} + the
     * base64 of its UTF-8 bytes.
     */
    static String whsecForm(String secret) {
        return secret.matches("whsec_(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)")
                ? secret : StandardWebhooksVerifier.wrap(secret);
    }

    /** The requests that carry deliveries of webhook {@code id}. */
    static List<Request> of(List<Request> all, String id) {
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
    static List<Request> awaitAcknowledged(Receiver r, String id, List<Long> expected, Duration timeout) {
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
            assertThat(id).as("webhook-id of %s", q).isNotNull().startsWith("dl_");
            assertThat(q.header("X-Topics-Delivery")).as("the deprecated X-Topics-Delivery of %s", q).isEqualTo(id);
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
    static Response awaitHook(Http h, String t, String id, String what, Predicate<Response> cond) {
        return await(() -> {
            clock.skip(SKIP);
            return h.get(hook(t, id)).ok();
        }, "webhook " + id + " " + what, AWAIT, cond);
    }

    static Response awaitDeliveries(Http h, String t, String id, String what, Predicate<Response> cond) {
        return await(() -> h.get(hook(t, id) + "/deliveries").ok(), "deliveries of " + id + " " + what, AWAIT, cond);
    }

    static Response await(Supplier<Response> get, String what, Duration timeout,
                                  Predicate<Response> cond) {
        return Await.value(what, timeout, get, cond);
    }

    static Map<String, Object> newest(Response deliveries) {
        List<Object> l = deliveries.list("deliveries");
        return l.isEmpty() ? Map.of() : Http.Json.obj(l.get(0));
    }

    static Response stats(Http h, String t) {
        return h.get(path(t) + "/stats").ok();
    }
}
