package dev.topics.cli;

import dev.topics.json.JsonOut;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
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
 *
 * <p>With {@code --idempotency-key KEY} a write that fits one batch is sent with KEY itself;
 * a longer one sends batch n with {@code KEY-n}. The same input makes the same batches, so
 * running a failed import again with the same key writes only what did not get in.
 *
 * <p>A stdin line that is not JSON (or not UTF-8) stops the write with exit code 1, naming
 * the line; the batches sent before it stay written.
 */
@Command(name = "write", mixinStandardHelpOptions = true,
        description = {"Write records to a topic (creating it if needed).",
                "Each DATA argument is one record's JSON data, e.g. '{\"sku\": \"A-1\"}' or '\"text\"';"
                        + " with none, each line of stdin is one (blank lines skipped).",
                "With --text, each DATA or line is plain text, e.g. topics write alerts --text 'disk full'.",
                "Prints: wrote N records to TOPIC (seqs a–b); --json prints the last write's answer."})
final class WriteCommand extends ClientCommand {
    /** Room left in the API's 128 bytes for the {@code -n} of a batch's key. */
    static final int MAX_KEY_BYTES = 120;

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

    @Option(names = "--idempotency-key", paramLabel = "KEY",
            description = {"Write each batch once: sent again with the same KEY (e.g. a failed import run again),"
                    + " what the server already has is not written twice.",
                    "One batch is sent with KEY, batch n of a longer write with KEY-n (1–" + MAX_KEY_BYTES + " bytes)."})
    String idempotencyKey;

    private Batch batch;
    private Progress progress;
    private int batches;
    private long written;
    private long deduped;
    private Object firstSeq;
    private byte[] last;

    @Override
    void run() {
        if (idempotencyKey != null) {
            int bytes = idempotencyKey.getBytes(StandardCharsets.UTF_8).length;
            if (bytes == 0 || bytes > MAX_KEY_BYTES) {
                throw usage("--idempotency-key must be 1–" + MAX_KEY_BYTES + " bytes, not " + bytes);
            }
        }
        batch = new Batch(tag, node);
        progress = progress();
        try {
            if (data != null) {
                for (int i = 0; i < data.size(); i++) {
                    add(text ? textData(data.get(i)) : jsonArg("DATA " + (i + 1), data.get(i)));
                }
            } else {
                readStdin();
            }
            if (batch.count() > 0) {
                send(false);
            }
        } finally {
            progress.clear();
        }
        if (last == null) {
            terminal.err().println("topics: nothing to write: no DATA and no lines on stdin");
            return;
        }
        print(last, r -> out().println(summary(r)));
    }

    /**
     * {@code wrote N records to T (seqs a–b)}; when batches were deduped, {@code wrote W records
     * to T, skipped D already written with idempotency key K (seqs a–b)}.
     */
    private String summary(Map<String, Object> r) {
        String lastSeq = JsonTree.text(r.get("last_seq"));
        String seqs = written == 1 ? "seq " + lastSeq : "seqs " + JsonTree.text(firstSeq) + "–" + lastSeq;
        if (deduped == 0) {
            return "wrote " + written + (written == 1 ? " record to " : " records to ") + topic + " (" + seqs + ")";
        }
        long fresh = written - deduped;
        return "wrote " + fresh + (fresh == 1 ? " record to " : " records to ") + topic + ", skipped " + deduped
                + " already written with idempotency key " + idempotencyKey + " (" + seqs + ")";
    }

    /**
     * Each line is decoded on its own (strictly: bad UTF-8 is an error), so an error names the
     * line it is on; a reader decoding ahead would blame the line it had reached.
     */
    private void readStdin() {
        InputStream in = new BufferedInputStream(terminal.in(), 64 * 1024);
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        long n = 0;
        try {
            for (int b = in.read(); b != -1 || bytes.size() > 0; b = in.read()) {
                if (b != '\n' && b != -1) {
                    bytes.write(b);
                    continue;
                }
                n++;
                byte[] raw = bytes.toByteArray();
                bytes.reset();
                int length = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length;
                String line;
                try {
                    line = utf8.decode(ByteBuffer.wrap(raw, 0, length)).toString();
                } catch (CharacterCodingException e) {
                    throw new Failure("stdin line " + n + " is not valid UTF-8" + writtenSoFar());
                }
                if (!line.isBlank()) {
                    add(text ? textData(line) : json(line, n));
                }
                if (b == -1) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new Failure("cannot read stdin: " + e.getMessage() + writtenSoFar());
        }
    }

    private byte[] json(String line, long n) {
        try {
            return JsonTree.canonical(line);
        } catch (RuntimeException e) {
            throw new Failure("stdin line " + n + " is not valid JSON (" + e.getMessage() + ")" + writtenSoFar());
        }
    }

    /** A text as a record's data: the same record the server makes of a text/plain write. */
    private static byte[] textData(String s) {
        return new JsonOut(s.length() + 16).value(s).toByteArray();
    }

    /** What a failure leaves behind, and how to finish the job. */
    private String writtenSoFar() {
        if (written == 0) {
            return "; nothing was written";
        }
        return "; the " + written + " records before it were written" + (idempotencyKey == null ? ""
                : " (run the same write again with --idempotency-key " + idempotencyKey + " to write the rest once)");
    }

    private void add(byte[] record) {
        if (!batch.hasRoomFor(record)) {
            send(true);
            progress.show("wrote " + written + " records to " + topic + "…");
        }
        batch.add(record);
    }

    /** Sends the batch; {@code more}: other batches follow it. */
    private void send(boolean more) {
        int n = batch.count();
        batches++;
        String key = idempotencyKey == null ? null
                : batches == 1 && !more ? idempotencyKey : idempotencyKey + "-" + batches;
        try {
            last = api().post(Api.topic(topic), batch.take(key));
        } catch (Failure f) {
            throw written == 0 ? f : new Failure(f.getMessage() + writtenSoFar());
        }
        Map<String, Object> r = JsonTree.object(last);
        if (written == 0) {
            firstSeq = r.get("first_seq");
        }
        if (Boolean.TRUE.equals(r.get("deduped"))) {
            deduped += n;
        }
        written += n;
    }
}
