package dev.topics.dashboard;

import dev.topics.testing.Browser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The dashboard as its browser tests see it: a {@link Browser} on the page plus the few
 * gestures the tests repeat (type into a field, click, select a topic) and the facts they
 * read back. Fields and buttons are found by their {@code data-test} names.
 */
final class DashboardPage {
    static final Duration WAIT = Duration.ofSeconds(10);

    final Browser browser;

    DashboardPage(Browser browser) {
        this.browser = browser;
    }

    /**
     * Where screenshots go: {@code target/screenshots}, or the folder named by the system
     * property {@code dashboard.screenshots} (README: {@code -Ddashboard.screenshots=docs/screenshots}
     * refreshes the copies kept in the repository).
     */
    static Path screenshot(String name) {
        return Path.of(System.getProperty("dashboard.screenshots", "target/screenshots"), name);
    }

    static String q(String test) {
        return "document.querySelector('[data-test=" + test + "]')";
    }

    static String row(String topic) {
        return "document.querySelector('[data-test=topic-row][data-topic=\"" + topic + "\"]')";
    }

    static String recordsText() {
        return "Array.from(document.querySelectorAll('[data-test=record-data]')).map(e => e.textContent).join('\\n')";
    }

    static String jsString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'";
    }

    /** Types into a form field the way a user would (value + input event). */
    void fill(String test, String value) throws Exception {
        browser.eval("(() => { const f = " + q(test) + "; f.value = " + jsString(value)
                + "; f.dispatchEvent(new Event('input', {bubbles: true})); return true; })()");
    }

    void click(String test) throws Exception {
        browser.eval(q(test) + ".click()");
    }

    void await(String condition) throws Exception {
        browser.await(condition, WAIT);
    }

    Object eval(String js) throws Exception {
        return browser.eval(js);
    }

    String text(String test) throws Exception {
        return (String) browser.eval(q(test) + ".textContent");
    }

    /** Selects a topic in the list and waits until its live view has caught up. */
    void select(String topic) throws Exception {
        await(row(topic) + " !== null");
        browser.eval(row(topic) + ".click()");
        await(q("topic-name") + ".textContent === " + jsString(topic));
        awaitState("caught-up");
    }

    void awaitState(String state) throws Exception {
        await(q("caught-up-indicator") + ".dataset.state === '" + state + "'");
    }

    void tab(String name) throws Exception {
        click("tab-" + name);
        await("!" + q("pane-" + name) + ".hidden");
    }

    /** The seqs of the record rows on screen, in order. */
    @SuppressWarnings("unchecked")
    List<Long> seqs() throws Exception {
        return (List<Long>) browser.eval("Array.from(document.querySelectorAll('[data-test=record-row]'))"
                + ".map(r => Number(r.dataset.seq))");
    }

    static String firstSeq() {
        return "Number(document.querySelector('[data-test=record-row]')?.dataset.seq)";
    }

    static String lastSeq() {
        return "Number(Array.from(document.querySelectorAll('[data-test=record-row]')).at(-1)?.dataset.seq)";
    }
}
