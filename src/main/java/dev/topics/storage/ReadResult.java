package dev.topics.storage;

import java.util.List;

/**
 * Records after a cursor (SPEC §4).
 *
 * @param nextFromSeq the highest seq examined, skipped ones included (0 with a reset)
 * @param tombstone   null, or the gap the reader must know about
 */
public record ReadResult(List<RecordView> records, long nextFromSeq, long headSeq, long earliestSeq,
                         Tombstone tombstone) {
}
