package dev.topics.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** SPEC §15 and §12: the dashboard page and its assets, served from the jar at {@code GET /}. */
class DashboardTest extends ServerTest {
    /** The page's ES modules (app.js imports the others). */
    static final List<String> MODULES = List.of("app.js", "api.js", "dom.js", "records.js", "panels.js", "charts.js");

    @Test
    void rootIsTheHtmlPageReferencingItsModuleScriptAndStylesheet() {
        Response r = http.get("/").expect(200);

        assertThat(r.header("Content-Type")).startsWith("text/html").contains("charset=utf-8");
        assertThat(r.text()).startsWith("<!doctype html>")
                .contains("<script type=\"module\" src=\"/dashboard/app.js\"></script>")
                .contains("href=\"/dashboard/style.css\"")
                .contains("id=\"token-input\"", "id=\"topics-table\"", "id=\"records\"", "data-test=\"caught-up-indicator\"",
                        "id=\"create-topic-form\"", "id=\"write-form\"", "id=\"delete-form\"", "id=\"config-form\"",
                        "id=\"routers-table\"");
        assertThat(r.header("Cache-Control")).isEqualTo("no-cache");
        assertThat(r.header("ETag")).matches("\"[0-9a-f]{24}\"");
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.header("Content-Security-Policy")).contains("script-src 'self'").doesNotContain("unsafe-inline");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({
            "/dashboard/app.js, text/javascript",
            "/dashboard/api.js, text/javascript",
            "/dashboard/dom.js, text/javascript",
            "/dashboard/records.js, text/javascript",
            "/dashboard/panels.js, text/javascript",
            "/dashboard/charts.js, text/javascript",
            "/dashboard/style.css, text/css",
            "/dashboard/index.html, text/html"})
    void assetsAreServedWithTheirContentTypes(String path, String type) throws IOException {
        Response r = http.get(path).expect(200);

        assertThat(r.header("Content-Type")).isEqualTo(type + "; charset=utf-8");
        assertThat(r.header("Cache-Control")).isEqualTo("no-cache");
        assertThat(r.bytes()).isEqualTo(resource(path.substring("/dashboard/".length())));
    }

    @Test
    void aMatchingIfNoneMatchIs304AndAStaleOneGetsTheFile() {
        String etag = http.get("/dashboard/app.js").expect(200).header("ETag");

        Response same = http.get("/dashboard/app.js", "If-None-Match", etag).expect(304);
        assertThat(same.bytes()).isEmpty();
        assertThat(same.header("ETag")).isEqualTo(etag);

        http.get("/dashboard/app.js", "If-None-Match", "\"0000\"").expect(200);
        assertThat(http.get("/dashboard/style.css").header("ETag")).isNotEqualTo(etag);
    }

    @Test
    void headAnswersWithoutABody() {
        Response r = http.send("HEAD", "/", java.net.http.HttpRequest.BodyPublishers.noBody()).expect(200);
        assertThat(r.header("Content-Type")).startsWith("text/html");
        assertThat(r.bytes()).isEmpty();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "/dashboard/nope.js",
            "/dashboard/APP.JS",
            "/dashboard/app.js.map",
            "/dashboard/DashboardService.class",
            "/dashboard/dev/topics/TopicsServer.class",
            "/dashboard/app.js/extra",
            "/dashboard/",
            "/dashboard",
            "/dashboard/%2e%2e%2fMETA-INF%2fMANIFEST.MF",
            "/dashboard/..%2f..%2fetc%2fpasswd",
            "/dashboard/%2E%2E",
            "/dashboard/.",
            "/dashboard/app.js%00.html",
            "/index.html",
            "/app.js"})
    void unknownFilesAre404WithTheErrorBody(String path) {
        Response r = http.get(path);

        r.assertError(404, "not_found");
        assertThat(r.text()).doesNotContain("import ", "<html", "package dev");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "/dashboard/../../etc/passwd",
            "/dashboard/../META-INF/MANIFEST.MF",
            "/dashboard/../dev/topics/TopicsServer.class",
            "/dashboard/./../pom.xml",
            "/dashboard/..\\..\\pom.xml"})
    void aLiteralTraversalNeverLeavesTheDashboardFolder(String path) {
        Response r = http.raw("GET " + path + " HTTP/1.1", new byte[0]);

        // Helidon may normalise the path before routing (then it is an ordinary unknown route)
        // or refuse it; either way it is SPEC §0's error body and no file from elsewhere.
        assertThat(r.status()).as("%s", r).isIn(400, 404);
        Http.assertErrorShape(r);
        assertThat(r.text()).doesNotContain("Manifest-Version", "root:", "<project", "import ");
    }

    @Test
    void theScriptsBuildTheDomWithoutHtmlParsing() throws IOException {
        StringBuilder all = new StringBuilder();
        for (String module : MODULES) {
            all.append(new String(resource(module), StandardCharsets.UTF_8));
        }
        String js = all.toString();
        assertThat(js).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                "new Function");
        assertThat(js).contains("textContent", "new EventSource(", "localStorage", "\"Authorization\"", "Bearer ",
                "\"X-Topic-Token\"");
        String html = new String(resource("index.html"), StandardCharsets.UTF_8);
        // the SVG namespace is a name (charts.js creates elements in it), never fetched
        String everything = (html + js + new String(resource("style.css"), StandardCharsets.UTF_8))
                .replace("\"http://www.w3.org/2000/svg\"", "");
        assertThat(everything)
                .as("everything is served from the jar: no CDN").doesNotContain("http://", "https://", "//cdn");
    }

    @Test
    void thePageAndAssetsNeedNoCredentialsEvenWhenAuthIsRequired(@TempDir Path other) {
        try (TestServer s = TestServer.startWithAuth(other)) {
            Http anon = s.http();
            assertThat(anon.put("/v0/topics/dash-auth", "{}").status()).as("auth is on").isEqualTo(401);

            assertThat(anon.get("/").expect(200).text()).contains("/dashboard/app.js", "id=\"token-input\"");
            anon.get("/dashboard/app.js").expect(200);
            anon.get("/dashboard/style.css").expect(200);
            anon.get("/dashboard/nope").assertError(404, "not_found");

            // the page's own API calls then carry the token
            s.http().withHeader("Authorization", "Bearer " + TestServer.ADMIN_TOKEN).put("/v0/topics/dash-auth", "{}").ok(201);
        }
    }

    @Test
    void theApiKeepsWorkingBesideTheDashboard() {
        http.get("/v0/node").ok();
        http.get("/v0/nope").assertError(404, "not_found");
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = DashboardService.class.getResourceAsStream("/dashboard/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
