package dev.topics.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code topics completion [bash|zsh|fish]}: prints a completion script for every command,
 * option and choice, completing topic names from the server ({@link CompletionScripts}).
 * Without a shell: bash, as before zsh and fish were added.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a completion script for bash (the default), zsh or fish.",
                "It completes commands, options, their choices, and topic names (asked of the server).",
                "bash: source <(bin/topics completion bash), or save it in a bash_completion.d directory.",
                "zsh:  source <(bin/topics completion zsh) after compinit, or save it as _topics in $fpath.",
                "fish: bin/topics completion fish > ~/.config/fish/completions/topics.fish"},
        subcommands = CompletionCommand.TopicNames.class)
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SHELL", converter = Choices.Shell.class,
            completionCandidates = Choices.Shell.class, description = "bash, zsh or fish (default: bash).")
    String shell;

    @Override
    public Integer call() {
        CompletionScripts scripts = new CompletionScripts("topics", spec.root().commandLine());
        String script = switch (shell == null ? "bash" : shell) {
            case "zsh" -> scripts.zsh();
            case "fish" -> scripts.fish();
            default -> scripts.bash();
        };
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The names of the topics the caller can read, one a line: what the scripts offer. Hidden. */
    @Command(name = "topic-names", hidden = true, mixinStandardHelpOptions = true,
            description = "The topics' names, one a line (for the completion scripts).")
    static final class TopicNames extends ClientCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "PREFIX", description = "Only names starting with this.")
        String prefix;

        @Override
        void run() {
            byte[] body = api().get("v0/topics" + Api.query("prefix", prefix == null || prefix.isEmpty() ? null : prefix,
                    "limit", 1000));
            List<?> topics = JsonTree.object(body).get("topics") instanceof List<?> list ? list : List.of();
            for (Object t : topics) {
                if (t instanceof Map<?, ?> m && m.get("topic") instanceof String name) {
                    out().println(name);
                }
            }
        }
    }
}
