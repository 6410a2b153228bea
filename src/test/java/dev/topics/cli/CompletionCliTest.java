package dev.topics.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.topics.testing.ServerTest;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code topics completion bash|zsh|fish}: each script is accepted by its shell
 * ({@code bash -n}, {@code zsh -n}, {@code fish --no-execute}), and completes commands,
 * options, choices and — from a real server, through a real launcher process named
 * {@code topics} on PATH — topic names. bash always runs; zsh and fish run where installed
 * (skipped, and said so, where not). zsh's {@code compadd} works only inside its completion
 * system, so the zsh test defines a {@code compadd} that prints what it is given.
 */
@Timeout(180)
@ServerTest.Setup(memory = true)
class CompletionCliTest extends ServerTest {
    @TempDir
    static Path dir;
    static Path bin;
    static String prefix;

    @BeforeAll
    static void launcherAndTopics() throws IOException {
        bin = Files.createDirectories(dir.resolve("bin"));
        Path launcher = bin.resolve("topics");
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Files.writeString(launcher, "#!/bin/sh\nexec '" + java + "' -Xshare:auto -XX:TieredStopAtLevel=1 -cp '"
                + System.getProperty("java.class.path") + "' dev.topics.Main \"$@\"\n");
        assertThat(launcher.toFile().setExecutable(true)).isTrue();
        prefix = dev.topics.testing.TestServer.uniqueTopic("cmpl");
        for (String t : List.of(prefix + ".orders", prefix + ".orders-eu", prefix + "x.alerts")) {
            http.put("/v0/topics/" + t, "{}").ok(201);
        }
    }

    private static boolean installed(String shell) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, shell))) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code command} with the launcher first on PATH and TOPICS set; returns stdout, asserting exit 0. */
    private static String sh(List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(false);
            Map<String, String> env = pb.environment();
            env.put("PATH", bin + File.pathSeparator + env.getOrDefault("PATH", "/usr/bin:/bin"));
            env.put("TOPICS", server.base().toString());
            env.put("HOME", dir.toString()); // fish keeps its history and config under HOME
            Path err = Files.createTempFile(dir, "err", ".txt");
            pb.redirectError(err.toFile());
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(command + "\n" + out + Files.readString(err)).isZero();
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Path script(String shell) throws IOException {
        Cli.Result r = Cli.bare().run("completion", shell);
        assertThat(r.code()).as(r.toString()).isZero();
        Path file = dir.resolve("topics." + shell);
        Files.writeString(file, r.out());
        return file;
    }

    @Test
    void everyShellGetsAScriptItsShellAccepts() throws IOException {
        assertThat(Cli.bare().run("completion").out()).as("bash is the default").isEqualTo(Cli.bare()
                .run("completion", "bash").out());
        Cli.Result tcsh = Cli.bare().run("completion", "tcsh");
        assertThat(tcsh.code()).isEqualTo(2);
        assertThat(tcsh.err()).contains("'tcsh' is not one of bash, zsh, fish");

        Path bash = script("bash");
        assertThat(Files.readString(bash)).contains("complete -o default -F _topics topics", "delete-records",
                "--idempotency-key", "__topics_choices_root__topics__create___discard='old new'")
                .doesNotContain("topic-names'", "--from-seq --to-seq");
        sh(List.of("bash", "-n", bash.toString()));

        Path zsh = script("zsh");
        assertThat(Files.readString(zsh)).startsWith("#compdef topics\n").contains("compdef _topics topics");
        Path fish = script("fish");
        assertThat(Files.readString(fish)).contains("complete -c topics -f -a '(__topics_complete)'");
        if (installed("zsh")) {
            sh(List.of("zsh", "-n", zsh.toString()));
        }
        if (installed("fish")) {
            sh(List.of("fish", "--no-execute", fish.toString()));
        }
    }

    @Test
    void bashCompletesCommandsOptionsChoicesAndTopicNames() throws IOException {
        Path script = script("bash");
        String run = "source '" + script + "'\n"
                + "t() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _topics;"
                + " printf '%s|' \"${COMPREPLY[@]}\"; echo; }\n"
                + "t topics ''\n"
                + "t topics topics ''\n"
                + "t topics topics create --dis\n"
                + "t topics topics create --discard ''\n"
                + "t topics topics get " + prefix + ".\n"
                + "t topics write " + prefix + "\n"
                + "t topics shares create --access r --topic " + prefix + ".orders-\n"
                + "t topics completion ''\n";
        List<String> lines = sh(List.of("bash", "-c", run)).lines().toList();
        assertThat(lines).hasSize(8);
        assertThat(lines.get(0).split("\\|")).contains("serve", "topics", "write", "read", "tail", "delete-records",
                "completion");
        assertThat(lines.get(1)).isEqualTo("list|get|create|update|delete|stats|");
        assertThat(lines.get(2)).isEqualTo("--discard|");
        assertThat(lines.get(3)).isEqualTo("old|new|");
        assertThat(lines.get(4)).as("topic names from the server").isEqualTo(prefix + ".orders|" + prefix + ".orders-eu|");
        assertThat(lines.get(5)).isEqualTo(prefix + ".orders|" + prefix + ".orders-eu|" + prefix + "x.alerts|");
        assertThat(lines.get(6)).isEqualTo(prefix + ".orders-eu|");
        assertThat(lines.get(7)).isEqualTo("bash|zsh|fish|");
    }

    @Test
    void zshCompletesCommandsChoicesAndTopicNames() throws IOException {
        assumeTrue(installed("zsh"), "zsh is not installed here");
        Path script = script("zsh");
        String run = "compdef() { :; }\n"
                + "compadd() { [[ $1 == -- ]] && shift; print -r -- \"${(j:|:)@}\"; }\n"
                + "_files() { print -r -- '<files>'; }\n"
                + "source '" + script + "'\n"
                + "t() { local -a words; words=(\"$@\"); CURRENT=$#; _topics; }\n"
                + "t topics topics ''\n"
                + "t topics topics update --durability ''\n"
                + "t topics read " + prefix + ".\n"
                + "t topics webhooks list --topic " + prefix + "x\n";
        List<String> lines = sh(List.of("zsh", "-f", "-c", run)).lines().toList();
        assertThat(lines).containsExactly("list|get|create|update|delete|stats", "fsync|async",
                prefix + ".orders|" + prefix + ".orders-eu", prefix + "x.alerts");
    }

    @Test
    void fishCompletesCommandsChoicesAndTopicNames() throws IOException {
        assumeTrue(installed("fish"), "fish is not installed here");
        Path script = script("fish");
        String run = "source '" + script + "'\n"
                + "complete -C 'topics topics ' | string join '|'\n"
                + "complete -C 'topics topics create --discard ' | string join '|'\n"
                + "complete -C 'topics tail " + prefix + ".' | string join '|'\n"
                + "complete -C 'topics routers create --source " + prefix + "x' | string join '|'\n"
                + "true # string join fails when it had one item to join\n";
        List<String> lines = sh(List.of("fish", "--no-config", "-c", run)).lines().toList();
        assertThat(lines).containsExactly("create|delete|get|list|stats|update", "new|old",
                prefix + ".orders|" + prefix + ".orders-eu", prefix + "x.alerts");
    }
}
