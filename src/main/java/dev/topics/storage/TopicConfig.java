package dev.topics.storage;

/**
 * A topic's effective configuration (SPEC §2). Immutable; a change is a new instance
 * committed through the WAL.
 *
 * @param ttlMs               records older than this are evicted; 0 = never
 * @param capRecords          at most this many live records; 0 = unbounded
 * @param capBytes            at most this many bytes of live record data; 0 = unbounded
 * @param discard             what happens at a cap
 * @param durable             false: the topic lives in memory only and is gone after a restart
 * @param durability          when a write to a durable topic is acknowledged
 * @param autoCreate          whether a write may create the topic when it does not exist
 * @param idempotencyWindowMs how long an idempotency key is remembered
 * @param dedupeNode          drop routed/mirrored records already applied (SPEC §8)
 * @param publicRead          SPEC §11
 * @param publicPublish       SPEC §11
 */
public record TopicConfig(
        long ttlMs,
        long capRecords,
        long capBytes,
        Discard discard,
        boolean durable,
        Durability durability,
        boolean autoCreate,
        long idempotencyWindowMs,
        boolean dedupeNode,
        boolean publicRead,
        boolean publicPublish) {

    /** The defaults of SPEC §2 with both public flags off. */
    public static final TopicConfig DEFAULTS = new TopicConfig(
            0, 0, 0, Discard.OLD, true, Durability.FSYNC, true, 120_000, true, false, false);

    public enum Discard {
        OLD, NEW;

        public String wire() {
            return this == OLD ? "old" : "new";
        }
    }

    public enum Durability {
        FSYNC, ASYNC;

        public String wire() {
            return this == FSYNC ? "fsync" : "async";
        }
    }

    public TopicConfig {
        if (ttlMs < 0 || capRecords < 0 || capBytes < 0 || idempotencyWindowMs < 0) {
            throw new IllegalArgumentException("negative topic limit");
        }
        if (discard == null || durability == null) {
            throw new IllegalArgumentException("discard and durability are required");
        }
    }
}
