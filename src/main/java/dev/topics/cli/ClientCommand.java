package dev.topics.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A command that talks to a server: the {@link Globals} options, the {@link Terminal}
 * (given by {@link ClientCommands}), and the two ways to print an answer — the server's
 * JSON as is with {@code --json}, else text for people. Failures are thrown: a
 * {@link Failure} exits 1, a {@link ParameterException} (see {@link #usage}) exits 2.
 */
abstract class ClientCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Globals globals;

    /** Set by {@link ClientCommands} as the command is made. */
    Terminal terminal;

    private Api api;

    /** Does the work; returns normally on success. */
    abstract void run();

    @Override
    public final Integer call() {
        run();
        terminal.out().flush();
        return 0;
    }

    Api api() {
        if (api == null) {
            api = globals.api(terminal, spec);
        }
        return api;
    }

    PrintWriter out() {
        return terminal.out();
    }

    /** A progress line for this command: shown only on a terminal's stderr, never with {@code --json}. */
    Progress progress() {
        return new Progress(terminal.err(), terminal.interactive() && !globals.json);
    }

    /** A usage error (exit 2) about this command. */
    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** A JSON option or argument, validated ({@code what} names it in the error). */
    byte[] jsonArg(String what, String text) {
        if (text == null) {
            return null;
        }
        try {
            return JsonTree.canonical(text);
        } catch (RuntimeException e) {
            throw usage(what + " is not valid JSON (" + e.getMessage() + ")");
        }
    }

    /** The answer: as is with {@code --json}, else {@code human} prints its parsed form. */
    void print(byte[] body, Consumer<Map<String, Object>> human) {
        if (globals.json) {
            out().println(new String(body, StandardCharsets.UTF_8));
        } else {
            human.accept(JsonTree.object(body));
        }
    }

    /** An answer that is one object: {@code key: value} lines for people. */
    void printObject(byte[] body) {
        print(body, o -> KeyValues.print(out(), o));
    }

    /** An answer that says something was done: {@code line} for people. */
    void printDone(byte[] body, String line) {
        print(body, o -> out().println(line));
    }

    /** An answer holding a list in {@code field}: a table for people, a row per element. */
    void printList(byte[] body, String field, Table table, Function<Map<String, Object>, Object[]> row) {
        print(body, o -> {
            if (o.get(field) instanceof List<?> list) {
                for (Object e : list) {
                    if (e instanceof Map<?, ?> m) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> element = (Map<String, Object>) m;
                        table.row(row.apply(element));
                    }
                }
            }
            table.print(out());
        });
    }
}
