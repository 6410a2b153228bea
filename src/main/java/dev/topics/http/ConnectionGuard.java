package dev.topics.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.Headers;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpPrologue;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.DirectTransportRequest;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP/1 transport as Helidon 4.3.0 runs it, with what it lacks against hostile or
 * slow clients, in one place (the server's only connection selector):
 * <ul>
 *   <li>request framing ({@link Framing}): an ambiguous body length is 400
 *       {@code bad_framing} and the connection is closed, so nothing behind it on the
 *       socket is ever read as a request;</li>
 *   <li>a response that says {@code Connection: close} (or answers a request that asked for
 *       it) closes the connection — Helidon would read on;</li>
 *   <li>time limits: a request's headers must arrive within {@code http.header_timeout_ms}
 *       of its first byte (of the connection's opening, for the first request), its body
 *       within {@code http.body_timeout_ms} of the headers; else 408 {@code request_timeout}
 *       and the connection is closed. A sweep checks every connection that is waiting in a
 *       read; time spent handling a request is never counted;</li>
 *   <li>at most {@code http.max_connections} connections: one more is answered 503
 *       {@code too_many_connections} and closed (Helidon's own limit would leave it waiting
 *       unanswered in the accept queue);</li>
 *   <li>a client that goes away mid-request is one log line, not a stack trace.</li>
 * </ul>
 * Thread safety: {@link #connection} runs on each connection's thread; the counters and the
 * set of open connections are concurrent; the sweep runs on its own virtual thread.
 */
public final class ConnectionGuard implements ServerConnectionSelector {
    /** The connection whose request this thread is handling (Helidon routes on the connection's thread). */
    static final ThreadLocal<GuardedConnection> CURRENT = new ThreadLocal<>();

    private final long headerTimeoutNanos;
    private final long bodyTimeoutNanos;
    private final int maxConnections;
    private final ServerConnectionSelector http1;
    private final Set<GuardedConnection> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger counted = new AtomicInteger();
    private final Thread sweeper;

    /**
     * @param headerTimeoutMs {@code http.header_timeout_ms}
     * @param bodyTimeoutMs   {@code http.body_timeout_ms}
     * @param maxConnections  {@code http.max_connections}
     */
    public ConnectionGuard(long headerTimeoutMs, long bodyTimeoutMs, int maxConnections) {
        this.headerTimeoutNanos = headerTimeoutMs * 1_000_000;
        this.bodyTimeoutNanos = bodyTimeoutMs * 1_000_000;
        this.maxConnections = maxConnections;
        Http1Config config = Http1Config.builder()
                .addReceiveListener(new Received())
                .addSendListener(new Sent())
                .build();
        this.http1 = Http1ConnectionSelector.builder().config(config).build();
        long period = Math.max(10, Math.min(Math.min(headerTimeoutMs, bodyTimeoutMs) / 4, 500));
        this.sweeper = Thread.ofVirtual().name("topics-slow-clients").start(() -> sweep(period));
    }

    /** Stops the sweep (the server is stopping). */
    public void close() {
        sweeper.interrupt();
    }

    int maxConnections() {
        return maxConnections;
    }

    long headerTimeoutNanos() {
        return headerTimeoutNanos;
    }

    long bodyTimeoutNanos() {
        return bodyTimeoutNanos;
    }

    // ------------------------------------------------------------------ ServerConnectionSelector

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    @Override
    public Support supports(BufferData request) {
        return http1.supports(request);
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return http1.supportedApplicationProtocols();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        boolean refused = counted.incrementAndGet() > maxConnections;
        if (refused) {
            counted.decrementAndGet();
        }
        // a refused connection gets a second at most to send its request and read the 503
        GuardedConnection c = new GuardedConnection(this, ctx, refused,
                refused ? Math.min(headerTimeoutNanos, 1_000_000_000L) : headerTimeoutNanos);
        if (!refused) {
            c.delegate(http1.connection(c));
        }
        open.add(c);
        return c;
    }

    void closed(GuardedConnection c) {
        if (open.remove(c) && !c.refused()) {
            counted.decrementAndGet();
        }
    }

    /**
     * The routing filter's end of every request: a body the handler left unread is read (and
     * dropped) now, still under the body deadline, before the connection waits for the next
     * request. Call in a {@code finally} around {@code chain.proceed()}.
     */
    public static void requestDone(ServerRequest req, ServerResponse res) {
        GuardedConnection c = CURRENT.get();
        if (c == null) {
            return;
        }
        if (c.phase == GuardedConnection.Phase.BODY && !c.closeAfterResponse
                && !res.headers().contains(HeaderValues.CONNECTION_CLOSE)) {
            try {
                if (!req.content().consumed()) {
                    req.content().consume();
                }
            } catch (RuntimeException e) {
                return; // cut off, gone, or a broken body: the connection ends
            }
        }
        c.requestDone();
    }

    private void sweep(long periodMs) {
        while (true) {
            try {
                Thread.sleep(periodMs);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (GuardedConnection c : open) {
                if (c.overdue(now)) {
                    c.cut();
                }
            }
        }
    }

    // ------------------------------------------------------------------ Helidon's HTTP/1 events

    /** Request side: the prologue and headers of each request, before routing. */
    private static final class Received implements Http1ConnectionListener {
        @Override
        public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
            if (ctx instanceof GuardedConnection c) {
                if (c.closeAfterResponse) {
                    throw new CloseConnectionException("a request after Connection: close is not read");
                }
                c.prologue = prologue;
            }
        }

        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            if (!(ctx instanceof GuardedConnection c)) {
                return;
            }
            String problem = Framing.problem(headers);
            if (problem != null) {
                throw RequestException.builder()
                        .type(DirectHandler.EventType.BAD_REQUEST)
                        .status(Status.BAD_REQUEST_400)
                        .request(DirectTransportRequest.create(c.prologue, headers))
                        .setKeepAlive(false)
                        .message(problem)
                        .safeMessage(true)
                        .build();
            }
            boolean hasBody = headers.contains(HeaderNames.TRANSFER_ENCODING)
                    || (headers.contains(HeaderNames.CONTENT_LENGTH) && !headers.contains(HeaderValues.CONTENT_LENGTH_ZERO));
            c.headersRead(c.prologue, hasBody, headers.contains(HeaderValues.CONNECTION_CLOSE));
        }
    }

    /** Response side: a response that closes the connection, and that a response was started. */
    private static final class Sent implements Http1ConnectionListener {
        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            if (ctx instanceof GuardedConnection c) {
                c.responded = true;
                if (headers.contains(HeaderValues.CONNECTION_CLOSE)) {
                    c.closeAfterResponse = true;
                }
            }
        }
    }
}
