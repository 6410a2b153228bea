package dev.topics.storage;

/**
 * The outcome of a record delete (SPEC §6).
 *
 * @param deleted    how many live records it removed
 * @param fsyncNanos time of the commit's fsync (0 when none was needed)
 */
public record DeleteResult(long deleted, long earliestSeq, long headSeq, long count, long fsyncNanos) {
}
