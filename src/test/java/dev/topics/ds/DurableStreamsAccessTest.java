package dev.topics.ds;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Durable Streams surface under the same access rules as {@code /v0} (SPEC §11, §16):
 * no credentials is 401, credentials without the right 403, and each method needs what its
 * {@code /v0} counterpart needs (create, read, publish, owner to delete); principals,
 * permissions and share tokens work as they do on topics. A refused request changes nothing.
 */
@ServerTest.Setup(auth = true, memory = true)
class DurableStreamsAccessTest extends ServerTest {
    static Http alice;
    static Http bob;
    static String bobToken;

    @BeforeAll
    static void principals() {
        alice = bearer(principal("alice"));
        bobToken = principal("bob");
        bob = bearer(bobToken);
    }

    private static String v1(String name) {
        return "/v1/stream/" + name;
    }

    private static Response send(Http as, String method, String name, String body, String... headers) {
        String[] h = new String[headers.length + 2];
        h[0] = "Content-Type";
        h[1] = "text/plain";
        System.arraycopy(headers, 0, h, 2, headers.length);
        return as.send(method, v1(name), body == null ? BodyPublishers.noBody()
                : BodyPublishers.ofString(body, StandardCharsets.UTF_8), h);
    }

    private static int head(Http as, String name) {
        return as.withoutErrorShapeCheck().send("HEAD", v1(name), BodyPublishers.noBody()).status();
    }

    private static String aliceStream() {
        String name = uniqueTopic("dsa.s");
        send(alice, "PUT", name, "one").expect(201);
        return name;
    }

    @Test
    void noCredentialsIs401ForEveryMethod() {
        String name = aliceStream();
        send(http, "PUT", uniqueTopic("dsa.anon"), "x").assertError(401, "unauthorized");
        send(http, "GET", name, null).assertError(401, "unauthorized");
        send(http, "POST", name, "two").assertError(401, "unauthorized");
        send(http, "DELETE", name, null).assertError(401, "unauthorized");
        assertThat(head(http, name)).isEqualTo(401);
        assertThat(send(alice, "GET", name, null).expect(200).text()).isEqualTo("one");
    }

    @Test
    void anotherPrincipalWithoutRightsIs403AndChangesNothing() {
        String name = aliceStream();
        send(bob, "GET", name, null).assertError(403, "forbidden");
        send(bob, "POST", name, "bob was here").assertError(403, "forbidden");
        send(bob, "POST", name, null, "Stream-Closed", "true").assertError(403, "forbidden");
        send(bob, "DELETE", name, null).assertError(403, "forbidden");
        send(bob, "PUT", name, null).assertError(403, "forbidden");
        send(bob, "PUT", uniqueTopic("dsa.fork"), null, "Stream-Forked-From", v1(name)).assertError(403, "forbidden");
        assertThat(head(bob, name)).isEqualTo(403);

        Response after = send(alice, "GET", name, null).expect(200);
        assertThat(after.text()).isEqualTo("one");
        assertThat(after.header("stream-closed")).isNull();
    }

    @Test
    void aReadPermissionReadsButDoesNotAppendAndOnlyTheOwnerDeletes() {
        String name = aliceStream();
        admin.post("/v0/permissions", "{\"principal\": \"bob\", \"pattern\": \"" + name
                + "\", \"actions\": [\"read\"], \"effect\": \"allow\"}").ok(201);
        assertThat(send(bob, "GET", name, null).expect(200).text()).isEqualTo("one");
        assertThat(head(bob, name)).isEqualTo(200);
        send(bob, "POST", name, "two").assertError(403, "forbidden");
        // reading the source is what a fork needs: bob may fork it into a name of his own
        String fork = uniqueTopic("dsa.bobfork");
        send(bob, "PUT", fork, null, "Stream-Forked-From", v1(name)).expect(201);
        assertThat(send(bob, "GET", fork, null).expect(200).text()).isEqualTo("one");
        send(bob, "DELETE", name, null).assertError(403, "forbidden");
        send(alice, "DELETE", name, null).expect(204);
    }

    @Test
    void shareTokensReadAndWriteAsTheirAccessSays() {
        String name = aliceStream();
        String ro = alice.post("/v0/topics/" + name + "/shares", "{\"access\": \"ro\"}").ok(201).str("token");
        String rw = alice.post("/v0/topics/" + name + "/shares", "{\"access\": \"rw\"}").ok(201).str("token");
        assertThat(send(share(ro), "GET", name, null).expect(200).text()).isEqualTo("one");
        send(share(ro), "POST", name, "ro").assertError(403, "forbidden");
        send(share(rw), "POST", name, "+rw").expect(204);
        assertThat(send(share(ro), "GET", name, null).expect(200).text()).isEqualTo("one+rw");
        send(share(rw), "DELETE", name, null).assertError(403, "forbidden");
    }

    @Test
    void theAdminMayDoEverything() {
        String name = aliceStream();
        send(admin, "POST", name, "+admin").expect(204);
        assertThat(send(admin, "GET", name, null).expect(200).text()).isEqualTo("one+admin");
        send(admin, "DELETE", name, null).expect(204);
        send(admin, "GET", name, null).assertError(404, "topic_not_found");
    }

    @Test
    void anSseStreamEndsSoonAfterTheRightToReadIsRevoked() throws Exception {
        String name = aliceStream();
        String id = admin.post("/v0/permissions", "{\"principal\": \"bob\", \"pattern\": \"" + name
                + "\", \"actions\": [\"read\"], \"effect\": \"allow\"}").ok(201).str("id");
        HttpRequest req = HttpRequest.newBuilder(URI.create(http.base() + v1(name) + "?offset=-1&live=sse"))
                .header("Authorization", "Bearer " + bobToken).timeout(Duration.ofSeconds(60)).build();
        HttpResponse<InputStream> res = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(res.statusCode()).isEqualTo(200);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null && !line.contains("upToDate")) {
                // catch-up: the first data and control events
            }
            assertThat(line).as("the stream caught up before the revocation").isNotNull();
            admin.delete("/v0/permissions/" + id).ok();
            long t0 = System.nanoTime();
            CompletableFuture<Long> ended = CompletableFuture.supplyAsync(() -> {
                try {
                    while (in.readLine() != null) {
                        // heartbeats, if any, until the server ends the response
                    }
                    return (System.nanoTime() - t0) / 1_000_000;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            // the stream would otherwise stay open for watch.stream_sse_ms (60 s)
            assertThat(ended.get(10, TimeUnit.SECONDS)).as("ms until the stream ended").isLessThan(5_000);
        }
        send(bob, "GET", name, null).assertError(403, "forbidden");
    }
}
