package dev.topics.access;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;

/**
 * The helpers of the revocation tests ({@link ShareRevocationTest},
 * {@link PermissionRevocationTest}, {@link WatchSessionRevocationTest},
 * {@link RouterRevocationTest}): topics, shares and permissions made as the admin, an
 * EventSource-like {@link Stream}, and the measure of how long a stream takes to end once its
 * right is gone. Each class prints the times it measured when it ends.
 *
 * <p>The contract says "within a second"; the assertions allow a generous
 * {@link #BOUND} and every measured time is printed (see the test's output file).
 */
abstract class RevocationFixtures extends ServerTest {
    /** How long a stream may take to end after its right is gone before the test fails. */
    static final Duration BOUND = Duration.ofSeconds(5);
    static final Duration EVENT = Duration.ofSeconds(10);
    static final List<String> TIMES = Collections.synchronizedList(new ArrayList<>());

    @AfterAll
    static void printTimes() {
        System.out.println("---- measured revocation times (SPEC §5: within a second) ----");
        TIMES.forEach(System.out::println);
        TIMES.clear();
    }

    // ------------------------------------------------------------------ helpers

    static String path(String topic) {
        return "/v0/topics/" + topic;
    }

    static String newTopic(String stem, String config) {
        String t = uniqueTopic(stem);
        admin.put(path(t), config).ok(201);
        return t;
    }

    static void write(String topic, Object data) {
        admin.post(path(topic), "{\"records\": [{\"data\": " + data + "}]}").ok();
    }

    static String permit(String principal, String pattern, String actions, String effect) {
        return admin.post("/v0/permissions", "{\"principal\": \"" + principal + "\", \"pattern\": \"" + pattern
                + "\", \"actions\": " + actions + ", \"effect\": \"" + effect + "\"}").ok(201).str("id");
    }

    static Response share(String topic, String access) {
        return admin.post(path(topic) + "/shares", "{\"access\": \"" + access + "\"}").ok(201);
    }

    static Stream watchTopic(String topic, String... headers) throws Exception {
        return Stream.open(http.base().resolve(path(topic) + "/watch?from_seq=0&heartbeat_ms=1000"), headers);
    }

    /** The stream delivers what is written to the topic: the backlog, then a live record. */
    static void assertLive(Stream s, String topic, int marker) throws InterruptedException {
        write(topic, marker);
        long deadline = System.nanoTime() + EVENT.toNanos();
        while (true) {
            Stream.Ev e = s.next(Duration.ofNanos(Await.nanosLeft(deadline)));
            assertThat(e).as("%s: the stream ended before delivering record %d", s, marker).isNotNull();
            if (e.name().equals("record") && e.data().contains("\"data\":" + marker)) {
                return;
            }
        }
    }

    /**
     * Runs {@code change}, then waits for the stream to end; prints and returns the time from
     * sending the change to the end of the stream.
     */
    static long endsAfter(String what, Stream s, Runnable change) {
        long t0 = System.nanoTime();
        change.run();
        long answered = System.nanoTime();
        long ms = s.awaitEnd(t0, BOUND, what);
        String line = String.format("%-72s ended %4d ms after the request (%4d ms after its answer)", what, ms,
                Math.max(0, (s.endedAt - answered) / 1_000_000));
        System.out.println(line);
        TIMES.add(line);
        return ms;
    }

    /**
     * An EventSource-like client that sends headers (X-Topic-Token, Authorization), hands out
     * events with a timeout, and notes when the server ended the stream.
     */
    static final class Stream implements AutoCloseable {
        record Ev(String name, String id, String data) {
        }

        private static final Ev END = new Ev(null, null, null);
        private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        private final String what;
        final HttpResponse<InputStream> response;
        private final BlockingQueue<Ev> events = new LinkedBlockingQueue<>();
        private final CountDownLatch ended = new CountDownLatch(1);
        private volatile boolean closedByUs;
        volatile long endedAt;
        volatile String endedBy = "EOF";
        private final String errorBody;

        private Stream(String what, HttpResponse<InputStream> response) throws IOException {
            this.what = what;
            this.response = response;
            if (response.statusCode() != 200) {
                try (InputStream in = response.body()) {
                    errorBody = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                endedAt = System.nanoTime();
                ended.countDown();
                events.add(END);
            } else {
                errorBody = null;
                Thread.ofVirtual().start(this::read);
            }
        }

        static Stream open(URI uri, String... headers) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET()
                    .header("Accept", "text/event-stream");
            for (int i = 0; i < headers.length; i += 2) {
                b.header(headers[i], headers[i + 1]);
            }
            return new Stream("GET " + uri.getPath(), CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
        }

        int status() {
            return response.statusCode();
        }

        String errorBody() {
            return errorBody;
        }

        /** Asserts a 200 event stream. */
        Stream live() {
            assertThat(status()).as("%s: status, body %s", what, errorBody).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
            return this;
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String id = null;
                String name = null;
                StringBuilder data = null;
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.isEmpty()) {
                        if (name != null || data != null) {
                            events.add(new Ev(name == null ? "message" : name, id, data == null ? "" : data.toString()));
                        }
                        id = null;
                        name = null;
                        data = null;
                    } else if (line.startsWith("id: ")) {
                        id = line.substring(4);
                    } else if (line.startsWith("event: ")) {
                        name = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
                    }
                }
            } catch (IOException e) {
                endedBy = closedByUs ? "closed by the test" : e.toString();
            } finally {
                endedAt = System.nanoTime();
                ended.countDown();
                events.add(END);
            }
        }

        /** The next event; null when the stream has ended; fails after {@code limit}. */
        Ev next(Duration limit) throws InterruptedException {
            Ev e = events.poll(limit.toNanos(), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError(what + ": no event within " + limit);
            }
            return e == END ? null : e;
        }

        /** Waits for the server to end the stream; ms from {@code fromNanos} to the end. */
        long awaitEnd(long fromNanos, Duration limit, String why) {
            try {
                if (!ended.await(limit.toNanos(), TimeUnit.NANOSECONDS)) {
                    throw new AssertionError(what + " still open " + limit.toSeconds() + " s after: " + why);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return (endedAt - fromNanos) / 1_000_000;
        }

        boolean ended() {
            return ended.getCount() == 0;
        }

        @Override
        public void close() throws IOException {
            closedByUs = true;
            response.body().close();
        }

        @Override
        public String toString() {
            return what;
        }
    }
}
