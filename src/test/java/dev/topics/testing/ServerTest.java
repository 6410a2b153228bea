package dev.topics.testing;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real server (default configuration, a fresh data dir) shared by the tests of a
 * class: extend it and use {@link #server} and {@link #http}.
 */
public abstract class ServerTest {
    @TempDir
    protected static Path tmp;
    protected static TestServer server;
    protected static Http http;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(tmp);
        http = server.http();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }
}
