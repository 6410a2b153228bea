package dev.topics.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.ChildServer;
import dev.topics.testing.Http;
import dev.topics.testing.TestServer;
import dev.topics.webhook.Receiver.Reply;
import dev.topics.webhook.Receiver.Request;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §10 webhook deliveries, end to end: a server of the test's own (in-process, or a child
 * JVM for SIGKILL) POSTs to a real {@link Receiver} on loopback (see
 * {@link WebhookDeliveryFixtures}). Checked from the receiver's side: a receiver down across
 * a restart and across a SIGKILL.
 */
@Timeout(180)
class WebhookRestartTest extends WebhookDeliveryFixtures {
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
}
