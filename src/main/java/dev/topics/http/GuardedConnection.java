package dev.topics.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.common.task.InterruptableTask;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.spi.ServerConnection;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * One client connection as {@link ConnectionGuard} sees it: Helidon's HTTP/1 connection
 * runs inside, over a {@link ConnectionContext} whose reader is ours, so that every socket
 * read passes {@link #read()}. There the connection knows whether a read is waiting, since
 * when, and in which phase of a request — which is what the guard's sweep needs to cut off
 * a client that sends its headers or body too slowly.
 *
 * <p>Phases: {@code OPEN} (accepted, nothing read yet) → {@code HEADERS} (bytes of a request
 * arrived) → {@code BODY} (headers complete, a body follows) or {@code HANDLING} → after the
 * routing filter, {@code IDLE} (keep-alive, waiting for the next request; Helidon's idle
 * timeout applies). {@code OPEN}, {@code HEADERS} and {@code BODY} carry a deadline.
 *
 * <p>Threads: the connection's own virtual thread runs {@link #handle}, the reads, the
 * listener events and the routing (so {@link ConnectionGuard#requestDone} finds it in a
 * thread local); the guard's sweep reads the volatile fields and may {@link #cut} it.
 */
final class GuardedConnection implements ServerConnection, InterruptableTask<Void>, ConnectionContext {
    private static final Logger LOG = Logger.getLogger(ConnectionGuard.class.getName());

    enum Phase { OPEN, HEADERS, BODY, HANDLING, IDLE }

    private final ConnectionGuard guard;
    private final ConnectionContext ctx;
    private final DataReader reader;
    private final boolean refused;
    private final AtomicBoolean cut = new AtomicBoolean();
    private ServerConnection delegate;

    volatile Phase phase = Phase.OPEN;
    /** System.nanoTime() by which the current phase must end; meaningful in OPEN, HEADERS, BODY. */
    volatile long deadline;
    /** System.nanoTime() when the read now waiting began; 0 when none is. */
    volatile long readingSince;
    /** The response said (or the request asked for) Connection: close: read nothing more. */
    volatile boolean closeAfterResponse;
    /** Bytes of the current response were sent (a cut then only closes). */
    volatile boolean responded;
    /** The current request's prologue, for error responses. */
    HttpPrologue prologue;
    /** The client closed or the read failed: later reads fail at once (and log nothing). */
    private boolean ended;

    GuardedConnection(ConnectionGuard guard, ConnectionContext ctx, boolean refused, long headerTimeoutNanos) {
        this.guard = guard;
        this.ctx = ctx;
        this.refused = refused;
        this.reader = new DataReader(this::read);
        this.deadline = System.nanoTime() + headerTimeoutNanos;
    }

    void delegate(ServerConnection http1) {
        this.delegate = http1;
    }

    // ------------------------------------------------------------------ the connection

    @Override
    public void handle(Limit limit) throws InterruptedException {
        ConnectionGuard.CURRENT.set(this);
        try {
            if (refused) {
                refuse();
            } else {
                delegate.handle(limit);
            }
        } finally {
            ConnectionGuard.CURRENT.remove();
            guard.closed(this);
        }
    }

    /** Over {@code http.max_connections}: 503 with the error body, then drain what the client sent and close. */
    private void refuse() {
        byte[] body = ("{\"error\":{\"code\":\"too_many_connections\",\"message\":\"the server has "
                + guard.maxConnections() + " connections open, its limit; try again later\"}}")
                .getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n";
        try {
            BufferData out = BufferData.growing(head.length() + body.length);
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            ctx.dataWriter().writeNow(out);
            // read what the client sent (until it closes, or the sweep cuts this off), so that
            // closing does not reset the connection before the client has read the 503
            for (int total = 0; total < 64 * 1024; ) {
                reader.ensureAvailable();
                int n = reader.available();
                reader.skip(n);
                total += n;
            }
        } catch (RuntimeException e) {
            // the client closed or was cut off: done either way
        }
    }

    @Override
    public Duration idleTime() {
        return delegate == null ? Duration.ZERO : delegate.idleTime();
    }

    @Override
    public void close(boolean interrupt) {
        if (delegate != null) {
            delegate.close(interrupt);
        }
    }

    @Override
    public boolean canInterrupt() {
        return delegate instanceof InterruptableTask<?> t && t.canInterrupt();
    }

    // ------------------------------------------------------------------ reads and phases

    /** The socket read under Helidon's reader: tracks the phase, ends the connection cleanly. */
    private byte[] read() {
        Phase now = phase;
        if (closeAfterResponse && (now == Phase.IDLE || now == Phase.HANDLING)) {
            // a body is still read; what would come next is not
            throw new CloseConnectionException("the last response closed the connection");
        }
        if (ended) {
            throw new CloseConnectionException("client connection closed");
        }
        byte[] bytes;
        readingSince = System.nanoTime() | 1;
        try {
            bytes = ctx.serverSocket().get();
        } catch (UncheckedIOException e) {
            readingSince = 0;
            throw gone("failed: " + e.getCause().getMessage(), e);
        }
        readingSince = 0;
        if (bytes == null) {
            throw gone("closed", null);
        }
        if (phase == Phase.IDLE || phase == Phase.OPEN) {
            if (phase == Phase.IDLE) {
                deadline = System.nanoTime() + guard.headerTimeoutNanos();
            }
            phase = Phase.HEADERS;
        }
        return bytes;
    }

    /** The client went away (or was cut off): one log line when that was mid-request, and no response. */
    private CloseConnectionException gone(String how, Throwable cause) {
        ended = true;
        Phase p = phase;
        if (!cut.get() && !refused && (p == Phase.HEADERS || p == Phase.BODY)) {
            LOG.info("client " + peer() + " went away in the middle of a request (connection " + how + " while "
                    + (p == Phase.HEADERS ? "reading its headers" : "reading its body") + ")");
        }
        return cause == null ? new CloseConnectionException("client closed the connection")
                : new ServerConnectionException("client connection " + how, cause);
    }

    /** Request headers are complete (listener event, before routing). */
    void headersRead(HttpPrologue prologue, boolean hasBody, boolean wantsClose) {
        this.prologue = prologue;
        this.responded = false;
        if (wantsClose) {
            closeAfterResponse = true;
        }
        if (hasBody) {
            deadline = System.nanoTime() + guard.bodyTimeoutNanos();
            phase = Phase.BODY;
        } else {
            phase = Phase.HANDLING;
        }
    }

    /** The routing filter is done with the request (its body, if any, was read or dropped). */
    void requestDone() {
        phase = Phase.IDLE;
    }

    /** True when the sweep should cut this connection off now. */
    boolean overdue(long now) {
        Phase p = phase;
        return readingSince != 0 && (p == Phase.OPEN || p == Phase.HEADERS || p == Phase.BODY) && now - deadline > 0;
    }

    /**
     * Ends a client that was too slow: one log line, a 408 with the error body unless a
     * response was already started, and the socket closed (which ends the waiting read).
     */
    void cut() {
        if (!cut.compareAndSet(false, true)) {
            return;
        }
        Phase p = phase;
        String what = p == Phase.BODY ? "request body" : "request headers";
        long ms = (p == Phase.BODY ? guard.bodyTimeoutNanos() : guard.headerTimeoutNanos()) / 1_000_000;
        if (!refused) {
            LOG.info("closed the connection of client " + peer() + ": its " + what + " did not arrive within " + ms
                    + " ms");
        }
        HelidonSocket socket = ctx.serverSocket();
        Thread.ofVirtual().name("topics-cut").start(() -> {
            try {
                if (!refused && !responded) {
                    byte[] body = ("{\"error\":{\"code\":\"request_timeout\",\"message\":\"the " + what
                            + " did not arrive within " + ms + " ms\"}}").getBytes(StandardCharsets.UTF_8);
                    BufferData out = BufferData.growing(200 + body.length);
                    out.write(("HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json; charset=utf-8\r\n"
                            + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    socket.write(out);
                }
            } catch (RuntimeException e) {
                // the client is gone already
            } finally {
                try {
                    socket.close();
                } catch (RuntimeException e) {
                    // closed already
                }
            }
        });
    }

    boolean refused() {
        return refused;
    }

    String peer() {
        PeerInfo p = ctx.remotePeer();
        return p.host() + ":" + p.port();
    }

    // ------------------------------------------------------------------ ConnectionContext: Helidon's, but our reader

    @Override
    public DataReader dataReader() {
        return reader;
    }

    @Override
    public ListenerContext listenerContext() {
        return ctx.listenerContext();
    }

    @Override
    public ExecutorService executor() {
        return ctx.executor();
    }

    @Override
    public DataWriter dataWriter() {
        return ctx.dataWriter();
    }

    @Override
    public Router router() {
        return ctx.router();
    }

    @Override
    public Optional<ProxyProtocolData> proxyProtocolData() {
        return ctx.proxyProtocolData();
    }

    @Override
    public HelidonSocket serverSocket() {
        return ctx.serverSocket();
    }

    @Override
    public PeerInfo remotePeer() {
        return ctx.remotePeer();
    }

    @Override
    public PeerInfo localPeer() {
        return ctx.localPeer();
    }

    @Override
    public boolean isSecure() {
        return ctx.isSecure();
    }

    @Override
    public String socketId() {
        return ctx.socketId();
    }

    @Override
    public String childSocketId() {
        return ctx.childSocketId();
    }
}
