package dev.topics.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.RawConnection;
import dev.topics.testing.TestServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Limits one client cannot push past (issue 12, rows 9 and 10): connections in total
 * ({@code http.max_connections}: 503), open streams per principal
 * ({@code http.max_streams_per_principal}: 429).
 */
class HttpLimitsTest {
    private static final Duration BOUND = Duration.ofSeconds(15);

    @TempDir
    Path tmp;

    private static RawConnection healthyConnection(URI base) {
        RawConnection c = RawConnection.open(base);
        c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(c.awaitResponses(1, BOUND)).extracting(RawConnection.Response::status).containsExactly(200);
        return c;
    }

    @Test
    void oneConnectionOverTheLimitGets503AndIsClosedAndASlotFreedIsUsable() {
        try (TestServer s = TestServer.builder(tmp).yaml("http:\n  max_connections: 3\n").start()) {
            List<RawConnection> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    held.add(healthyConnection(s.base())); // answered: counted by the server
                }
                try (RawConnection over = RawConnection.open(s.base())) {
                    over.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertThat(over.awaitClosed(BOUND)).as("closed; got %s", over.text()).isTrue();
                    assertThat(over.responses()).hasSize(1);
                    over.responses().getFirst().assertError(503, "too_many_connections");
                }
                // the held connections still work
                held.getFirst().send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(held.getFirst().awaitResponses(2, BOUND)).extracting(RawConnection.Response::status)
                        .containsExactly(200, 200);
                held.removeLast().close();
                long end = System.nanoTime() + BOUND.toNanos();
                int status = 0;
                while (System.nanoTime() - end < 0 && status != 200) {
                    try (RawConnection again = RawConnection.open(s.base())) {
                        again.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                        again.awaitClosed(BOUND);
                        status = again.responses().isEmpty() ? 0 : again.responses().getFirst().status();
                    }
                }
                assertThat(status).as("a freed slot is usable").isEqualTo(200);
            } finally {
                held.forEach(RawConnection::close);
            }
        }
    }

    @Test
    void streamsArePerPrincipalAndOneMoreIs429() {
        try (TestServer s = TestServer.withAuth(tmp).yaml("""
                auth:
                  failures_per_minute: 1000000
                http:
                  max_streams_per_principal: 2
                """).start()) {
            Http admin = s.http().withHeader("Authorization", "Bearer " + TestServer.ADMIN_TOKEN);
            String t = TestServer.uniqueTopic("streams");
            admin.put("/v0/topics/" + t, "{\"public_read\": true}").ok(201);
            String alice = admin.post("/v0/principals", "{\"name\": \"alice\"}").ok(201).str("token");
            String bob = admin.post("/v0/principals", "{\"name\": \"bob\"}").ok(201).str("token");
            String watch = "GET /v0/topics/" + t + "/watch?heartbeat_ms=100 HTTP/1.1\r\nHost: x\r\n";
            List<RawConnection> open = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    open.add(stream(s.base(), watch + "Authorization: Bearer " + alice + "\r\n\r\n"));
                }
                // a third stream of alice's: 429, and nothing else about her streams changes
                try (RawConnection third = RawConnection.open(s.base())) {
                    third.send(watch + "Authorization: Bearer " + alice + "\r\n\r\n");
                    third.awaitResponses(1, BOUND).getFirst().assertError(429, "too_many_streams");
                }
                // a session stream acts as its creator: also alice's
                String wid = s.http().withHeader("Authorization", "Bearer " + alice)
                        .post("/v0/watch", "{\"topics\": {\"" + t + "\": {}}}").ok(201).str("wid");
                try (RawConnection session = RawConnection.open(s.base())) {
                    session.send("GET /v0/watch/" + wid + " HTTP/1.1\r\nHost: x\r\n\r\n");
                    session.awaitResponses(1, BOUND).getFirst().assertError(429, "too_many_streams");
                }
                // others are not affected: bob, and anonymous callers of the public topic
                open.add(stream(s.base(), watch + "Authorization: Bearer " + bob + "\r\n\r\n"));
                open.add(stream(s.base(), watch + "\r\n"));
                // alice closes one: she may open another (once the server noticed, at the next heartbeat)
                open.removeFirst().close();
                long end = System.nanoTime() + BOUND.toNanos();
                boolean opened = false;
                while (!opened && System.nanoTime() - end < 0) {
                    RawConnection again = RawConnection.open(s.base());
                    again.send(watch + "Authorization: Bearer " + alice + "\r\n\r\n");
                    again.awaitResponses(1, Duration.ofMillis(500));
                    if (again.text().startsWith("HTTP/1.1 200")) {
                        open.add(again);
                        opened = true;
                    } else {
                        again.close();
                    }
                }
                assertThat(opened).as("alice may open a stream again after closing one").isTrue();
            } finally {
                open.forEach(RawConnection::close);
            }
        }
    }

    /** Opens an SSE stream with this request head and waits until it answered 200. */
    private static RawConnection stream(URI base, String request) {
        RawConnection c = RawConnection.open(base);
        c.send(request);
        long end = System.nanoTime() + BOUND.toNanos();
        while (!c.text().contains("\r\n\r\n") && !c.closed() && System.nanoTime() - end < 0) {
            c.awaitClosed(Duration.ofMillis(100));
        }
        assertThat(c.text()).as("stream opened").startsWith("HTTP/1.1 200");
        return c;
    }
}
