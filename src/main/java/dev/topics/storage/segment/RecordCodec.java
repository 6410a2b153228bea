package dev.topics.storage.segment;

import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.Bytes;
import dev.topics.storage.io.CorruptFrame;

/**
 * The encoding of one record, version 1 — the same bytes in a WAL records frame, in a
 * segment file and in the in-memory tail, so a record is encoded once (by the request
 * thread) and copied, never re-encoded.
 *
 * <pre>
 * record := u32 length        whole record, this field included
 *           u32 crc32c        over bytes [8, length)
 *           u64 seq           assigned by the committer (0 until then)
 *           u64 ts            ms since the epoch, assigned by the committer
 *           u8  flags         which optional parts follow, in this order:
 *             0x01 tag          u16 len, UTF-8
 *             0x02 node         u8 len, UTF-8
 *             0x04 origin       u8 len node, u16 len topic, u64 seq   (SPEC §8)
 *             0x08 content type u8 len, ASCII; the payload is raw bytes, not JSON (SPEC §16)
 *           u32 dataLength, data   canonical JSON bytes (or raw bytes with 0x08)
 * </pre>
 * Flags not listed are reserved: a reader refuses them instead of misreading a newer
 * format. Stateless; any thread.
 */
public final class RecordCodec {
    public static final int HEADER = 25;
    public static final int F_TAG = 0x01;
    public static final int F_NODE = 0x02;
    public static final int F_ORIGIN = 0x04;
    public static final int F_CONTENT_TYPE = 0x08;
    private static final int KNOWN = F_TAG | F_NODE | F_ORIGIN | F_CONTENT_TYPE;

    private RecordCodec() {
    }

    /**
     * Appends one record with seq and ts 0 and no CRC; {@link #seal} fills them in.
     * Strings are given as UTF-8 bytes (null = absent).
     */
    public static void encode(ByteSink out, byte[] data, byte[] tag, byte[] node,
                              byte[] originNode, byte[] originTopic, long originSeq, byte[] contentType) {
        fits(tag, 0xFFFF, "tag");
        fits(node, 0xFF, "node");
        fits(originNode, 0xFF, "origin node");
        fits(originTopic, 0xFFFF, "origin topic");
        fits(contentType, 0xFF, "content type");
        if ((originNode == null) != (originTopic == null)) {
            throw new IllegalArgumentException("an origin needs both a node and a topic");
        }
        int start = out.skip(HEADER - 1);
        int flags = (tag != null ? F_TAG : 0) | (node != null ? F_NODE : 0)
                | (originNode != null ? F_ORIGIN : 0) | (contentType != null ? F_CONTENT_TYPE : 0);
        out.u8(flags);
        if (tag != null) {
            out.u16(tag.length).bytes(tag);
        }
        if (node != null) {
            out.u8(node.length).bytes(node);
        }
        if (originNode != null) {
            out.u8(originNode.length).bytes(originNode).u16(originTopic.length).bytes(originTopic).i64(originSeq);
        }
        if (contentType != null) {
            out.u8(contentType.length).bytes(contentType);
        }
        out.i32(data.length).bytes(data);
        byte[] b = out.array();
        Bytes.put32(b, start, out.size() - start);
        Bytes.put32(b, start + 4, 0);
        Bytes.put64(b, start + 8, 0);
        Bytes.put64(b, start + 16, 0);
    }

    private static void fits(byte[] part, int max, String what) {
        if (part != null && part.length > max) {
            throw new IllegalArgumentException(what + " is " + part.length + " bytes; the record format allows " + max);
        }
    }

    /** Sets seq and ts of the record at {@code off} and computes its CRC. */
    public static void seal(byte[] b, int off, long seq, long ts) {
        Bytes.put64(b, off + 8, seq);
        Bytes.put64(b, off + 16, ts);
        int len = length(b, off);
        Bytes.put32(b, off + 4, Bytes.crc32c(b, off + 8, len - 8));
    }

    public static int length(byte[] b, int off) {
        return Bytes.i32(b, off);
    }

