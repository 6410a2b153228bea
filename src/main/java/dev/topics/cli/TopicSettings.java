package dev.topics.cli;

import picocli.CommandLine.Option;

/**
 * The topic settings {@code topics create} and {@code topics update} take, as
 * request fields: only the options given are sent, so the rest keep their defaults (create)
 * or their current values (update).
 */
final class TopicSettings {
    @Option(names = "--public-read", negatable = true, description = "Anyone may read the topic.")
    Boolean publicRead;

    @Option(names = "--public-publish", negatable = true, description = "Anyone may write to the topic.")
    Boolean publicPublish;

    @Option(names = "--ttl-ms", paramLabel = "MS", description = "Evict records older than this; 0 = never.")
    Long ttlMs;

    @Option(names = "--cap-records", paramLabel = "N", description = "At most this many live records; 0 = unbounded.")
    Long capRecords;

    @Option(names = "--cap-bytes", paramLabel = "N", description = "At most this many bytes of record data; 0 = unbounded.")
    Long capBytes;

    @Option(names = "--discard", paramLabel = "old|new", converter = Choices.Discard.class,
            completionCandidates = Choices.Discard.class,
            description = "At a cap: evict the oldest records (old) or refuse the write (new).")
    String discard;

    @Option(names = "--durability", paramLabel = "fsync|async", converter = Choices.Durability.class,
            completionCandidates = Choices.Durability.class,
            description = "Acknowledge writes after fsync, or after the OS has them (fsynced soon after).")
    String durability;

    @Option(names = "--dedupe-node", negatable = true,
            description = "Drop routed or mirrored records already applied.")
    Boolean dedupeNode;

    @Option(names = "--auto-create", negatable = true,
            description = "Whether a write or a router may create the topic when it does not exist.")
    Boolean autoCreate;

    @Option(names = "--idempotency-window-ms", paramLabel = "MS", description = "How long idempotency keys are remembered.")
    Long idempotencyWindowMs;

    /** The settings given, as request fields. */
    Fields fields() {
        return new Fields().put("public_read", publicRead).put("public_publish", publicPublish).put("ttl_ms", ttlMs)
                .put("cap_records", capRecords).put("cap_bytes", capBytes).put("discard", discard)
                .put("durability", durability).put("dedupe_node", dedupeNode).put("auto_create", autoCreate)
                .put("idempotency_window_ms", idempotencyWindowMs);
    }
}
