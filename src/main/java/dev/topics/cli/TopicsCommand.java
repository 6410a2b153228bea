package dev.topics.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code topics topics …}: list, show, create, change and delete topics, and a topic's stats */
@Command(name = "topics", mixinStandardHelpOptions = true, description = "List, show, create, update and delete topics.",
        subcommands = {TopicsCommand.List.class, TopicsCommand.Get.class, TopicsCommand.Create.class,
                TopicsCommand.Update.class, TopicsCommand.Delete.class, TopicsCommand.Stats.class})
final class TopicsCommand {

    /**
     * The topic a command is about: the first argument ({@code topics get orders}) or
     * {@code --name orders} (the long form, kept for scripts; README, "Command line"); both given must agree.
     */
    static final class Name {
        @Spec(Spec.Target.MIXEE)
        CommandSpec mixee;

        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The topic (or --name NAME).")
        String argument;

        @Option(names = "--name", paramLabel = "NAME", description = "The topic, as an option: the same as the NAME argument.")
        String option;

        String name() {
            return TopicOption.either(mixee, argument, option, "--name", "NAME");
        }

        String path(String... more) {
            return Api.topic(name(), more);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "The topics you can read, by name: TOPIC HEAD COUNT BYTES OWNER.")
    static final class List extends ClientCommand {
        @Option(names = "--prefix", description = "Only names starting with this.")
        String prefix;

        @Option(names = "--limit", paramLabel = "N", description = "At most this many (server default 100, at most 1000).")
        Integer limit;

        @Option(names = "--after", paramLabel = "NAME", description = "Start after this name (the next page).")
        String after;

        @Override
        void run() {
            byte[] body = api().get("v0/topics" + Api.query("prefix", prefix, "limit", limit, "after", after));
            printList(body, "topics", new Table("TOPIC", "HEAD", "COUNT", "BYTES", "OWNER"),
                    t -> new Object[] {t.get("topic"), t.get("head_seq"), t.get("count"), t.get("bytes"), t.get("owner")});
            if (!globals.json && JsonTree.object(body).get("next_after") instanceof String next) {
                terminal.err().println("topics: more topics follow: --after " + next);
            }
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "A topic's settings, owner, head and size.")
    static final class Get extends ClientCommand {
        @Mixin
        Name topic;

        @Override
        void run() {
            printObject(api().get(topic.path()));
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create a topic (PUT).", "An existing topic keeps its records and takes the settings given."})
    static final class Create extends ClientCommand {
        @Mixin
        Name topic;

        @Mixin
        TopicSettings settings;

        @Option(names = "--durable", negatable = true,
                description = "Keep the records on disk (default); --no-durable keeps them in memory only.")
        Boolean durable;

        @Override
        void run() {
            printObject(api().put(topic.path(), settings.fields().put("durable", durable).bytes()));
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Change a topic's settings (PATCH); the ones not given keep their values.")
    static final class Update extends ClientCommand {
        @Mixin
        Name topic;

        @Mixin
        TopicSettings settings;

        @Override
        void run() {
            printObject(api().patch(topic.path(), settings.fields().bytes()));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a topic with its records, shares, subscriptions, webhooks and routers.")
    static final class Delete extends ClientCommand {
        @Mixin
        Name topic;

        @Override
        void run() {
            printDone(api().delete(topic.path()), "deleted topic " + topic.name());
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "A topic's statistics (admin).")
    static final class Stats extends ClientCommand {
        @Mixin
        Name topic;

        @Override
        void run() {
            printObject(api().get(topic.path("stats")));
        }
    }
}
