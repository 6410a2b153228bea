package dev.topics.ds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.ChildServer;
import dev.topics.testing.ProcessTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stream's state survives a crash and a restart with its records (SPEC §16): the real
 * server in a child JVM, killed with SIGKILL right after the writes were acknowledged (so
 * recovery replays the WAL), then stopped with SIGTERM (so the next start loads a snapshot),
 * then killed again after more writes. After each start: producer state dedupes a retry and
 * finds a gap, {@code Stream-Seq} still refuses a regression, a closed stream stays closed,
 * forks read the same bytes (a sub-offset fork's own first record included), a soft-deleted
 * source still answers 410 and blocks its name, and TTL metadata is kept.
 */
class DurableStreamsRestartTest extends ProcessTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private record Res(int status, Map<String, java.util.List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }
    }

    private static Res send(ChildServer s, String method, String name, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.uri("/v1/stream/" + name)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Res(r.statusCode(), r.headers().map(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Res produce(ChildServer s, int epoch, int seq, String body) {
        return send(s, "POST", "crash.prod", body, "Content-Type", "text/plain", "Producer-Id", "p1",
                "Producer-Epoch", Integer.toString(epoch), "Producer-Seq", Integer.toString(seq));
    }

    private static void expect(Res r, int status, String what) {
        assertThat(r.status()).as("%s: status, body %s", what, r.body()).isEqualTo(status);
    }

    @Test
    @Timeout(120)
    void streamStateSurvivesSigkillSnapshotsAndAnotherSigkill() {
        Path data = tmp.resolve("data");
        ChildServer s = keep(ChildServer.start(data));
        expect(send(s, "PUT", "crash.prod", null, "Content-Type", "text/plain"), 201, "create");
        for (int i = 0; i < 5; i++) {
            expect(produce(s, 0, i, "m" + i), 200, "produce " + i);
        }
        expect(send(s, "POST", "crash.prod", "+s", "Content-Type", "text/plain", "Stream-Seq", "a005"), 204, "seq");
        expect(send(s, "PUT", "crash.closed", "[1,2]", "Content-Type", "application/json", "Stream-Closed", "true"), 201,
                "closed");
        expect(send(s, "PUT", "crash.src", "abcdef", "Content-Type", "text/plain"), 201, "src");
        expect(send(s, "POST", "crash.src", "ghi", "Content-Type", "text/plain"), 204, "src append");
        expect(send(s, "PUT", "crash.fork", null, "Stream-Forked-From", "/v1/stream/crash.src", "Stream-Fork-Offset",
                "0000000000000000_0000000000000000", "Stream-Fork-Sub-Offset", "4"), 201, "sub-offset fork");
        expect(send(s, "POST", "crash.fork", "Z", "Content-Type", "text/plain"), 204, "fork append");
        expect(send(s, "PUT", "crash.fork2", null, "Stream-Forked-From", "crash.src"), 201, "fork at the head");
        expect(send(s, "DELETE", "crash.src", null), 204, "soft delete of the source");
        expect(send(s, "PUT", "crash.ttl", null, "Content-Type", "text/plain", "Stream-TTL", "3600"), 201, "ttl");

        s.sigkill();
        s = keep(ChildServer.start(data));
        assertThat(s.replayedFrames()).as("the first restart replays the WAL").isPositive();
        verify(s, 4, "after SIGKILL");

        expect(produce(s, 0, 5, "m5"), 200, "produce 5");
        s.sigterm();
        assertThat(s.waitFor(Duration.ofSeconds(30))).isZero();
        s = keep(ChildServer.start(data));
        assertThat(s.replayedFrames()).as("after SIGTERM the state comes from the snapshot").isZero();
        verify(s, 5, "after SIGTERM");

        expect(produce(s, 1, 0, "e1"), 200, "a new epoch");
        s.sigkill();
        s = keep(ChildServer.start(data));
        Res stale = produce(s, 0, 6, "zombie");
        expect(stale, 403, "a stale epoch after the last SIGKILL");
        assertThat(stale.header("Producer-Epoch")).isEqualTo("1");
        expect(produce(s, 1, 0, "e1"), 204, "the new epoch's repeat");
        verify(s, 6, "after the last SIGKILL");
    }

    /** {@code last} is the producer's highest accepted seq in the stream's body so far. */
    private static void verify(ChildServer s, int last, String when) {
        Res dup = produce(s, 0, 4, "m4");
        if (last < 6) {
            expect(dup, 204, when + ": a retry of an acknowledged append");
            assertThat(dup.header("Producer-Seq")).as(when).isEqualTo(Integer.toString(last));
            Res gap = produce(s, 0, last + 2, "gap");
            expect(gap, 409, when + ": a gap");
            assertThat(gap.header("Producer-Expected-Seq")).as(when).isEqualTo(Integer.toString(last + 1));
        }
        expect(send(s, "POST", "crash.prod", "x", "Content-Type", "text/plain", "Stream-Seq", "a004"), 409,
                when + ": a Stream-Seq regression");
        String body = send(s, "GET", "crash.prod", null).body();
        assertThat(body).as(when).startsWith("m0m1m2m3m4+s").doesNotContain("gap").doesNotContain("x");
        assertThat(body).as(when).contains(last >= 5 ? "m5" : "+s");

        Res closed = send(s, "POST", "crash.closed", "[3]", "Content-Type", "application/json");
        expect(closed, 409, when + ": an append to a closed stream");
        assertThat(closed.header("Stream-Closed")).isEqualTo("true");
        assertThat(send(s, "GET", "crash.closed", null).body()).isEqualTo("[1,2]");

        assertThat(send(s, "GET", "crash.fork", null).body()).as(when + ": the sub-offset fork").isEqualTo("abcdZ");
        assertThat(send(s, "GET", "crash.fork2", null).body()).as(when + ": the fork of a deleted source")
                .isEqualTo("abcdefghi");
        expect(send(s, "HEAD", "crash.src", null), 410, when + ": the soft-deleted source");
        expect(send(s, "PUT", "crash.src", null, "Content-Type", "text/plain"), 409, when + ": its name");

        Res ttl = send(s, "HEAD", "crash.ttl", null);
        expect(ttl, 200, when);
        assertThat(ttl.header("Stream-TTL")).isEqualTo("3600");
    }
}
