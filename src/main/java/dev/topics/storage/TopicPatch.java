package dev.topics.storage;

/** A partial topic configuration: null fields keep their current (or default) value. */
public record TopicPatch(Long ttlMs, Long capRecords, Long capBytes, TopicConfig.Discard discard, Boolean durable,
                         TopicConfig.Durability durability, Boolean autoCreate, Long idempotencyWindowMs,
                         Boolean dedupeNode, Boolean publicRead, Boolean publicPublish) {

    public static final TopicPatch EMPTY = new TopicPatch(null, null, null, null, null, null, null, null, null, null, null);

    public TopicConfig applyTo(TopicConfig c) {
        return new TopicConfig(
                ttlMs != null ? ttlMs : c.ttlMs(),
                capRecords != null ? capRecords : c.capRecords(),
                capBytes != null ? capBytes : c.capBytes(),
                discard != null ? discard : c.discard(),
                durable != null ? durable : c.durable(),
                durability != null ? durability : c.durability(),
                autoCreate != null ? autoCreate : c.autoCreate(),
                idempotencyWindowMs != null ? idempotencyWindowMs : c.idempotencyWindowMs(),
                dedupeNode != null ? dedupeNode : c.dedupeNode(),
                publicRead != null ? publicRead : c.publicRead(),
                publicPublish != null ? publicPublish : c.publicPublish());
    }
}
