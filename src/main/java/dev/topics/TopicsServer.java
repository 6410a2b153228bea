package dev.topics;

import dev.topics.access.Gate;
import dev.topics.access.PermissionsService;
import dev.topics.access.PrincipalsService;
import dev.topics.access.SharesService;
import dev.topics.config.ServerConfig;
import dev.topics.dashboard.DashboardService;
import dev.topics.ds.DurableStreamsService;
import dev.topics.http.Body;
import dev.topics.http.ConnectionGuard;
import dev.topics.http.Cors;
import dev.topics.http.HealthService;
import dev.topics.http.MetricsService;
import dev.topics.http.Responses;
import dev.topics.http.RouteTable;
import dev.topics.http.StorageRef;
import dev.topics.http.TransportErrors;
import dev.topics.http.Unrouted;
import dev.topics.manage.ManagementService;
import dev.topics.metrics.ServerMetrics;
import dev.topics.node.NodeService;
import dev.topics.router.RouterService;
import dev.topics.router.Routers;
import dev.topics.stats.Activity;
import dev.topics.stats.StatsService;
import dev.topics.storage.RecoveryReport;
import dev.topics.storage.StorageOptions;
import dev.topics.storage.kafka.KafkaCommandLog;
import dev.topics.storage.engine.LocalStorage;
import dev.topics.subscription.SubscriptionService;
import dev.topics.topic.TopicService;
import dev.topics.watch.WatchService;
import dev.topics.webhook.WebhookService;
import dev.topics.webhook.Webhooks;
import dev.topics.worker.WorkerClock;
import io.helidon.openapi.OpenApiFeature;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A running server: the HTTP listener and the storage engine behind it. {@link Main}
 * runs one until SIGTERM; tests start them in-process on port 0.
 */
public final class TopicsServer {
    /** Served by Helidon's features, after the application's routes. */
    static final String OPENAPI_PATH = "/openapi";

    /** Start-up failed for a reason the operator must fix (bad path, port in use…). */
    public static final class StartFailure extends Exception {
        StartFailure(String message) {
            super(message);
        }
    }

    private final ServerConfig config;
    private final WebServer web;
    private final LocalStorage storage;
    private final Routers routers;
    private final Webhooks webhooks;
    private final Gate gate;
    private final ConnectionGuard guard;
    private final RouteTable routes;
    private final Path dataDir;
    private final long startMillis;

    private TopicsServer(ServerConfig config, WebServer web, LocalStorage storage, Routers routers, Webhooks webhooks,
                         Gate gate, ConnectionGuard guard, RouteTable routes, Path dataDir, long startMillis) {
        this.routes = routes;
        this.guard = guard;
        this.webhooks = webhooks;
        this.config = config;
        this.web = web;
        this.storage = storage;
        this.routers = routers;
        this.gate = gate;
        this.dataDir = dataDir;
        this.startMillis = startMillis;
    }

    public static TopicsServer start(ServerConfig cfg) throws StartFailure {
        return start(cfg, false);
    }

    /**
     * Starts the server; with {@code repair}, damage in the WAL is cut instead of refused
     * ({@code topics serve --repair}, docs/RELIABILITY.md) and what was dropped is logged.
     */
    public static TopicsServer start(ServerConfig cfg, boolean repair) throws StartFailure {
        return start(cfg, repair, WorkerClock.SYSTEM);
    }

