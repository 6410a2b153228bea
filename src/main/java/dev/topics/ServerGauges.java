package dev.topics;

import dev.topics.http.StorageRef;
import dev.topics.metrics.ServerMetrics;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.Storage;
import dev.topics.storage.engine.LocalStorage;
import dev.topics.storage.wal.Committer;
import dev.topics.watch.WatchService;
import dev.topics.webhook.Webhooks;
import java.nio.file.Path;
import java.util.function.ToLongFunction;

/**
 * The gauges and totals of {@code /metrics} (SPEC §12), read at scrape time from the running
 * server. The registry is one per process: they read whatever server was wired last (one
 * per process, except in tests).
 */
final class ServerGauges {
    private record Parts(StorageRef storage, WatchService watch, Webhooks webhooks, Path dataDir) {
    }

    private static volatile Parts current;
    private static volatile long diskAt;
    private static volatile long disk;
    private static boolean registered;

    private ServerGauges() {
    }

    static synchronized void register(StorageRef storage, WatchService watch, Webhooks webhooks, Path dataDir) {
        current = new Parts(storage, watch, webhooks, dataDir);
        if (registered) {
            return;
        }
        registered = true;
        ServerMetrics.counter("topics_commit_groups", "Commit groups written (one WAL write each)", () -> commit(s -> s.groups));
        ServerMetrics.counter("topics_commit_entries", "Entries committed; entries/groups is the mean batch size",
                () -> commit(s -> s.tasks));
        ServerMetrics.counter("topics_fsyncs", "fdatasyncs of the WAL", () -> commit(s -> s.forces));
        ServerMetrics.counter("topics_fsync_seconds", "Time spent in WAL fdatasyncs; /topics_fsyncs_total is the mean latency",
                () -> commit(s -> s.forceNanos) / 1e9);
        ServerMetrics.counter("topics_wal_bytes", "Bytes written to the WAL", () -> commit(s -> s.walBytes));
        ServerMetrics.gauge("topics_watchers", "Open SSE streams", () -> current.watch().openStreams());
        ServerMetrics.gauge("topics_router_lag", "Records behind, summed over routers", ServerGauges::routerLag);
        ServerMetrics.gauge("topics_webhook_deliveries_pending", "Deliveries pending in the webhooks' logs",
                () -> current.webhooks().deliveryTotals()[0]);
        ServerMetrics.gauge("topics_webhook_deliveries_succeeded", "Deliveries succeeded in the webhooks' logs",
                () -> current.webhooks().deliveryTotals()[1]);
        ServerMetrics.gauge("topics_webhook_deliveries_failed", "Deliveries failed in the webhooks' logs",
                () -> current.webhooks().deliveryTotals()[2]);
        ServerMetrics.gauge("topics_disk_bytes", "Bytes under the data directory", ServerGauges::disk);
    }

    private static long commit(ToLongFunction<Committer.Stats> f) {
        StorageRef ref = current.storage();
        return ref.recovered() && ref.get() instanceof LocalStorage l ? f.applyAsLong(l.commitStats()) : 0;
    }

    private static long routerLag() {
        StorageRef ref = current.storage();
        if (!ref.recovered()) {
            return 0;
        }
        Storage s = ref.get();
        long lag = 0;
        for (ControlEntry e : s.controls(ControlEntry.Kind.ROUTER)) {
            try {
                lag += Math.max(0, s.topic(e.topics().get(0)).headSeq() - e.cursor());
            } catch (RuntimeException gone) {
                // its source was deleted while we looked
            }
        }
        return lag;
    }

    /** Walking the data directory is not free: at most once every 5 s. */
    private static long disk() {
        long now = System.nanoTime();
        if (now - diskAt > 5_000_000_000L) {
            disk = ServerMetrics.diskBytes(current.dataDir());
            diskAt = now;
        }
        return disk;
    }
}
