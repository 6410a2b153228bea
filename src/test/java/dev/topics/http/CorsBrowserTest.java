package dev.topics.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.topics.testing.Browser;
import dev.topics.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * CORS in a real headless Chromium: pages served from other origins ({@code http://localhost:<port>}
 * of a small page server, while the API is {@code http://127.0.0.1:<port>}) open an
 * {@code EventSource} and make {@code fetch} calls. The browser, not this test, decides what
 * a page may read: an allowed origin follows records live, reads errors and exposed headers,
 * and is refused a method the path does not take; another origin reads nothing and writes
 * nothing through a preflight; with {@code *}, any origin reads, but never with credentials.
 */
@Timeout(120)
class CorsBrowserTest {
    static final Duration WAIT = Duration.ofSeconds(15);
    @TempDir
    static Path tmp;
    static HttpServer pages;
    static TestServer listed;
    static TestServer star;
    static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        pages = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        pages.createContext("/", ex -> {
            byte[] page = "<!doctype html><title>elsewhere</title><body>a page on another origin</body>"
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            ex.sendResponseHeaders(200, page.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(page);
            }
        });
        pages.start();
        listed = TestServer.builder(Files.createDirectories(tmp.resolve("listed")))
                .env("TOPICS_CORS_ALLOWED_ORIGINS", "http://localhost:" + pages.getAddress().getPort()).start();
        star = TestServer.builder(Files.createDirectories(tmp.resolve("star")))
                .env("TOPICS_CORS_ALLOWED_ORIGINS", "*").start();
        browser = Browser.start(tmp, 1024, 768);
    }

    @AfterAll
    static void stop() throws IOException {
        if (browser != null) {
            browser.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {listed, star}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IOException(e);
                }
            }
        }
        if (pages != null) {
            pages.stop(0);
        }
    }

    /**
     * Opens the page server's page under the origin {@code http://<host>:<port>} ({@code localhost}
     * is the origin {@code listed} allows, {@code 127.0.0.1} another), with {@code api} as its target.
     */
    static void openPage(String host, TestServer api) throws Exception {
        browser.open("http://" + host + ":" + pages.getAddress().getPort() + "/");
        browser.eval("window.api = '" + api.base() + "'; window.events = []; window.state = 'new'; true");
    }

    /** Starts an EventSource on {@code topic}; each record (JSON) goes to {@code events}, its fate to {@code state}. */
    static void watch(String topic, boolean withCredentials) throws Exception {
        browser.eval("(() => { const es = new EventSource(api + '/v0/topics/" + topic + "/watch?from_seq=0', "
                + "{withCredentials: " + withCredentials + "}); window.es = es;"
                + " es.onopen = () => { state = 'open'; };"
                + " es.onerror = () => { state = es.readyState === EventSource.CLOSED ? 'closed' : 'retrying'; };"
                + " es.addEventListener('record', e => JSON.parse(e.data).records.forEach(r => events.push(JSON.stringify(r)))); return true; })()");
    }

    /** Runs a fetch in the page: "status body" when the page may read the answer, else "refused <error name>". */
    static String fetch(String path, String init) throws Exception {
        return (String) browser.eval("fetch(api + '" + path + "', " + init + ")"
                + ".then(async r => r.status + ' ' + (r.headers.get('allow') || '-') + ' ' + await r.text())"
                + ".catch(e => 'refused ' + e.name)");
    }

    static final String POST_JSON = "{method: 'POST', headers: {'Content-Type': 'application/json'}, "
            + "body: JSON.stringify({records: [{data: {n: 1}}]})}";

    @Test
    void anAllowedOriginWritesReadsAndFollowsLive() throws Exception {
        openPage("localhost", listed);
        // JSON content type: the browser sends a preflight first, and the write only if it passes
        assertThat(fetch("/v0/topics/cors.live", POST_JSON)).startsWith("200 ").contains("\"seqs\"");
        watch("cors.live", false);
        browser.await("events.length === 1", WAIT);
        listed.http().post("/v0/topics/cors.live", "{\"records\": [{\"data\": {\"n\": 2}}]}").ok();
        browser.await("events.length === 2", WAIT); // live, not only the catch-up
        assertThat((String) browser.eval("events.join('\\n')")).contains("\"n\":1").contains("\"n\":2");
        assertThat((String) browser.eval("state")).isEqualTo("open");
        // an error body is readable, and so is an exposed header (a body-less POST is sent without a preflight)
        assertThat(fetch("/v0/topics/cors.nothing", "{}")).startsWith("404 - ").contains("topic_not_found");
        assertThat(fetch("/v0/topics", "{method: 'POST'}")).startsWith("405 GET, OPTIONS ").contains("method_not_allowed");
        // the preflight lists the path's methods: DELETE on /v0/topics never leaves the browser
        assertThat(fetch("/v0/topics", "{method: 'DELETE'}")).isEqualTo("refused TypeError");
        browser.eval("es.close(); true");
    }

    @Test
    void anAllowedOriginMaySendCredentials() throws Exception {
        openPage("localhost", listed);
        listed.http().post("/v0/topics/cors.creds", "{\"records\": [{\"data\": {\"n\": 1}}]}").ok();
        watch("cors.creds", true);
        browser.await("events.length === 1", WAIT);
        assertThat(fetch("/v0/node", "{credentials: 'include'}")).startsWith("200 ").contains("\"node_id\"");
        browser.eval("es.close(); true");
    }

    @Test
    void anotherOriginReadsNothingAndWritesNothing() throws Exception {
        listed.http().post("/v0/topics/cors.private", "{\"records\": [{\"data\": {\"n\": 1}}]}").ok();
        openPage("127.0.0.1", listed); // the same page server, but not the origin `listed` allows
        assertThat(fetch("/v0/node", "{}")).isEqualTo("refused TypeError");
        assertThat(fetch("/v0/topics/cors.private", POST_JSON)).isEqualTo("refused TypeError");
        watch("cors.private", false);
        browser.await("state === 'closed'", WAIT);
        assertThat(((Number) browser.eval("events.length")).intValue()).isZero();
        // the refused preflight kept the write from being sent at all
        assertThat(listed.http().get("/v0/topics/cors.private/diff?from_seq=0").list("records")).hasSize(1);
    }

    @Test
    void withStarAnyOriginReadsButNeverWithCredentials() throws Exception {
        star.http().post("/v0/topics/cors.any", "{\"records\": [{\"data\": {\"n\": 1}}]}").ok();
        openPage("127.0.0.1", star);
        assertThat(fetch("/v0/topics/cors.any", POST_JSON)).startsWith("200 ");
        watch("cors.any", false);
        browser.await("events.length === 2", WAIT);
        browser.eval("es.close(); window.events = []; window.state = 'new'; true");
        watch("cors.any", true); // a credentialed stream may not be read under *
        browser.await("state === 'closed'", WAIT);
        assertThat(((Number) browser.eval("events.length")).intValue()).isZero();
        assertThat(fetch("/v0/node", "{credentials: 'include'}")).isEqualTo("refused TypeError");
        assertThat(fetch("/v0/node", "{}")).startsWith("200 ");
    }
}
