package dev.topics.metrics;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The server's series for {@code GET /metrics} (SPEC §12), in Helidon's global meter
 * registry, which Helidon's metrics observer exposes in Prometheus text format: requests
 * by route and status with a latency histogram, records written and read, and gauges read
 * at scrape time (commit groups and entries, fsyncs and their time, open watchers, router
 * lag, webhook deliveries, disk use).
 */
public final class ServerMetrics {
    private static volatile Counter written = writtenCounter();
    private static volatile Counter read = readCounter();
    private static final Duration[] BUCKETS = {Duration.ofNanos(250_000), Duration.ofMillis(1), Duration.ofMillis(5),
            Duration.ofMillis(25), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(2),
            Duration.ofSeconds(10)};
    private static final ConcurrentHashMap<String, Timer> REQUESTS = new ConcurrentHashMap<>();
    /** What the function counters read, held here so that it lives as long as the process. */
    private static final List<Object> KEPT = new java.util.concurrent.CopyOnWriteArrayList<>();

    private ServerMetrics() {
    }

    private static Counter writtenCounter() {
        return Metrics.getOrCreate(Counter.builder("topics_records_written").description("Records written (committed)"));
    }

    private static Counter readCounter() {
        return Metrics.getOrCreate(Counter.builder("topics_records_read")
                .description("Records returned to readers (diff, subscriptions, messages, streams)"));
    }

    /**
     * Puts the counters in the current global registry (a server's start may have made a new
     * one) and returns it.
     */
    public static Object bind() {
        written = writtenCounter();
        read = readCounter();
        REQUESTS.clear();
        return Metrics.globalRegistry();
    }

    public static void written(long records) {
        written.increment(records);
    }

    public static void read(long records) {
        if (records > 0) {
            read.increment(records);
        }
    }

    /** One finished request: its method, route template, status and duration. */
    public static void request(String method, String route, int status, long nanos) {
        String key = method + ' ' + route + ' ' + status;
        Timer t = REQUESTS.get(key);
        if (t == null) {
            t = REQUESTS.computeIfAbsent(key, k -> Metrics.getOrCreate(Timer.builder("topics_requests")
                    .description("HTTP requests by route and status, with their latency")
                    .tags(List.of(Tag.create("method", method), Tag.create("route", route),
                            Tag.create("status", Integer.toString(status))))
                    .buckets(BUCKETS).percentiles(new double[0]).publishPercentileHistogram(false)));
        }
        t.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A value read when scraped, that may go up and down. */
    public static void gauge(String name, String description, Supplier<? extends Number> value) {
        Metrics.getOrCreate(Gauge.builder(name, () -> value.get().doubleValue()).description(description));
    }

    /**
     * A total read when scraped, that only grows: a Prometheus counter ({@code name_total}).
     * Registered on the Micrometer registry beneath Helidon's, which takes a fractional total
     * (seconds) where Helidon's functional counter takes whole numbers only.
     */
    public static void counter(String name, String description, Supplier<? extends Number> total) {
        KEPT.add(total); // Micrometer holds a function counter's object weakly: a lambda only it knew would be collected
        // Micrometer's registry beneath outlives Helidon's: a new Helidon registry learns a meter
        // only as it is added, so one already there is added again
        io.micrometer.core.instrument.FunctionCounter old = micrometer().find(name).functionCounter();
        if (old != null) {
            micrometer().remove(old);
        }
        io.micrometer.core.instrument.FunctionCounter.builder(name, total, t -> t.get().doubleValue())
                .description(description).tag("scope", "application").register(micrometer());
    }

    /**
     * The JVM's and the process's series ({@code jvm_*}, {@code process_*}), from Micrometer's
     * binders. Not its GC binder: with it bound, servers restarted after SIGKILL in a long test
     * run answered their first requests only after 10-30 s (RouterProcessTest, in full runs
     * only); found by bisecting the binders, cause not yet known.
     */
    public static void bindJvmAndProcess() {
        io.micrometer.core.instrument.MeterRegistry r = micrometer();
        for (io.micrometer.core.instrument.binder.MeterBinder b : List.of(
                new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics(),
                new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics(),
                new io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics(),
                new io.micrometer.core.instrument.binder.system.ProcessorMetrics(),
                new io.micrometer.core.instrument.binder.system.UptimeMetrics(),
                new io.micrometer.core.instrument.binder.system.FileDescriptorMetrics())) {
            b.bindTo(r);
        }
    }

    private static io.micrometer.core.instrument.MeterRegistry micrometer() {
        return Metrics.globalRegistry().unwrap(io.micrometer.core.instrument.MeterRegistry.class);
    }

    /** Bytes of every file under {@code dir} (the data directory's disk use). */
    public static long diskBytes(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0; // deleted while walking
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    private static final Set<String> COLLECTIONS = Set.of("topics", "routers", "principals",
            "permissions", "subscriptions", "webhooks", "shares", "tokens", "watch", "stream");
    private static final Set<String> WORDS = Set.of("v0", "v1", "stream", "topics", "diff", "delete", "watch",
            "subscriptions", "next", "ack", "routers", "principals", "tokens", "permissions", "shares", "rotate",
            "webhooks", "deliveries", "stats", "messages", "node", "healthz", "readyz", "metrics", "dashboard",
            "index.html", "app.js", "style.css");

    /**
     * The route template of a request path, for the {@code route} tag: what follows a
     * collection ({@code topics}, {@code routers}, …) becomes {@code {id}}, and any word
     * the API does not have becomes {@code {other}}, so the series stay few whatever is asked.
     */
    public static String route(String path) {
        String[] p = path.split("/", -1);
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < p.length; i++) {
            String seg = p[i];
            boolean id = i >= 2 && COLLECTIONS.contains(p[i - 1]) && !(i == 2 && p[1].equals("v0"));
            out.append('/').append(id ? "{id}" : WORDS.contains(seg) || seg.isEmpty() ? seg : "{other}");
        }
        return out.length() == 0 ? "/" : out.toString();
    }
}
