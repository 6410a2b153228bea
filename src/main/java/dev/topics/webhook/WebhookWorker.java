package dev.topics.webhook;

import dev.topics.json.JsonOut;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.CursorMove;
import dev.topics.storage.ReadResult;
import dev.topics.storage.RecordFilter;
import dev.topics.storage.RecordView;
import dev.topics.storage.Storage;
import dev.topics.storage.StorageException;
import dev.topics.topic.RecordJson;
import dev.topics.worker.Backoff;
import dev.topics.worker.Worker;
import dev.topics.worker.WorkerClock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One webhook's loop, on its own virtual thread (SPEC §10): read up to {@code batch_max}
 * records after the cursor, POST them as one delivery, and on a 2xx move the cursor past
 * them (a forced commit) — at-least-once, in order. Anything else, or no answer within
 * 10 s, is retried after 1 s, 2 s, 4 s … up to 10 min (±20 % jitter); after
 * {@code max_attempts} the webhook is stored as {@code failing} and waits for
 * {@code PATCH {"state": "active"}}. A delivery is identified by the webhook and its first
 * and last seq, so a retry after a restart carries the same {@code webhook-id} (and deprecated
 * {@code X-Topics-Delivery}); each attempt is signed anew with its own {@code webhook-timestamp}.
 */
final class WebhookWorker extends Worker {
    private static final Logger LOG = Logger.getLogger(WebhookWorker.class.getName());
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    static final long MAX_BACKOFF_MS = 600_000;
    /** 1 s, 2 s, 4 s … up to 10 min, ±20 %. */
    static final Backoff BACKOFF = new Backoff(1000, MAX_BACKOFF_MS, 0.2);
    private static final long IDLE_WAIT_MS = 500;
    /** How long the worker waits when the engine is unavailable before it looks again. */
    private static final long UNAVAILABLE_WAIT_MS = 1000;
    static final long READ_BYTES = 4L << 20;

    private final Storage storage;
    private final String id;
    /** {@code topics/<version>} (the jar's version; {@code dev} when run from classes). */
    static final String USER_AGENT = "topics/" + Objects.requireNonNullElse(
            WebhookWorker.class.getPackage().getImplementationVersion(), "dev");

    private final HttpClient http;
    private final Deliveries deliveries;
    private final Addresses addresses;
    private Deliveries.Delivery current;
    /** Deliveries changed since they were last published for the other nodes of a cluster (worker thread). */
    private final Map<String, Deliveries.Delivery> unpublished = new LinkedHashMap<>();
    private long publishedAtMs;
    private static final long PUBLISH_EVERY_MS = 1000;
    private byte[] specSeen;
    private RecordFilter filter;

    private final Runnable onGone;

    /** @param onGone called when the worker ends because its webhook (or its topic) was deleted */
    WebhookWorker(Storage storage, String id, HttpClient http, Deliveries deliveries, Addresses addresses,
                  Runnable onGone, WorkerClock clock) {
        super(clock);
        this.onGone = onGone;
        this.storage = storage;
        this.id = id;
        this.http = http;
        this.deliveries = deliveries;
        this.addresses = addresses;
    }

    void start() {
        start("topics-webhook-" + id);
    }

