/**
 * The storage's shared byte and file helpers: little-endian encoding and decoding
 * ({@link dev.topics.storage.io.Bytes}, {@link dev.topics.storage.io.ByteSink},
 * {@link dev.topics.storage.io.ByteSource}), the error for bytes that do not decode
 * ({@link dev.topics.storage.io.CorruptFrame}), crash-safe file replacement and directory
 * fsync ({@link dev.topics.storage.io.AtomicFiles}, {@link dev.topics.storage.io.DirectoryFsync}),
 * and every name the storage gives a file in the data directory
 * ({@link dev.topics.storage.io.FileNames}, whose Javadoc draws the layout).
 *
 * <p>Rule: this package is the bottom of the storage. It imports nothing from the rest of
 * {@code dev.topics.storage} (not even {@code fault}: callers pass their fault points in), and
 * any storage package may import it. Code outside the storage has no business here.
 */
package dev.topics.storage.io;
