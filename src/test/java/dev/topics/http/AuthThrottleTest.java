package dev.topics.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.RawConnection;
import dev.topics.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failed-login throttle (issue 12, row 9): bad tokens from one address never lock out a
 * valid one from the same address, and failures are bounded over all addresses together
 * (each request comes from its own loopback address: 127.0.0.0/8 is all loopback on Linux).
 */
class AuthThrottleTest {
    private static final Duration BOUND = Duration.ofSeconds(15);

    @TempDir
    Path tmp;

    /** {@code GET /v0/node} with this bearer token from {@code from}; one request per connection. */
    private static RawConnection.Response node(TestServer s, String from, String token) {
        try (RawConnection c = RawConnection.open(s.base(), from)) {
            c.send("GET /v0/node HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n");
            var rs = c.awaitResponses(1, BOUND);
            assertThat(rs).as("an answer from %s", from).hasSize(1);
            return rs.getFirst();
        }
    }

    @Test
    void twentyBadTokensFromAnAddressDoNotLockOutTheValidTokenFromThatAddress() {
        try (TestServer s = TestServer.builder(tmp).env("TOPICS_AUTH", "required")
                .env("TOPICS_ADMIN_TOKEN", TestServer.ADMIN_TOKEN).start()) { // the default throttle: 20 a minute
            for (int i = 0; i < 20; i++) {
                node(s, "127.0.0.1", "wrong-" + i).assertError(401, "unauthorized");
            }
            node(s, "127.0.0.1", "wrong-again").assertError(429, "too_many_failures");
            assertThat(node(s, "127.0.0.1", TestServer.ADMIN_TOKEN).status()).isEqualTo(200);
            // a principal's token too, and over the ordinary client
            Http admin = s.http().withHeader("Authorization", "Bearer " + TestServer.ADMIN_TOKEN);
            String tok = admin.post("/v0/principals", "{\"name\": \"carol\"}").ok(201).str("token");
            assertThat(node(s, "127.0.0.1", tok).status()).isEqualTo(200);
            node(s, "127.0.0.1", "wrong-still").assertError(429, "too_many_failures");
            // another address has its own budget
            node(s, "127.0.0.2", "wrong-elsewhere").assertError(401, "unauthorized");
        }
    }

    @Test
    void failuresAreBoundedOverAllAddressesTogether() {
        try (TestServer s = TestServer.builder(tmp).env("TOPICS_AUTH", "required")
                .env("TOPICS_ADMIN_TOKEN", TestServer.ADMIN_TOKEN)
                .yaml("auth:\n  failures_per_minute: 20\n  failures_per_minute_total: 30\n").start()) {
            // ten addresses, three failures each: every one within its own budget
            for (int a = 2; a < 12; a++) {
                for (int i = 0; i < 3; i++) {
                    node(s, "127.0.0." + a, "wrong-" + a + "-" + i).assertError(401, "unauthorized");
                }
            }
            // the server's budget is spent: a fresh address's first failure is 429 ...
            node(s, "127.0.0.12", "wrong").assertError(429, "too_many_failures");
            node(s, "127.0.0.13", "wrong").assertError(429, "too_many_failures");
            // ... but a valid token passes from anywhere
            assertThat(node(s, "127.0.0.14", TestServer.ADMIN_TOKEN).status()).isEqualTo(200);
            assertThat(node(s, "127.0.0.2", TestServer.ADMIN_TOKEN).status()).isEqualTo(200);
        }
    }
}