    public static long seq(byte[] b, int off) {
        return Bytes.i64(b, off + 8);
    }

    public static long ts(byte[] b, int off) {
        return Bytes.i64(b, off + 16);
    }

    public static int flags(byte[] b, int off) {
        return b[off + 24] & 0xFF;
    }

    /**
     * Checks that a whole record of plausible shape starts at {@code off} with at most
     * {@code avail} bytes available, and that its CRC matches. Returns its length.
     */
    public static int check(byte[] b, int off, int avail) {
        if (avail < HEADER + 4) {
            throw new CorruptFrame("record header cut short");
        }
        int len = length(b, off);
        if (len < HEADER + 4 || len > avail) {
            throw new CorruptFrame("record length " + len + " out of bounds");
        }
        if (Bytes.i32(b, off + 4) != Bytes.crc32c(b, off + 8, len - 8)) {
            throw new CorruptFrame("record CRC mismatch at seq " + seq(b, off));
        }
        if ((flags(b, off) & ~KNOWN) != 0) {
            throw new CorruptFrame("record flags " + flags(b, off) + " not supported by this build");
        }
        new Parts().parse(b, off); // its parts must fill the record exactly, CRC or not
        return len;
    }

    /**
     * Offsets of a record's variable parts, decoded on demand by readers. Fields are
     * absolute offsets into the buffer; -1 = absent.
     */
    public static final class Parts {
        public int tagOff = -1;
        public int tagLen;
        public int nodeOff = -1;
        public int nodeLen;
        public int originOff = -1;
        public int contentTypeOff = -1;
        public int contentTypeLen;
        public int dataOff;
        public int dataLen;

        /**
         * Finds the parts of the record at {@code off}, whose length field must already lie
         * within {@code b} (readers bound it by what they read). Every length inside is checked
         * against the record's own length, so damaged bytes that got past the CRC (or a read
         * that does not check it) give {@link CorruptFrame}, never an index out of bounds or
         * parts that point into the next record. A few compares per record on the read path.
         */
        public void parse(byte[] b, int off) {
            int len = length(b, off);
            if (len < HEADER + 4 || len > b.length - off) {
                throw new CorruptFrame("record length " + len + " out of bounds");
            }
            int end = off + len;
            int flags = flags(b, off);
            int p = off + HEADER;
            tagOff = nodeOff = originOff = contentTypeOff = -1;
            if ((flags & F_TAG) != 0) {
                tagLen = Bytes.u16(b, need(p, 2, end));
                tagOff = p + 2;
                p = need(tagOff, tagLen, end) + tagLen;
            }
            if ((flags & F_NODE) != 0) {
                nodeLen = b[need(p, 1, end)] & 0xFF;
                nodeOff = p + 1;
                p = need(nodeOff, nodeLen, end) + nodeLen;
            }
            if ((flags & F_ORIGIN) != 0) {
                originOff = p;
                int nl = b[need(p, 1, end)] & 0xFF;
                int tl = Bytes.u16(b, need(p + 1 + nl, 2, end));
                p = need(p + 3 + nl, tl + 8, end) + tl + 8;
            }
            if ((flags & F_CONTENT_TYPE) != 0) {
                contentTypeLen = b[need(p, 1, end)] & 0xFF;
                contentTypeOff = p + 1;
                p = need(contentTypeOff, contentTypeLen, end) + contentTypeLen;
            }
            dataLen = Bytes.i32(b, need(p, 4, end));
            dataOff = p + 4;
            if (dataLen != end - dataOff) {
                throw new CorruptFrame("record data length " + dataLen + " does not fill the record (" + (end - dataOff)
                        + " bytes left) at seq " + seq(b, off));
            }
        }

        /** {@code p}, after checking that {@code n} bytes from it lie before {@code end}. */
        private static int need(int p, int n, int end) {
            if (end - p < n) {
                throw new CorruptFrame("record part runs past the record's end");
            }
            return p;
        }
    }
}
