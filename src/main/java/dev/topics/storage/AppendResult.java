package dev.topics.storage;

/**
 * The outcome of a committed write (or, with {@code deduped}, of the earlier write that
 * used the same idempotency key).
 *
 * @param headSeq    the topic's last seq right after the write
 * @param count      the topic's live record count right after the write
 * @param created    the write created the topic
 * @param fsyncNanos time of the commit's fsync (0 when none was needed)
 */
public record AppendResult(long firstSeq, long lastSeq, long headSeq, long count, boolean created, boolean deduped,
                           long fsyncNanos) {

    AppendResult asDuplicate() {
        return new AppendResult(firstSeq, lastSeq, headSeq, count, created, true, 0);
    }
}
