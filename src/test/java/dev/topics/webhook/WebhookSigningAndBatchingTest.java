package dev.topics.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.webhook.Receiver.Reply;
import dev.topics.webhook.Receiver.Request;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §10 webhook deliveries, end to end: a real server POSTs to a real {@link Receiver}
 * on loopback (see {@link WebhookDeliveryFixtures}). Checked from the receiver's side:
 * the body and headers, the HMAC signature (recomputed here over the raw bytes received),
 * batching, order, filter, from_seq.
 */
@Timeout(180)
class WebhookSigningAndBatchingTest extends WebhookDeliveryFixtures {
    private static final Set<String> DELIVERY_FIELDS = Set.of("id", "from_seq", "to_seq", "attempts", "status",
            "last_status", "last_error", "next_attempt_at", "created_at");

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
        assertThat(q.header("User-Agent")).as("who delivers").matches("topics/\\S+");
        assertThat(q.header("Upgrade")).as("plain HTTP/1.1, no h2c upgrade offered").isNull();
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
}
