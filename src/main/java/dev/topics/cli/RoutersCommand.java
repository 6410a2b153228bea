package dev.topics.cli;

import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code topics routers …}: routers that copy one topic into another, here or on another server. */
@Command(name = "routers", mixinStandardHelpOptions = true, description = "List, show, create and delete routers.",
        subcommands = {RoutersCommand.List.class, RoutersCommand.Get.class, RoutersCommand.Create.class,
                RoutersCommand.Delete.class})
final class RoutersCommand {

    static String path(String name) {
        return Api.path("v0", "routers", name);
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "The routers whose source you can read: ROUTER SOURCE DEST STATE CURSOR LAG.")
    static final class List extends ClientCommand {
        @Override
        void run() {
            printList(api().get("v0/routers"), "routers", new Table("ROUTER", "SOURCE", "DEST", "STATE", "CURSOR", "LAG"),
                    r -> new Object[] {r.get("router"), r.get("source"), dest(r), r.get("state"), r.get("cursor"),
                            r.get("lag")});
        }

        /** A local destination's name, or a remote one's {@code URL topic}. */
        private static Object dest(Map<String, Object> r) {
            return r.get("dest_url") == null ? r.get("dest") : JsonTree.text(r.get("dest_url")) + " "
                    + JsonTree.text(r.get("dest_topic"));
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "A router and its status.")
    static final class Get extends ClientCommand {
        @Option(names = "--name", required = true, description = "The router.")
        String name;

        @Override
        void run() {
            printObject(api().get(path(name)));
        }
    }

    /** Where a router copies to: a topic here, or a topic on another server. */
    static final class Destination {
        @Option(names = "--dest", paramLabel = "TOPIC", required = true, description = "A topic on this server.")
        String dest;

        @ArgGroup(exclusive = false)
        Remote remote;
    }

    /** A topic on another topics server. */
    static final class Remote {
        @Option(names = "--dest-url", paramLabel = "URL", required = true,
                description = "Another topics server, e.g. http://host:4000.")
        String url;

        @Option(names = "--dest-topic", paramLabel = "TOPIC", description = "The topic there (default: the source's name).")
        String topic;

        @Option(names = "--dest-token", paramLabel = "TOKEN", description = "The token to write there with.")
        String token;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create (or replace) a router copying every new record of --source to a destination.",
                    "The destination is --dest (a topic here) or --dest-url with --dest-topic and --dest-token."})
    static final class Create extends ClientCommand {
        @Option(names = "--name", required = true, description = "The router's name.")
        String name;

        @Option(names = "--source", paramLabel = "TOPIC", required = true, description = "The topic to copy from.")
        String source;

        @ArgGroup(multiplicity = "1")
        Destination destination;

        @Option(names = "--from-seq", paramLabel = "N", description = "Copy the records after seq N (default: only new ones).")
        Long fromSeq;

        @Option(names = "--filter", paramLabel = "JSON", description = "Copy only the records matching this filter expression.")
        String filter;

        @Override
        void run() {
            Remote remote = destination.remote;
            Fields body = new Fields().put("source", source).put("dest", destination.dest);
            if (remote != null) {
                body.put("dest_url", remote.url).put("dest_topic", remote.topic).put("dest_token", remote.token);
            }
            body.raw("filter", jsonArg("--filter", filter)).put("from_seq", fromSeq);
            printObject(api().put(path(name), body.bytes()));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a router (it stops copying).")
    static final class Delete extends ClientCommand {
        @Option(names = "--name", required = true, description = "The router.")
        String name;

        @Override
        void run() {
            printDone(api().delete(path(name)), "deleted router " + name);
        }
    }
}
