package dev.topics.topic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import java.io.IOException;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC §2: a name outside the rule is refused on every topic route, and no name can make
 * the server create anything outside its data directory or any non-numeric directory in
 * {@code topics/}.
 */
class TopicNameRoutesTest extends ServerTest {
    /** Names as they appear in the path (percent-escaped where needed); each routes to {name}. */
    static final List<String> ROUTABLE_BAD_NAMES = List.of(
            "...", "a..b", "ab", ".ab", "ab.", "a%20b", "%C3%BC-topic", "a*b", "a%3Eb", "a:b",
            "%2E%2E", "%2E%2E.x", "a".repeat(256));
    /**
     * Names with an (encoded) slash, or a bare {@code ..} that URL normalisation removes: a
     * router may refuse to route them at all (404).
     */
    static final List<String> SLASHED_BAD_NAMES = List.of("..", "%2E%2E%2Fx", "..%2Fx", "a%2Fb", "%2E%2E%2F%2E%2E%2Fescaped",
            "%2Fetc%2Fpasswd", "%5C..%5Cx");

    /** Method, path suffix after the name, body (null: none). */
    record Route(String method, String suffix, String body) {
    }

    static final List<Route> ROUTES = List.of(
            new Route("PUT", "", "{}"),
            new Route("GET", "", null),
            new Route("PATCH", "", "{\"ttl_ms\": 1}"),
            new Route("DELETE", "", null),
            new Route("POST", "", "{\"records\": [{\"data\": 1}]}"),
            new Route("POST", "/diff", "{}"),
            new Route("GET", "/diff", null));


    static Response call(Route r, String name) {
        String path = "/v0/topics/" + name + r.suffix();
        var body = r.body() == null ? BodyPublishers.noBody()
                : BodyPublishers.ofByteArray(r.body().getBytes(StandardCharsets.UTF_8));
        return r.body() == null ? http.send(r.method(), path, body)
                : http.send(r.method(), path, body, "Content-Type", "application/json");
    }

    static Stream<String> routableBadNames() {
        return ROUTABLE_BAD_NAMES.stream();
    }

    static Stream<String> slashedBadNames() {
        return SLASHED_BAD_NAMES.stream();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("routableBadNames")
    void anInvalidNameIs400InvalidTopicNameOnEveryRoute(String name) {
        for (Route r : ROUTES) {
            call(r, name).assertError(400, "invalid_topic_name");
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("slashedBadNames")
    void aNameWithAnEncodedSlashOrADotSegmentIsRefusedOnEveryRoute(String name) {
        for (Route r : ROUTES) {
            Response res = call(r, name);
            assertThat(res.status()).as("%s", res).isIn(400, 404);
            String code = res.str("error.code");
            if (res.status() == 400) {
                assertThat(code).as("%s", res).isEqualTo("invalid_topic_name");
            }
        }
    }

    @Test
    void literalDotSegmentsInThePathNeverReachATopic() {
        for (String path : List.of("/v0/topics/../x", "/v0/topics/./abc/../../x", "/v0/topics/..%2F..%2Fx/diff",
                "/v0/topics/abc/../../../etc")) {
            for (String method : List.of("PUT", "POST", "GET")) {
                byte[] body = method.equals("POST") ? "{\"records\": [{\"data\": 1}]}".getBytes(StandardCharsets.UTF_8)
                        : method.equals("PUT") ? "{}".getBytes(StandardCharsets.UTF_8) : new byte[0];
                Response res = http.raw(method + " " + path + " HTTP/1.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length, body);
                assertThat(res.status()).as("%s %s -> %s", method, path, res).isBetween(400, 499);
            }
        }
    }

    @Test
    void refusedNamesCreatedNoTopicAndNothingOutsideTheDataDir() throws IOException {
        // Every bad name on every route first, then look at the disk and the list.
        for (String name : ROUTABLE_BAD_NAMES) {
            for (Route r : ROUTES) {
                call(r, name);
            }
        }
        for (String name : SLASHED_BAD_NAMES) {
            for (Route r : ROUTES) {
                call(r, name);
            }
        }
        http.put("/v0/topics/a.good.name", "{}").ok(201);
        server.restart(); // a snapshot and a replay must not materialise anything either

        assertThat(http.get("/v0/topics").ok().list("topics")).hasSize(1);
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).as("entries next to the data dir")
                    .containsExactly("data");
        }
        List<String> topicDirs = new ArrayList<>();
        try (Stream<Path> s = Files.list(server.dataDir().resolve("topics"))) {
            s.forEach(p -> topicDirs.add(p.getFileName().toString()));
        }
        assertThat(topicDirs).allMatch(n -> n.matches("[0-9]+"), "numeric directory names only");
        try (Stream<Path> s = Files.walk(server.dataDir())) {
            assertThat(s.map(p -> server.dataDir().relativize(p).toString()))
                    .noneMatch(p -> p.contains("..") || p.contains("escaped") || p.contains("passwd")
                            || p.contains("topic") && !p.startsWith("topics"));
        }
    }
}
