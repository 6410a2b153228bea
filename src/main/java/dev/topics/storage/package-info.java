/**
 * The storage's face: what the rest of the server uses to keep and read topics. The
 * {@link dev.topics.storage.Storage} interface, its requests and results
 * ({@code AppendRequest}, {@code ReadResult}, {@code TopicChange}, ...), the values it hands
 * out ({@code TopicConfig}, {@code TopicInfo}, {@code RecordView}, {@code Tombstone},
 * {@code ControlEntry}, ...), its filters and its exceptions.
 *
 * <p>Rule: any package may import this one; it imports only the storage's leaf packages
 * ({@code io}, and {@code segment} for the record encoding behind {@code RecordBatch} and
 * {@code RecordView}), never {@code engine}, and nothing of HTTP or Helidon. The engine
 * behind the interface lives in {@link dev.topics.storage.engine}; the few members of this
 * package that exist for it (a record view over its buffers, a batch's bytes) are public
 * and say so.
 */
package dev.topics.storage;
