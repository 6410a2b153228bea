/**
 * Snapshot files: the framing of the engine's state at a WAL file boundary. The payload is
 * the engine's ({@code engine.SnapshotCodec}).
 *
 * <p>Rule: imports only {@code io} and {@code fault}; imported by the engine.
 */
package dev.topics.storage.snapshot;
