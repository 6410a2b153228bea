package dev.topics.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.webhook.Receiver.Reply;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §10 webhook deliveries, end to end: a real server POSTs to a real {@link Receiver}
 * on loopback (see {@link WebhookDeliveryFixtures}). Checked from the receiver's side:
 * deletion of the webhook or its topic.
 */
@Timeout(180)
class WebhookDeletionTest extends WebhookDeliveryFixtures {
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
}
