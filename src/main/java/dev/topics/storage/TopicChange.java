package dev.topics.storage;

/**
 * The outcome of creating, updating or deleting a topic.
 *
 * @param info       the topic after the change (before it, for a delete)
 * @param created    the change created the topic
 * @param fsyncNanos time of the commit's fsync (0 when none was needed)
 */
public record TopicChange(TopicInfo info, boolean created, long fsyncNanos) {
}
