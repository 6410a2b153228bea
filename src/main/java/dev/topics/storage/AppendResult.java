package dev.topics.storage;

/**
 * The outcome of a committed write (or, with {@code deduped}, of the earlier write that
 * used the same idempotency key).
 *
 * @param headSeq    the topic's last seq right after the write
 * @param count      the topic's live record count right after the write
 * @param created    the write created the topic
 * @param dropped    records not written because their origin had already delivered them
 *                   (SPEC §8 {@code dedupe_node}); when every record was dropped,
 *                   {@code firstSeq = headSeq + 1} and {@code lastSeq = headSeq}
 * @param fsyncNanos time of the commit's fsync (0 when none was needed)
 * @param stream     the topic's stream state after the write (SPEC §16), or null for a plain topic;
 *                   with {@code deduped}, a producer's repeated append was answered, nothing written
 */
public record AppendResult(long firstSeq, long lastSeq, long headSeq, long count, boolean created, boolean deduped,
                           int dropped, long fsyncNanos, StreamMeta stream) {

    public AppendResult(long firstSeq, long lastSeq, long headSeq, long count, boolean created, boolean deduped,
                        int dropped, long fsyncNanos) {
        this(firstSeq, lastSeq, headSeq, count, created, deduped, dropped, fsyncNanos, null);
    }

    /** This result as a retry with the same idempotency key gets it: marked deduped, with no fsync time of its own. */
    public AppendResult asDuplicate() {
        return new AppendResult(firstSeq, lastSeq, headSeq, count, created, true, dropped, 0, stream);
    }
}
