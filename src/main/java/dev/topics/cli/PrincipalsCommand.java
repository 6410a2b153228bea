package dev.topics.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code topics principals …}: the API's users and their tokens, for the admin. */
@Command(name = "principals", mixinStandardHelpOptions = true,
        description = "List, create and delete principals; add and delete their tokens (admin).",
        subcommands = {PrincipalsCommand.List.class, PrincipalsCommand.Create.class, PrincipalsCommand.Delete.class,
                PrincipalsCommand.AddToken.class, PrincipalsCommand.DeleteToken.class})
final class PrincipalsCommand {

    /** The {@code --name} of the principal a command is about. */
    static final class Name {
        @Option(names = "--name", required = true, description = "The principal.")
        String name;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The principals: NAME ADMIN TOKENS CREATED.")
    static final class List extends ClientCommand {
        @Override
        void run() {
            printList(api().get("v0/principals"), "principals", new Table("NAME", "ADMIN", "TOKENS", "CREATED"),
                    p -> new Object[] {p.get("name"), p.get("admin"), tokenIds(p.get("tokens")), p.get("created_at")});
        }

        /** The ids of a principal's tokens, joined with commas. */
        private static String tokenIds(Object tokens) {
            return tokens instanceof java.util.List<?> list
                    ? JsonTree.joined(list.stream().map(t -> t instanceof Map<?, ?> m ? m.get("id") : t).toList())
                    : JsonTree.text(tokens);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a principal; its first token (tpk_…) is shown this once.")
    static final class Create extends ClientCommand {
        @Mixin
        Name principal;

        @Option(names = "--admin", description = "Make it an admin.")
        boolean admin;

        @Override
        void run() {
            printObject(api().post("v0/principals", new Fields().put("name", principal.name).put("admin", admin).bytes()));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a principal (its tokens stop working).")
    static final class Delete extends ClientCommand {
        @Mixin
        Name principal;

        @Override
        void run() {
            printDone(api().delete(Api.path("v0", "principals", principal.name)), "deleted principal " + principal.name);
        }
    }

    @Command(name = "add-token", mixinStandardHelpOptions = true,
            description = "Give a principal another token (shown this once), e.g. to rotate.")
    static final class AddToken extends ClientCommand {
        @Mixin
        Name principal;

        @Override
        void run() {
            printObject(api().post(Api.path("v0", "principals", principal.name, "tokens"), new byte[0]));
        }
    }

    @Command(name = "delete-token", mixinStandardHelpOptions = true, description = "Delete one of a principal's tokens.")
    static final class DeleteToken extends ClientCommand {
        @Mixin
        Name principal;

        @Option(names = "--token-id", required = true, paramLabel = "ID", description = "The token's id (tok_…).")
        String tokenId;

        @Override
        void run() {
            printDone(api().delete(Api.path("v0", "principals", principal.name, "tokens", tokenId)),
                    "deleted token " + tokenId + " of " + principal.name);
        }
    }
}
