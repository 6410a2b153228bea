package dev.topics.storage.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Little-endian reads and writes on byte arrays, and CRC32C. Every on-disk format of the
 * engine (WAL frames, records, snapshots, indexes) is little-endian and uses these helpers,
 * so there is exactly one definition of the byte order. Stateless; any thread.
 */
public final class Bytes {
    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Bytes() {
    }

    public static int u16(byte[] b, int off) {
        return (short) I16.get(b, off) & 0xFFFF;
    }

    public static int i32(byte[] b, int off) {
        return (int) I32.get(b, off);
    }

    public static long u32(byte[] b, int off) {
        return i32(b, off) & 0xFFFF_FFFFL;
    }

    public static long i64(byte[] b, int off) {
        return (long) I64.get(b, off);
    }

    public static void put16(byte[] b, int off, int v) {
        I16.set(b, off, (short) v);
    }

    public static void put32(byte[] b, int off, int v) {
        I32.set(b, off, v);
    }

    public static void put64(byte[] b, int off, long v) {
        I64.set(b, off, v);
    }

    public static int crc32c(byte[] b, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(b, off, len);
        return (int) crc.getValue();
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static String string(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.UTF_8);
    }
}
