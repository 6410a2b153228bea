package dev.topics.storage;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The Durable Streams state of a topic (SPEC §16): what a topic created through
 * {@code /v1/stream/{path}} carries beside its records. A plain {@code /v0} topic has none
 * ({@code null}) and reads on that surface as a JSON stream. Immutable; the committer makes
 * a new one for each change and logs it whole with the change (a records frame, so the
 * records and the state after them survive a crash together, or neither does).
 *
 * <p>Invariants:
 * <ul>
 *   <li>{@code closed} never goes back to false; a closed stream takes no record.</li>
 *   <li>{@code softDeleted} implies that forks still read this stream's records; the
 *       topic answers 410 to everything else and is dropped with its last fork.</li>
 *   <li>{@code fork} is fixed at creation: records with seq ≤ {@code fork.at()} are read
 *       from the source topic (itself maybe a fork), the topic's own start after it.</li>
 *   <li>a producer's {@code seq} is the highest accepted in its {@code epoch}.</li>
 * </ul>
 *
 * @param contentType the stream's content type as its creator gave it
 * @param ttlSeconds  the sliding time to live, or -1 for none
 * @param expiresAtMs the absolute expiry (ms since the epoch), or 0 for none
 * @param closedBy    the producer append that closed the stream, or null
 * @param fork        the source this stream was forked from, or null
 * @param streamSeq   the last {@code Stream-Seq} accepted (scope: the stream), or null
 * @param producers   idempotent producers by id
 */
public record StreamMeta(String contentType, long ttlSeconds, long expiresAtMs, boolean closed, Producer closedBy,
                         Fork fork, boolean softDeleted, String streamSeq, Map<String, Producer> producers) {

    /** The state a plain topic (no stream state of its own) answers with on the stream surface. */
    public static final StreamMeta PLAIN_JSON = new StreamMeta("application/json", -1, 0, false, null, null, false,
            null, Map.of());

    public StreamMeta {
        if (contentType == null || contentType.isEmpty() || producers == null) {
            throw new IllegalArgumentException("a stream needs a content type and a producer map");
        }
        if (ttlSeconds < -1 || expiresAtMs < 0 || (ttlSeconds >= 0 && expiresAtMs > 0)) {
            throw new IllegalArgumentException("a stream has a TTL or an expiry time, not both");
        }
        producers = Map.copyOf(producers);
    }

    /**
     * An idempotent producer's state, or the tuple of one append.
     *
     * @param epoch ≥ 0
     * @param seq   the highest accepted seq of the epoch (or the append's seq)
     */
    public record Producer(String id, long epoch, long seq) {
    }

    /**
     * Where a fork's inherited records come from.
     *
     * @param source the source topic's name
     * @param at     records with seq ≤ at are the source's; the fork's own start at at + 1
     * @param anchor the fork offset as requested (seq), for comparing a repeated creation
     * @param sub    the sub-offset as requested (0 = none)
     */
    public record Fork(String source, long at, long anchor, long sub) {
    }

    /** The media type alone, lower case: {@code "Application/JSON; charset=utf-8"} → {@code "application/json"}. */
    public static String mediaType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    /** True for {@code application/json} streams: messages are JSON values, one record each. */
    public boolean json() {
        return mediaType(contentType).equals("application/json");
    }

    /** True when SSE carries the data as text ({@code text/*} and JSON), false when base64. */
    public boolean text() {
        return json() || mediaType(contentType).startsWith("text/");
    }

    /** True when {@code contentType} names the same media type as the stream's. */
    public boolean sameType(String other) {
        return mediaType(contentType).equals(mediaType(other));
    }

    /** True when the stream is past its expiry: its absolute time, or {@code ttlSeconds} since {@code lastAccessMs}. */
    public boolean expired(long nowMs, long lastAccessMs) {
        return (expiresAtMs > 0 && nowMs >= expiresAtMs)
                || (ttlSeconds >= 0 && ttlSeconds <= Long.MAX_VALUE / 1000 && nowMs - lastAccessMs >= ttlSeconds * 1000);
    }

    public StreamMeta withClosed(Producer by) {
        return new StreamMeta(contentType, ttlSeconds, expiresAtMs, true, by, fork, softDeleted, streamSeq, producers);
    }

    public StreamMeta withSoftDeleted() {
        return new StreamMeta(contentType, ttlSeconds, expiresAtMs, closed, closedBy, fork, true, streamSeq, producers);
    }

    public StreamMeta withStreamSeq(String seq) {
        return new StreamMeta(contentType, ttlSeconds, expiresAtMs, closed, closedBy, fork, softDeleted, seq, producers);
    }

    public StreamMeta withProducer(Producer p) {
        Map<String, Producer> next = new HashMap<>(producers);
        next.put(p.id(), p);
        return new StreamMeta(contentType, ttlSeconds, expiresAtMs, closed, closedBy, fork, softDeleted, streamSeq, next);
    }
}
