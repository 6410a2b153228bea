package dev.topics.storage;

/**
 * A topic's description at one moment.
 *
 * @param earliestSeq seq of the oldest live record; {@code headSeq + 1} when there is none
 * @param bytes       bytes of live record data
 */
public record TopicInfo(String name, TopicConfig config, String owner, long createdAtMs,
                        long headSeq, long earliestSeq, long count, long bytes) {
}
