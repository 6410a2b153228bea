package dev.topics.cli;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code topics read TOPIC}: records after a cursor, printed as JSON lines, one record
 * object per line exactly as the server returned it ({@code --json}: the whole answer of one
 * read). One request, unless {@code --all} or a {@code --limit} above the server's 10,000
 * asks for more: then page after page, with a progress line on a terminal. Where to go on,
 * and records evicted before they were read, are said on stderr.
 */
@Command(name = "read", mixinStandardHelpOptions = true,
        description = {"Read records after a seq, one JSON object per line ({\"$seq\", \"$ts\", …, \"data\"}).",
                "--json prints the server's whole answer instead (cursor, head, tombstone…)."})
final class ReadCommand extends ClientCommand {
    /** The most records one diff request returns (docs/API.md, reading from a cursor). */
    static final long PAGE = 10_000;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to read.")
    String topic;

    @Option(names = "--from-seq", paramLabel = "N", description = "Read the records after seq N (default 0: from the first).")
    Long fromSeq;

    @Option(names = "--limit", paramLabel = "N",
            description = "At most N records (server default 100; above 10000, read page by page).")
    Long limit;

    @Option(names = "--all", description = "Every record up to the head as it is when the read starts, page by page.")
    boolean all;

    @Override
    void run() {
        boolean paged = all || limit != null && limit > PAGE;
        if (!paged) {
            once();
            return;
        }
        if (globals.json) {
            throw usage("--json prints the answer of one read: leave out --all, and give --limit 10000 or less");
        }
        pages();
    }

    private void once() {
        byte[] body = api().get(Api.topic(topic, "diff") + Api.query("from_seq", fromSeq, "limit", limit));
        if (globals.json) {
            out().println(new String(body, StandardCharsets.UTF_8));
            return;
        }
        printRecords(body);
        Map<String, Object> r = JsonTree.object(body);
        tombstone(r);
        if (Boolean.FALSE.equals(r.get("caught_up"))) {
            moreFollow(JsonTree.text(r.get("next_from_seq")));
        }
    }

    /** Page after page until the limit, the head as it was at the first page, or a reset. */
    private void pages() {
        Progress progress = progress();
        long cursor = fromSeq == null ? 0 : fromSeq;
        long left = limit == null ? Long.MAX_VALUE : limit;
        long read = 0;
        long endSeq = -1;
        boolean more;
        try {
            while (true) {
                byte[] body = api().get(Api.topic(topic, "diff") + Api.query("from_seq", Long.toUnsignedString(cursor),
                        "limit", Math.min(PAGE, left)));
                read += printRecords(body);
                left = limit == null ? Long.MAX_VALUE : limit - read;
                Map<String, Object> r = JsonTree.object(body);
                long head = seq(r.get("head_seq"));
                if (endSeq < 0) {
                    endSeq = head;
                }
                boolean reset = r.get("tombstone") instanceof Map<?, ?> t && "reset".equals(t.get("reason"));
                if (r.get("tombstone") != null) {
                    progress.clear();
                    tombstone(r);
                }
                cursor = seq(r.get("next_from_seq"));
                more = cursor < head;
                if (reset || left <= 0 || cursor >= endSeq || Boolean.TRUE.equals(r.get("caught_up"))) {
                    break;
                }
                progress.show("read " + read + " records of " + topic + " (seq " + cursor + " of " + endSeq + ")…");
            }
        } finally {
            progress.clear();
        }
        if (more) {
            moreFollow(Long.toUnsignedString(cursor));
        }
    }

    /** Prints the answer's records; returns how many. */
    private int printRecords(byte[] body) {
        int n = 0;
        for (byte[] record : JsonTree.elements(body, "records")) {
            out().println(new String(record, StandardCharsets.UTF_8));
            n++;
        }
        out().flush();
        return n;
    }

    private void tombstone(Map<String, Object> r) {
        if (r.get("tombstone") instanceof Map<?, ?> t) {
            terminal.err().println("topics: " + Tombstones.describe(topic, t));
        }
    }

    private void moreFollow(String nextFromSeq) {
        terminal.err().println("topics: more records follow: --from-seq " + nextFromSeq);
    }

    private static long seq(Object value) {
        return value == null ? 0 : Long.parseUnsignedLong(JsonTree.text(value));
    }
}
