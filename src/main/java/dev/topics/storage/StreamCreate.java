package dev.topics.storage;

/**
 * A stream's creation on the Durable Streams surface (SPEC §16): a {@code PUT} that makes
 * the topic with its stream state and its first records, or finds it already there (then
 * nothing is written and the caller compares the existing state with the request). A fork
 * is resolved by the committer against the source as it is at that commit.
 *
 * @param contentType null: the source's for a fork, {@code application/octet-stream} otherwise
 * @param ttlSeconds  -1 for none (a fork then inherits the source's TTL or expiry)
 * @param expiresAtMs 0 for none
 * @param closed      create the stream closed, after its first records
 * @param forkSource  the source topic's name, or null for a stream of its own
 * @param forkAnchor  the fork offset as a seq, or -1 for the source's tail
 * @param forkSub     the sub-offset past the anchor: JSON messages, or bytes of the next append
 */
public record StreamCreate(String contentType, long ttlSeconds, long expiresAtMs, boolean closed, String forkSource,
                           long forkAnchor, long forkSub) {
    /** The default content type of a stream created without one. */
    public static final String DEFAULT_TYPE = "application/octet-stream";

    public StreamCreate {
        if (forkSource == null && (forkAnchor != -1 || forkSub != 0)) {
            throw new IllegalArgumentException("a fork offset needs a fork source");
        }
        if (forkAnchor < -1 || forkSub < 0 || ttlSeconds < -1 || expiresAtMs < 0) {
            throw new IllegalArgumentException("negative fork offset, sub-offset, TTL or expiry");
        }
    }
}
