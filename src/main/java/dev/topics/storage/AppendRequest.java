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
 */
public record AppendRequest(String topic, RecordBatch batch, String idempotencyKey, String owner,
                            TopicConfig defaults, CursorMove cursorMove) {
    /** Longest idempotency key, in UTF-8 bytes (SPEC §3). */
    public static final int MAX_KEY_BYTES = 128;

    public AppendRequest {
        if (idempotencyKey != null && cursorMove != null) {
            throw new IllegalArgumentException("a write moving a cursor cannot also carry an idempotency key");
        }
        if (idempotencyKey != null) {
            int n = idempotencyKey.getBytes(StandardCharsets.UTF_8).length;
            if (n == 0 || n > MAX_KEY_BYTES) {
                throw new IllegalArgumentException("an idempotency key must be 1 to " + MAX_KEY_BYTES + " bytes");
            }
        }
    }

    public AppendRequest(String topic, RecordBatch batch, String idempotencyKey, String owner, TopicConfig defaults) {
        this(topic, batch, idempotencyKey, owner, defaults, null);
    }
}
