package dev.topics.cli;

import dev.topics.json.JsonOut;
import java.nio.charset.StandardCharsets;

/**
 * The body of one write request being filled: up to {@link #MAX_RECORDS} records
 * or about {@link #MAX_BYTES} bytes, well inside the server's limits (10,000 records, a
 * 16 MiB body). Every record gets the same {@code tag}; {@code node} applies to all.
 */
final class Batch {
    static final int MAX_RECORDS = 1000;
    static final int MAX_BYTES = 4 << 20;

    private final String tag;
    private final String node;
    /** Room a record takes besides its data: {@code {"data":…,"tag":"…"},} with the tag escaped at worst. */
    private final int overhead;
    private JsonOut out;
    private int count;

    Batch(String tag, String node) {
        this.tag = tag;
        this.node = node;
        this.overhead = 16 + (tag == null ? 0 : 10 + 6 * tag.getBytes(StandardCharsets.UTF_8).length);
    }

    int count() {
        return count;
    }

    /** Whether {@code data} still fits; an empty batch takes any record (the server judges its size). */
    boolean hasRoomFor(byte[] data) {
        return count == 0 || count < MAX_RECORDS && (long) out.size() + data.length + overhead <= MAX_BYTES;
    }

    void add(byte[] data) {
        if (count == 0) {
            out = new JsonOut(64 * 1024).beginObject().name("records").beginArray();
        }
        out.beginObject().name("data").rawValue(data, 0, data.length);
        if (tag != null) {
            out.field("tag", tag);
        }
        out.endObject();
        count++;
    }

    /**
     * The request body of the records added so far, with {@code idempotencyKey} when not null;
     * the batch is empty again after.
     */
    byte[] take(String idempotencyKey) {
        out.endArray();
        if (node != null) {
            out.field("node", node);
        }
        if (idempotencyKey != null) {
            out.field("idempotency_key", idempotencyKey);
        }
        byte[] body = out.endObject().toByteArray();
        out = null;
        count = 0;
        return body;
    }
}
