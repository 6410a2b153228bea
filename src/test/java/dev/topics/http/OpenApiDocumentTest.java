package dev.topics.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.core.util.Yaml;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document served at {@code /openapi} ({@code META-INF/openapi.yaml}) is one a
 * well-kept validator, swagger-parser, accepts without a word, and is complete in the ways a
 * client generator needs: every reference resolves, every operation is named, summarised and
 * has its success and failure answers, every path template variable is a declared path
 * parameter. That it lists exactly the server's routes is checked against the route table
 * elsewhere; the mutation tests here prove the checks can fail.
 */
class OpenApiDocumentTest {
    private static final String RESOURCE = "META-INF/openapi.yaml";
    /** Operations that cannot fail with a 4xx: no credentials, no input. */
    private static final Set<String> NEVER_4XX = Set.of("healthz", "readyz", "openapi", "dashboard", "dashboardHead");
    private static final Pattern TEMPLATE_VARIABLE = Pattern.compile("\\{([^}/]+)}");

    private static String document() {
        try (InputStream in = OpenApiDocumentTest.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            assertThat(in).as("%s on the classpath", RESOURCE).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What swagger-parser makes of {@code yaml}, references resolved. */
    private static SwaggerParseResult parse(String yaml) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setValidateInternalRefs(true);
        return new OpenAPIV3Parser().readContents(yaml, null, options);
    }

    private static JsonNode tree(String yaml) {
        try {
            return Yaml.mapper().readTree(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ the validator

    @Test
    void theValidatorFindsNothingToSayAboutTheDocument() {
        SwaggerParseResult r = parse(document());
        assertThat(r.getMessages()).as("swagger-parser's messages").isEmpty();
        OpenAPI api = r.getOpenAPI();
        assertThat(api).isNotNull();
        assertThat(api.getOpenapi()).startsWith("3.1.");
        assertThat(api.getInfo().getTitle()).isEqualTo("topics");
        assertThat(api.getInfo().getVersion()).isEqualTo("0.1.0");
        assertThat(api.getInfo().getDescription()).contains("docs/API.md");
        assertThat(api.getComponents().getSecuritySchemes()).containsKeys("bearer", "topicToken");
        assertThat(api.getComponents().getSchemas()).containsKey("Error");
    }

    /**
     * Helidon serves the JSON form ({@code Accept: application/json}) by re-dumping the YAML
     * with SnakeYAML, which writes a YAML null as {@code !!null "null"}: not JSON. So the
     * document holds no null value (examples leave such fields out).
     */
    @Test
    void theDocumentHoldsNoNullValue() {
        List<String> nulls = new ArrayList<>();
        nulls(tree(document()), "", nulls);
        assertThat(nulls).isEmpty();
        List<String> found = new ArrayList<>();
        nulls(tree(document().replace("heartbeat_ms: 15000\n", "heartbeat_ms: null\n")), "", found);
        assertThat(found).as("the check sees a null").isNotEmpty();
    }

    private static void nulls(JsonNode node, String at, List<String> out) {
        if (node.isNull()) {
            out.add(at);
        }
        node.fields().forEachRemaining(e -> nulls(e.getValue(), at + "/" + e.getKey(), out));
        for (int i = 0; node.isArray() && i < node.size(); i++) {
            nulls(node.get(i), at + "/" + i, out);
        }
    }

    // ------------------------------------------------------------------ references

    /** Every {@code $ref} in the tree, in document order, with where it stands. */
    private static Map<String, String> refs(JsonNode node, String at, Map<String, String> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String here = at + "/" + e.getKey();
                if (e.getKey().equals("$ref") && e.getValue().isTextual()) {
                    out.put(here, e.getValue().asText());
                } else {
                    refs(e.getValue(), here, out);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                refs(node.get(i), at + "/" + i, out);
            }
        }
        return out;
    }

    /** The references that do not point at a node of the same document, each with where it stands. */
    private static List<String> unresolved(JsonNode root) {
        List<String> bad = new ArrayList<>();
        refs(root, "", new LinkedHashMap<>()).forEach((at, ref) -> {
            if (!ref.startsWith("#/") || root.at(ref.substring(1)).isMissingNode()) {
                bad.add(at + " -> " + ref);
            }
        });
        return bad;
    }

    @Test
    void everyReferencePointsIntoTheDocument() {
        JsonNode root = tree(document());
        Map<String, String> refs = refs(root, "", new LinkedHashMap<>());
        assertThat(refs).as("the walk found the document's references").hasSizeGreaterThan(300);
        assertThat(unresolved(root)).isEmpty();
        // the shared pieces are in use: an unused component is a sign of a route described twice
        Set<String> targets = new TreeSet<>(refs.values());
        for (String kind : List.of("schemas", "responses", "parameters")) {
            root.path("components").path(kind).fieldNames().forEachRemaining(name -> {
                if (!name.endsWith("Event")) { // the data of SSE events, named in the stream's description
                    assertThat(targets).as("components/%s/%s is referenced", kind, name)
                            .contains("#/components/" + kind + "/" + name);
                }
            });
        }
    }

    // ------------------------------------------------------------------ operations

    private static Map<String, Operation> operations(OpenAPI api) {
        Map<String, Operation> out = new LinkedHashMap<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap()
                .forEach((method, op) -> out.put(method + " " + path, op)));
        return out;
    }

    /** What an operation lacks: an operationId (unique), a summary, a description, a tag, a 2xx, a 4xx. */
    private static List<String> operationProblems(OpenAPI api) {
        Map<String, String> ids = new HashMap<>();
        List<String> problems = new ArrayList<>();
        operations(api).forEach((where, op) -> {
            String id = op.getOperationId();
            if (id == null || id.isBlank()) {
                problems.add(where + ": no operationId");
            } else if (ids.putIfAbsent(id, where) != null) {
                problems.add(where + ": operationId " + id + " is also " + ids.get(id));
            }
            if (op.getSummary() == null || op.getSummary().isBlank()) {
                problems.add(where + ": no summary");
            }
            if (op.getDescription() == null || op.getDescription().isBlank()) {
                problems.add(where + ": no description");
            }
            if (op.getTags() == null || op.getTags().isEmpty()) {
                problems.add(where + ": no tag");
            }
            Set<String> codes = op.getResponses() == null ? Set.of() : op.getResponses().keySet();
            if (codes.stream().noneMatch(c -> c.startsWith("2"))) {
                problems.add(where + ": no 2xx response");
            }
            if (!NEVER_4XX.contains(id) && codes.stream().noneMatch(c -> c.startsWith("4"))) {
                problems.add(where + ": no 4xx response");
            }
        });
        return problems;
    }

    @Test
    void everyOperationIsNamedSummarisedAndAnswered() {
        OpenAPI api = parse(document()).getOpenAPI();
        Map<String, Operation> ops = operations(api);
        assertThat(ops).as("operations").hasSizeGreaterThan(60);
        assertThat(operationProblems(api)).isEmpty();
        assertThat(ops.values().stream().map(Operation::getOperationId)).contains("healthz", "readyz", "metrics",
                "openapi", "writeRecords", "openWatch", "manageGetMessages", "dashboardFile");
    }

    @Test
    void everyErrorAnswerHasTheErrorBody() {
        OpenAPI api = parse(document()).getOpenAPI();
        List<String> problems = new ArrayList<>();
        operations(api).forEach((where, op) -> op.getResponses().forEach((code, response) -> {
            boolean error = code.startsWith("4") || code.startsWith("5");
            if (!error || where.startsWith("HEAD ")) {
                return; // a HEAD answer has no body
            }
            if (response.get$ref() != null) {
                String name = response.get$ref().substring(response.get$ref().lastIndexOf('/') + 1);
                response = api.getComponents().getResponses().get(name);
                assertThat(response).as("response %s", name).isNotNull();
            }
            var content = response.getContent();
            var json = content == null ? null : content.get("application/json");
            if (json == null || json.getSchema() == null) {
                problems.add(where + " " + code + ": no application/json body");
            } else if (!"#/components/schemas/Error".equals(json.getSchema().get$ref())) {
                problems.add(where + " " + code + ": body is not the Error schema (" + json.getSchema().get$ref() + ")");
            }
        }));
        assertThat(problems).isEmpty();
    }

    @Test
    void everyTemplateVariableIsARequiredPathParameterAndNoMore() {
        OpenAPI api = parse(document()).getOpenAPI();
        List<String> problems = new ArrayList<>();
        api.getPaths().forEach((path, item) -> {
            Set<String> variables = new LinkedHashSet<>();
            Matcher m = TEMPLATE_VARIABLE.matcher(path);
            while (m.find()) {
                variables.add(m.group(1));
            }
            item.readOperationsMap().forEach((method, op) -> {
                Set<String> declared = new LinkedHashSet<>();
                for (Parameter p : parameters(api, item, op)) {
                    if ("path".equals(p.getIn())) {
                        declared.add(p.getName());
                        if (!Boolean.TRUE.equals(p.getRequired())) {
                            problems.add(method + " " + path + ": path parameter " + p.getName() + " is not required");
                        }
                    }
                }
                if (!declared.equals(variables)) {
                    problems.add(method + " " + path + ": declares " + declared + ", the template has " + variables);
                }
            });
        });
        assertThat(problems).isEmpty();
    }

    /** The operation's parameters and its path's, with {@code $ref}s to components followed. */
    private static List<Parameter> parameters(OpenAPI api, PathItem item, Operation op) {
        List<Parameter> all = new ArrayList<>();
        if (item.getParameters() != null) {
            all.addAll(item.getParameters());
        }
        if (op.getParameters() != null) {
            all.addAll(op.getParameters());
        }
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : all) {
            if (p.get$ref() != null) {
                String name = p.get$ref().substring(p.get$ref().lastIndexOf('/') + 1);
                p = api.getComponents().getParameters().get(name);
                assertThat(p).as("parameter %s", name).isNotNull();
            }
            out.add(p);
        }
        return out;
    }

    // ------------------------------------------------------------------ the checks can fail

    @Test
    void aBrokenReferenceIsReported() {
        String doc = document();
        String good = "$ref: '#/components/schemas/Error'";
        assertThat(doc).contains(good);
        String broken = doc.replaceFirst(Pattern.quote(good), "\\$ref: '#/components/schemas/NoSuchSchema'");
        assertThat(broken).isNotEqualTo(doc);
        assertThat(parse(broken).getMessages()).as("swagger-parser's messages")
                .anySatisfy(message -> assertThat(message).contains("NoSuchSchema"));
        assertThat(unresolved(tree(broken))).singleElement().asString().endsWith("#/components/schemas/NoSuchSchema");
    }

    @Test
    void anOperationWithoutResponsesOrWithATakenIdIsReported() {
        String doc = document();
        // /readyz's GET without its responses, and with /healthz's operationId
        String block = """
                      operationId: readyz
                      summary: Readiness
                """;
        assertThat(doc).contains(block);
        int from = doc.indexOf(block);
        int responses = doc.indexOf("      responses:\n", from);
        int next = doc.indexOf("  /metrics:\n", from);
        assertThat(responses).isBetween(from, next);
        String cut = doc.substring(0, responses) + doc.substring(next);
        cut = cut.replace("operationId: readyz", "operationId: healthz");
        SwaggerParseResult r = parse(cut);
        // OpenAPI 3.1 made an operation's responses optional, so the parser accepts this: our check must not
        assertThat(r.getOpenAPI().getPaths().get("/readyz").getGet().getResponses()).isNullOrEmpty();
        assertThat(operationProblems(r.getOpenAPI())).containsExactlyInAnyOrder(
                "GET /readyz: operationId healthz is also GET /healthz",
                "GET /readyz: no 2xx response");
    }
}
