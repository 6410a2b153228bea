package dev.topics.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Browser;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard's token field on a server with auth required (SPEC §11), in a real
 * headless Chromium: a pasted share token ({@code tk_…}) is sent as {@code X-Topic-Token}
 * and opens its topic; a principal's token is sent as Bearer; the admin's views
 * (principals, permissions) say they are not available to other tokens and fill for the
 * admin.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ServerTest.Setup(auth = true)
class DashboardAuthBrowserTest extends ServerTest {
    static final String TOPIC = "shared.room";
    static Browser browser;
    static DashboardPage page;
    static String shareToken;
    static String botToken;

    @BeforeAll
    static void start() throws Exception {
        admin.put("/v0/topics/" + TOPIC, "{}").ok(201);
        admin.put("/v0/topics/private.room", "{}").ok(201);
        admin.post("/v0/topics/" + TOPIC, "{\"records\": [{\"data\": {\"msg\": \"hello through a share\"}}]}").ok();
        shareToken = admin.post("/v0/topics/" + TOPIC + "/shares", "{\"access\": \"ro\", \"label\": \"wall screen\"}").ok(201)
                .str("token");
        botToken = principal("ci-bot");
        admin.post("/v0/permissions", "{\"principal\": \"ci-bot\", \"pattern\": \"shared.>\", \"actions\": [\"read\"]}").ok(201);
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

    void useToken(String token) throws Exception {
        page.fill("token-input", token);
        page.click("token-save");
    }

    @Test
    @Order(1)
    void withoutATokenNothingPrivateIsShown() throws Exception {
        page.await(DashboardPage.q("topics-note") + ".textContent === 'No topics yet.'"); // anonymous: public topics only
        page.await(DashboardPage.q("error-bar") + ".dataset.status === '401'"); // GET /v0/node needs a credential
        assertThat(browser.eval("document.querySelectorAll('[data-test=topic-row]').length")).isEqualTo(0L);
    }

    @Test
    @Order(2)
    void aPastedShareTokenIsSentAsXTopicTokenAndOpensItsTopic() throws Exception {
        assertThat(shareToken).startsWith("tk_");
        useToken(shareToken);
        assertThat(page.text("token-kind")).isEqualTo("sent as X-Topic-Token (share)");

        page.select(TOPIC);
        page.await(DashboardPage.recordsText() + ".includes('hello through a share')");
        // the share's one topic only, and no "bearer token not valid" anywhere
        assertThat(browser.eval("Array.from(document.querySelectorAll('[data-test=topic-row]')).map(r => r.dataset.topic)"))
                .isEqualTo(java.util.List.of(TOPIC));
        assertThat((String) browser.eval("document.body.textContent")).doesNotContain("bearer token is not valid");
        // the admin's views say why they are empty, without breaking the page
        page.await(DashboardPage.q("principals-note") + ".textContent.includes('Not available with this token')");
        assertThat(page.text("node-id")).startsWith("n-");
    }

    @Test
    @Order(3)
    void aShareTokenThatIsNotValidIsRefusedAsATopicToken() throws Exception {
        useToken("tk_not-a-real-token");
        page.await(DashboardPage.q("topics-note") + ".textContent.includes('topic token is not valid')");
    }

    @Test
    @Order(4)
    void aPrincipalTokenIsSentAsBearerAndSeesWhatItsPermissionAllows() throws Exception {
        useToken(botToken);
        assertThat(page.text("token-kind")).isEqualTo("sent as Bearer");
        page.await(DashboardPage.row(TOPIC) + " !== null");
        assertThat(browser.eval(DashboardPage.row("private.room"))).isNull();
        page.await(DashboardPage.q("permissions-note") + ".textContent.includes('403')");
    }

    @Test
    @Order(5)
    void aPrincipalTokenAndAShareTokenTogetherSendBothHeaders() throws Exception {
        String privateShare = admin.post("/v0/topics/private.room/shares", "{\"access\": \"ro\"}").ok(201).str("token");
        useToken(botToken + " " + privateShare);
        assertThat(page.text("token-kind")).isEqualTo("sent as Bearer + X-Topic-Token (share)");
        // the bot's permission shows shared.room, the share private.room
        page.await(DashboardPage.row("private.room") + " !== null && " + DashboardPage.row(TOPIC) + " !== null");
    }

    @Test
    @Order(6)
    void theAdminTokenShowsPrincipalsPermissionsAndShares() throws Exception {
        useToken(TestServer.ADMIN_TOKEN);
        page.await("document.querySelector('[data-test=principal-row][data-principal=ci-bot]') !== null");
        page.await("document.querySelector('[data-test=permission-row]')?.textContent.includes('shared.>')");
        assertThat((String) browser.eval("document.querySelector('[data-test=permission-row]').textContent"))
                .contains("ci-bot", "read", "allow");
        page.select(TOPIC);
        page.tab("shares");
        page.await("document.querySelector('[data-test=share-row]')?.textContent.includes('wall screen')");
        assertThat((String) browser.eval("document.querySelector('[data-test=shares-table]').textContent"))
                .doesNotContain(shareToken); // values are never listed
    }
}
