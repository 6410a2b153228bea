package dev.topics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The command line without a server (SPEC §14): {@code --help} on every command, the bash
 * completion script, and usage errors — unknown commands and options, missing options,
 * bad choices, record data or filters that are not JSON — exiting 2 before anything is
 * sent; a server that cannot be reached exits 1.
 */
class CliUsageTest {
    /** Nothing listens here: any request would fail, so a usage error must come first. */
    private static final Cli NOWHERE = Cli.bare().env("TOPICS", "http://127.0.0.1:" + closedPort());

    private static int closedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every command path of the launcher: {@code serve}, {@code topics list}, … */
    private static List<List<String>> commandPaths() {
        Terminal t = new Terminal(Map.of(), System.in, new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()), false);
        List<List<String>> paths = new ArrayList<>();
        collect(ClientCommands.register(new CommandLine(new Main()), t), List.of(), paths);
        return paths;
    }

    private static void collect(CommandLine cl, List<String> path, List<List<String>> out) {
        cl.getSubcommands().forEach((name, sub) -> {
            List<String> p = new ArrayList<>(path);
            p.add(name);
            out.add(p);
            collect(sub, p, out);
        });
    }

    @Test
    void everyCommandHasHelpThatExitsZero() {
        List<List<String>> paths = commandPaths();
        assertThat(paths).extracting(p -> String.join(" ", p)).contains("serve", "topics list", "topics create",
                "write", "read", "tail", "delete-records", "routers create", "shares rotate", "principals add-token",
                "permissions delete", "webhooks deliveries", "completion");
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            Cli.Result r = NOWHERE.run(args.toArray(String[]::new));
            assertThat(r.code()).as(String.join(" ", args) + "\n" + r).isZero();
            assertThat(r.out()).as(String.join(" ", args)).startsWith("Usage: topics " + String.join(" ", path));
        }
    }

    @Test
    void theLauncherBuildsOnlyTheCommandItRuns() {
        Terminal t = new Terminal(Map.of(), System.in, new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()), false);
        assertThat(ClientCommands.registerFor(new CommandLine(new Main()), t, new String[] {"topics", "list"})
                .getSubcommands()).containsOnlyKeys("serve", "topics");
        int all = ClientCommands.register(new CommandLine(new Main()), t).getSubcommands().size();
        for (String[] args : List.of(new String[] {}, new String[] {"frobnicate"}, new String[] {"--version"},
                new String[] {"completion", "zsh"})) {
            assertThat(ClientCommands.registerFor(new CommandLine(new Main()), t, args).getSubcommands())
                    .as("unknown, none, or completion (made from every command): all").hasSize(all);
        }
    }

    @Test
    void progressFollowsWhatTheLauncherSaysOfStderrElseWhereStderrPoints() {
        String before = System.getProperty(Terminal.STDERR_TERMINAL);
        try {
            System.setProperty(Terminal.STDERR_TERMINAL, "true");
            assertThat(Terminal.system().interactive()).isTrue();
            System.setProperty(Terminal.STDERR_TERMINAL, "false");
            assertThat(Terminal.system().interactive()).isFalse();
            System.clearProperty(Terminal.STDERR_TERMINAL);
            assertThat(Terminal.system().interactive()).as("a test's stderr is a file or a pipe").isFalse();
        } finally {
            if (before != null) {
                System.setProperty(Terminal.STDERR_TERMINAL, before);
            }
        }
    }

    @Test
    void clientCommandsShowTheGlobalOptions() {
        Cli.Result r = NOWHERE.run("write", "--help");
        assertThat(r.out()).contains("--server=URL", "$TOPICS", "--token=TOKEN", "$TOPICS_TOKEN", "--json", "TOPIC",
                "[DATA...]");
        assertThat(NOWHERE.run("tail", "--help").out()).contains("--max=N", "for scripts and tests");
    }

    @Test
    void completionPrintsABashScript() {
        Cli.Result r = NOWHERE.run("completion");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("complete -o default -F _topics topics", "delete-records", "--public-read",
                "--dest-url");
    }

    @Test
    void noCommandOrAnUnknownOneIsAUsageError() {
        Cli.Result none = NOWHERE.run();
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("Usage: topics", "serve", "write", "tail");
        assertThat(NOWHERE.run("frobnicate").code()).isEqualTo(2);
        assertThat(NOWHERE.run("topics").code()).as("a group needs a subcommand").isEqualTo(2);
        assertThat(NOWHERE.run("read", "t", "--frobnicate").code()).isEqualTo(2);
    }

    @Test
    void missingOptionsAndArgumentsAreUsageErrors() {
        Cli.Result r = NOWHERE.run("topics", "get");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Missing the topic: give it as the NAME argument or as --name NAME");
        Cli.Result share = NOWHERE.run("shares", "list");
        assertThat(share.code()).isEqualTo(2);
        assertThat(share.err()).contains("Missing the topic: give it as the TOPIC argument or as --topic TOPIC");
        assertThat(NOWHERE.run("write").code()).isEqualTo(2);
        assertThat(NOWHERE.run("shares", "create", "--topic", "t").err()).contains("--access");
        Cli.Result dest = NOWHERE.run("routers", "create", "--name", "r", "--source", "a");
        assertThat(dest.code()).isEqualTo(2);
        assertThat(dest.err()).contains("--dest", "--dest-url");
        Cli.Result both = NOWHERE.run("routers", "create", "--name", "r", "--source", "a", "--dest", "b",
                "--dest-url", "http://elsewhere:4000");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
    }

    @Test
    void valuesOfTheWrongKindAreUsageErrors() {
        Cli.Result discard = NOWHERE.run("topics", "create", "--name", "t1", "--discard", "sideways");
        assertThat(discard.code()).isEqualTo(2);
        assertThat(discard.err()).contains("'sideways' is not one of old, new");
        assertThat(NOWHERE.run("read", "t1", "--limit", "many").code()).isEqualTo(2);
        assertThat(NOWHERE.run("shares", "create", "--topic", "t1", "--access", "all").code()).isEqualTo(2);
        assertThat(NOWHERE.run("permissions", "create", "--principal", "p", "--pattern", "a.>", "--actions", "read,write")
                .code()).isEqualTo(2);
        assertThat(NOWHERE.run("tail", "t1", "--max", "0").code()).isEqualTo(2);
        Cli.Result server = NOWHERE.run("topics", "list", "--server", "ftp://example.com");
        assertThat(server.code()).isEqualTo(2);
        assertThat(server.err()).contains("the server must be an http(s) URL");
    }

    @Test
    void recordDataThatIsNotJsonIsAUsageError() {
        Cli.Result arg = NOWHERE.run("write", "t1", "{\"ok\": 1}", "hello");
        assertThat(arg.code()).as(arg.toString()).isEqualTo(2);
        assertThat(arg.err()).contains("DATA 2 is not valid JSON");


        Cli.Result filter = NOWHERE.run("delete-records", "t1", "--match", "[tag");
        assertThat(filter.code()).isEqualTo(2);
        assertThat(filter.err()).contains("--match is not valid JSON");
        assertThat(NOWHERE.run("routers", "create", "--name", "r", "--source", "a", "--dest", "b", "--filter", "{")
                .code()).isEqualTo(2);
    }

    @Test
    void aBadStdinLineExitsOneNamingTheLineWithoutTheUsageText() {
        Cli.Result line = NOWHERE.stdin("{\"ok\": 1}\n\n[1, 2\n{}\n").run("write", "t1");
        assertThat(line.code()).as(line.toString()).isEqualTo(1);
        assertThat(line.out()).isEmpty();
        assertThat(line.err()).startsWith("topics: stdin line 3 is not valid JSON (")
                .endsWith("); nothing was written\n").doesNotContain("Usage:", "--help");
        assertThat(line.err().lines()).hasSize(1);

        byte[] latin1 = "1\n\"caf\u00e9\"\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Cli.Result utf8 = NOWHERE.stdin(latin1).run("write", "t1");
        assertThat(utf8.code()).as(utf8.toString()).isEqualTo(1);
        assertThat(utf8.err()).isEqualTo("topics: stdin line 2 is not valid UTF-8; nothing was written\n");
    }

    @Test
    void theTopicGivenTwiceDifferentlyIsAUsageError() {
        Cli.Result r = NOWHERE.run("topics", "get", "a", "--name", "b");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("The topic is given twice and differs: 'a' as the argument and 'b' as --name");
        Cli.Result share = NOWHERE.run("shares", "create", "a", "--topic", "b", "--access", "ro");
        assertThat(share.code()).isEqualTo(2);
        assertThat(share.err()).contains("'a' as the argument and 'b' as --topic");
    }

    @Test
    void theOldAndTheNewNameOfTheDeleteRangeTogetherAreAUsageError() {
        Cli.Result r = NOWHERE.run("delete-records", "t1", "--from", "3", "--from-seq", "3");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--from-seq is the old name of --from; give only --from");
        assertThat(NOWHERE.run("delete-records", "--help").out()).contains("--from=N", "--to=N", "N included")
                .doesNotContain("--from-seq", "--to-seq");
    }

    @Test
    void idempotencyKeysTooLongForTheBatchSuffixAreUsageErrors() {
        Cli.Result r = NOWHERE.run("write", "t1", "1", "--idempotency-key", "k".repeat(121));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--idempotency-key must be 1–120 bytes, not 121");
        assertThat(NOWHERE.run("read", "t1", "--all", "--json").code()).as("--json is one answer").isEqualTo(2);
    }

    @Test
    void deletingRecordsNeedsSomethingToMatch() {
        Cli.Result r = NOWHERE.run("delete-records", "t1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("say what to delete");
    }

    @Test
    void aServerThatCannotBeReachedExitsOne() {
        Cli.Result r = NOWHERE.run("topics", "list");
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).startsWith("topics: cannot reach http://127.0.0.1:").endsWith(" (connection refused)\n");
        assertThat(NOWHERE.run("write", "t1", "1").code()).isEqualTo(1);
        assertThat(NOWHERE.run("tail", "t1", "--from-seq", "0").code()).as("tail fails fast when it never got in")
                .isEqualTo(1);
    }
}
