package dev.topics.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Browser;
import dev.topics.testing.Http;
import dev.topics.testing.ServerTest;
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
 * delete, untrusted record data is shown as text, and the layout holds on a desktop
 * (1280×900) and a phone (390×844) screen with a long topic name and routers in every
 * state. Screenshots of both go to {@link DashboardPage#screenshot} (copies are kept in
 * docs/screenshots).
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ServerTest.Setup(fixedPort = true) // a fixed port, so the page can reconnect after a restart
class DashboardBrowserTest extends ServerTest {
    static Browser browser;
    static DashboardPage page;
    static final String TOPIC = "dash.orders";
    static final String LONG = "dash.orders.eu-west-1.fulfillment.warehouse-42.priority-high.backorders-and-returns";
    static final Duration WAIT = DashboardPage.WAIT;

    @BeforeAll
    static void start() throws Exception {
        http.put("/v0/topics/" + TOPIC, "{}").ok(201);
        http.post("/v0/topics/" + TOPIC, "{\"records\": [{\"data\": {\"sku\": \"AEROPRESS-GO\", \"qty\": 1}, \"tag\": \"order-1\"}]}")
                .ok();
        // a long name, a local router (running) and one to a server that is not there (retrying)
        http.put("/v0/topics/" + LONG, "{\"public_read\": true, \"public_publish\": true}").ok(201);
        http.post("/v0/topics/" + LONG, "{\"records\": [{\"data\": {\"note\": \"a record in a topic with a long name\"}}]}").ok();
        http.put("/v0/routers/orders-to-archive", "{\"source\": \"" + TOPIC + "\", \"dest\": \"dash.archive\"}").ok(201);
        http.put("/v0/routers/orders-to-eu-west-1-backorders-and-returns-mirror", "{\"source\": \"" + LONG
                + "\", \"dest_url\": \"http://127.0.0.1:9\", \"dest_topic\": \"" + LONG + "\"}").ok(201);
        browser = Browser.start(tmp, 1280, 900);
        page = new DashboardPage(browser);
        browser.open("http://127.0.0.1:" + server.port() + "/");
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    static String row(String topic) {
        return DashboardPage.row(topic);
    }

    static String recordsText() {
        return DashboardPage.recordsText();
    }

    static void fill(String test, String value) throws Exception {
        page.fill(test, value);
    }

    static void click(String test) throws Exception {
        page.click(test);
    }

    @Test
    @Order(1)
    void theListShowsTopicsAndOneMadeLater() throws Exception {
        browser.await(row(TOPIC) + " !== null", WAIT);
        http.put("/v0/topics/dash.later", "{}").ok(201);
        browser.await(row("dash.later") + " !== null", WAIT); // the list refreshes by itself
        assertThat((String) browser.eval(row(TOPIC) + ".textContent")).contains(TOPIC);
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

    /** Every column header of the tables on screen: shown whole, inside the viewport and its table's visible box. */
    static final String HEADER_PROBLEMS = """
            (() => {
              const out = [], vw = document.documentElement.clientWidth;
              for (const th of document.querySelectorAll('#topics-table th, #routers-table th, #admin-panel th')) {
                const r = th.getBoundingClientRect();
                const box = th.closest('.table-wrap').getBoundingClientRect();
                if (r.width < 8 || r.left < Math.max(0, box.left) - 0.5 || r.right > Math.min(vw, box.right) + 0.5) {
                  out.push('header ' + th.textContent + ' not in view (' + r.left + '..' + r.right + ')');
                }
                if (th.scrollWidth > th.clientWidth) out.push('header ' + th.textContent + ' is cut (' + th.scrollWidth + ' > ' + th.clientWidth + ')');
              }
              return out;
            })()""";

    /** On a phone each row is a card: every cell shows its column's name before its value. */
    static final String CARD_PROBLEMS = """
            (() => {
              const out = [];
              for (const td of document.querySelectorAll('#topics-table td, #routers-table td')) {
                const label = getComputedStyle(td, '::before').content;
                if (label !== JSON.stringify(td.dataset.label)) out.push('cell ' + td.textContent + ' shows no label: ' + label);
              }
              return out;
            })()""";

    static final String LAYOUT_PROBLEMS = DashboardPage.LAYOUT_PROBLEMS;

    @SuppressWarnings("unchecked")
    static List<String> problems(String probe) throws Exception {
        return (List<String>) browser.eval(probe);
    }

    void showTheLongTopicWithRoutersInEveryState() throws Exception {
        browser.eval("window.scrollTo(0, 0)");
        page.select(LONG);
        browser.await("document.querySelectorAll('[data-test=router-row]').length === 2", WAIT);
        browser.await("document.querySelector('[data-router^=orders-to-eu] [data-test=router-state]').textContent"
                + ".startsWith('retrying')", Duration.ofSeconds(15));
        browser.await("document.querySelector('[data-router=orders-to-archive] [data-test=router-state]').textContent"
                + ".startsWith('running')", WAIT);
        browser.await(recordsText() + ".includes('a record in a topic with a long name')", WAIT);
    }

    @Test
    @Order(7)
    void atADesktopSizeEveryColumnIsInViewAndNothingIsClipped() throws Exception {
        browser.viewport(1280, 900, false);
        showTheLongTopicWithRoutersInEveryState();

        assertThat(problems(HEADER_PROBLEMS)).isEmpty();
        assertThat(problems(LAYOUT_PROBLEMS)).isEmpty();
        // the long name is there whole (wrapped), not cut
        assertThat((String) browser.eval(row(LONG) + ".querySelector('td').textContent")).isEqualTo(LONG);
        assertThat(browser.eval("(() => { const b = document.querySelector('[data-router^=orders-to-eu] .badge');"
                + " return b.scrollWidth <= b.clientWidth && b.textContent === 'retrying'; })()")).isEqualTo(true);
        browser.screenshot(DashboardPage.screenshot("dashboard-desktop.png"));
    }

    @Test
    @Order(8)
    void onAPhoneRowsBecomeCardsAndNothingIsClipped() throws Exception {
        browser.viewport(390, 844, true);
        try {
            showTheLongTopicWithRoutersInEveryState();

            assertThat(problems(LAYOUT_PROBLEMS)).isEmpty();
            assertThat(problems(CARD_PROBLEMS)).isEmpty();
            assertThat(browser.eval("(() => { const b = document.querySelector('[data-router^=orders-to-eu] .badge');"
                    + " return b.scrollWidth <= b.clientWidth && b.textContent === 'retrying'"
                    + " && b.getBoundingClientRect().right <= document.documentElement.clientWidth; })()")).isEqualTo(true);
            browser.screenshot(DashboardPage.screenshot("dashboard-mobile.png"));
            browser.eval("document.querySelector('#routers-panel').scrollIntoView()");
            browser.screenshot(DashboardPage.screenshot("dashboard-mobile-routers.png"));
        } finally {
            browser.resetViewport();
        }
    }
}
