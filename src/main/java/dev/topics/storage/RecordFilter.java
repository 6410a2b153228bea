package dev.topics.storage;

/**
 * Decides whether a reader sees a record. Non-matching records are skipped but still
 * advance the cursor. Filter expressions (SPEC §6) compile to this.
 */
@FunctionalInterface
public interface RecordFilter {
    boolean test(RecordView record);
}
