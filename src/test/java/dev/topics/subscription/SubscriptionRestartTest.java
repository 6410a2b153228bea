package dev.topics.subscription;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.SseClient;
import dev.topics.testing.SseClient.Event;
import dev.topics.testing.TestServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §10 subscriptions, black-box over HTTP: durability across restarts (subscriptions,
 * their filters and cursors, deletions, and a watch session following a subscription).
 */
@Timeout(90)
class SubscriptionRestartTest extends SubscriptionFixtures {
    /** For tests that restart their own server. */
    @TempDir
    Path ownTmp;

    @Test
    void subscriptionsFiltersAndCursorsSurviveRestarts() throws Exception {
        try (TestServer own = TestServer.start(ownTmp)) {
            Http h = own.http();
            String t = uniqueTopic("sub.restart");
            String doomed = uniqueTopic("sub.restart-doomed");
            long head = write(h, t, tagged("keep", 1), tagged("skip", 2), tagged("keep", 3), tagged("skip", 4),
                    tagged("keep", 5));
            seed(h, doomed, 3);

            String createdAt = h.put(sub(t, "filtered"), "{\"from_seq\": 0, \"filter\": " + KEEP_JSON + "}").ok(201)
                    .str("created_at");
            h.put(sub(t, "plain"), "{\"from_seq\": 0}").ok(201);
            h.put(sub(t, "back"), "{}").ok(201);
            h.put(sub(t, "back"), "{\"from_seq\": 1}").ok(200); // repositioned backwards
            h.put(sub(t, "removed"), "{}").ok(201);
            h.delete(sub(t, "removed")).ok();
            ack(h, t, "filtered", 3);
            ack(h, t, "filtered", 2); // below the cursor: no effect
            h.put(sub(doomed, "s"), "{\"from_seq\": 1}").ok(201);
            h.delete(topicPath(doomed)).ok();
            String wid = h.post("/v0/watch", "{\"topics\": {\"" + t + "\": {\"subscription\": \"filtered\"}}, "
                    + "\"heartbeat_ms\": 200}").ok(201).str("wid");

            own.restart();

            assertThat(listNames(h, t)).containsExactly("back", "filtered", "plain");
            Response f = h.get(sub(t, "filtered")).ok();
            assertSub(f, t, "filtered", 3, head, KEEP);
            assertThat(f.str("created_at")).isEqualTo(createdAt);
            assertSub(h.get(sub(t, "plain")).ok(), t, "plain", 0, head, null);
            assertSub(h.get(sub(t, "back")).ok(), t, "back", 1, head, null);
            h.get(sub(t, "removed")).assertError(404, "subscription_not_found");
            assertRead(next(h, t, "filtered", "{}"), 3, List.of(5L), 5, head, 1);
            // a watch session following a subscription survives too, and starts at the restored cursor
            try (SseClient sse = SseClient.open(h.base().resolve("/v0/watch/" + wid), null)) {
                Event first = sse.nextEvent(10);
                assertThat(first.name()).isEqualTo("record");
                assertThat(data(first).get("from_seq")).isEqualTo(3L);
                assertThat(seqs(records(first))).containsExactly(5L);
            }

            seed(h, doomed, 1);
            h.get(sub(doomed, "s")).assertError(404, "subscription_not_found");

            // changes after a restart are durable too
            ack(h, t, "plain", 4);
            h.put(sub(t, "back"), "{\"filter\": [\"tag\", \"Eq\", \"skip\"]}").ok(200);
            long newHead = write(h, t, tagged("keep", 6));
            own.restart();

            assertSub(h.get(sub(t, "plain")).ok(), t, "plain", 4, newHead, null);
            assertSub(h.get(sub(t, "back")).ok(), t, "back", 1, newHead, List.of("tag", "Eq", "skip"));
            assertRead(next(h, t, "back", "{}"), 1, List.of(2L, 4L), newHead, newHead, 1);
            assertSub(h.get(sub(t, "filtered")).ok(), t, "filtered", 3, newHead, KEEP);
            assertRead(next(h, t, "filtered", "{}"), 3, List.of(5L, 6L), newHead, newHead, 1);
        }
    }
}
