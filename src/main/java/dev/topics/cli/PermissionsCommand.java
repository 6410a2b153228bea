package dev.topics.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code topics permissions …}: pattern permissions, for the admin. */
@Command(name = "permissions", mixinStandardHelpOptions = true,
        description = "List, create and delete permissions (admin).",
        subcommands = {PermissionsCommand.List.class, PermissionsCommand.Create.class, PermissionsCommand.Delete.class})
final class PermissionsCommand {

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "The permissions: ID PRINCIPAL PATTERN ACTIONS EFFECT.")
    static final class List extends ClientCommand {
        @Override
        void run() {
            printList(api().get("v0/permissions"), "permissions", new Table("ID", "PRINCIPAL", "PATTERN", "ACTIONS", "EFFECT"),
                    p -> new Object[] {p.get("id"), p.get("principal"), p.get("pattern"), JsonTree.joined(p.get("actions")), p.get("effect")});
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Allow or deny a principal (or * for everyone) actions on the topics a pattern matches.",
                    "Patterns are dot-separated: * matches one level, > (last) one or more."})
    static final class Create extends ClientCommand {
        @Option(names = "--principal", required = true, description = "A principal's name, or * for every caller.")
        String principal;

        @Option(names = "--pattern", required = true, description = "Topic names it covers, e.g. deploy.> or alerts.*.")
        String pattern;

        @Option(names = "--actions", required = true, split = ",", paramLabel = "ACTION",
                converter = Choices.Actions.class, completionCandidates = Choices.Actions.class,
                description = "What it allows or denies, comma-separated: read, publish, mirror (write records "
                        + "that carry an origin; needs publish too), e.g. read,publish.")
        java.util.List<String> actions;

        @Option(names = "--effect", paramLabel = "allow|deny", converter = Choices.Effect.class,
                completionCandidates = Choices.Effect.class, description = "allow (the server's default) or deny.")
        String effect;

        @Override
        void run() {
            printObject(api().post("v0/permissions", new Fields().put("principal", principal).put("pattern", pattern)
                    .put("actions", actions).put("effect", effect).bytes()));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a permission.")
    static final class Delete extends ClientCommand {
        @Option(names = "--id", required = true, description = "The permission's id (perm_…).")
        String id;

        @Override
        void run() {
            printDone(api().delete(Api.path("v0", "permissions", id)), "deleted permission " + id);
        }
    }
}
