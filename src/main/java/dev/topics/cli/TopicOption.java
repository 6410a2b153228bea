package dev.topics.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The topic of commands on what belongs to a topic (shares, webhooks), a picocli mixin: the
 * first argument ({@code shares create orders}) or {@code --topic orders}, as scripts written
 * before the argument existed say it. Both given must agree; neither is a usage error.
 */
final class TopicOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TOPIC", description = "The topic (or --topic TOPIC).")
    String argument;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "The topic, as an option: the same as the TOPIC argument.")
    String option;

    /** The topic given, as the argument or the option. */
    String topic() {
        return either(mixee, argument, option, "--topic", "TOPIC");
    }

    /**
     * The one value given as the argument {@code label} or the option {@code optionName};
     * a usage error of {@code spec}'s command when neither is given, or both and they differ.
     */
    static String either(CommandSpec spec, String argument, String option, String optionName, String label) {
        if (argument == null && option == null) {
            throw new ParameterException(spec.commandLine(),
                    "Missing the topic: give it as the " + label + " argument or as " + optionName + " " + label);
        }
        if (argument != null && option != null && !argument.equals(option)) {
            throw new ParameterException(spec.commandLine(), "The topic is given twice and differs: '" + argument
                    + "' as the argument and '" + option + "' as " + optionName + "; give it once");
        }
        return argument != null ? argument : option;
    }
}