    @Override
    public void run() {
        boolean led = false;
        try {
            while (!stopping()) {
                ControlEntry e = storage.control(Webhook.key(id));
                if (e == null) {
                    onGone.run(); // deleted, or its topic was
                    return;
                }
                Webhook wh = Webhook.of(e);
                if (!Arrays.equals(e.spec(), specSeen)) {
                    specSeen = e.spec();
                    filter = wh.filter();
                }
                boolean leads = storage.leads();
                if (leads && !led) {
                    // starts running here (or again): the log is what the nodes published, and the
                    // batch in hand, if any, is read again from the cursor (the same id when the
                    // same records), as after a restart
                    deliveries.replaceWith(storage.statusItems(Webhook.key(id)).stream()
                            .map(b -> Deliveries.Delivery.decode(id, b)).toList());
                    current = null;
                }
                led = leads;
                if (leads) {
                    publish();
                }
                if (wh.failing()) {
                    clock.sleep(IDLE_WAIT_MS);
                    continue;
                }
                if (!leads) {
                    clock.sleep(Worker.FOLLOWER_WAIT_MS); // another node of the cluster runs the workers
                    continue;
                }
                try {
                    step(wh, e.cursor());
                } catch (StorageException.CursorConflict | StorageException.ControlNotFound
                         | StorageException.TopicNotFound | StorageException.StreamGone gone) {
                    // changed or deleted under us: look again
                } catch (StorageException.Unavailable down) {
                    clock.sleep(UNAVAILABLE_WAIT_MS);
                }
            }
        } catch (InterruptedException e) {
            // stopped
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "webhook " + id + " stopped", e);
        }
    }

    private void step(Webhook wh, long cursor) throws InterruptedException {
        Deliveries.Delivery d = current;
        if (d == null || d.cursor != cursor) {
            // no batch in hand: read the next one. A batch, once made, is sent as it is on
            // every retry (same records, same bytes), whatever is written meanwhile.
            ReadResult r = storage.read(wh.topic(), cursor, wh.batchMax(), READ_BYTES, null, filter);
            long next = r.nextFromSeq();
            if (r.records().isEmpty()) {
                if (next > cursor) {
                    storage.moveCursor(new CursorMove(Webhook.key(id), cursor, next)); // only skipped records
                } else {
                    storage.awaitAfter(wh.topic(), cursor, IDLE_WAIT_MS);
                }
                return;
            }
            long first = r.records().get(0).seq();
            long last = r.records().get(r.records().size() - 1).seq();
            // the id names the batch (webhook, first and last seq): a retry, also after a restart,
            // has the same one; a batch read anew with more records (after a restart, or on
            // resuming a failing webhook) gets another, so a receiver dropping repeats by id
            // cannot drop the newer records
            d = new Deliveries.Delivery(Deliveries.Delivery.idOf(id, first, last), first, last,
                    System.currentTimeMillis()); // created_at: the wall clock, whatever the retries wait on
            d.cursor = cursor;
            d.next = next;
            d.body = body(wh, d, r);
            current = d;
            deliveries.add(d);
            unpublished.put(d.id, d);
        }
        long wait = d.nextAttemptAtMs - clock.millis();
        if (wait > 0) {
            clock.sleep(Math.min(wait, IDLE_WAIT_MS)); // short naps: a PATCH or a delete is noticed soon
            return;
        }
        d.attempts++;
        String error = null;
        int status = 0;
        try {
            addresses.check(URI.create(wh.url()));
            HttpResponse<Void> res = http.send(request(wh, d, System.currentTimeMillis() / 1000),
                    HttpResponse.BodyHandlers.discarding());
            status = res.statusCode();
            if (status / 100 != 2) {
                error = "the receiver answered " + status;
            }
        } catch (IOException | IllegalArgumentException | Addresses.Refused ex) {
            error = ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
        }
        boolean retry = error != null && d.attempts < wh.maxAttempts();
        // when the next attempt is due, before this attempt's outcome: a reader of the delivery
        // log never sees a failed attempt of a pending delivery without its next attempt's time
        d.nextAttemptAtMs = retry ? clock.millis() + BACKOFF.delayMs(d.attempts) : 0;
        d.lastStatus = status;
        d.lastError = error;
        unpublished.put(d.id, d);
        if (error == null) {
            d.status = "succeeded";
            d.body = null;
            current = null;
            storage.moveCursor(new CursorMove(Webhook.key(id), cursor, d.next));
            return;
        }
        if (!retry) {
            d.status = "failed";
            d.body = null;
            current = null;
            // the spec as it is now (a PATCH may have landed during the attempt), marked failing
            ControlEntry now = storage.control(Webhook.key(id));
            if (now != null) {
                storage.putControl(Webhook.of(now).withState("failing").entry(now.cursor()), true);
            }
        }
    }

    /**
     * Leading node: publishes the deliveries that changed for the other nodes of a cluster, at
     * most once a second; what could not be published goes with the next one.
     */
    private void publish() {
        if (unpublished.isEmpty() || clock.millis() - publishedAtMs < PUBLISH_EVERY_MS) {
            return;
        }
        Map<String, byte[]> items = new LinkedHashMap<>();
        unpublished.forEach((k, d) -> items.put(k, d.encode()));
        try {
            storage.publishStatusItems(Webhook.key(id), items);
            unpublished.clear();
            publishedAtMs = clock.millis();
        } catch (StorageException e) {
            // the cluster's log is away: the next turn tries again
        }
    }

    private static byte[] body(Webhook wh, Deliveries.Delivery d, ReadResult r) {
        JsonOut out = new JsonOut(256 + r.records().size() * 128).beginObject().field("topic", wh.topic())
                .field("webhook", wh.id()).field("delivery", d.id).name("records").beginArray();
        for (RecordView v : r.records()) {
            RecordJson.write(out, v);
        }
        return out.endArray().endObject().toByteArray();
    }

    /**
     * One attempt's request. Standard Webhooks headers: {@code webhook-id} is the delivery id
     * (the same on every retry: receivers drop repeats by it), {@code webhook-timestamp} this
     * attempt's time, {@code webhook-signature} covers both and the body (see {@link Signer}).
     *
     * @param nowSeconds the wall clock's unix seconds, not the worker's clock: receivers
     *                   compare it with their own clock (Standard Webhooks: within 5 minutes)
     */
    private static HttpRequest request(Webhook wh, Deliveries.Delivery d, long nowSeconds) {
        return HttpRequest.newBuilder(URI.create(wh.url())).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", USER_AGENT)
                .header("webhook-id", d.id)
                .header("webhook-timestamp", Long.toString(nowSeconds))
                .header("webhook-signature", Signer.v1(Signer.key(wh.secret()), d.id, nowSeconds, d.body))
                // Deprecated: the headers of earlier versions, still sent for one more release so
                // that receivers can move to the webhook-* ones; to be removed in the release after.
                .header("X-Topics-Delivery", d.id)
                .header("X-Topics-Signature", "sha256=" + Signer.legacyHex(wh.secret(), d.body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(d.body)).build();
    }
}
