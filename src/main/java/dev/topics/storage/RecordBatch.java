package dev.topics.storage;

import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.Bytes;
import dev.topics.storage.segment.RecordCodec;

/**
 * The records of one write, encoded by the request thread ({@link RecordCodec}) so the
 * committer only stamps seqs and timestamps into them. Not thread-safe: build it on one
 * thread, then hand it to {@link Storage#append}; it must not be touched afterwards.
 */
public final class RecordBatch {
    private final ByteSink sink;
    private int count;
    private long dataBytes;
    private boolean origins;

    public RecordBatch(int expectedBytes) {
        sink = new ByteSink(expectedBytes);
    }

    /**
     * Adds a record whose {@code data} is canonical JSON bytes.
     *
     * @param tag    null or the tag
     * @param node   null or the originating node id
     * @param origin null, or where the record was first written
     */
    public RecordBatch add(byte[] data, String tag, String node, Origin origin) {
        RecordCodec.encode(sink, data,
                tag == null ? null : Bytes.utf8(tag),
                node == null ? null : Bytes.utf8(node),
                origin == null ? null : Bytes.utf8(origin.node()),
                origin == null ? null : Bytes.utf8(origin.topic()),
                origin == null ? 0 : origin.seq(),
                null);
        count++;
        dataBytes += data.length;
        origins |= origin != null;
        return this;
    }

    /** True when any record carries an origin (SPEC §8), i.e. dedupe must look at this batch. */
    public boolean hasOrigins() {
        return origins;
    }

    public int count() {
        return count;
    }

    /** Bytes of record data (what caps and the {@code bytes} statistic count). */
    public long dataBytes() {
        return dataBytes;
    }

    /** Bytes of the encoded batch. */
    public int encodedBytes() {
        return sink.size();
    }

    /** The encoded records, for the engine to seal and log: not a copy, not to be changed. */
    public byte[] buffer() {
        return sink.array();
    }
}
