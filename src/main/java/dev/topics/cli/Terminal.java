package dev.topics.cli;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What the client commands see of their process: the environment ({@code TOPICS},
 * {@code TOPICS_TOKEN}), stdin, stdout and stderr (UTF-8), and whether a person is watching
 * (progress lines are for terminals only). Tests make one with their own streams and map.
 *
 * @param env         environment variables
 * @param in          standard input (JSON lines for {@code write})
 * @param out         standard output
 * @param err         standard error
 * @param interactive whether the process runs on a terminal
 */
public record Terminal(Map<String, String> env, InputStream in, PrintWriter out, PrintWriter err, boolean interactive) {

    /** This process's environment and standard streams. */
    public static Terminal system() {
        return new Terminal(System.getenv(), System.in,
                new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true),
                new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true),
                System.console() != null);
    }
}
