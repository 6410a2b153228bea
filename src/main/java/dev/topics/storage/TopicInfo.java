package dev.topics.storage;

/**
 * A topic's description at one moment.
 *
 * @param earliestSeq seq of the oldest live record; {@code headSeq + 1} when there is none
 * @param bytes       bytes of live record data
 * @param stream      its Durable Streams state (SPEC §16), or null for a plain topic
 */
public record TopicInfo(String name, TopicConfig config, String owner, long createdAtMs,
                        long headSeq, long earliestSeq, long count, long bytes, StreamMeta stream) {

    public TopicInfo(String name, TopicConfig config, String owner, long createdAtMs, long headSeq, long earliestSeq,
                     long count, long bytes) {
        this(name, config, owner, createdAtMs, headSeq, earliestSeq, count, bytes, null);
    }
}
