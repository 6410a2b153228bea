package dev.topics.storage;

import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.Bytes;
import dev.topics.storage.segment.RecordCodec;
import java.util.Arrays;

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
    private boolean raw;

    public RecordBatch(int expectedBytes) {
        sink = new ByteSink(expectedBytes);
    }

    /**
     * A batch from records already encoded (a cluster command carries them): each record is
     * parsed, so damaged bytes give {@link dev.topics.storage.io.CorruptFrame}, and the
     * counts are recomputed from the records themselves.
     */
    public static RecordBatch ofEncoded(byte[] encoded, int off, int len) {
        RecordBatch b = new RecordBatch(Math.max(16, len));
        b.sink.bytes(encoded, off, len);
        byte[] buf = b.sink.array();
        RecordCodec.Parts parts = new RecordCodec.Parts();
        for (int p = 0; p < len; ) {
            if (len - p < 4) {
                throw new dev.topics.storage.io.CorruptFrame("a record cut short at byte " + p);
            }
            int n = RecordCodec.length(buf, p);
            if (n <= 0 || n > len - p) {
                throw new dev.topics.storage.io.CorruptFrame("record length " + n + " out of bounds at byte " + p);
            }
            parts.parse(buf, p);
            b.count++;
            b.dataBytes += parts.dataLen;
            b.origins |= parts.originOff >= 0;
            b.raw |= parts.contentTypeOff >= 0;
            p += n;
        }
        return b;
    }

    /**
     * Adds a record whose {@code data} is canonical JSON bytes.
     *
     * @param tag    null or the tag
     * @param node   null or the originating node id
     * @param origin null, or where the record was first written
     */
    public RecordBatch add(byte[] data, String tag, String node, Origin origin) {
        return add(data, tag, node, origin, null);
    }

    /**
     * Adds a record; with a {@code contentType}, its data is raw bytes of that type (a
     * Durable Streams byte stream, SPEC §16), otherwise canonical JSON.
     */
    public RecordBatch add(byte[] data, String tag, String node, Origin origin, String contentType) {
        RecordCodec.encode(sink, data,
                tag == null ? null : Bytes.utf8(tag),
                node == null ? null : Bytes.utf8(node),
                origin == null ? null : Bytes.utf8(origin.node()),
                origin == null ? null : Bytes.utf8(origin.topic()),
                origin == null ? 0 : origin.seq(),
                contentType == null ? null : Bytes.utf8(contentType));
        count++;
        dataBytes += data.length;
        origins |= origin != null;
        raw |= contentType != null;
        return this;
    }

    /**
     * Adds a record whose data is raw bytes of {@code contentType} (a Durable Streams byte
     * stream, SPEC §16), not JSON.
     */
    public RecordBatch addRaw(byte[] data, int off, int len, String contentType) {
        return add(off == 0 && len == data.length ? data : Arrays.copyOfRange(data, off, off + len), null, null, null,
                contentType);
    }

    /** True when any record is raw bytes ({@link #addRaw}) rather than JSON. */
    public boolean hasRaw() {
        return raw;
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
