package dev.topics.cli;

import dev.topics.Main;
import dev.topics.testing.Http;
import dev.topics.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs the launcher's command line in-process, as {@code bin/topics} would run it — the same
 * root command, {@code serve} included — with a given environment and stdin, capturing
 * stdout, stderr and the exit code. Immutable; {@link #env} and {@link #stdin} give
 * variants.
 */
final class Cli {
    /** What one run left behind. */
    record Result(int code, String out, String err) {
        /** Stdout's lines, the last line break aside. */
        List<String> lines() {
            return out.lines().toList();
        }

        /** Stdout parsed as one JSON object. */
        Map<String, Object> json() {
            return Http.Json.obj(Http.Json.parse(out));
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Map<String, String> env;
    private final byte[] stdin;
    private final boolean interactive;

    private Cli(Map<String, String> env, byte[] stdin, boolean interactive) {
        this.env = Map.copyOf(env);
        this.stdin = stdin;
        this.interactive = interactive;
    }

    /** A client of {@code server}: {@code TOPICS} set to its URL (as it is now: a restart moves the port). */
    static Cli of(TestServer server) {
        return new Cli(Map.of("TOPICS", server.base().toString()), new byte[0], false);
    }

    /** A client with no environment at all. */
    static Cli bare() {
        return new Cli(Map.of(), new byte[0], false);
    }

    /** The same, with one more environment variable. */
    Cli env(String name, String value) {
        Map<String, String> e = new HashMap<>(env);
        e.put(name, value);
        return new Cli(e, stdin, interactive);
    }

    /** The same, with this text on stdin. */
    Cli stdin(String text) {
        return stdin(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The same, with these bytes on stdin (e.g. text that is not UTF-8). */
    Cli stdin(byte[] bytes) {
        return new Cli(env, bytes, interactive);
    }

    /** The same, as if stderr were a terminal. */
    Cli interactive() {
        return new Cli(env, stdin, true);
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        return run(out, err, args);
    }

    /** Runs with the caller's writers, e.g. to watch a long command's output as it comes. */
    Result run(StringWriter out, StringWriter err, String... args) {
        Terminal terminal = new Terminal(env, new ByteArrayInputStream(stdin),
                new PrintWriter(out, true), new PrintWriter(err, true), interactive);
        int code = ClientCommands.register(new CommandLine(new Main()), terminal)
                .setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
