package dev.topics.dashboard;

import static dev.topics.dashboard.DashboardPage.q;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.topics.testing.Browser;
import dev.topics.testing.Http;
import dev.topics.testing.ServerTest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The topic view's tabs and the admin's panel in a real headless Chromium against a real
 * server (dev mode: the page acts as the admin): subscriptions with their lag, webhooks and
 * their deliveries (one to a receiver that answers 204, one to a port where nothing
 * listens), share tokens made and revoked from the page, principals and permissions, and
 * the live charts of writes per second and of router and subscription lag, compared with
 * what the server reports.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardViewsBrowserTest extends ServerTest {
    static final String TOPIC = "dash.views";
    static Browser browser;
    static DashboardPage page;
    static HttpServer receiver;
    static final AtomicInteger received = new AtomicInteger();
    static String goodHook;
    static String deadHook;

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            received.incrementAndGet();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();

        http.put("/v0/topics/" + TOPIC, "{}").ok(201);
        http.post("/v0/topics/" + TOPIC, "{\"records\": [{\"data\": {\"n\": 1}}, {\"data\": {\"n\": 2}}, {\"data\": {\"n\": 3}}]}")
                .ok();
        http.put("/v0/topics/" + TOPIC + "/subscriptions/billing", "{\"from_seq\": 1}").ok(201);
        http.put("/v0/topics/" + TOPIC + "/subscriptions/audit", "{\"from_seq\": 0, \"filter\": [\"tag\", \"Glob\", \"audit-*\"]}")
                .ok(201);
        goodHook = http.post("/v0/topics/" + TOPIC + "/webhooks", "{\"url\": \"http://127.0.0.1:"
                + receiver.getAddress().getPort() + "/hook\", \"from_seq\": 0}").ok(201).str("id");
        deadHook = http.post("/v0/topics/" + TOPIC + "/webhooks", "{\"url\": \"http://127.0.0.1:9/nobody-home\", \"from_seq\": 0}")
                .ok(201).str("id");
        http.put("/v0/routers/views-offsite", "{\"source\": \"" + TOPIC + "\", \"dest_url\": \"http://127.0.0.1:9\", "
                + "\"dest_topic\": \"offsite\"}").ok(201);
        http.post("/v0/principals", "{\"name\": \"ci-bot\"}").ok(201);
        http.post("/v0/permissions", "{\"principal\": \"*\", \"pattern\": \"secrets.>\", \"actions\": [\"read\"], "
                + "\"effect\": \"deny\"}").ok(201);
        browser = Browser.start(tmp, 1280, 900);
        page = new DashboardPage(browser);
        browser.open("http://127.0.0.1:" + server.port() + "/");
        page.select(TOPIC);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    static String cell(String rowTest, String key, String value, String cellTest) {
        return "document.querySelector('[data-test=" + rowTest + "][data-" + key + "=\"" + value + "\"] [data-test=" + cellTest
                + "]')?.textContent";
    }

    @Test
    @Order(1)
    void subscriptionsShowTheirCursorLagAndFilter() throws Exception {
        page.tab("subscriptions");
        page.await(cell("sub-row", "subscription", "billing", "sub-lag") + " === '2'");
        assertThat(page.eval(cell("sub-row", "subscription", "audit", "sub-lag"))).isEqualTo("3");
        assertThat((String) page.eval("document.querySelector('[data-subscription=audit]').textContent"))
                .contains("[\"tag\",\"Glob\",\"audit-*\"]");

        http.post("/v0/topics/" + TOPIC + "/subscriptions/billing/ack", "{\"seq\": 3}").ok();
        page.await(cell("sub-row", "subscription", "billing", "sub-lag") + " === '0'"); // the tab refreshes by itself
    }

    @Test
    @Order(2)
    void webhooksShowTheirStateAndDeliveriesSucceededOrFailing() throws Exception {
        page.tab("webhooks");
        page.await("document.querySelectorAll('[data-test=webhook-row]').length === 2");

        page.eval("document.querySelector('[data-webhook=\"" + goodHook + "\"] [data-test=webhook-deliveries]').click()");
        page.await(q("deliveries-webhook") + ".textContent === '" + goodHook + "'");
        page.await("document.querySelector('[data-test=delivery-row] [data-test=delivery-status]')?.textContent === 'succeeded'");
        Map<String, Object> first = Http.Json.obj(http.get("/v0/topics/" + TOPIC + "/webhooks/" + goodHook + "/deliveries").ok()
                .list("deliveries").getFirst());
        assertThat(page.eval("document.querySelector('[data-test=delivery-row]').dataset.delivery")).isEqualTo(first.get("id"));
        assertThat((String) page.eval("document.querySelector('[data-test=delivery-row]').textContent")).contains("#1–#3", "HTTP 204");
        assertThat(received.get()).isPositive();

        page.eval("document.querySelector('[data-webhook=\"" + deadHook + "\"] [data-test=webhook-deliveries]').click()");
        page.await(q("deliveries-webhook") + ".textContent === '" + deadHook + "'");
        page.await("document.querySelector('[data-test=delivery-row] [data-test=delivery-status]')?.textContent === 'pending'");
        page.await("Number(document.querySelector('[data-test=delivery-row] [data-test=delivery-attempts]').textContent) >= 1");
        String error = (String) page.eval("document.querySelector('[data-test=delivery-row] [data-test=delivery-error]').textContent");
        assertThat(error).isNotEqualTo("—").isEqualTo(Http.Json.obj(http.get("/v0/topics/" + TOPIC + "/webhooks/" + deadHook
                + "/deliveries").ok().list("deliveries").getFirst()).get("last_error"));
        browser.screenshot(DashboardPage.screenshot("dashboard-webhooks.png"));
    }

    @Test
    @Order(3)
    void aShareMadeInThePageShowsItsTokenOnceWorksAndCanBeRevoked() throws Exception {
        page.tab("shares");
        page.await(q("shares-note") + ".textContent === 'No share tokens.'");
        page.eval("document.querySelector('#pane-shares details').open = true");
        page.eval(q("share-access") + ".value = 'ro'");
        page.fill("share-label", "lobby screen");
        page.click("share-submit");
        page.await(q("share-token") + ".textContent.startsWith('tk_')");
        String token = page.text("share-token");
        page.await("document.querySelector('[data-test=share-row]')?.textContent.includes('lobby screen')");
        assertThat((String) page.eval(q("shares-table") + ".textContent")).doesNotContain(token);

        assertThat(Http.Json.obj(http.get("/v0/topics/" + TOPIC + "/shares").ok().list("shares").getFirst()))
                .containsEntry("access", "ro").containsEntry("label", "lobby screen");

        page.click("share-revoke");
        page.await("document.querySelector('[data-test=share-row]') === null");
        assertThat(http.get("/v0/topics/" + TOPIC + "/shares").ok().list("shares")).isEmpty(); // revoked on the server
    }

    @Test
    @Order(4)
    void principalsAndPermissionsAreListedForTheAdmin() throws Exception {
        page.await("document.querySelector('[data-test=principal-row][data-principal=ci-bot]') !== null");
        assertThat((String) page.eval("document.querySelector('[data-principal=ci-bot]').textContent")).contains("no", "1");
        page.await("document.querySelector('[data-test=permission-row]')?.textContent.includes('secrets.>')");
        assertThat((String) page.eval("document.querySelector('[data-test=permission-row]').textContent"))
                .contains("*", "read", "deny");
    }

    static String chart(String series) {
        return "document.querySelector('[data-test=chart][data-series=\"" + series + "\"]')";
    }

    static String lastValue(String series, int line) {
        return "Number(" + chart(series) + "?.dataset.last.split(',')[" + line + "])";
    }

    @Test
    @Order(5)
    void chartsDrawTheWriteRateAndTheLagOfRoutersAndSubscriptionsFromTheServersNumbers() throws Exception {
        page.tab("charts");
        page.await(chart("writes") + " !== null");
        // writes over a few samples: records/s (from head_seq) goes above zero
        Thread writer = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < 12; i++) {
                http.post("/v0/topics/" + TOPIC, "{\"records\": [{\"data\": {\"burst\": " + i + "}}, {\"data\": {\"burst\": " + i
                        + "}}]}").ok();
                try {
                    Thread.sleep(400);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        page.browser.await(lastValue("writes", 1) + " > 0", Duration.ofSeconds(15));
        writer.join();

        // once writes stop, the charts settle on exactly what the server reports
        long writes1m = http.get("/v0/topics/" + TOPIC + "/stats").ok().num("activity.writes_1m");
        assertThat(writes1m).isGreaterThanOrEqualTo(13);
        page.browser.await("Math.abs(" + lastValue("writes", 0) + " - " + writes1m + " / 60) < 1e-9", Duration.ofSeconds(15));
        long routerLag = http.get("/v0/routers/views-offsite").ok().num("lag");
        assertThat(routerLag).isEqualTo(24); // the router started at the head; every burst record is behind
        page.browser.await(lastValue("router:views-offsite", 0) + " === " + routerLag, Duration.ofSeconds(15));
        long subLag = http.get("/v0/topics/" + TOPIC + "/subscriptions/audit").ok().num("lag");
        page.browser.await(lastValue("sub:audit", 0) + " === " + subLag, Duration.ofSeconds(15));
        page.browser.await(lastValue("sub:billing", 0) + " === 24", Duration.ofSeconds(15));

        // each is drawn: a line of several points, labelled for screen readers
        page.await("Number(" + chart("router:views-offsite") + ".dataset.points) >= 3");
        @SuppressWarnings("unchecked")
        List<String> points = (List<String>) page.eval("Array.from(" + chart("writes")
                + ".querySelectorAll('polyline')).map(p => p.getAttribute('points'))");
        assertThat(points).hasSize(2).allSatisfy(p -> assertThat(p.split(" ")).hasSizeGreaterThanOrEqualTo(3));
        assertThat((String) page.eval(chart("sub:audit") + ".querySelector('svg').getAttribute('aria-label')"))
                .startsWith("Subscription lag: audit: lag (records) " + subLag);
        browser.screenshot(DashboardPage.screenshot("dashboard-charts.png"));
    }

    @Test
    @Order(6)
    void theTabsWorkFromTheKeyboard() throws Exception {
        page.eval(q("tab-charts") + ".focus()");
        page.eval(q("tab-charts") + ".dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true}))");
        page.await("document.activeElement === " + q("tab-subscriptions") + " && !" + q("pane-subscriptions") + ".hidden");
        assertThat(page.eval(q("pane-charts") + ".hidden")).isEqualTo(true);
        assertThat(page.eval(q("tab-subscriptions") + ".getAttribute('aria-selected')")).isEqualTo("true");
        page.eval(q("tab-subscriptions") + ".dispatchEvent(new KeyboardEvent('keydown', {key: 'Home', bubbles: true}))");
        page.await("!" + q("pane-records") + ".hidden");
    }

    @Test
    @Order(7)
    void everyTabHoldsItsLayoutOnADesktopAndOnAPhone() throws Exception {
        page.tab("webhooks");
        page.eval("document.querySelector('[data-webhook=\"" + deadHook + "\"] [data-test=webhook-deliveries]').click()");
        page.await("document.querySelector('[data-test=delivery-row]') !== null");
        for (boolean phone : new boolean[] {false, true}) {
            browser.viewport(phone ? 390 : 1280, phone ? 844 : 900, phone);
            try {
                for (String tab : List.of("records", "charts", "subscriptions", "webhooks", "shares")) {
                    page.tab(tab);
                    assertThat(page.layoutProblems()).as("%s on a %s", tab, phone ? "phone" : "desktop").isEmpty();
                }
                if (phone) {
                    page.tab("charts");
                    page.eval("document.getElementById('topic-tabs').scrollIntoView()");
                    browser.screenshot(DashboardPage.screenshot("dashboard-mobile-charts.png"));
                }
            } finally {
                browser.resetViewport();
            }
        }
    }
}
