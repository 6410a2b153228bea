package dev.topics.cli;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code topics read TOPIC}: one read from a cursor, printed as JSON lines,
 * one record object per line exactly as the server returned it ({@code --json}: the whole
 * answer). Where to go on, and records evicted before they were read, are said on stderr.
 */
@Command(name = "read", mixinStandardHelpOptions = true,
        description = {"Read records after a seq, one JSON object per line ({\"$seq\", \"$ts\", …, \"data\"}).",
                "--json prints the server's whole answer instead (cursor, head, tombstone…)."})
final class ReadCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to read.")
    String topic;

    @Option(names = "--from-seq", paramLabel = "N", description = "Read the records after seq N (default 0: from the first).")
    Long fromSeq;

    @Option(names = "--limit", paramLabel = "N", description = "At most N records (1–10000; server default 100).")
    Integer limit;

    @Override
    void run() {
        byte[] body = api().get(Api.topic(topic, "diff") + Api.query("from_seq", fromSeq, "limit", limit));
        if (globals.json) {
            out().println(new String(body, StandardCharsets.UTF_8));
            return;
        }
        for (byte[] record : JsonTree.elements(body, "records")) {
            out().println(new String(record, StandardCharsets.UTF_8));
        }
        Map<String, Object> r = JsonTree.object(body);
        if (r.get("tombstone") instanceof Map<?, ?> t) {
            terminal.err().println("topics: " + Tombstones.describe(topic, t));
        }
        if (Boolean.FALSE.equals(r.get("caught_up"))) {
            terminal.err().println("topics: more records follow: --from-seq " + JsonTree.text(r.get("next_from_seq")));
        }
    }
}
