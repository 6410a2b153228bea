package dev.topics.cli;

import picocli.CommandLine.Option;

/** The {@code --topic} of commands on what belongs to a topic (shares, webhooks): a picocli mixin. */
final class TopicOption {
    @Option(names = "--topic", paramLabel = "TOPIC", required = true, description = "The topic.")
    String topic;
}
