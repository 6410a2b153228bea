package dev.topics.storage.io;

import java.util.Arrays;

/**
 * A growable little-endian byte buffer used to encode frames, records and snapshots.
 * Not thread-safe: one owner at a time.
 */
public final class ByteSink {
    private byte[] buf;
    private int size;

    public ByteSink(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    public void ensure(int extra) {
        int need = size + extra;
        if (need > buf.length) {
            if (need < 0) {
                throw new IllegalStateException("buffer over 2 GiB");
            }
            buf = Arrays.copyOf(buf, Math.max(need, buf.length * 2));
        }
    }

    public ByteSink u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    public ByteSink u16(int v) {
        ensure(2);
        Bytes.put16(buf, size, v);
        size += 2;
        return this;
    }

    public ByteSink i32(int v) {
        ensure(4);
        Bytes.put32(buf, size, v);
        size += 4;
        return this;
    }

    public ByteSink i64(long v) {
        ensure(8);
        Bytes.put64(buf, size, v);
        size += 8;
        return this;
    }

    public ByteSink bytes(byte[] b) {
        return bytes(b, 0, b.length);
    }

    public ByteSink bytes(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
        return this;
    }

    /** A string as u16 length + UTF-8 bytes. */
    public ByteSink str16(String s) {
        byte[] b = Bytes.utf8(s);
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("string over 65535 bytes");
        }
        return u16(b.length).bytes(b);
    }

    /** Reserves {@code n} bytes to be filled later; returns their offset. */
    public int skip(int n) {
        ensure(n);
        int at = size;
        size += n;
        return at;
    }

    public byte[] array() {
        return buf;
    }

    public int size() {
        return size;
    }

    public void reset() {
        size = 0;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }
}
