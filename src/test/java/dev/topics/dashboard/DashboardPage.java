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

    /**
     * What is wrong with the layout, as sentences (none: it holds): the page wider than the
     * viewport, a table that scrolls sideways, a cell, header or badge whose text is clipped
     * (scrollWidth over clientWidth) or that reaches past the viewport or its table's
     * visible box.
     */
    static final String LAYOUT_PROBLEMS = """
            (() => {
              const out = [];
              const doc = document.documentElement, vw = doc.clientWidth;
              if (doc.scrollWidth > vw) out.push('the page is ' + doc.scrollWidth + 'px wide in a ' + vw + 'px viewport');
              const shown = (e) => e.getClientRects().length > 0 && e.closest('[hidden]') === null;
              const name = (e) => (e.dataset.test || e.dataset.label || e.className || e.tagName) + ' "' + e.textContent.trim().slice(0, 30) + '"';
              for (const w of document.querySelectorAll('.table-wrap')) {
                if (shown(w) && w.scrollWidth > w.clientWidth) out.push('a table scrolls sideways: ' + w.scrollWidth + ' > ' + w.clientWidth);
              }
              for (const e of document.querySelectorAll('td, .badge, h2, .tabs [role=tab], .pager button, .pager input')) {
                if (!shown(e)) continue;
                const r = e.getBoundingClientRect();
                if (r.left < -0.5 || r.right > vw + 0.5) out.push(name(e) + ' reaches past the viewport (' + r.left + '..' + r.right + ')');
                if (e.scrollWidth > e.clientWidth + 1) out.push(name(e) + ' is clipped (' + e.scrollWidth + ' > ' + e.clientWidth + ')');
                const box = e.closest('.table-wrap')?.getBoundingClientRect();
                if (box && (r.left < box.left - 0.5 || r.right > box.right + 0.5)) out.push(name(e) + " is outside its table's visible box");
              }
              return out;
            })()""";

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

    /** {@link #LAYOUT_PROBLEMS} on the page as it is now. */
    @SuppressWarnings("unchecked")
    List<String> layoutProblems() throws Exception {
        return (List<String>) browser.eval(LAYOUT_PROBLEMS);
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
