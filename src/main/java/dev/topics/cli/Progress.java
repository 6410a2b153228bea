package dev.topics.cli;

import java.io.PrintWriter;

/**
 * A progress line on stderr for a long {@code write} or {@code read}: rewritten in place
 * ({@code \r}) as the work goes on, and wiped before anything else is printed. Off unless
 * stderr is a terminal, and off with {@code --json}: scripts and pipes never see it.
 */
final class Progress {
    private final PrintWriter err;
    private final boolean on;
    private int width;

    Progress(PrintWriter err, boolean on) {
        this.err = err;
        this.on = on;
    }

    /** Shows {@code line} in place of the last one. */
    void show(String line) {
        if (!on) {
            return;
        }
        String text = "\rtopics: " + line;
        int pad = Math.max(0, width - text.length());
        err.print(text + " ".repeat(pad));
        width = text.length();
        err.flush();
    }

    /** Wipes the line, if one was shown. */
    void clear() {
        if (width > 0) {
            err.print("\r" + " ".repeat(width) + "\r");
            err.flush();
            width = 0;
        }
    }
}
