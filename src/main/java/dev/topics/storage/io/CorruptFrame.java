package dev.topics.storage.io;

/** Bytes on disk that do not decode: a torn write, garbage, or a flipped bit. */
public final class CorruptFrame extends RuntimeException {
    public CorruptFrame(String message) {
        super(message);
    }
}
