package dev.topics.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.topics.testing.Await;
import dev.topics.testing.Http;
import dev.topics.testing.SkipClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * A small real HTTP receiver for webhook deliveries, on loopback, built on the JDK's
 * {@link HttpServer}. It records every request (method, path, headers, the exact body
 * bytes, the time it arrived and the status it was answered) and answers per a script:
 * one-shot replies queued with {@link #then}, consumed in arrival order, and after them
 * the standing reply of {@link #always} (200 at first). A reply is a status, an optional
 * delay before answering and optional headers (e.g. {@code Location}).
 *
 * <p>{@link #down()} closes the listening socket (connections are refused);
 * {@link #up()} listens again on the same port. Requests are handled on virtual threads,
 * so a delayed answer does not hold up the next request.
 */
final class Receiver implements AutoCloseable {
    /** How to answer one request. */
    record Reply(int status, long delayMs, Map<String, String> headers) {
        static Reply status(int status) {
            return new Reply(status, 0, Map.of());
        }

        static Reply delayed(long delayMs, int status) {
            return new Reply(status, delayMs, Map.of());
        }

        static Reply redirect(int status, String location) {
            return new Reply(status, 0, Map.of("Location", location));
        }
    }

    /**
     * One received request; {@code status} is what it was (or is about to be) answered,
     * {@code answered} whether the answer was written.
     */
    static final class Request {
        final String method;
        final String path;
        final Map<String, List<String>> headers;
        final byte[] body;
        final long arrivedNanos;
        volatile int status;
        volatile boolean answered;

        Request(String method, String path, Map<String, List<String>> headers, byte[] body, long arrivedNanos) {
            this.method = method;
            this.path = path;
            this.headers = headers;
            this.body = body;
            this.arrivedNanos = arrivedNanos;
        }

        /** The first value of a header (name in any case), or null. */
        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        Map<String, Object> json() {
            return Http.Json.obj(Http.Json.parse(text()));
        }

        /** The delivery id: {@code webhook-id} (the deprecated {@code X-Topics-Delivery} carries the same). */
        String deliveryHeader() {
            return header("webhook-id");
        }

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> records() {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Object o : (List<Object>) json().get("records")) {
                out.add(Http.Json.obj(o));
            }
            return out;
        }

        /** The {@code $seq} of every record carried, in body order. */
        List<Long> seqs() {
            return records().stream().map(r -> (Long) r.get("$seq")).toList();
        }

        boolean acknowledged() {
            return answered && status / 100 == 2;
        }

        @Override
        public String toString() {
            String t = text();
            return method + " " + path + " [" + deliveryHeader() + "] -> " + (answered ? status : "(unanswered)") + " "
                    + (t.length() > 300 ? t.substring(0, 300) + "…" : t);
        }
    }

    private final List<Request> requests = new ArrayList<>();
    private final Deque<Reply> script = new ArrayDeque<>();
    private Reply standing = Reply.status(200);
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final int port;
    private final LongSupplier clock;
    private HttpServer server;

    private Receiver(LongSupplier clock) throws IOException {
        this.clock = clock;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        port = server.getAddress().getPort();
        listen();
    }

    /** A receiver listening on a free loopback port, answering 200 to everything. */
    static Receiver start() {
        return start(System::nanoTime);
    }

    /**
     * A receiver that stamps arrivals with {@code nanos} (a {@link SkipClock}'s, so that the
     * time between two attempts includes the backoff that the test skipped).
     */
    static Receiver start(LongSupplier nanos) {
        try {
            return new Receiver(nanos);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the receiver", e);
        }
    }

    private void listen() {
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** {@code http://127.0.0.1:<port>/hook}. */
    String url() {
        return url("/hook");
    }

    // ---- the script ------------------------------------------------------------------------

    /** Queues one-shot replies for the next requests, after those already queued. */
    synchronized Receiver then(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    /** Queues {@code n} answers of {@code status}. */
    synchronized Receiver then(int n, int status) {
        for (int i = 0; i < n; i++) {
            script.add(Reply.status(status));
        }
        return this;
    }

    /** The reply to every request once the one-shot replies are used up. */
    synchronized Receiver always(Reply reply) {
        standing = reply;
        return this;
    }

    synchronized Receiver always(int status) {
        return always(Reply.status(status));
    }

    private synchronized Reply next() {
        Reply r = script.pollFirst();
        return r != null ? r : standing;
    }

    // ---- going down and up -------------------------------------------------------------------

    /** Stops listening: new connections are refused until {@link #up()}. */
    synchronized void down() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    /** Listens again on the same port (retrying briefly while the port is still held). */
    synchronized void up() {
        if (server != null) {
            return;
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
                listen();
                return;
            } catch (BindException e) {
                if (System.nanoTime() > deadline) {
                    throw new UncheckedIOException("cannot listen on port " + port + " again", e);
                }
                Await.sleep(50);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    // ---- what arrived ------------------------------------------------------------------------

    /** Every request so far, in arrival order. */
    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** The requests so far that match. */
    List<Request> requests(Predicate<Request> which) {
        return requests().stream().filter(which).toList();
    }

    int count() {
        synchronized (requests) {
            return requests.size();
        }
    }

    /** Waits until {@code cond} holds for the requests so far; fails with them after {@code timeout}. */
    List<Request> await(String what, Duration timeout, Predicate<List<Request>> cond) {
        return Await.value("receiver: " + what, timeout, this::requests, cond);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            long at = clock.getAsLong();
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, List<String>> h = new LinkedHashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            Request req = new Request(ex.getRequestMethod(), ex.getRequestURI().toString(), Map.copyOf(h), body, at);
            Reply reply;
            synchronized (requests) {
                requests.add(req);
                reply = next(); // taken in arrival order
            }
            if (reply.delayMs() > 0) {
                try {
                    Thread.sleep(reply.delayMs());
                } catch (InterruptedException e) {
                    return; // closing
                }
            }
            reply.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            byte[] out = "{}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            req.status = reply.status();
            ex.sendResponseHeaders(reply.status(), out.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(out);
            }
            req.answered = true;
        }
    }

    @Override
    public void close() {
        down();
        executor.shutdownNow();
    }
}
