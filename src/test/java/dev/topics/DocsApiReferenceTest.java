package dev.topics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.storage.ControlEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/API.md is the users' reference: its error table must hold every error code the
 * server can answer, README must send readers to it, and no user-facing text may cite the
 * internal contract file (users do not have it).
 *
 * <p>Codes are collected from the source the way they are written there: the status and
 * code of {@code new ApiError(…)} and {@code ApiError.badRequest(…)}, of
 * {@code Responses.error(res, status, "code", …)}, error bodies written by hand
 * ({@code \"code\":\"…\"}), code constants ({@code CODE = "…"}, {@code INVALID_JSON =
 * "invalid_json"}), the arms of a switch that picks a code for an error body, and the
 * {@code <kind>_not_found} codes made from {@link ControlEntry.Kind}.
 */
class DocsApiReferenceTest {
    private static final String CODE = "([a-z][a-z0-9]*(?:_[a-z0-9]+)*)";
    private static final List<Pattern> CODE_SITES = List.of(
            Pattern.compile("new\\s+ApiError\\(\\s*[^,\"]+,\\s*\"" + CODE + "\""),
            Pattern.compile("ApiError\\.badRequest\\(\\s*\"" + CODE + "\""),
            Pattern.compile("\\berror\\(\\s*\\w+\\s*,\\s*[^,\"]+,\\s*\"" + CODE + "\""),
            Pattern.compile("\\\\\"code\\\\\"\\s*:\\s*\\\\\"" + CODE + "\\\\\""));
    /**
     * {@code String NAME = "value";} named {@code CODE}, or in an exception class (whose
     * constants are its codes) named as the value in capitals ({@code INVALID_JSON = "invalid_json"}).
     */
    private static final Pattern CONSTANT = Pattern.compile("String\\s+([A-Z][A-Z0-9_]*)\\s*=\\s*\"" + CODE + "\"\\s*;");
    /** In a file that writes an error body from a variable code: the literals a switch or a ?: picks from. */
    private static final Pattern PICKED = Pattern.compile("(?:->|\\?|:)\\s*\"" + CODE + "\"");
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`" + CODE + "`\\s*\\|\\s*(\\d{3})\\s*\\|", Pattern.MULTILINE);
    private static final Pattern STRING_LITERAL = Pattern.compile("\"(?:[^\"\\\\\\n]|\\\\.)*\"");

    // ------------------------------------------------------------------ the checks, on text

    /** Every error code the given sources (file name → text) can produce. */
    static Set<String> codesIn(Map<String, String> sources) {
        Set<String> codes = new TreeSet<>();
        sources.forEach((file, text) -> {
            for (Pattern p : CODE_SITES) {
                Matcher m = p.matcher(text);
                while (m.find()) {
                    codes.add(m.group(1));
                }
            }
            boolean exception = text.contains("extends RuntimeException") || text.contains("extends Exception");
            Matcher c = CONSTANT.matcher(text);
            while (c.find()) {
                if (c.group(1).equals("CODE") || (exception && c.group(1).equals(c.group(2).toUpperCase(Locale.ROOT)))) {
                    codes.add(c.group(2));
                }
            }
            if (text.contains(".field(\"code\", code)")) {
                Matcher m = PICKED.matcher(text);
                while (m.find()) {
                    codes.add(m.group(1));
                }
            }
            if (text.contains("+ \"_not_found\"")) {
                for (ControlEntry.Kind k : ControlEntry.Kind.values()) {
                    codes.add(k.name().toLowerCase(Locale.ROOT) + "_not_found");
                }
            }
        });
        return codes;
    }

