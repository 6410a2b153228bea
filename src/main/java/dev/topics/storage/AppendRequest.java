package dev.topics.storage;

/**
 * A write: one atomic batch for one topic.
 *
 * @param idempotencyKey null, or a key (≤ 128 bytes) whose repeat within the topic's window
 *                       returns the first result instead of writing again
 * @param owner          the principal recorded as owner if the write creates the topic
 * @param defaults       the configuration a topic created by this write gets
 */
public record AppendRequest(String topic, RecordBatch batch, String idempotencyKey, String owner,
                            TopicConfig defaults) {
}
