package dev.topics.storage.engine;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.ReadResult;
import dev.topics.storage.RecordView;
import dev.topics.storage.StorageException;
import dev.topics.storage.TopicInfo;
import dev.topics.storage.io.Bytes;
import dev.topics.storage.io.CorruptFrame;
import dev.topics.storage.io.FileNames;
import dev.topics.storage.segment.RecordCodec;
import dev.topics.storage.segment.SegmentChannels;
import dev.topics.storage.segment.SegmentLog;
import dev.topics.storage.snapshot.SnapshotFile;
import dev.topics.storage.wal.WalFormat;
import dev.topics.storage.wal.WalReader;
import dev.topics.testing.Corruptor;
import dev.topics.testing.FuzzRuns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the storage decoders over damaged files (docs/DECISIONS.md, "Fuzzing"): a WAL file,
 * a segment file, a snapshot file and a snapshot payload. For any bytes, opening the data
 * directory (recovery) and reading everything it then serves either works or fails with the
 * engine's named errors — {@link CorruptFrame}, an {@link IOException}, or a
 * {@link StorageException} caused by one of those — never with another exception (an index
 * out of bounds, a negative array size), an {@link OutOfMemoryError} from a length field, or
 * a hang.
 *
 * <p>Seeds are files the real engine wrote ({@link StorageSamples}), so mutations start past
 * the magic numbers and CRCs. The {@code …CrcFixed} targets and {@code snapshotPayload} also
 * recompute the checksums of whatever the fuzzer made, so that the structure behind them
 * (frame payloads, record parts, the snapshot's sections) is reached too.
 *
 * <p>Each input runs in a scratch directory in memory ({@code /dev/shm} when there is one).
 */
class StorageFuzzTest {
    /** Segment files open at once in the segment target: a few, so it also goes through evictions. */
    private static final SegmentChannels CHANNELS = new SegmentChannels(4);

    private static final Path SCRATCH = scratchRoot();
    /** A data directory written with a snapshot half-way (StorageSamples.snapshotted), made once. */
    private static Path snapshotted;

    @AfterAll
    static void report() {
        FuzzRuns.report(StorageFuzzTest.class);
    }

    // ------------------------------------------------------------------ targets
    // maxDuration is each target's fuzzing budget in CI (bin/fuzz); a normal build only replays the corpus.

    /** The input is WAL file 1 of an empty data directory. */
    @FuzzTest(maxDuration = "20s")
    void walRecovery(byte[] input) throws IOException {
        FuzzRuns.count(StorageFuzzTest.class, "walRecovery");
        recoverWal(input);
    }

    /** As {@link #walRecovery}, with the frame and record CRCs made to match. */
    @FuzzTest(maxDuration = "20s")
    void walRecoveryCrcFixed(byte[] input) throws IOException {
        FuzzRuns.count(StorageFuzzTest.class, "walRecoveryCrcFixed");
        recoverWal(Fixups.wal(input));
    }

    /** The input is a segment with base seq 1, opened as the active segment and as a sealed one (with and without index). */
    @FuzzTest(maxDuration = "20s")
    void segment(byte[] input) throws IOException {
        FuzzRuns.count(StorageFuzzTest.class, "segment");
        openSegment(input);
    }

    /** As {@link #segment}, with a valid header and record CRCs made to match. */
    @FuzzTest(maxDuration = "20s")
    void segmentCrcFixed(byte[] input) throws IOException {
        FuzzRuns.count(StorageFuzzTest.class, "segmentCrcFixed");
        openSegment(Fixups.segment(input));
    }

    /** The input replaces the snapshot file of a data directory that has segments and WAL files. */
    @FuzzTest(maxDuration = "20s")
    void snapshotFile(byte[] input) throws IOException {
        FuzzRuns.count(StorageFuzzTest.class, "snapshotFile");
        Path dir = freshCopyOfSnapshotted();
        Path snap = only(dir.resolve(FileNames.SNAPSHOT_DIR));
        Files.write(snap, input);
        recoverAndReadAll(dir);
    }

    /** The input is the payload of that snapshot, framed by the real writer (SnapshotFile: length and CRC right). */
    @FuzzTest(maxDuration = "20s")
    void snapshotPayload(byte[] input) throws IOException {
        FuzzRuns.count(StorageFuzzTest.class, "snapshotPayload");
        Path dir = freshCopyOfSnapshotted();
        Path snapDir = dir.resolve(FileNames.SNAPSHOT_DIR);
        Path snap = only(snapDir);
        long walStart = FileNames.parse(snap.getFileName().toString(), FileNames.SNAPSHOT_SUFFIX);
        Files.delete(snap);
        SnapshotFile.write(snapDir, walStart, input);
        recoverAndReadAll(dir);
    }

    // ------------------------------------------------------------------ what each target does

    private static void recoverWal(byte[] wal) throws IOException {
        Path dir = fresh();
        Path walDir = Files.createDirectories(dir.resolve(FileNames.WAL_DIR));
        Path file = walDir.resolve(FileNames.walName(1));
        Files.write(file, wal);
        expectClean(() -> {
            try (WalReader r = new WalReader(file)) {
                r.readAll((type, buf, off, len, position) -> { });
            }
        });
        recoverAndReadAll(dir);
    }

    private static void recoverAndReadAll(Path dir) {
        expectClean(() -> {
            try (LocalStorage s = LocalStorage.open(StorageSamples.options(dir))) {
                readAll(s);
            }
        });
    }

    /** Everything a recovered engine serves: every topic's records (each part decoded), watches, control entries. */
    private static void readAll(LocalStorage s) {
        for (TopicInfo t : s.list("", null, 10_000)) {
            long from = Math.max(0, t.earliestSeq() - 1);
            for (int page = 0; page < 100; page++) {
                ReadResult r = s.read(t.name(), from, 1000, 1 << 20, null, null);
                r.records().forEach(StorageFuzzTest::touch);
                if (Long.compareUnsigned(r.nextFromSeq(), from) <= 0 || Long.compareUnsigned(r.nextFromSeq(), r.headSeq()) >= 0) {
                    break;
                }
                from = r.nextFromSeq();
            }
        }
        for (String wid : s.watchIds()) {
            s.watch(wid);
        }
        for (ControlEntry.Kind kind : ControlEntry.Kind.values()) {
            s.controls(kind);
        }
    }

    private static void touch(RecordView v) {
        v.seq();
        v.ts();
        v.tag();
        v.node();
        v.origin();
        v.contentType();
        v.data();
    }

    private enum SegmentRole { ACTIVE, SEALED_SCANNED, SEALED_INDEXED }

    private static void openSegment(byte[] seg) throws IOException {
        for (SegmentRole role : SegmentRole.values()) {
            Path dir = Files.createDirectories(fresh().resolve("topic"));
            Files.write(dir.resolve(FileNames.segmentName(1)), seg);
            long activeBase = 1;
            if (role != SegmentRole.ACTIVE) {
                activeBase = 1_000_000; // the input is sealed; an empty active segment follows it
            }
            if (role == SegmentRole.SEALED_INDEXED) {
                Files.write(dir.resolve(FileNames.indexName(1)), Fixups.index(1, new long[] {1, 16}));
            }
            long base = activeBase;
            long head = Fixups.lastSeq(seg); // what a snapshot would have said: the file holds it all
            expectClean(() -> {
                try (SegmentLog log = SegmentLog.recover(CHANNELS, dir, base, head, 700, 128)) {
                    log.read(0, Long.MAX_VALUE, (buf, off) -> {
                        touch(new RecordView(buf, off));
                        return true;
                    });
                }
            });
        }
    }

    // ------------------------------------------------------------------ the property

    private interface Action {
        void run() throws IOException;
    }

    /** Runs {@code a}; the engine's named errors are a clean outcome, anything else is a finding. */
    private static void expectClean(Action a) {
        try {
            a.run();
        } catch (IOException | RuntimeException e) {
            if (!named(e)) {
                throw new AssertionError("not one of the engine's named errors: " + e, e);
            }
        }
    }

    private static boolean named(Throwable e) {
        return switch (e) {
            case CorruptFrame c -> true;
            case IOException io -> true;
            case UncheckedIOException u -> true;
            case StorageException s -> s.getCause() == null || named(s.getCause());
            default -> false;
        };
    }

    // ------------------------------------------------------------------ scratch directories

    private static Path scratchRoot() {
        try {
            Path shm = Path.of("/dev/shm");
            Path root = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "topics-fuzz-") : Files.createTempDirectory("topics-fuzz-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> Corruptor.deleteTree(root)));
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An empty directory for this input (the last input's is deleted). */
    private static Path fresh() throws IOException {
        Path dir = SCRATCH.resolve("input");
        if (Files.exists(dir)) {
            Corruptor.deleteTree(dir);
        }
        return Files.createDirectories(dir);
    }

    private static Path freshCopyOfSnapshotted() throws IOException {
        if (snapshotted == null) {
            Path template = SCRATCH.resolve("snapshotted");
            StorageSamples.snapshotted(template);
            snapshotted = template;
        }
        Path dir = fresh();
        StorageSamples.copyTree(snapshotted, dir);
        return dir;
    }

    private static Path only(Path dir) throws IOException {
        List<Path> files = StorageSamples.files(dir);
        if (files.size() != 1) {
            throw new IllegalStateException("expected one file in " + dir + ": " + files);
        }
        return files.get(0);
    }

    // ------------------------------------------------------------------ checksum fix-ups

    /** Makes fuzzed bytes pass the checks that only guard against accidents (CRCs, lengths that frame a CRC). */
    static final class Fixups {
        private Fixups() {
        }

        /** A WAL file with header for file 1, and every frame's CRC (and its records' CRCs) right. */
        static byte[] wal(byte[] in) {
            byte[] b = in.length < WalFormat.FILE_HEADER ? java.util.Arrays.copyOf(in, WalFormat.FILE_HEADER) : in.clone();
            System.arraycopy(WalFormat.fileHeader(1), 0, b, 0, WalFormat.FILE_HEADER);
            int pos = WalFormat.FILE_HEADER;
            while (b.length - pos >= WalFormat.FRAME_HEADER) {
                int len = Bytes.i32(b, pos);
                if (len <= 0 || len > b.length - pos - WalFormat.FRAME_HEADER) {
                    break;
                }
                int body = pos + WalFormat.FRAME_HEADER;
                if ((b[body] & 0xFF) == Frames.RECORDS) {
                    int at = recordsStart(b, body + 1, body + len);
                    if (at >= 0) {
                        sealRecords(b, at, body + len);
                    }
                }
                Bytes.put32(b, pos + 4, Bytes.crc32c(b, body, len));
                pos = body + len;
            }
            return b;
        }

        /** Where the records of a RECORDS frame payload {@code [p, end)} start (Frames), or -1. */
        private static int recordsStart(byte[] b, int p, int end) {
            Cursor c = new Cursor(b, p, end);
            c.skip(8);
            int flags = c.u8();
            if ((flags & Frames.F_CREATED) != 0) {
                c.skip(c.u16());
                if (c.u8() == 1) {
                    c.skip(c.u16());
                }
                c.skip(8 + 40); // createdAt, config
            }
            if ((flags & Frames.F_KEY) != 0) {
                c.skip(c.u8() + 8);
            }
            if ((flags & Frames.F_DROPPED) != 0) {
                c.skip(4);
            }
            if ((flags & Frames.F_CURSOR) != 0) {
                c.skip(1);
                c.skip(c.u16() + 8);
            }
            if ((flags & Frames.F_STREAM) != 0) { // Frames.stream
                c.skip(1);
                c.skip(c.u16() + 16);
                int sf = c.u8();
                if ((sf & 0x04) != 0) {
                    c.skip(c.u16() + 16);
                }
                if ((sf & 0x08) != 0) {
                    c.skip(c.u16() + 24);
                }
                if ((sf & 0x10) != 0) {
                    c.skip(c.u16());
                }
                int producers = c.i32();
                for (int i = 0; i < producers && c.ok(); i++) {
                    c.skip(c.u16() + 16);
                }
            }
            c.skip(4 + 8);
            return c.ok() ? c.p : -1;
        }

        /** A segment with a valid header for base seq 1 and every record's CRC right. */
        static byte[] segment(byte[] in) {
            byte[] b = in.length < 16 ? java.util.Arrays.copyOf(in, 16) : in.clone();
            byte[] h = {'T', 'S', 'E', 'G', 1, 0, 0, 0};
            System.arraycopy(h, 0, b, 0, 8);
            Bytes.put64(b, 8, 1);
            sealRecords(b, 16, b.length);
            return b;
        }

        /** The seq of the last record of a segment as far as the record lengths chain, or 0. */
        static long lastSeq(byte[] seg) {
            long last = 0;
            int p = 16;
            while (seg.length - p >= RecordCodec.HEADER + 4) {
                int len = RecordCodec.length(seg, p);
                if (len < RecordCodec.HEADER + 4 || len > seg.length - p) {
                    break;
                }
                last = RecordCodec.seq(seg, p);
                p += len;
            }
            return last;
        }

        /** Recomputes the CRC of each record in {@code [p, end)} as far as their lengths chain. */
        private static void sealRecords(byte[] b, int p, int end) {
            while (end - p >= RecordCodec.HEADER + 4) {
                int len = RecordCodec.length(b, p);
                if (len < RecordCodec.HEADER + 4 || len > end - p) {
                    return;
                }
                Bytes.put32(b, p + 4, Bytes.crc32c(b, p + 8, len - 8));
                p += len;
            }
        }

        /** A segment index file (SparseIndex.write's format) holding {@code seq, position} pairs. */
        static byte[] index(long baseSeq, long[] pairs) {
            byte[] b = new byte[16 + pairs.length * 8 + 4];
            byte[] h = {'T', 'I', 'D', 'X', 1, 0, 0, 0};
            System.arraycopy(h, 0, b, 0, 8);
            Bytes.put64(b, 8, baseSeq);
            for (int i = 0; i < pairs.length; i++) {
                Bytes.put64(b, 16 + 8 * i, pairs[i]);
            }
            Bytes.put32(b, b.length - 4, Bytes.crc32c(b, 0, b.length - 4));
            return b;
        }

        /** Bounds-checked reads; any read past the end makes {@link #ok} false. */
        private static final class Cursor {
            private final byte[] b;
            private final int end;
            private int p;
            private boolean ok = true;

            Cursor(byte[] b, int p, int end) {
                this.b = b;
                this.p = p;
                this.end = end;
            }

            void skip(int n) {
                if (!ok || n < 0 || end - p < n) {
                    ok = false;
                } else {
                    p += n;
                }
            }

            int u8() {
                if (!ok || end - p < 1) {
                    ok = false;
                    return 0;
                }
                return b[p++] & 0xFF;
            }

            int u16() {
                if (!ok || end - p < 2) {
                    ok = false;
                    return 0;
                }
                int v = Bytes.u16(b, p);
                p += 2;
                return v;
            }

            int i32() {
                if (!ok || end - p < 4) {
                    ok = false;
                    return 0;
                }
                int v = Bytes.i32(b, p);
                p += 4;
                return v;
            }

            boolean ok() {
                return ok;
            }
        }
    }
}
