package dev.topics.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the client commands see of their process: the environment ({@code TOPICS},
 * {@code TOPICS_TOKEN}), stdin, stdout and stderr (UTF-8), and whether stderr is a terminal
 * (progress lines are for people only, and go there even when stdin and stdout are files:
 * {@code write < big.jsonl}, {@code read --all > dump.jsonl}). Tests make one with their own
 * streams and map.
 *
 * @param env         environment variables
 * @param in          standard input (JSON lines for {@code write})
 * @param out         standard output
 * @param err         standard error
 * @param interactive whether stderr is a terminal
 */
public record Terminal(Map<String, String> env, InputStream in, PrintWriter out, PrintWriter err, boolean interactive) {

    /** Set by bin/topics ({@code -Dtopics.stderr.terminal=true|false}: the shell's {@code [[ -t 2 ]]}). */
    static final String STDERR_TERMINAL = "topics.stderr.terminal";

    /** This process's environment and standard streams. */
    public static Terminal system() {
        return new Terminal(System.getenv(), System.in,
                new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true),
                new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true),
                stderrIsTerminal());
    }

    /**
     * Java cannot ask whether one stream is a terminal ({@code Console.isTerminal} is about stdin
     * and stdout together), so: what the launcher says, else, on Linux, where fd 2 points.
     */
    private static boolean stderrIsTerminal() {
        String said = System.getProperty(STDERR_TERMINAL);
        if (said != null) {
            return Boolean.parseBoolean(said);
        }
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }
}
