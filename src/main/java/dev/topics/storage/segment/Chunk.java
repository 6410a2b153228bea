package dev.topics.storage.segment;

/**
 * Records {@code firstSeq..lastSeq} encoded back to back ({@link RecordCodec}) in
 * {@code buf[off, off+len)}. Immutable once published; shared by readers.
 */
public record Chunk(long firstSeq, long lastSeq, byte[] buf, int off, int len) {
}
