package dev.topics.storage.io;

/**
 * A bounds-checked little-endian reader over a byte array: the decoding twin of
 * {@link ByteSink}. Reading past the end throws {@link CorruptFrame}, so a damaged
 * length field can never make a decoder read garbage. Not thread-safe.
 */
public final class ByteSource {
    private final byte[] buf;
    private final int end;
    private int pos;

    public ByteSource(byte[] buf, int off, int len) {
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
    }

    private int take(int n) {
        if (n < 0 || end - pos < n) {
            throw new CorruptFrame("truncated data: wanted " + n + " bytes at " + pos);
        }
        int at = pos;
        pos += n;
        return at;
    }

    public int u8() {
        return buf[take(1)] & 0xFF;
    }

    public int u16() {
        return Bytes.u16(buf, take(2));
    }

    public int i32() {
        return Bytes.i32(buf, take(4));
    }

    public long i64() {
        return Bytes.i64(buf, take(8));
    }

    public boolean bool() {
        int v = u8();
        if (v > 1) {
            throw new CorruptFrame("bad boolean " + v);
        }
        return v == 1;
    }

    public String str16() {
        int n = u16();
        return Bytes.string(buf, take(n), n);
    }

    public byte[] bytes(int n) {
        int at = take(n);
        byte[] out = new byte[n];
        System.arraycopy(buf, at, out, 0, n);
        return out;
    }

    /** Skips {@code n} bytes and returns the offset where they start. */
    public int skip(int n) {
        return take(n);
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return end - pos;
    }

    public byte[] array() {
        return buf;
    }
}
