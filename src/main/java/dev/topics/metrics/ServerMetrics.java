package dev.topics.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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
 * The server's series for {@code GET /metrics} (SPEC §12), in one Micrometer registry for
 * the process, written in Prometheus text format by {@link #scrape}: requests by route and
 * status with a latency histogram, records written and read, totals and gauges read at
 * scrape time (commit groups and entries, fsyncs and their time, open watchers, router lag,
 * webhook deliveries, disk use), and the JVM's and the process's series from Micrometer's
 * binders. Every series is the server's ({@code topics_}), the JVM's ({@code jvm_}), the
 * process's ({@code process_}) or the system's ({@code system_}).
 */
public final class ServerMetrics {
    private static final PrometheusMeterRegistry REGISTRY = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private static final Counter WRITTEN = Counter.builder("topics_records_written")
            .description("Records written (committed)").register(REGISTRY);
    private static final Counter READ = Counter.builder("topics_records_read")
            .description("Records returned to readers (diff, subscriptions, messages, streams)").register(REGISTRY);
    private static final Duration[] BUCKETS = {Duration.ofNanos(250_000), Duration.ofMillis(1), Duration.ofMillis(5),
            Duration.ofMillis(25), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(2),
            Duration.ofSeconds(10)};
    private static final ConcurrentHashMap<String, Timer> REQUESTS = new ConcurrentHashMap<>();
    /** What the function counters read, held here so that it lives as long as the process. */
    private static final List<Object> KEPT = new java.util.concurrent.CopyOnWriteArrayList<>();

    static {
        for (MeterBinder b : List.of(new JvmMemoryMetrics(), new JvmGcMetrics(), new JvmThreadMetrics(),
                new ClassLoaderMetrics(), new ProcessorMetrics(), new UptimeMetrics(), new FileDescriptorMetrics())) {
            b.bindTo(REGISTRY);
        }
    }

    private ServerMetrics() {
    }

    /** The Prometheus content type for a request's {@code Accept}: OpenMetrics if asked for, else text 0.0.4. */
    public static String contentType(String accept) {
        return accept != null && accept.contains("application/openmetrics-text")
                ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                : "text/plain; version=0.0.4; charset=utf-8";
    }

    /** Every series, in the format {@link #contentType} named. */
    public static String scrape(String contentType) {
        return REGISTRY.scrape(contentType);
    }

    public static void written(long records) {
        WRITTEN.increment(records);
    }

    public static void read(long records) {
        if (records > 0) {
            READ.increment(records);
        }
    }

    /** One finished request: its method, route template, status and duration. */
    public static void request(String method, String route, int status, long nanos) {
        String key = method + ' ' + route + ' ' + status;
        Timer t = REQUESTS.get(key);
        if (t == null) {
            t = REQUESTS.computeIfAbsent(key, k -> Timer.builder("topics_requests")
                    .description("HTTP requests by route and status, with their latency")
                    .tags("method", method, "route", route, "status", Integer.toString(status))
                    .serviceLevelObjectives(BUCKETS).register(REGISTRY));
        }
        t.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A value read when scraped, that may go up and down. */
    public static void gauge(String name, String description, Supplier<? extends Number> value) {
        Gauge.builder(name, value).description(description).strongReference(true).register(REGISTRY);
    }

    /** A total read when scraped, that only grows: a Prometheus counter ({@code name_total}). */
    public static void counter(String name, String description, Supplier<? extends Number> total) {
        KEPT.add(total); // Micrometer holds a function counter's object weakly: a lambda only it knew would be collected
        FunctionCounter.builder(name, total, t -> t.get().doubleValue()).description(description).register(REGISTRY);
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
