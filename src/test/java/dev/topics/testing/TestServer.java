package dev.topics.testing;

import dev.topics.TopicsServer;
import dev.topics.config.ConfigLoader;
import dev.topics.config.ServerConfig;
import dev.topics.http.RouteTable;
import dev.topics.worker.WorkerClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real {@link TopicsServer} on a free loopback port, in-process, over a data directory
 * inside a caller-owned temp directory ({@code root/data}). Configured the way an operator
 * would: an environment map and, optionally, a YAML file ({@code root/topics.yaml}).
 * {@link #restart()} stops it and starts a new one on the same data directory (a new
 * port: use {@link #http()} or {@link #base()} again, or keep the {@link Http} from
 * {@link #http()}, which follows the restart).
 *
 * <p>Typical use, one server per test class:
 * <pre>
 * &#64;TempDir static Path tmp;
 * static TestServer server;
 * &#64;BeforeAll static void start() { server = TestServer.start(tmp); }
 * &#64;AfterAll static void stop() { server.close(); }
 * </pre>
 */
public final class TestServer implements AutoCloseable {
    private static final AtomicInteger NAMES = new AtomicInteger();

    private final Path root;
    private final Path dataDir;
    private final Path configFile;
    private final Map<String, String> env;
    private final Http http;
    private volatile TopicsServer server;
    private WorkerClock clock = WorkerClock.SYSTEM;

    private TestServer(Path root, String yaml, Map<String, String> extraEnv) {
        this.root = root;
        this.dataDir = root.resolve("data");
        Map<String, String> e = new HashMap<>();
        e.put("TOPICS_PORT", "0");
        e.put("TOPICS_BIND", "127.0.0.1");
        e.put("TOPICS_DATA_DIR", dataDir.toString());
        e.putAll(extraEnv);
        this.env = Map.copyOf(e);
        try {
            if (yaml != null) {
                configFile = root.resolve("topics.yaml");
                Files.writeString(configFile, yaml);
            } else {
                configFile = null;
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        this.http = new Http(this::base);
    }

    /** A topic name no other test of this JVM uses: {@code stem-<n>}. */
    public static String uniqueTopic(String stem) {
        return stem + "-" + NAMES.incrementAndGet();
    }

    /** A server with the defaults (dev mode: no credentials) in {@code root/data}. */
    /** The admin token of {@link #startWithAuth}. */
    public static final String ADMIN_TOKEN = "secret";

    /**
     * A server with {@code auth: required}, admin token {@link #ADMIN_TOKEN}, and the 429
     * throttle out of the way (tests send many bad tokens from one address on purpose).
     */
    public static TestServer startWithAuth(Path root) {
        return withAuth(root).start();
    }

    /** {@link #startWithAuth}'s builder, for more settings. */
    public static Builder withAuth(Path root) {
        return builder(root).env("TOPICS_AUTH", "required").env("TOPICS_ADMIN_TOKEN", ADMIN_TOKEN)
                .yaml("auth:\n  failures_per_minute: 1000000\n  failures_per_minute_total: 1000000\n");
    }

    public static TestServer start(Path root) {
        return builder(root).start();
    }

    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** Sets environment overrides and a YAML config file, then starts. */
    public static final class Builder {
        private final Path root;
        private final Map<String, String> env = new HashMap<>();
        private String yaml;
        private WorkerClock clock = WorkerClock.SYSTEM;

        private Builder(Path root) {
            this.root = root;
        }

        /** An environment variable as {@link ConfigLoader} reads it ({@code TOPICS_AUTH}, …). */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** The text of the config file given to the loader (keys it omits keep their defaults). */
        public Builder yaml(String text) {
            this.yaml = text;
            return this;
        }

        /** The clock the routers' and webhooks' backoff waits on (a {@link SkipClock} in tests of retries). */
        public Builder clock(WorkerClock c) {
            this.clock = c;
            return this;
        }

        public TestServer start() {
            TestServer s = new TestServer(root, yaml, env);
            s.clock = clock;
            s.startServer();
            return s;
        }
    }

    private void startServer() {
        try {
            ServerConfig cfg = ConfigLoader.load(configFile, env);
            server = TopicsServer.start(cfg, false, clock);
        } catch (Exception e) {
            throw new IllegalStateException("test server failed to start: " + e.getMessage(), e);
        }
    }

    /** {@code http://127.0.0.1:<port>} of the running server. */
    public URI base() {
        TopicsServer s = server;
        if (s == null) {
            throw new IllegalStateException("the test server is stopped");
        }
        return URI.create("http://127.0.0.1:" + s.port());
    }

    public int port() {
        return server.port();
    }

    /** Every route the running server answers. */
    public RouteTable routes() {
        return server.routes();
    }

    /** A client bound to this server; it follows restarts. */
    public Http http() {
        return http;
    }

    /** The server's data directory ({@code root/data}). */
    public Path dataDir() {
        return dataDir;
    }

    /** The temp directory holding the data directory and the config file. */
    public Path root() {
        return root;
    }

    /** Stops the server (a clean shutdown: final snapshot) and starts it again on the same data directory. */
    public void restart() {
        stop();
        startServer();
    }

    public void stop() {
        TopicsServer s = server;
        server = null;
        if (s != null) {
            s.stop();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
