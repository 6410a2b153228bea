package dev.topics.storage.snapshot;

import dev.topics.storage.fault.Faults;
import dev.topics.storage.io.AtomicFiles;
import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.Bytes;
import dev.topics.storage.io.CorruptFrame;
import dev.topics.storage.io.FileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Snapshot files: the engine's whole state at a WAL file boundary. The payload is the
 * engine's business ({@code dev.topics.storage.engine.SnapshotCodec}); this class frames it:
 * <pre>
 * file := "TSNP" u8 version(=1) u8[3] zero  u64 walStart  u32 payloadLength  payload  u32 crc32c
 * </pre>
 * {@code walStart} is the first WAL file to replay after loading this snapshot; the file
 * is named by it ({@code 00000000000000000009.snap}). Written with {@link AtomicFiles};
 * older snapshots are deleted once a newer one is durable. Any thread, one writer.
 */
public final class SnapshotFile {
    public static final int VERSION = 1;

    /** A loaded snapshot. */
    public record Loaded(long walStart, byte[] payload, Path file) {
    }

    private SnapshotFile() {
    }

    public static void write(Path dir, long walStart, byte[] payload) throws IOException {
        ByteSink out = new ByteSink(payload.length + 32);
        out.u8('T').u8('S').u8('N').u8('P').u8(VERSION).u8(0).u8(0).u8(0).i64(walStart).i32(payload.length).bytes(payload);
        out.i32(Bytes.crc32c(out.array(), 0, out.size()));
        String name = FileNames.snapshotName(walStart);
        AtomicFiles.write(dir, name, out.toByteArray(), () -> Faults.at(Faults.SNAPSHOT_BEFORE_RENAME));
        Faults.at(Faults.SNAPSHOT_AFTER_RENAME);
        for (Path p : list(dir)) {
            if (!p.getFileName().toString().equals(name)) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The newest snapshot, or null when there is none. A damaged newest snapshot is an error. */
    public static Loaded readNewest(Path dir) throws IOException {
        List<Path> all = list(dir);
        if (all.isEmpty()) {
            return null;
        }
        Path p = all.get(all.size() - 1);
        byte[] b = Files.readAllBytes(p);
        if (b.length < 24 || b[0] != 'T' || b[1] != 'S' || b[2] != 'N' || b[3] != 'P') {
            throw new CorruptFrame("snapshot " + p + " is not a snapshot file");
        }
        if (b[4] != VERSION) {
            throw new CorruptFrame("snapshot " + p + " has format version " + b[4] + "; this build reads " + VERSION);
        }
        int len = Bytes.i32(b, 16);
        if (len < 0 || 20 + len + 4 != b.length || Bytes.i32(b, b.length - 4) != Bytes.crc32c(b, 0, b.length - 4)) {
            throw new CorruptFrame("snapshot " + p + " is damaged (length or CRC mismatch)");
        }
        byte[] payload = new byte[len];
        System.arraycopy(b, 20, payload, 0, len);
        return new Loaded(Bytes.i64(b, 8), payload, p);
    }

    private static List<Path> list(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (var s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (FileNames.parse(n, FileNames.SNAPSHOT_SUFFIX) >= 0) {
                    out.add(p);
                } else if (n.endsWith(FileNames.SNAPSHOT_SUFFIX + FileNames.TMP_SUFFIX)) {
                    Files.deleteIfExists(p);
                }
            }
        }
        out.sort(null);
        return out;
    }
}
