/**
 * The storage engine behind {@link dev.topics.storage.Storage}: {@code LocalStorage} (the
 * implementation the server starts), the committer's tasks ({@code AppendTask},
 * {@code DeleteTask}, ...), the in-memory state ({@code Engine}, {@code TopicLog},
 * {@code IdempotencyTable}, {@code OriginMarks}, ...), the WAL frames and snapshot payload
 * it writes ({@code Frames}, {@code SnapshotCodec}), recovery and repair, retention and
 * compaction.
 *
 * <p>Rule: the engine's classes work together through package-private members, so they live
 * in one package and only {@code LocalStorage} is public (the server opens it and reads its
 * gauges). This package may import the face ({@code dev.topics.storage}) and every storage
 * subpackage; none of them imports it. Outside the storage only the server's wiring
 * ({@code TopicsServer}, {@code ServerGauges}) imports it; everything else uses the face.
 */
package dev.topics.storage.engine;
