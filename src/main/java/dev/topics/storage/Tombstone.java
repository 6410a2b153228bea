package dev.topics.storage;


/** A gap a reader must be told about (SPEC §4). */
public sealed interface Tombstone {
    /** Records {@code fromSeq..toSeq} after the cursor were evicted by TTL or caps before being read. */
    record Retention(long fromSeq, long toSeq) implements Tombstone {
    }

    /** The cursor is past the head: the topic was deleted and made again. */
    record Reset(long headSeq) implements Tombstone {
    }
}