    /**
     * Starts the server with the routers' and webhooks' backoff on {@code clock}: tests hand
     * it one they move forward instead of waiting out real seconds of retries.
     */
    public static TopicsServer start(ServerConfig cfg, boolean repair, WorkerClock clock) throws StartFailure {
        long t0 = System.nanoTime();
        Path dataDir = cfg.dataDir().toAbsolutePath().normalize();
        try {
            Files.createDirectories(dataDir);
            if (!Files.isWritable(dataDir)) {
                throw new IOException("not writable");
            }
        } catch (IOException e) {
            throw new StartFailure("config key data_dir: " + dataDir + " is not a writable directory (" + e.getMessage() + ")");
        }
        Gate gate;
        try {
            gate = Gate.create(cfg.authMode(), cfg.bind(), cfg.adminToken(), dataDir, cfg.authFailuresPerMinute(),
                    cfg.authFailuresPerMinuteTotal());
        } catch (IOException e) {
            throw new StartFailure("cannot prepare auth in " + dataDir + ": " + e.getMessage());
        }
        probePort(cfg);
        StorageRef ref = new StorageRef();
        gate.attach(ref, cfg.topicDefaults());
        Routers routers = new Routers(cfg.topicDefaults(), gate, clock);
        Webhooks webhooks = new Webhooks(webhooksMayReachPrivate(cfg, gate), clock);
        WebServer web;
        RouteTable routes = new RouteTable();
        // the only connection selector: Helidon's HTTP/1 inside our guard (framing, time and connection limits)
        ConnectionGuard guard = new ConnectionGuard(cfg.http().headerTimeoutMs(), cfg.http().bodyTimeoutMs(),
                cfg.http().maxConnections());
        try {
            web = WebServer.builder()
                    .host(cfg.bind())
                    .port(cfg.port())
                    .protocolsDiscoverServices(false)
                    .protocols(List.of())
                    .addConnectionSelector(guard)
                    .maxPayloadSize(cfg.limits().maxBodyBytes() + Body.DRAIN_BYTES)
                    // no 4 KiB buffer per streaming response: event streams gather their own
                    // writes until a flush, holding nothing while idle (EventStreamOutput)
                    .writeBufferSize(0)
                    // an answer bigger than the socket's send buffer (a 4 MiB diff) ends in a short
                    // segment Nagle held until the client's delayed ACK, 40 ms later (RESULTS.md, P8)
                    .connectionOptions(o -> o.tcpNoDelay(true))
                    .directHandlers(TransportErrors.handlers())
                    // GET /openapi: META-INF/openapi.yaml as written (docs/API.md)
                    .addFeature(OpenApiFeature.builder().webContext(OPENAPI_PATH).build())
                    .routing(r -> routing(r, routes, ref, gate, cfg, routers, webhooks))
                    .build()
                    .start();
        } catch (RuntimeException e) {
            guard.close();
            throw new StartFailure("cannot listen on " + cfg.bind() + ":" + cfg.port() + " (config keys bind, port): "
                    + rootMessage(e));
        }
        if (!web.isRunning() || web.port() < 0) {
            // Helidon logs a failed bind and returns instead of throwing
            web.stop();
            guard.close();
            throw new StartFailure("cannot listen on " + cfg.bind() + ":" + cfg.port() + " (config keys bind, port)");
        }
        LocalStorage storage;
        KafkaCommandLog log = null;
        var cl = cfg.cluster();
        try {
            if (cl.enabled()) {
                log = KafkaCommandLog.open(new KafkaCommandLog.Settings(cl.bootstrapServers(), cl.logTopic(),
                        cl.replicationFactor(), cl.minInsyncReplicas(), cl.retentionMs(),
                        (int) Math.min(Integer.MAX_VALUE, 2L * cfg.limits().maxBodyBytes() + (1 << 20)),
                        cl.writeTimeoutMs(), cl.sessionTimeoutMs(), cfg.nodeId() == null ? "node" : cfg.nodeId()));
            }
        } catch (RuntimeException e) {
            web.stop();
            guard.close();
            throw new StartFailure("cannot join the cluster at " + cl.bootstrapServers()
                    + " (config key cluster.kafka.bootstrap_servers): " + rootMessage(e));
        }
        try {
            var s = cfg.storage();
            storage = LocalStorage.open(new StorageOptions(dataDir, cfg.nodeId(), s.asyncFlushMs(), s.segmentBytes(),
                    s.walFileBytes(), s.indexIntervalBytes(), s.tailBytes(), s.snapshotIntervalMs(), s.snapshotWalBytes(),
                    s.compactionIntervalMs(), s.maxOpenSegments(), s.diskReserveBytes()), repair, log,
                    cl.writeTimeoutMs(), cl.snapshotIntervalMs());
        } catch (IOException | RuntimeException e) {
            if (log != null) {
                log.close();
            }
            web.stop();
            guard.close();
            throw new StartFailure((log != null ? "cannot start the cluster node with data directory "
                    : "cannot open data directory ") + dataDir + ": " + rootMessage(e));
        }
        ref.set(storage);
        routers.start(storage);
        webhooks.start(storage);
        return new TopicsServer(cfg, web, storage, routers, webhooks, gate, guard, routes, dataDir,
                (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * Binds the address once before the server does, so that a port in use or an address
     * this host does not have is reported as one clear line (Helidon would log a stack trace).
     */
    private static void probePort(ServerConfig cfg) throws StartFailure {
        if (cfg.port() == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(cfg.bind(), cfg.port()));
        } catch (IOException e) {
            throw new StartFailure("config key port: cannot listen on " + cfg.bind() + ":" + cfg.port() + " ("
                    + e.getMessage() + ")");
        }
    }

    static void routing(HttpRouting.Builder r, RouteTable routes, StorageRef ref, Gate gate, ServerConfig cfg,
                        Routers routers, Webhooks webhooks) {
        routes.add("GET", OPENAPI_PATH);
        Cors cors = new Cors(cfg.cors().allowedOrigins());
        Activity activity = new Activity();
        if (cors.enabled()) {
            r.addFilter(cors::filter);
        }
        r.addFilter((chain, req, res) -> {
            try {
                chain.proceed();
            } finally {
                ConnectionGuard.requestDone(req, res); // an unread body is dropped under the body time limit
            }
        });
        r.addFilter((chain, req, res) -> {
            long t0 = System.nanoTime();
            String path = req.path().path();
            try {
                if (path.equals(MetricsService.PATH) && !cfg.metricsPublic() && !Cors.isPreflight(req)) {
                    gate.requireAdmin(gate.authenticate(req)); // the admin only, unless metrics.public
                }
                chain.proceed();
            } finally {
                long nanos = System.nanoTime() - t0;
                ServerMetrics.request(req.prologue().method().text(), ServerMetrics.route(path), res.status().code(),
                        nanos);
                if (Logs.access()) {
                    Logs.request(req.prologue().method().text(), path, res.status().code(), nanos,
                            req.remotePeer().host());
                }
            }
        });
        WatchService watch = new WatchService(ref, gate, WatchService.Settings.of(cfg), activity);
        StatsService stats = new StatsService(ref, gate, watch::watchers, webhooks::deliveryCounts, activity);
        ServerGauges.register(ref, watch, webhooks, cfg.dataDir());
        SharesService shares = new SharesService(gate, cfg.limits().maxBodyBytes(), cfg.limits().maxJsonDepth());
        // the hot routes first: Helidon tries routes in registration order
        List<Map.Entry<String, HttpService>> services = List.of(
                Map.entry("", new HealthService(ref)),
                Map.entry("", new MetricsService()),
                Map.entry("/v0", new TopicService(ref, gate, TopicService.Settings.of(cfg), activity)),
                Map.entry("/v0", watch),
                Map.entry("/v0", new SubscriptionService(ref, gate, SubscriptionService.Settings.of(cfg), activity)),
                Map.entry("/v0", new RouterService(ref, gate, RouterService.Settings.of(cfg), routers)),
                Map.entry("/v0", new WebhookService(ref, gate, WebhookService.Settings.of(cfg), webhooks)),
                Map.entry("/v0", new PrincipalsService(gate, cfg.limits().maxBodyBytes(), cfg.limits().maxJsonDepth())),
                Map.entry("/v0", new PermissionsService(gate, cfg.limits().maxBodyBytes(), cfg.limits().maxJsonDepth())),
                Map.entry("/v0", shares),
                Map.entry("/v0", stats),
                Map.entry("/v0", new NodeService(ref, gate, version())),
                Map.entry("/v1", new DurableStreamsService(ref, gate, DurableStreamsService.Settings.of(cfg), activity,
                        watch.slots())),
                Map.entry("/topics", new ManagementService(ref, gate, ManagementService.Settings.of(cfg), shares, stats,
                        activity)),
                Map.entry("", new DashboardService()));
        for (Map.Entry<String, HttpService> s : services) {
            routes.add(s.getKey(), s.getValue());
            if (s.getKey().isEmpty()) {
                r.register(s.getValue());
            } else {
                r.register(s.getKey(), s.getValue());
            }
        }
        r.any(new Unrouted(routes, cors, Map.of(OPENAPI_PATH, Unrouted::openApiQuery)))
                .error(Throwable.class, (req, res, t) -> {
                    cors.mark(req, res); // Helidon starts an error's response afresh
                    Responses.failure(res, t);
                });
    }

    /** SPEC §10: {@code webhooks.allow_private}, which {@code auto} turns on in dev mode only. */
    static boolean webhooksMayReachPrivate(ServerConfig cfg, Gate gate) {
        Boolean set = cfg.webhooks().allowPrivate();
        return set != null ? set : gate.mode().equals("dev");
    }

    /** Every route this server answers: method and path template. */
    public RouteTable routes() {
        return routes;
    }

    /** The one line logged at start (SPEC §1). */
    public String startLine() {
        RecoveryReport rec = storage.recovery();
        return String.format("topics %s listening on http://%s:%d data=%s auth=%s recovery=%dms (replayed %d frames%s) started in %dms%s",
                version(), config.bind(), web.port(), dataDir, gate.mode(), rec.millis(), rec.framesReplayed(),
                rec.bytesCut() > 0 ? ", cut " + rec.bytesCut() + " torn bytes" : "", startMillis,
                rec.repaired() != null ? "; REPAIRED: " + rec.repaired() : "");
    }

    /** The build's version (from the jar manifest), or "dev" when run from classes. */
    public static String version() {
        String v = TopicsServer.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    public int port() {
        return web.port();
    }

    public LocalStorage storage() {
        return storage;
    }

    /** Stops accepting, closes connections, commits what was handed over, writes a final snapshot. */
    public void stop() {
        storage.stopInlineCommits(); // web.stop() interrupts request threads that outlive its grace period
        web.stop();
        guard.close();
        routers.close();
        webhooks.close();
        storage.close();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof UncheckedIOException u && u.getCause() != null) {
            t = u.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