    /** The codes of the error table (section "Error codes": rows "| `code` | status | meaning |"), with their statuses. */
    static Map<String, String> documentedCodes(String apiDoc) {
        Matcher heading = Pattern.compile("^## [^\\n]*Error codes$", Pattern.MULTILINE).matcher(apiDoc);
        assertThat(heading.find()).as("docs/API.md has an \"Error codes\" section").isTrue();
        int end = apiDoc.indexOf("\n## ", heading.end());
        Matcher m = ROW.matcher(apiDoc.substring(heading.end(), end < 0 ? apiDoc.length() : end));
        Map<String, String> out = new TreeMap<>();
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    static Set<String> undocumented(Set<String> codes, String apiDoc) {
        Set<String> missing = new TreeSet<>(codes);
        missing.removeAll(documentedCodes(apiDoc).keySet());
        return missing;
    }

    /** README links the reference (a Markdown link to docs/API.md, with or without an anchor). */
    static boolean linksApiReference(String readme) {
        return Pattern.compile("\\]\\(docs/API\\.md(?:#[a-z0-9-]+)?\\)").matcher(readme).find();
    }

    /** Mentions of the internal contract: its file name, or section signs as it numbers them. */
    static List<String> contractCitations(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("SPEC|§").matcher(text);
        while (m.find()) {
            String line = "line " + (1 + text.substring(0, m.start()).chars().filter(ch -> ch == '\n').count());
            if (!out.contains(line)) {
                out.add(line);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ the repository

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> files(Path root, String suffix) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(p -> Files.isRegularFile(p) && p.toString().endsWith(suffix)).forEach(p -> out.put(p.toString(), read(p)));
        }
        return out;
    }

    @Test
    void everyErrorCodeTheServerAnswersIsInTheReferencesTable() throws IOException {
        Set<String> codes = codesIn(files(Path.of("src/main/java"), ".java"));
        // the scanner finds each way a code is written (if one stops matching, this says which)
        assertThat(codes).contains("invalid_field", "unknown_field", "topic_not_found", // ApiError and its factories
                "url_refused", "invalid_topic_name", // ApiError.badRequest
                "not_ready", "unavailable", "invalid_filter", "insufficient_storage", // Responses.error
                "too_many_connections", "request_timeout", // bodies written by hand
                "invalid_json", "json_too_deep", "bad_framing", // constants
                "http_version_not_supported", "internal_error", // picked by a switch
                "share_not_found", "principal_not_found"); // <kind>_not_found
        assertThat(codes).hasSizeGreaterThan(35);
        String doc = read(Path.of("docs/API.md"));
        assertThat(undocumented(codes, doc)).as("error codes the server answers that docs/API.md's table lacks").isEmpty();
    }

    @Test
    void theReferencesTableGivesEachCodeOnceWithAnHttpStatus() {
        String doc = read(Path.of("docs/API.md"));
        Map<String, String> rows = documentedCodes(doc);
        assertThat(rows).hasSizeGreaterThan(35);
        assertThat(rows.values()).allMatch(s -> s.charAt(0) >= '4' && s.charAt(0) <= '5', "a 4xx or 5xx status");
        Matcher m = ROW.matcher(doc);
        List<String> all = new ArrayList<>();
        while (m.find()) {
            all.add(m.group(1));
        }
        assertThat(all).as("codes listed twice").doesNotHaveDuplicates();
    }

    @Test
    void readmeLinksTheApiReference() {
        assertThat(linksApiReference(read(Path.of("README.md")))).as("README.md links docs/API.md").isTrue();
    }

    @Test
    void userFacingTextNeverCitesTheInternalContract() throws IOException {
        Map<String, String> texts = new TreeMap<>();
        texts.put("docs/API.md", read(Path.of("docs/API.md")));
        texts.put("README.md", read(Path.of("README.md")));
        texts.putAll(files(Path.of("etc"), ""));
        texts.putAll(files(Path.of("src/main/resources"), ""));
        // CLI help and messages: the string literals only (comments may name the contract)
        files(Path.of("src/main/java/dev/topics/cli"), ".java").forEach((file, text) -> {
            StringBuilder literals = new StringBuilder();
            Matcher m = STRING_LITERAL.matcher(text);
            while (m.find()) {
                literals.append(m.group()).append('\n');
            }
            texts.put(file + " (string literals)", literals.toString());
        });
        Map<String, List<String>> found = new TreeMap<>();
        texts.forEach((file, text) -> {
            List<String> c = contractCitations(text);
            if (!c.isEmpty()) {
                found.put(file, c);
            }
        });
        assertThat(texts).hasSizeGreaterThan(5);
        assertThat(found).as("user-facing text that cites the internal contract").isEmpty();
    }

    // ------------------------------------------------------------------ the checks can fail

    @Test
    void aCodeMissingFromTheTableIsReported() {
        Map<String, String> source = Map.of("Teapot.java", """
                throw new ApiError(418, "teapot_refused", "short and stout");
                throw ApiError.badRequest("bad_brew", "no");
                Responses.error(res, Status.OK_200.code(), "odd_status", "x");
                byte[] b = "{\\"error\\":{\\"code\\":\\"raw_body\\",\\"message\\":\\"m\\"}}".getBytes();
                static final String CODE = "framed_badly";
                static final String WHAT = "subscription";
                static final String NODE_ID = "node_id";
                """, "TeaException.java", """
                final class TeaException extends RuntimeException {
                    static final String STEEPED_TOO_LONG = "steeped_too_long";
                }
                """);
        assertThat(codesIn(source)).containsExactlyInAnyOrder("teapot_refused", "bad_brew", "odd_status", "raw_body",
                "framed_badly", "steeped_too_long");
        String doc = """
                ## 24. Error codes

                | code | status | meaning |
                |---|---|---|
                | `teapot_refused` | 418 | short and stout |
                | `bad_brew` | 400 | no |

                ## 25. After
                | `odd_status` | 200 | outside the section: does not count |
                """;
        assertThat(undocumented(codesIn(source), doc)).containsExactly("framed_badly", "odd_status", "raw_body",
                "steeped_too_long");
    }

    @Test
    void aSwitchPicksCodesOnlyInAFileThatWritesAnErrorBodyFromIt() {
        String picker = """
                String code = switch (type) { case A -> "picked_one"; default -> x ? "picked_two" : "picked_three"; };
                out.field("code", code);
                """;
        assertThat(codesIn(Map.of("T.java", picker))).containsExactlyInAnyOrder("picked_one", "picked_two", "picked_three");
        assertThat(codesIn(Map.of("A.java", "case READ -> \"read\";"))).isEmpty();
    }

    @Test
    void aReadmeWithoutTheLinkIsReported() {
        assertThat(linksApiReference("Every endpoint: see the API reference.")).isFalse();
        assertThat(linksApiReference("Every endpoint: docs/API.md")).isFalse();
        assertThat(linksApiReference("Every endpoint: [docs/API.md](docs/API.md).")).isTrue();
        assertThat(linksApiReference("[webhooks](docs/API.md#13-webhooks)")).isTrue();
    }

    @Test
    void aCitationOfTheContractIsReported() {
        assertThat(contractCitations("ok\nas SPEC.md says\nsee §4")).containsExactly("line 2", "line 3");
        assertThat(contractCitations("a specification, a spectrum")).isEmpty();
    }
}
