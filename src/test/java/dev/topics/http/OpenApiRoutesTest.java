package dev.topics.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.ServerTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The OpenAPI document served at {@code GET /openapi} and the routes the server answers are
 * the same set of method and path: a route the document lacks, or an operation no route
 * serves, fails here by name. Path parameter names are compared too. ({@code OPTIONS} is
 * answered for every path and is not listed as an operation.) The document's validity is
 * {@code OpenApiDocumentTest}.
 */
@ServerTest.Setup(auth = true) // the document needs no credentials even when they are required
class OpenApiRoutesTest extends ServerTest {
    static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

    /** "METHOD /path/{param}" for each operation of an OpenAPI document. */
    @SuppressWarnings("unchecked")
    static Set<String> operations(String yaml) {
        Map<String, Object> doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        Set<String> ops = new TreeSet<>();
        ((Map<String, Object>) doc.get("paths")).forEach((path, item) -> ((Map<String, Object>) item).keySet().stream()
                .filter(METHODS::contains).forEach(m -> ops.add(m.toUpperCase() + " " + path)));
        return ops;
    }

    static Set<String> served(RouteTable routes) {
        Set<String> all = new TreeSet<>();
        routes.routes().forEach(r -> all.add(r.method() + " " + r.template()));
        return all;
    }

    /** What differs, one line per route, or nothing. */
    static List<String> differences(Set<String> served, Set<String> documented) {
        List<String> out = new ArrayList<>();
        served.stream().filter(r -> !documented.contains(r)).forEach(r -> out.add("served but not documented: " + r));
        documented.stream().filter(r -> !served.contains(r)).forEach(r -> out.add("documented but not served: " + r));
        return out;
    }

    @Test
    void theDocumentListsExactlyTheRoutesTheServerAnswers() {
        Http.Response r = http.get("/openapi").expect(200);
        assertThat(r.header("Content-Type")).contains("openapi");
        Set<String> documented = operations(r.text());
        Set<String> served = served(server.routes());
        assertThat(served).as("the server's routes").hasSizeGreaterThan(60).contains("GET /v0/topics/{name}/watch",
                "POST /v0/topics/{name}", "GET /metrics", "GET /openapi", "GET /topics");
        assertThat(differences(served, documented)).isEmpty();
    }

    @Test
    void theDocumentIsServedAsJsonToo() {
        Http.Response r = http.get("/openapi", "Accept", "application/json").expect(200);
        assertThat(r.header("Content-Type")).contains("json");
        assertThat(r.map()).containsKeys("openapi", "info", "paths");
        // JSON is YAML: the same operations either way
        assertThat(operations(r.text())).isEqualTo(operations(http.get("/openapi").expect(200).text()));
    }

    @Test
    void aBadQueryIs400NotAServerError() {
        assertThat(http.get("/openapi?format=JSON").expect(200).header("Content-Type")).contains("json");
        assertThat(http.get("/openapi?format=yaml").expect(200).text()).startsWith("openapi:");
        http.get("/openapi?format=bogus").assertError(400, "invalid_field");
        http.get("/openapi?fromat=json").assertError(400, "unknown_field");
        http.get("/openapi?format=json&format=yaml").assertError(400, "invalid_field");
    }

    @Test
    void aMissingRouteOrAnExtraOperationIsNamed() {
        Set<String> served = Set.of("GET /v0/a", "POST /v0/a/{name}");
        assertThat(differences(served, Set.of("GET /v0/a"))).containsExactly("served but not documented: POST /v0/a/{name}");
        assertThat(differences(served, Set.of("GET /v0/a", "POST /v0/a/{name}", "DELETE /v0/a")))
                .containsExactly("documented but not served: DELETE /v0/a");
        assertThat(differences(served, Set.of("GET /v0/a", "POST /v0/a/{topic}"))).hasSize(2); // a renamed parameter
        String doc = "openapi: 3.1.0\npaths:\n  /v0/a:\n    get: {}\n    parameters: []\n  /v0/a/{name}:\n    post: {}\n";
        assertThat(operations(doc)).isEqualTo(served);
    }
}
