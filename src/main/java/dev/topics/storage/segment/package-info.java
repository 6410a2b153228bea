/**
 * A topic's records on disk: the record encoding ({@code RecordCodec}), segment files with
 * their sparse index and tag Bloom filter, a topic's chain of segments ({@code SegmentLog}),
 * the shared cache of open segment channels ({@code SegmentChannels}) and the in-memory tail
 * of records not yet in a segment ({@code Tail}).
 *
 * <p>Rule: imports only {@code io} and {@code fault}; imported by the engine, and by the face
 * for the record encoding ({@code RecordBatch}, {@code RecordView}).
 */
package dev.topics.storage.segment;
