package dev.topics.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code topics completion}: prints a bash completion script for every command. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a bash completion script for topics.",
                "Use: source <(bin/topics completion), or save it in your bash_completion.d."})
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(AutoComplete.bash("topics", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
