package dev.topics.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code topics tail TOPIC}: follows a topic live over its event stream
 * ({@code GET /v0/topics/{name}/watch}), printing each record as a JSON line, flushed per
 * event. When the stream breaks (a network failure, a server restart) it reconnects with
 * backoff (250 ms doubling to 5 s), sending the id of the last event seen as
 * {@code Last-Event-ID}, so no record is printed twice or missed. Runs until killed, the
 * topic is deleted, or {@code --max} records are out. A server that cannot be reached at
 * the start, or that refuses the stream (4xx), ends it with exit code 1.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = {"Follow a topic live: each record as a JSON line, as it is written (with or without --json).",
                "Reconnects after a disconnect or a server restart, resuming exactly where it was."})
final class TailCommand extends ClientCommand {
    static final long FIRST_BACKOFF_MS = 250;
    static final long MAX_BACKOFF_MS = 5_000;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to follow.")
    String topic;

    @Option(names = "--from-seq", paramLabel = "N",
            description = "Start after seq N (0: from the first record; default: the topic's head, i.e. new records only).")
    Long fromSeq;

    @Option(names = "--max", paramLabel = "N", description = "Stop after N records (for scripts and tests).")
    Long max;

    /** The id of the last event seen: every topic's cursor, for Last-Event-ID. */
    private String lastId;
    private long printed;

    @Override
    void run() {
        if (max != null && max < 1) {
            throw usage("--max must be at least 1");
        }
        long from = fromSeq != null ? fromSeq : headSeq();
        String path = Api.topic(topic, "watch") + Api.query("from_seq", Long.toUnsignedString(from));
        long backoff = FIRST_BACKOFF_MS;
        boolean connected = false;
        boolean lost = false;
        while (true) {
            try {
                Api.Stream res = api().stream(path, lastId);
                try (InputStream body = res.body()) {
                    if (res.status() == 200) {
                        connected = true;
                        backoff = FIRST_BACKOFF_MS;
                        if (lost) {
                            terminal.err().println("topics: reconnected");
                            lost = false;
                        }
                        if (follow(new SseEvents(body))) {
                            return;
                        }
                    } else if (res.status() < 500 || !connected) {
                        throw Failure.refused(res.status(), body.readAllBytes());
                    }
                }
            } catch (IOException e) {
                if (!connected) {
                    throw Failure.unreachable(api().base(), e);
                }
            }
            if (!lost) {
                terminal.err().println("topics: the stream of " + topic + " broke off; reconnecting");
                lost = true;
            }
            sleep(backoff);
            backoff = Math.min(2 * backoff, MAX_BACKOFF_MS);
        }
    }

    private long headSeq() {
        Object head = JsonTree.object(api().get(Api.topic(topic))).get("head_seq");
        return head == null ? 0 : Long.parseUnsignedLong(JsonTree.text(head));
    }

    /** Prints the stream's records until it ends (false) or {@code --max} records are out (true). */
    private boolean follow(SseEvents events) throws IOException {
        for (SseEvents.Event e; (e = events.next()) != null; ) {
            switch (e.name()) {
                case "record" -> {
                    for (byte[] record : JsonTree.elements(e.data().getBytes(StandardCharsets.UTF_8), "records")) {
                        out().println(new String(record, StandardCharsets.UTF_8));
                        printed++;
                        if (max != null && printed >= max) {
                            out().flush();
                            return true;
                        }
                    }
                    out().flush();
                }
                case "tombstone" -> {
                    Object t = JsonTree.object(e.data().getBytes(StandardCharsets.UTF_8)).get("tombstone");
                    if (t instanceof Map<?, ?> m) {
                        if ("deleted".equals(m.get("reason"))) {
                            throw new Failure(Tombstones.describe(topic, m));
                        }
                        terminal.err().println("topics: " + Tombstones.describe(topic, m));
                    }
                }
                default -> {
                    // caught-up: nothing to print; its id is the cursor all the same
                }
            }
            if (e.id() != null) {
                lastId = e.id();
            }
        }
        return false;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
    }
}
