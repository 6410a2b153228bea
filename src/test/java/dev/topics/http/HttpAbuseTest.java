package dev.topics.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.RawConnection;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A hostile client on a raw socket (issue 12, rows 8 and 10): ambiguous body framing
 * (request smuggling), {@code Connection: close}, clients that send their headers or body
 * too slowly, and clients that go away mid-request. Time limits are small here
 * ({@code http.header_timeout_ms} and {@code http.body_timeout_ms} 1 s); the only timing
 * assertion is "closed within a generous bound".
 */
@ServerTest.Setup(yaml = """
        http:
          header_timeout_ms: 1000
          body_timeout_ms: 1000
        """)
class HttpAbuseTest extends ServerTest {
    private static final Duration BOUND = Duration.ofSeconds(15);

    // ------------------------------------------------------------------ framing (row 8)

    /** A request that would create topic {@code target} if it were ever read as one. */
    private static String smuggled(String target) {
        return "PUT /v0/topics/" + target + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\n\r\n{}";
    }

    static Stream<Arguments> ambiguousFraming() {
        return Stream.of(
                Arguments.of("two different Content-Lengths", (Shape) t ->
                        "Content-Length: 2\r\nContent-Length: " + (2 + smuggled(t).length()) + "\r\n\r\n{}" + smuggled(t)),
                Arguments.of("the same Content-Length twice", (Shape) t ->
                        "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}" + smuggled(t)),
                Arguments.of("a Content-Length list", (Shape) t ->
                        "Content-Length: 2, 2\r\n\r\n{}" + smuggled(t)),
                Arguments.of("a signed Content-Length", (Shape) t ->
                        "Content-Length: +2\r\n\r\n{}" + smuggled(t)),
                Arguments.of("chunked with a Content-Length", (Shape) t ->
                        "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n" + smuggled(t)),
                Arguments.of("a Content-Length with chunked", (Shape) t ->
                        "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled(t)),
                Arguments.of("an unknown transfer coding", (Shape) t ->
                        "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n" + smuggled(t)),
                Arguments.of("Chunked in capitals", (Shape) t ->
                        "Transfer-Encoding: Chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n" + smuggled(t)),
                Arguments.of("a coding before chunked", (Shape) t ->
                        "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n" + smuggled(t)),
                Arguments.of("chunked twice", (Shape) t ->
                        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled(t)));
    }

    /** The framing headers, blank line and bytes after the request line of a POST, given the smuggled topic. */
    interface Shape {
        String rest(String smuggledTopic);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("ambiguousFraming")
    void ambiguousFramingIs400AndClosesTheConnectionBeforeAnythingBehindItIsRead(String name, Shape shape) {
        String first = TestServer.uniqueTopic("frame");
        String behind = TestServer.uniqueTopic("smuggled");
        try (RawConnection c = RawConnection.open(http.base())) {
            c.send("PUT /v0/topics/" + first + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + shape.rest(behind));
            assertThat(c.awaitClosed(BOUND)).as("closed after the refusal; got %s", c.text()).isTrue();
            List<RawConnection.Response> rs = c.responses();
            assertThat(rs).as("exactly one response: %s", c.text()).hasSize(1);
            rs.getFirst().assertError(400, "bad_framing");
        }
        http.get("/v0/topics/" + first).assertError(404, "topic_not_found");
        http.get("/v0/topics/" + behind).assertError(404, "topic_not_found");
    }

    @Test
    void wellFramedRequestsStillShareAKeptAliveConnection() {
        String a = TestServer.uniqueTopic("framed");
        String b = TestServer.uniqueTopic("framed");
        try (RawConnection c = RawConnection.open(http.base())) {
            c.send("PUT /v0/topics/" + a + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 2\r\n\r\n{}"
                    + "PUT /v0/topics/" + b + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
                    + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            List<RawConnection.Response> rs = c.awaitResponses(3, BOUND);
            assertThat(rs).extracting(RawConnection.Response::status).as("%s", c.text()).containsExactly(201, 201, 200);
            assertThat(c.closed()).isFalse();
        }
        http.get("/v0/topics/" + a).ok();
        http.get("/v0/topics/" + b).ok();
    }

    // ------------------------------------------------------------------ Connection: close (row 10)

    @Test
    void aResponseToConnectionCloseClosesTheSocketAndNothingPipelinedIsServed() {
        String behind = TestServer.uniqueTopic("after-close");
        try (RawConnection c = RawConnection.open(http.base())) {
            c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + smuggled(behind));
            assertThat(c.awaitClosed(BOUND)).as("closed; got %s", c.text()).isTrue();
            assertThat(c.responses()).extracting(RawConnection.Response::status).containsExactly(200);
            assertThat(c.responses().getFirst().headers()).containsEntry("connection", "close");
        }
        http.get("/v0/topics/" + behind).assertError(404, "topic_not_found");
    }

    @Test
    void aRequestAskingToCloseHasItsBodyReadAndIsAnsweredBeforeTheClose() {
        String t = TestServer.uniqueTopic("close-body");
        try (RawConnection c = RawConnection.open(http.base())) {
            c.send("PUT /v0/topics/" + t + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Connection: close\r\nContent-Length: 2\r\n\r\n{}");
            assertThat(c.awaitClosed(BOUND)).as("closed; got %s", c.text()).isTrue();
            assertThat(c.responses()).extracting(RawConnection.Response::status).containsExactly(201);
        }
        try (RawConnection c = RawConnection.open(http.base())) {
            c.send("POST /v0/topics/" + t + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n");
            c.awaitClosed(Duration.ofMillis(200));
            c.send("1e\r\n{\"records\": [{\"data\": \"one\"}]}\r\n0\r\n\r\n");
            assertThat(c.awaitClosed(BOUND)).as("closed; got %s", c.text()).isTrue();
            assertThat(c.responses()).extracting(RawConnection.Response::status).as("%s", c.text()).containsExactly(200);
        }
        assertThat(http.get("/v0/topics/" + t).ok().num("head_seq")).isEqualTo(1);
    }

    @Test
    void anErrorAnsweredWithConnectionCloseClosesTheSocket() {
        try (RawConnection c = RawConnection.open(http.base())) {
            c.send("GET /v0/nothing-here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(c.awaitClosed(BOUND)).as("closed; got %s", c.text()).isTrue();
            c.responses().getFirst().assertError(404, "not_found");
        }
    }

    // ------------------------------------------------------------------ slow clients (row 10)

    @Test
    void headersTrickledInAreCutOffWith408() {
        try (RawConnection c = RawConnection.open(http.base())) {
            c.send("GET /v0/topics HTTP/1.1\r\nHost: x\r\n");
            long end = System.nanoTime() + BOUND.toNanos();
            // one header line every 200 ms, forever: only the server's header time limit ends it
            while (!c.awaitClosed(Duration.ofMillis(200)) && System.nanoTime() - end < 0) {
                c.send("X-Slow-" + System.nanoTime() + ": 1\r\n");
            }
            assertThat(c.closed()).as("cut off within %s", BOUND).isTrue();
            c.responses().getFirst().assertError(408, "request_timeout");
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosed() {
        try (RawConnection c = RawConnection.open(http.base())) {
            assertThat(c.awaitClosed(BOUND)).as("closed within %s", BOUND).isTrue();
        }
    }

    @Test
    void aTricklingChunkedBodyIsCutOffAndNothingIsWritten() throws Exception {
        String t = TestServer.uniqueTopic("trickle");
        try (LogCapture log = new LogCapture(); RawConnection c = RawConnection.open(http.base())) {
            c.send("POST /v0/topics/" + t + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            String body = "{\"records\": [" + "{\"data\": 1},".repeat(200) + "{\"data\": 2}]}";
            long end = System.nanoTime() + BOUND.toNanos();
            int i = 0;
            while (!c.awaitClosed(Duration.ofMillis(200)) && System.nanoTime() - end < 0 && i < body.length()) {
                c.send("1\r\n" + body.charAt(i++) + "\r\n");
            }
            assertThat(c.closed()).as("cut off within %s after %d bytes", BOUND, i).isTrue();
            assertThat(i).as("cut off before the body was complete").isLessThan(body.length());
            c.responses().getFirst().assertError(408, "request_timeout");
            Await.sleep(300); // anything else logged about it arrives now
            assertThat(log.count("closed the connection of client")).as("%s", log.lines()).isEqualTo(1);
            log.assertNoStackTrace();
        }
        http.get("/v0/topics/" + t).assertError(404, "topic_not_found");
    }

    @Test
    void aSlowHandlerIsNotABodyTimeout() {
        // a long poll holds the request far past both time limits: that is the server's time, not the client's
        String t = TestServer.uniqueTopic("poll");
        http.put("/v0/topics/" + t, "{}").ok(201);
        try (RawConnection c = RawConnection.open(http.base())) {
            c.send("GET /v0/topics/" + t + "/diff?from_seq=0&wait_ms=2500 HTTP/1.1\r\nHost: x\r\n\r\n");
            List<RawConnection.Response> rs = c.awaitResponses(1, BOUND);
            assertThat(rs).as("%s", c.text()).extracting(RawConnection.Response::status).containsExactly(200);
            // and the kept-alive connection serves the next request, sent slowly but within the limit
            c.send("GET /healthz HTTP/1.1\r\n");
            c.awaitClosed(Duration.ofMillis(300));
            c.send("Host: x\r\n\r\n");
            assertThat(c.awaitResponses(2, BOUND)).extracting(RawConnection.Response::status).containsExactly(200, 200);
        }
    }

    // ------------------------------------------------------------------ clients that go away (row 10)

    @Test
    void aClientGoingAwayMidRequestIsOneLogLineWithoutAStackTrace() throws Exception {
        try (LogCapture log = new LogCapture()) {
            List<String> heads = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                heads.add("GET /v0/topics HTTP/1.1\r\nHost: x\r\nX-Half: "); // headers cut short
                heads.add("POST /v0/topics/" + TestServer.uniqueTopic("gone") + " HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"records\": ["); // body cut short
                heads.add("POST /v0/topics/" + TestServer.uniqueTopic("gone") + " HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"rec");
            }
            for (String h : heads) {
                try (RawConnection c = RawConnection.open(http.base())) {
                    c.send(h);
                    c.awaitClosed(Duration.ofMillis(100)); // let the server read what was sent
                }
            }
            long end = System.nanoTime() + BOUND.toNanos();
            while (log.count("went away") < heads.size() && System.nanoTime() - end < 0) {
                Await.sleep(50);
            }
            Await.sleep(300); // any second line per client would arrive now
            assertThat(log.count("went away")).as("one line per client: %s", log.lines()).isEqualTo(heads.size());
            log.assertNoStackTrace();
        }
        http.get("/healthz").expect(200);
    }

    /** Every log record of this JVM while open (the server runs in-process). */
    private static final class LogCapture extends Handler implements AutoCloseable {
        private final List<LogRecord> records = new CopyOnWriteArrayList<>();

        LogCapture() {
            Logger.getLogger("").addHandler(this);
        }

        long count(String text) {
            return records.stream().filter(r -> String.valueOf(r.getMessage()).contains(text)).count();
        }

        List<String> lines() {
            return records.stream().map(r -> r.getLevel() + " " + r.getMessage()
                    + (r.getThrown() == null ? "" : " [" + r.getThrown() + "]")).toList();
        }

        void assertNoStackTrace() {
            assertThat(records).as("no stack trace: %s", lines()).allSatisfy(r -> assertThat(r.getThrown()).isNull());
        }

        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            Logger.getLogger("").removeHandler(this);
        }
    }
}
