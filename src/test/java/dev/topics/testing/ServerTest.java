package dev.topics.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real server shared by the tests of a class: extend it and use {@link #server} and
 * {@link #http}. Without {@link Setup} the server has the default configuration (dev mode,
 * no credentials) and a data dir on disk under {@link #tmp}; {@link Setup} on the test
 * class chooses the auth mode, an in-memory data dir and extra config:
 * <pre>
 * &#64;ServerTest.Setup(auth = true, memory = true, yaml = "watch:\n  stall_ms: 300\n")
 * class SomeTest extends ServerTest { … }
 * </pre>
 * A subclass's own {@code @BeforeAll} runs after the server is up (make principals
 * there: {@link #principal}, {@link #bearer}), its {@code @AfterAll} before the server stops.
 */
public abstract class ServerTest {
    @TempDir
    protected static Path tmp;
    protected static TestServer server;
    /** The client without credentials. */
    protected static Http http;
    /** With {@link Setup#auth}: the client as the admin ({@link TestServer#ADMIN_TOKEN}); else null. */
    protected static Http admin;
    /**
     * The clock of the server's routers and webhooks: real time until a test moves it on
     * ({@link SkipClock#skip}) to end a backoff at once. Servers a test starts itself may
     * share it ({@link TestServer.Builder#clock}).
     */
    protected static SkipClock clock;
    /** The directory the server lives in: {@link #tmp}, or one in memory. */
    private static Path root;

    /** How the test class wants its server; see {@link ServerTest}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface Setup {
        /** {@link TestServer#withAuth}: auth required, admin token {@link TestServer#ADMIN_TOKEN}, no 429 throttle. */
        boolean auth() default false;

        /** The data dir in memory ({@link MemoryTempDir}) instead of under {@link #tmp}. */
        boolean memory() default false;

        /**
         * The config file; with {@link #auth} it replaces the throttle settings of
         * {@link TestServer#withAuth} (write them again if they are still wanted).
         */
        String yaml() default "";

        /** Environment variables, each {@code NAME=value}. */
        String[] env() default {};

        /** A port chosen before the start ({@code TOPICS_PORT}), so that a restart keeps it. */
        boolean fixedPort() default false;
    }

    @BeforeAll
    static void startServer(TestInfo test) {
        Setup setup = test.getTestClass().map(c -> c.getAnnotation(Setup.class)).orElse(null);
        root = setup != null && setup.memory() ? MemoryTempDir.create(tmp) : tmp;
        clock = new SkipClock();
        server = (setup == null ? TestServer.builder(root) : builder(setup)).clock(clock).start();
        http = server.http();
        admin = setup != null && setup.auth() ? bearer(TestServer.ADMIN_TOKEN) : null;
    }

    private static TestServer.Builder builder(Setup setup) {
        TestServer.Builder b = setup.auth() ? TestServer.withAuth(root) : TestServer.builder(root);
        if (!setup.yaml().isEmpty()) {
            b.yaml(setup.yaml());
        }
        for (String e : setup.env()) {
            int eq = e.indexOf('=');
            b.env(e.substring(0, eq), e.substring(eq + 1));
        }
        if (setup.fixedPort()) {
            b.env("TOPICS_PORT", Integer.toString(freePort()));
        }
        return b;
    }

    @AfterAll
    static void stopServer() {
        server.close();
        MemoryTempDir.delete(root, tmp);
    }

    /** {@link #http} with {@code Authorization: Bearer <token>}. */
    protected static Http bearer(String token) {
        return http.withHeader("Authorization", "Bearer " + token);
    }

    /** {@link #http} with {@code X-Topic-Token: <token>} (a share token). */
    protected static Http share(String token) {
        return http.withHeader("X-Topic-Token", token);
    }

    /** Makes a principal {@code name} as {@link #admin} and returns its token. */
    protected static String principal(String name) {
        return admin.post("/v0/principals", "{\"name\": \"" + name + "\"}").ok(201).str("token");
    }

    /** A loopback port free right now. */
    private static int freePort() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
