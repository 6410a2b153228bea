package dev.topics.storage;

import dev.topics.storage.io.Bytes;
import dev.topics.storage.segment.RecordCodec;
import java.util.Arrays;

/**
 * A stored record as read: a view into the bytes it was read into (the in-memory tail or
 * a block read from a segment). {@code data} is canonical JSON (or raw bytes when
 * {@link #contentType()} is set) to be spliced into responses as is. Immutable; the bytes
 * it points at are never modified after publication, so any thread may use it.
 */
public final class RecordView {
    private final byte[] buf;
    private final int off;
    private final RecordCodec.Parts parts = new RecordCodec.Parts();

    /**
     * A record built in memory (tools and tests): encoded and sealed exactly as the
     * committer would store it.
     */
    public static RecordView of(long seq, long ts, String tag, String node, Origin origin, byte[] data) {
        RecordBatch b = new RecordBatch(64 + data.length).add(data, tag, node, origin);
        RecordCodec.seal(b.buffer(), 0, seq, ts);
        return new RecordView(b.buffer(), 0);
    }

    /**
     * A view of the sealed record encoded at {@code off} in {@code buf} (the engine's read and
     * delete paths, over segment and tail buffers). No copy: {@code buf} must stay unchanged.
     */
    public RecordView(byte[] buf, int off) {
        this.buf = buf;
        this.off = off;
        parts.parse(buf, off);
    }

    public long seq() {
        return RecordCodec.seq(buf, off);
    }

    public long ts() {
        return RecordCodec.ts(buf, off);
    }

    public byte[] buffer() {
        return buf;
    }

    public boolean hasTag() {
        return parts.tagOff >= 0;
    }

    public int tagOffset() {
        return parts.tagOff;
    }

    public int tagLength() {
        return parts.tagLen;
    }

    public String tag() {
        return hasTag() ? Bytes.string(buf, parts.tagOff, parts.tagLen) : null;
    }

    public boolean hasNode() {
        return parts.nodeOff >= 0;
    }

    public int nodeOffset() {
        return parts.nodeOff;
    }

    public int nodeLength() {
        return parts.nodeLen;
    }

    public String node() {
        return hasNode() ? Bytes.string(buf, parts.nodeOff, parts.nodeLen) : null;
    }

    /** True when the record's node equals {@code nodeUtf8}. */
    public boolean nodeEquals(byte[] nodeUtf8) {
        return hasNode() && Arrays.equals(buf, parts.nodeOff, parts.nodeOff + parts.nodeLen, nodeUtf8, 0, nodeUtf8.length);
    }

    public Origin origin() {
        int p = parts.originOff;
        if (p < 0) {
            return null;
        }
        int nl = buf[p] & 0xFF;
        String node = Bytes.string(buf, p + 1, nl);
        int tl = Bytes.u16(buf, p + 1 + nl);
        String topic = Bytes.string(buf, p + 3 + nl, tl);
        return new Origin(node, topic, Bytes.i64(buf, p + 3 + nl + tl));
    }

    /** True when the data is raw bytes of a content type (a Durable Streams byte stream, SPEC §16), not JSON. */
    public boolean raw() {
        return parts.contentTypeOff >= 0;
    }

    /** The content type of a raw payload, or null for JSON data. */
    public String contentType() {
        return parts.contentTypeOff < 0 ? null : Bytes.string(buf, parts.contentTypeOff, parts.contentTypeLen);
    }

    public int dataOffset() {
        return parts.dataOff;
    }

    public int dataLength() {
        return parts.dataLen;
    }

    public byte[] data() {
        return Arrays.copyOfRange(buf, parts.dataOff, parts.dataOff + parts.dataLen);
    }
}
