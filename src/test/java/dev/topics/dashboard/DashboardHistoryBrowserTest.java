package dev.topics.dashboard;

import static dev.topics.dashboard.DashboardPage.firstSeq;
import static dev.topics.dashboard.DashboardPage.lastSeq;
import static dev.topics.dashboard.DashboardPage.q;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Browser;
import dev.topics.testing.ServerTest;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The record view's history in a real headless Chromium against a real server: the view
 * follows the newest 200 seqs; "Older" pages back with diff reads (skipping stretches left
 * empty by deletes); "Go to seq" and "Go to time" show a page from there, paused; "Newer"
 * pages forward and, at the head, follows live again.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardHistoryBrowserTest extends ServerTest {
    static final String TOPIC = "dash.pages";
    static Browser browser;
    static DashboardPage page;
    /** The first seq of the second write and its $ts (later than every record of the first write). */
    static long laterSeq;
    static long laterTs;

    static String records(int from, int to, String extra) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "{\"data\": {\"n\": " + i + extra + "}}")
                .collect(Collectors.joining(",", "{\"records\": [", "]}"));
    }

    static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @BeforeAll
    static void start() throws Exception {
        http.put("/v0/topics/" + TOPIC, "{}").ok(201);
        http.post("/v0/topics/" + TOPIC, records(1, 450, "")).ok();
        Thread.sleep(20); // the second write commits at a later millisecond
        laterSeq = http.post("/v0/topics/" + TOPIC, records(451, 460, ", \"later\": true")).ok().num("first_seq");
        laterTs = http.get("/v0/topics/" + TOPIC + "/diff?from_seq=" + (laterSeq - 1) + "&limit=1").ok().num("records.0.$ts");
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

    void jumpToSeq(long seq) throws Exception {
        page.fill("jump-seq", String.valueOf(seq));
        page.click("jump-seq-submit");
    }

    void jumpToTime(String text) throws Exception {
        page.fill("jump-time", text);
        page.click("jump-time-submit");
    }

    @Test
    @Order(1)
    void theViewFollowsTheNewest200AndOlderPagesBack() throws Exception {
        page.select(TOPIC);
        page.await(lastSeq() + " === 460");
        assertThat(page.seqs()).isEqualTo(range(261, 460));
        assertThat(page.text("page-status")).contains("showing #261–#460 (200)", "following live");

        page.click("page-older");
        page.await(firstSeq() + " === 161");
        assertThat(page.seqs()).isEqualTo(range(161, 460));
        page.awaitState("caught-up"); // still live

        // a record written now still arrives at the end
        http.post("/v0/topics/" + TOPIC, "{\"records\": [{\"data\": {\"n\": 461}}]}").ok();
        page.await(lastSeq() + " === 461");
        assertThat(page.seqs()).isEqualTo(range(161, 461));
    }

    @Test
    @Order(2)
    void olderSkipsStretchesThatDeletesEmptied() throws Exception {
        http.post("/v0/topics/" + TOPIC + "/delete", "{\"from_seq\": 20, \"to_seq\": 160}").ok();
        page.click("page-older");
        page.await(firstSeq() + " === 1");
        List<Long> expected = new java.util.ArrayList<>(range(1, 19));
        expected.addAll(range(161, 461));
        assertThat(page.seqs()).isEqualTo(expected);
        page.await(q("page-older") + ".disabled"); // nothing older
    }

    @Test
    @Order(3)
    void goToSeqShowsAPageFromThereAndNewerPagesOnToLive() throws Exception {
        jumpToSeq(170);
        page.await(firstSeq() + " === 170 && " + lastSeq() + " === 269");
        page.awaitState("paused");
        assertThat(page.seqs()).isEqualTo(range(170, 269));
        assertThat(page.text("page-status")).contains("paused");

        page.click("page-newer");
        page.await(lastSeq() + " === 369");
        assertThat(page.seqs()).isEqualTo(range(170, 369));

        // records written while paused are not streamed in; "Newer" reaches them and goes live
        http.post("/v0/topics/" + TOPIC, "{\"records\": [{\"data\": {\"n\": 462}}]}").ok();
        page.click("page-newer");
        page.await(lastSeq() + " === 462");
        page.awaitState("caught-up");
        http.post("/v0/topics/" + TOPIC, "{\"records\": [{\"data\": {\"n\": 463}}]}").ok();
        page.await(lastSeq() + " === 463");
        assertThat(page.seqs().getFirst()).isEqualTo(170L);
    }

    @Test
    @Order(4)
    void goToASeqThatIsGoneStartsAtTheEarliest() throws Exception {
        jumpToSeq(25); // deleted: the page starts at the next live record
        page.await(firstSeq() + " === 161");
        page.awaitState("paused");

        page.click("page-live"); // back to the newest 200, following
        page.awaitState("caught-up");
        page.await(firstSeq() + " === 264 && " + lastSeq() + " === 463");
    }

    @Test
    @Order(5)
    void goToTimeFindsTheFirstRecordWrittenAtOrAfterIt() throws Exception {
        jumpToTime(String.valueOf(laterTs)); // ms since the epoch
        page.await(firstSeq() + " === " + laterSeq);
        page.awaitState("caught-up"); // that page reaches the head: following live again
        page.await(lastSeq() + " === 463");
        assertThat(page.text("page-status")).contains("is #" + laterSeq);

        // the time as a record shows it (local time, to the millisecond)
        String shown = (String) browser.eval("document.querySelector('[data-test=record-row][data-seq=\"" + laterSeq
                + "\"] [data-test=record-ts]').textContent");
        assertThat(shown).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}");
        jumpToSeq(170); // away first, so the next jump has something to change
        page.await(firstSeq() + " === 170");
        jumpToTime(shown);
        page.await(firstSeq() + " === " + laterSeq);

        jumpToTime("2000-01-01 00:00");
        page.await(firstSeq() + " === 1");
        page.awaitState("paused");
    }

    @Test
    @Order(6)
    void aTimeAfterEveryRecordSaysSoAndFollowsLive() throws Exception {
        jumpToTime("2999-01-01T00:00:00Z");
        page.await(q("page-status") + ".textContent.includes('no record at or after')");
        page.awaitState("caught-up");
        page.await(lastSeq() + " === 463");
    }

    @Test
    @Order(7)
    void aTimeThatCannotBeReadIsRefusedInPlainWords() throws Exception {
        jumpToTime("yesterday");
        page.await("!" + q("error-bar") + ".hidden && " + q("error-bar") + ".textContent.includes('go to time')");
    }
}
