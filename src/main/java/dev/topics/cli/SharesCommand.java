package dev.topics.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code topics shares …}: a topic's share tokens, for its owner or the admin. */
@Command(name = "shares", mixinStandardHelpOptions = true,
        description = "List, create, update, rotate and revoke a topic's share tokens.",
        subcommands = {SharesCommand.List.class, SharesCommand.Create.class, SharesCommand.Update.class,
                SharesCommand.Rotate.class, SharesCommand.Delete.class})
final class SharesCommand {

    /** The {@code --id} of one share. */
    static final class Id {
        @Option(names = "--id", required = true, description = "The share's id (sh_…).")
        String id;
    }

    /** What a share allows and for how long. */
    static final class Terms {
        @Option(names = "--expires-at", paramLabel = "TIME", description = "When it stops working (RFC 3339, e.g. 2030-01-01T00:00:00Z).")
        String expiresAt;

        @Option(names = "--label", description = "A note saying what it is for.")
        String label;

        Fields fields(String access) {
            return new Fields().put("access", access).put("expires_at", expiresAt).put("label", label);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "A topic's shares (never their tokens): ID ACCESS EXPIRES LABEL CREATED.")
    static final class List extends ClientCommand {
        @Mixin
        TopicOption topic;

        @Override
        void run() {
            printList(api().get(Api.topic(topic.topic(), "shares")), "shares", new Table("ID", "ACCESS", "EXPIRES", "LABEL", "CREATED"),
                    s -> new Object[] {s.get("id"), s.get("access"), s.get("expires_at"), s.get("label"), s.get("created_at")});
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a share; its token (tk_…) is shown this once.")
    static final class Create extends ClientCommand {
        @Mixin
        TopicOption topic;

        @Option(names = "--access", required = true, paramLabel = "ro|wo|rw", converter = Choices.Access.class,
                completionCandidates = Choices.Access.class, description = "Read only, write only, or both.")
        String access;

        @Mixin
        Terms terms;

        @Override
        void run() {
            printObject(api().post(Api.topic(topic.topic(), "shares"), terms.fields(access).bytes()));
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Change a share's access, expiry or label; the others keep their values.")
    static final class Update extends ClientCommand {
        @Mixin
        TopicOption topic;

        @Mixin
        Id id;

        @Option(names = "--access", paramLabel = "ro|wo|rw", converter = Choices.Access.class,
                completionCandidates = Choices.Access.class, description = "Read only, write only, or both.")
        String access;

        @Mixin
        Terms terms;

        @Override
        void run() {
            printObject(api().patch(Api.topic(topic.topic(), "shares", id.id), terms.fields(access).bytes()));
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Give a share a new token (shown this once); the old one stops working at once.")
    static final class Rotate extends ClientCommand {
        @Mixin
        TopicOption topic;

        @Mixin
        Id id;

        @Override
        void run() {
            printObject(api().post(Api.topic(topic.topic(), "shares", id.id, "rotate"), new byte[0]));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Revoke a share: its token stops working.")
    static final class Delete extends ClientCommand {
        @Mixin
        TopicOption topic;

        @Mixin
        Id id;

        @Override
        void run() {
            printDone(api().delete(Api.topic(topic.topic(), "shares", id.id)), "deleted share " + id.id + " of " + topic.topic());
        }
    }
}
