package dev.topics.storage;

/**
 * The outcome of a record delete (SPEC §6).
 *
 * @param deleted      how many live records it removed
 * @param segmentsRead for a tag delete on a durable topic, how many segments it had to read
 *                     (their tag Bloom filters ruled the others out); -1 otherwise
 * @param fsyncNanos   time of the commit's fsync (0 when none was needed)
 */
public record DeleteResult(long deleted, long earliestSeq, long headSeq, long count, int segmentsRead,
                           long fsyncNanos) {
}
