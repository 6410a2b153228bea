package dev.topics.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Browser;
import dev.topics.testing.Http;
import dev.topics.testing.ServerTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard (SPEC §15) in a real headless Chromium, against a real server: the list
 * shows topics, the live view follows records written over HTTP, the forms write and
 * delete, and untrusted record data is shown as text. Screenshots of the main views go to
 * {@code target/screenshots/} (copies are kept in docs/).
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ServerTest.Setup(fixedPort = true) // a fixed port, so the page can reconnect after a restart
class DashboardBrowserTest extends ServerTest {
    static Browser browser;
    static final String TOPIC = "dash.orders";
    static final Duration WAIT = Duration.ofSeconds(10);

    @BeforeAll
    static void start() throws Exception {
        http.put("/v0/topics/" + TOPIC, "{}").ok(201);
        http.post("/v0/topics/" + TOPIC, "{\"records\": [{\"data\": {\"sku\": \"AEROPRESS-GO\", \"qty\": 1}, \"tag\": \"order-1\"}]}")
                .ok();
        browser = Browser.start(tmp, 1280, 900);
        browser.open("http://127.0.0.1:" + server.port() + "/");
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    static String row(String topic) {
        return "document.querySelector('[data-test=topic-row][data-topic=\"" + topic + "\"]')";
    }

    static String recordsText() {
        return "Array.from(document.querySelectorAll('[data-test=record-data]')).map(e => e.textContent).join('\\n')";
    }

    /** Types into a form field the way a user would (value + input event). */
    static void fill(String test, String value) throws Exception {
        browser.eval("(() => { const f = document.querySelector('[data-test=" + test + "]'); f.value = "
                + jsString(value) + "; f.dispatchEvent(new Event('input', {bubbles: true})); return true; })()");
    }

    static void click(String test) throws Exception {
        browser.eval("document.querySelector('[data-test=" + test + "]').click()");
    }

    static String jsString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'";
    }

    @Test
    @Order(1)
    void theListShowsTopicsAndOneMadeLater() throws Exception {
        browser.await(row(TOPIC) + " !== null", WAIT);
        http.put("/v0/topics/dash.later", "{}").ok(201);
        browser.await(row("dash.later") + " !== null", WAIT); // the list refreshes by itself
        assertThat((String) browser.eval(row(TOPIC) + ".textContent")).contains(TOPIC);
        browser.screenshot(Path.of("target/screenshots/dashboard-topics.png"));
    }

    @Test
    @Order(2)
    void theLiveViewShowsARecordWrittenOverHttp() throws Exception {
        browser.eval(row(TOPIC) + ".click()");
        browser.await("document.querySelector('[data-test=caught-up-indicator]').dataset.state === 'caught-up'", WAIT);
        assertThat((String) browser.eval(recordsText())).contains("AEROPRESS-GO");
        long t0 = System.nanoTime();
        http.post("/v0/topics/" + TOPIC, "{\"records\": [{\"data\": {\"marker\": \"curl-live-1\"}}]}").ok();
        browser.await(recordsText() + ".includes('curl-live-1')", WAIT);
        System.out.printf("a record written over HTTP was on screen after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        browser.await("document.querySelector('[data-test=caught-up-indicator]').dataset.state === 'caught-up'", WAIT);
        browser.screenshot(Path.of("target/screenshots/dashboard-topic.png"));
    }

    @Test
    @Order(3)
    void theWriteFormAppendsARecord() throws Exception {
        fill("write-data", "{\"marker\": \"from-the-form\", \"n\": 12345678901234567890}");
        fill("write-tag", "form-tag");
        click("write-submit");
        browser.await(recordsText() + ".includes('from-the-form')", WAIT);
        Http.Response r = http.post("/v0/topics/" + TOPIC + "/diff", "{\"from_seq\": 0}").ok();
        List<Object> records = r.list("records");
        Map<?, ?> last = (Map<?, ?>) records.getLast();
        assertThat(last.get("$tag")).isEqualTo("form-tag");
        assertThat(r.text()).contains("\"n\":12345678901234567890"); // exact digits, as typed
    }

    @Test
    @Order(4)
    void deletingByTagRemovesTheRecordsFromTheViewAndTheServer() throws Exception {
        http.post("/v0/topics/" + TOPIC, "{\"records\": [{\"data\": {\"marker\": \"doomed\"}, \"tag\": \"cancel-me\"}]}").ok();
        browser.await(recordsText() + ".includes('doomed')", WAIT);
        fill("delete-tag", "cancel-me");
        click("delete-submit");
        browser.await("!" + recordsText() + ".includes('doomed')", WAIT);
        assertThat(http.post("/v0/topics/" + TOPIC + "/diff", "{\"from_seq\": 0, \"limit\": 1000}").ok().text())
                .doesNotContain("doomed");
    }

    @Test
    @Order(5)
    void untrustedDataIsShownAsTextNeverRun() throws Exception {
        String evil = "<script>window.__pwned = 1</script><img src=x onerror=\\\"window.__pwned = 2\\\">";
        http.post("/v0/topics/" + TOPIC, "{\"records\": [{\"data\": {\"html\": \"" + evil + "\"}, \"tag\": \"<b>tag</b>\"}]}")
                .ok();
        browser.await(recordsText() + ".includes('<script>window.__pwned = 1</script>')", WAIT);
        assertThat(browser.eval("typeof window.__pwned")).isEqualTo("undefined");
        assertThat(browser.eval("document.querySelectorAll('[data-test=records] script, [data-test=records] img, "
                + "[data-test=records] b').length")).isEqualTo(0L);
        assertThat((String) browser.eval("document.querySelector('[data-test=records]').textContent")).contains("<b>tag</b>");
    }

    @Test
    @Order(6)
    void theLiveViewResumesAfterTheServerRestarts() throws Exception {
        browser.await("document.querySelector('[data-test=caught-up-indicator]').dataset.state === 'caught-up'", WAIT);
        server.restart();
        http.post("/v0/topics/" + TOPIC, "{\"records\": [{\"data\": {\"marker\": \"after-restart\"}}]}").ok();
        browser.await(recordsText() + ".includes('after-restart')", Duration.ofSeconds(20)); // EventSource retries in 2 s
        // resumed exactly: every seq on screen once
        assertThat(browser.eval("(() => { const s = Array.from(document.querySelectorAll('[data-test=record-row]'))"
                + ".map(r => r.dataset.seq); return s.length === new Set(s).size; })()")).isEqualTo(true);
    }
}
