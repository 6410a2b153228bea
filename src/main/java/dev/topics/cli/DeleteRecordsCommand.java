package dev.topics.cli;

import dev.topics.json.JsonOut;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code topics delete-records TOPIC}: deletes the records that match a filter
 * expression ({@code --match}, or {@code --tag} for the usual one), lie in a seq range, or
 * both. Deleted records are gone for good.
 */
@Command(name = "delete-records", mixinStandardHelpOptions = true,
        description = {"Delete records for good: by tag, by filter expression, by seq range, or by both.",
                "Given both --tag and --match, a record must match both."})
final class DeleteRecordsCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to delete records from.")
    String topic;

    @Option(names = "--tag", description = "Records with this tag.")
    String tag;

    @Option(names = "--match", paramLabel = "JSON",
            description = "Records matching this filter expression, e.g. '[\"tag\", \"Glob\", \"order-*\"]'.")
    String match;

    @Option(names = "--from-seq", paramLabel = "N", description = "Records from seq N on (inclusive).")
    Long fromSeq;

    @Option(names = "--to-seq", paramLabel = "N", description = "Records up to seq N (inclusive).")
    Long toSeq;

    @Override
    void run() {
        byte[] expr = jsonArg("--match", match);
        if (tag != null) {
            JsonOut byTag = new JsonOut().beginArray().value("tag").value("Eq").value(tag).endArray();
            if (expr != null) {
                byTag = new JsonOut().beginArray().value("And").beginArray().rawValue(byTag.buffer(), 0, byTag.size())
                        .rawValue(expr, 0, expr.length).endArray().endArray();
            }
            expr = byTag.toByteArray();
        }
        if (expr == null && fromSeq == null && toSeq == null) {
            throw usage("say what to delete: --tag, --match, --from-seq/--to-seq, or a filter and a range");
        }
        byte[] body = new Fields().raw("match", expr).put("from_seq", fromSeq).put("to_seq", toSeq).bytes();
        print(api().post(Api.topic(topic, "delete"), body), r -> out().println("deleted "
                + JsonTree.text(r.get("deleted")) + " records from " + topic + " (" + JsonTree.text(r.get("count"))
                + " left)"));
    }
}
