package dev.topics.webhook;

import dev.topics.storage.ControlEntry;
import dev.topics.storage.Storage;
import dev.topics.worker.ControlFollower;
import dev.topics.worker.WorkerClock;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The running webhooks (SPEC §10): one {@link WebhookWorker} per stored webhook, started
 * when the engine is ready and when one is made, stopped when it is deleted (or its topic
 * is: the worker sees its entry gone) and at shutdown. Keeps each webhook's deliveries log.
 */
public final class Webhooks implements AutoCloseable {
    /** Plain HTTP/1.1: receivers need not understand an h2c upgrade offer. */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
    private final Map<String, WebhookWorker> workers = new ConcurrentHashMap<>();
    private final Map<String, Deliveries> logs = new ConcurrentHashMap<>();
    private final Addresses addresses;
    private final WorkerClock clock;
    private volatile Storage storage;
    private volatile boolean closed;

    /** @param allowPrivate whether deliveries may go to loopback, link-local and private addresses */
    public Webhooks(boolean allowPrivate) {
        this(allowPrivate, WorkerClock.SYSTEM);
    }

    /** Webhooks whose backoff waits on {@code clock} (tests of retries). */
    public Webhooks(boolean allowPrivate, WorkerClock clock) {
        this.addresses = new Addresses(allowPrivate);
        this.clock = clock;
    }

    Addresses addresses() {
        return addresses;
    }

    public synchronized void start(Storage s) {
        storage = s;
        for (ControlEntry e : s.controls(ControlEntry.Kind.WEBHOOK)) {
            launch(e.id());
        }
        // webhooks made elsewhere (another node of a cluster) get a worker here too
        ControlFollower.start("topics-webhooks-follow", () -> storage, ControlEntry.Kind.WEBHOOK, () -> closed,
                this::reconcile);
    }

    /** Every webhook without a worker gets one. */
    private synchronized void reconcile(List<ControlEntry> hooks) {
        for (ControlEntry e : hooks) {
            if (!workers.containsKey(e.id())) {
                launch(e.id());
            }
        }
    }

    synchronized void launch(String id) {
        if (closed) {
            return;
        }
        WebhookWorker[] self = {null};
        WebhookWorker w = new WebhookWorker(storage, id, http, log(id), addresses, () -> {
            if (workers.remove(id, self[0])) {
                logs.remove(id);
            }
        }, clock);
        self[0] = w;
        WebhookWorker old = workers.put(id, w);
        if (old != null) {
            old.stop();
        }
        w.start();
    }

    /** Stops a deleted webhook's worker and drops its log. */
    synchronized void forget(String id) {
        WebhookWorker old = workers.remove(id);
        if (old != null) {
            old.stop();
        }
        logs.remove(id);
    }

    Deliveries log(String id) {
        return logs.computeIfAbsent(id, k -> new Deliveries());
    }

    /**
     * A webhook's recent deliveries, newest first: this node's log where it runs the webhook;
     * elsewhere in a cluster, what the node that runs it published.
     */
    List<Deliveries.Delivery> recent(String id) {
        Storage s = storage;
        if (s != null && !s.leads()) {
            List<byte[]> published = s.statusItems(Webhook.key(id));
            if (!published.isEmpty()) {
                return published.stream().map(b -> Deliveries.Delivery.decode(id, b)).toList();
            }
        }
        Deliveries d = logs.get(id);
        return d == null ? List.of() : d.recent();
    }

    /** Deliveries of the topic's webhooks in their logs: {pending, succeeded, failed} (SPEC §12 stats). */
    public long[] deliveryCounts(String topic) {
        long[] sum = new long[3];
        Storage s = storage;
        if (s == null) {
            return sum;
        }
        List<ControlEntry> hooks = s.controls(ControlEntry.Kind.WEBHOOK);
        for (ControlEntry e : hooks) {
            if (e.belongsToTopic(topic)) {
                long[] c = Deliveries.counts(recent(e.id()));
                for (int i = 0; i < 3; i++) {
                    sum[i] += c[i];
                }
            }
        }
        return sum;
    }

    /** Deliveries in every webhook's log: {pending, succeeded, failed} (SPEC §12 metrics). */
    public long[] deliveryTotals() {
        long[] sum = new long[3];
        for (Deliveries d : logs.values()) {
            long[] c = d.counts();
            for (int i = 0; i < 3; i++) {
                sum[i] += c[i];
            }
        }
        return sum;
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (WebhookWorker w : workers.values()) {
            w.stop();
        }
        workers.clear();
        http.close();
    }
}
