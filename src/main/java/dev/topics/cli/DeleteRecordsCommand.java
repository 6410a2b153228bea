package dev.topics.cli;

import dev.topics.json.JsonOut;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code topics delete-records TOPIC}: deletes the records that match a filter
 * expression ({@code --match}, or {@code --tag} for the usual one), lie in a seq range
 * ({@code --from}, {@code --to}: both inclusive, the API's {@code from_seq} and
 * {@code to_seq}), or both. Deleted records are gone for good.
 *
 * <p>{@code --from-seq} and {@code --to-seq} were this range's first names; {@code --from-seq}
 * means "after N" everywhere else ({@code read}, {@code tail}, routers, webhooks), so here they
 * are hidden, still accepted with their old, inclusive meaning, and warned about on stderr.
 */
@Command(name = "delete-records", mixinStandardHelpOptions = true,
        description = {"Delete records for good: by tag, by filter expression, by seq range, or by both.",
                "Given both --tag and --match, a record must match both.",
                "The range is inclusive: --from 10 --to 20 deletes seqs 10 to 20, both included."})
final class DeleteRecordsCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to delete records from.")
    String topic;

    @Option(names = "--tag", description = "Records with this tag.")
    String tag;

    @Option(names = "--match", paramLabel = "JSON",
            description = "Records matching this filter expression, e.g. '[\"tag\", \"Glob\", \"order-*\"]'.")
    String match;

    @Option(names = "--from", paramLabel = "N", description = "Records from seq N on, N included.")
    Long from;

    @Option(names = "--to", paramLabel = "N", description = "Records up to seq N, N included.")
    Long to;

    /** Deprecated: {@code --from}, under the name that means "after N" in every other command. */
    @Option(names = "--from-seq", paramLabel = "N", hidden = true)
    Long fromSeq;

    /** Deprecated with {@code --from-seq}: {@code --to}. */
    @Option(names = "--to-seq", paramLabel = "N", hidden = true)
    Long toSeq;

    @Override
    void run() {
        Long first = renamed("--from", from, "--from-seq", fromSeq);
        Long last = renamed("--to", to, "--to-seq", toSeq);
        byte[] expr = jsonArg("--match", match);
        if (tag != null) {
            JsonOut byTag = new JsonOut().beginArray().value("tag").value("Eq").value(tag).endArray();
            if (expr != null) {
                byTag = new JsonOut().beginArray().value("And").beginArray().rawValue(byTag.buffer(), 0, byTag.size())
                        .rawValue(expr, 0, expr.length).endArray().endArray();
            }
            expr = byTag.toByteArray();
        }
        if (expr == null && first == null && last == null) {
            throw usage("say what to delete: --tag, --match, --from/--to, or a filter and a range");
        }
        byte[] body = new Fields().raw("match", expr).put("from_seq", first).put("to_seq", last).bytes();
        print(api().post(Api.topic(topic, "delete"), body), r -> out().println("deleted "
                + JsonTree.text(r.get("deleted")) + " records from " + topic + " (" + JsonTree.text(r.get("count"))
                + " left)"));
    }

    /** The value of option {@code name}, or of its deprecated old name (with a warning); not both. */
    private Long renamed(String name, Long value, String oldName, Long oldValue) {
        if (oldValue == null) {
            return value;
        }
        if (value != null) {
            throw usage(oldName + " is the old name of " + name + "; give only " + name);
        }
        String why = oldName.equals("--from-seq") ? " (here it includes seq N; in read and tail it means after N)" : "";
        terminal.err().println("topics: delete-records " + oldName + " is deprecated" + why + ": use " + name + " "
                + oldValue + ", the same records");
        return oldValue;
    }
}
