package dev.topics.cli;

import dev.topics.json.JsonOut;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code topics write TOPIC [DATA …]}: each argument is one record's JSON
 * data; with none, each non-blank line of stdin is. Records go in {@link Batch}es, one
 * request each; on a terminal a progress line shows on stderr while batches go out.
 * Prints what the last request answered (all of it with {@code --json}).
 */
@Command(name = "write", mixinStandardHelpOptions = true,
        description = {"Write records to a topic (creating it if needed).",
                "Each DATA argument is one record's JSON data, e.g. '{\"sku\": \"A-1\"}' or '\"text\"';"
                        + " with none, each line of stdin is one (blank lines skipped).",
                "With --text, each DATA or line is plain text, e.g. topics write alerts --text 'disk full'.",
                "Prints: wrote N records to TOPIC (seqs a–b); --json prints the last write's answer."})
final class WriteCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to write to.")
    String topic;

    @Parameters(index = "1..*", paramLabel = "DATA", description = "Records' JSON data (default: JSON lines on stdin).")
    List<String> data;

    @Option(names = "--tag", description = "A tag for every record written.")
    String tag;

    @Option(names = "--node", description = "The node id the records come from.")
    String node;

    @Option(names = "--text", description = "Each DATA (or stdin line) is plain text: its record's data is the text"
            + " as a JSON string.")
    boolean text;

    private Batch batch;
    private long written;
    private Object firstSeq;
    private byte[] last;
    private int progressWidth;

    @Override
    void run() {
        batch = new Batch(tag, node);
        try {
            if (data != null) {
                for (int i = 0; i < data.size(); i++) {
                    add(text ? textData(data.get(i)) : jsonArg("DATA " + (i + 1), data.get(i)));
                }
            } else {
                readStdin();
            }
            if (batch.count() > 0) {
                send();
            }
        } finally {
            clearProgress();
        }
        if (last == null) {
            terminal.err().println("topics: nothing to write: no DATA and no lines on stdin");
            return;
        }
        print(last, r -> {
            String lastSeq = JsonTree.text(r.get("last_seq"));
            String seqs = written == 1 ? "seq " + lastSeq : "seqs " + JsonTree.text(firstSeq) + "–" + lastSeq;
            out().println("wrote " + written + (written == 1 ? " record to " : " records to ") + topic + " (" + seqs + ")");
        });
    }

    private void readStdin() {
        BufferedReader in = new BufferedReader(new InputStreamReader(terminal.in(), StandardCharsets.UTF_8.newDecoder()));
        long n = 0;
        try {
            for (String line; (line = in.readLine()) != null; ) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                byte[] record;
                if (text) {
                    record = textData(line);
                } else {
                    try {
                        record = JsonTree.canonical(line);
                    } catch (RuntimeException e) {
                        throw usage("stdin line " + n + " is not valid JSON (" + e.getMessage() + ")" + writtenSoFar());
                    }
                }
                add(record);
            }
        } catch (CharacterCodingException e) {
            throw usage("stdin line " + (n + 1) + " is not valid UTF-8" + writtenSoFar());
        } catch (IOException e) {
            throw new Failure("cannot read stdin: " + e.getMessage() + writtenSoFar());
        }
    }

    /** A text as a record's data: the same record the server makes of a text/plain write. */
    private static byte[] textData(String s) {
        return new JsonOut(s.length() + 16).value(s).toByteArray();
    }

    private String writtenSoFar() {
        return written == 0 ? "" : "; the " + written + " records before it were written";
    }

    private void add(byte[] record) {
        if (!batch.hasRoomFor(record)) {
            send();
            progress();
        }
        batch.add(record);
    }

    private void send() {
        int n = batch.count();
        last = api().post(Api.topic(topic), batch.take());
        if (written == 0) {
            Map<String, Object> r = JsonTree.object(last);
            firstSeq = r.get("first_seq");
        }
        written += n;
    }

    /** On a terminal, between batches: how far the write has come. */
    private void progress() {
        if (terminal.interactive()) {
            String line = "\rtopics: wrote " + written + " records to " + topic + "…";
            progressWidth = line.length();
            terminal.err().print(line);
            terminal.err().flush();
        }
    }

    private void clearProgress() {
        if (progressWidth > 0) {
            PrintWriter err = terminal.err();
            err.print("\r" + " ".repeat(progressWidth) + "\r");
            err.flush();
        }
    }
}
