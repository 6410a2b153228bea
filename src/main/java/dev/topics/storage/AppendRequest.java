package dev.topics.storage;

import java.nio.charset.StandardCharsets;

/**
 * A write: one atomic batch for one topic.
 *
 * @param idempotencyKey null, or a key (≤ 128 bytes) whose repeat within the topic's window
 *                       returns the first result instead of writing again
 * @param owner          the principal recorded as owner if the write creates the topic
 * @param defaults       the configuration a topic created by this write gets
 * @param cursorMove     null, or a control entry's cursor to move in the same commit
 * @param create         null, or a Durable Streams creation: make the topic with this stream
 *                       state and the batch as its first records, or write nothing when it
 *                       exists (SPEC §16, {@code PUT})
 * @param op             null, or what the write asks of the stream state (SPEC §16)
 */
public record AppendRequest(String topic, RecordBatch batch, String idempotencyKey, String owner,
                            TopicConfig defaults, CursorMove cursorMove, StreamCreate create, StreamOp op) {
    /** Longest idempotency key, in UTF-8 bytes (SPEC §3). */
    public static final int MAX_KEY_BYTES = 128;

    public AppendRequest {
        if (idempotencyKey != null && cursorMove != null) {
            throw new IllegalArgumentException("a write moving a cursor cannot also carry an idempotency key");
        }
        if ((create != null || op != null) && (idempotencyKey != null || cursorMove != null)) {
            throw new IllegalArgumentException("a stream write carries neither an idempotency key nor a cursor move");
        }
        if (idempotencyKey != null) {
            int n = idempotencyKey.getBytes(StandardCharsets.UTF_8).length;
            if (n == 0 || n > MAX_KEY_BYTES) {
                throw new IllegalArgumentException("an idempotency key must be 1 to " + MAX_KEY_BYTES + " bytes");
            }
        }
    }

    public AppendRequest(String topic, RecordBatch batch, String idempotencyKey, String owner, TopicConfig defaults) {
        this(topic, batch, idempotencyKey, owner, defaults, null, null, null);
    }

    public AppendRequest(String topic, RecordBatch batch, String idempotencyKey, String owner, TopicConfig defaults,
                         CursorMove cursorMove) {
        this(topic, batch, idempotencyKey, owner, defaults, cursorMove, null, null);
    }
}
