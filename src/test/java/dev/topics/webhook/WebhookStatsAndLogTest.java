package dev.topics.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.MemoryTempDir;
import dev.topics.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §10 webhook deliveries, end to end: a real server POSTs to a real {@link Receiver}
 * on loopback (see {@link WebhookDeliveryFixtures}). Checked from the receiver's side:
 * stats counts, and the deliveries log.
 */
@Timeout(180)
class WebhookStatsAndLogTest extends WebhookDeliveryFixtures {
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
