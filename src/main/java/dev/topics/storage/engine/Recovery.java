package dev.topics.storage.engine;

import dev.topics.storage.RecoveryReport;
import dev.topics.storage.io.CorruptFrame;
import dev.topics.storage.io.FileNames;
import dev.topics.storage.snapshot.SnapshotFile;
import dev.topics.storage.wal.WalFormat;
import dev.topics.storage.wal.WalReader;
import dev.topics.storage.wal.WalWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Rebuilds the engine after a stop of any kind: load the newest snapshot (each topic's
 * segments checked and cut to what it covers, see {@code SegmentLog.recover}), remove
 * topic directories it does not know (their data is in the WAL), then replay every WAL
 * file from the snapshot's {@code walStart} through the same mutations the live path uses.
 *
 * <p>What it tells apart (RocksDB's "tolerate corrupted tail records" line):
 * <ul>
 *   <li>A torn tail — the newest file's last frames not whole, and no later mark
 *   ({@code WalFormat.TYPE_MARK}) saying they had been forced — is what a crash leaves: the
 *   file is cut at its last whole frame and the cut is reported.</li>
 *   <li>Damage — a frame that is not whole where a later mark proves it had been forced, a
 *   damaged or unended file that is not the newest, a missing WAL file, segment or
 *   snapshot, records the segments should hold but do not — stops start-up with a
 *   {@link CorruptFrame} naming the file and byte. Nothing is cut or deleted on that path.
 *   Started with {@code repair}, a WAL cut at the damage is made instead ({@link WalRepair}): the log ends at
 *   the last whole frame before it, the files as they were are copied to
 *   {@code repair/<time>/} in the data directory first, and what was dropped is reported.</li>
 * </ul>
 * Checks that destroy nothing come before anything is deleted: the WAL's file sequence is
 * checked before topic directories unknown to the snapshot are removed. This class is the
 * order of the steps and the checks; what each WAL frame does to the engine is
 * {@link WalReplay}'s.
 *
 * <p>Single-threaded; runs before the committer starts.
 */
final class Recovery {
    private static final Logger LOG = Logger.getLogger(Recovery.class.getName());

    private final Engine engine;
    private final WalReplay replay;
    private final Path walDir;
    private final boolean repair;
    private long frames;
    private long nextWalFile;
    private String repaired;

    Recovery(Engine engine, Path walDir, boolean repair) {
        this.engine = engine;
        this.replay = new WalReplay(engine);
        this.walDir = walDir;
        this.repair = repair;
    }

    RecoveryReport run() throws IOException {
        if (engine.cluster) {
            return runCluster();
        }
        long t0 = System.nanoTime();
        SnapshotFile.Loaded snap = SnapshotFile.readNewest(engine.snapshotDir);
        long walStart = snap == null ? 1 : snap.walStart();
        List<Path> files = new ArrayList<>();
        for (Path f : WalWriter.list(walDir)) {
            if (FileNames.walNumber(f.getFileName().toString()) < walStart) {
                Files.deleteIfExists(f); // covered by the snapshot; its deletion was interrupted
            } else {
                files.add(f);
            }
        }
        checkWal(files, snap, walStart);
        if (snap != null) {
            SnapshotCodec.decode(snap.payload(), engine);
        }
        removeUnknownTopicDirs();
        nextWalFile = walStart;
        long cut = 0;
        String reason = null;
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            long number = FileNames.walNumber(f.getFileName().toString());
            nextWalFile = number + 1;
            try (WalReader r = new WalReader(f)) {
                frames += r.readAll(replay::apply);
                // a roll creates the next file before it ends this one: a crash between the two
                // leaves this file unended and the next one without frames, and this one is then
                // the newest that holds anything
                boolean last = isNewest(files, i, r);
                if (isDamaged(r, last)) {
                    if (!repair) {
                        throw damage(f, r);
                    }
                    cut = r.size() - r.validEnd();
                    repaired = new WalRepair(engine).cut(r, f, files.subList(i + 1, files.size()));
                    reason = f.getFileName() + ": " + r.stopReason() + " (repaired)";
                    files = files.subList(0, i + 1);
                    last = true;
                }
                if (!last) {
                    continue;
                }
                if (r.fileNumber() < 0) {
                    // created but never given its header: holds nothing; its number is reused
                    if (r.size() > 0) {
                        cut = r.size();
                        reason = f.getFileName() + ": " + r.stopReason();
                    }
                    Path stub = f;
                    finishing.add(() -> Files.delete(stub));
                    nextWalFile = number;
                    continue;
                }
                if (r.stopReason() != null && !r.damaged()) {
                    cut = r.size() - r.validEnd();
                    reason = f.getFileName() + ": " + r.stopReason();
                    LOG.warning("WAL tail cut: " + cut + " bytes (" + reason + "): a write torn by the crash, never acknowledged");
                }
                // End the file where its whole frames end, so that it is a proper non-last file
                // once the next one is created.
                long validEnd = r.validEnd();
                boolean ended = r.ended();
                long successor = nextWalFile;
                finishing.add(() -> {
                    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                        ch.truncate(validEnd);
                        if (!ended) {
                            WalWriter.writeEnd(ch, validEnd, successor);
                        }
                        ch.force(true);
                    }
                });
                if (i + 1 < files.size()) {
                    // the empty successor of an interrupted roll: made again by the writer
                    Path empty = files.get(i + 1);
                    finishing.add(() -> Files.delete(empty));
                    break;
                }
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new RecoveryReport(snap == null ? -1 : snap.walStart(), frames, cut, reason, ms, repaired);
    }

    /**
     * A cluster node keeps no WAL (docs/CLUSTER.md): its state is the newest snapshot, the
     * segments cut to what it covers and the topic directories it does not know removed;
     * the cluster's log replays the rest from the snapshot's offset. The WAL files hold only
     * headers and are removed.
     */
    private RecoveryReport runCluster() throws IOException {
        long t0 = System.nanoTime();
        SnapshotFile.Loaded snap = SnapshotFile.readNewest(engine.snapshotDir);
        long walStart = snap == null ? 1 : snap.walStart();
        if (snap != null) {
            SnapshotCodec.decode(snap.payload(), engine);
        }
        removeUnknownTopicDirs();
        for (Path f : WalWriter.list(walDir)) {
            Files.deleteIfExists(f);
        }
        nextWalFile = walStart;
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new RecoveryReport(snap == null ? -1 : snap.walStart(), 0, 0, null, ms, null);
    }

    /** True when file {@code i} is the newest that holds anything (see {@link #run}). */
    private static boolean isNewest(List<Path> files, int i, WalReader r) throws IOException {
        // a roll creates the next file before it ends this one: a crash between the two
        // leaves this file unended and the next one without frames
        return i == files.size() - 1 || (i == files.size() - 2 && !r.ended() && holdsNoFrames(files.get(i + 1)));
    }

    private static boolean isDamaged(WalReader r, boolean newest) {
        return r.damaged() || (!newest && (r.stopReason() != null || !r.ended()));
    }

    private static CorruptFrame damage(Path f, WalReader r) {
        return new CorruptFrame("WAL file " + f + " is damaged at byte " + r.validEnd() + " ("
                + (r.stopReason() != null ? r.stopReason() : "its end-of-file marker is missing") + ")"
                + " and acknowledged data follows it; refusing to start. `topics serve --repair` cuts"
                + " the log there (a copy is kept) and reports what is dropped");
    }

    /**
     * The WAL files must be the unbroken sequence from {@code walStart}, none damaged (unless
     * repairing), and the newest must not end by naming a successor (a roll makes the
     * successor first). Checked before anything is changed, so a refusal leaves every file
     * as it was; this reads the WAL once more than the replay does.
     */
    private void checkWal(List<Path> files, SnapshotFile.Loaded snap, long walStart) throws IOException {
        if (files.isEmpty()) {
            if (snap != null) {
                throw new CorruptFrame("WAL file " + FileNames.walName(walStart) + " named by snapshot " + snap.file()
                        + " is missing; refusing to start without acknowledged data");
            }
            if (hasTopicDirs()) {
                throw new CorruptFrame("the data directory holds topic files under " + engine.topicsDir
                        + " but neither a snapshot nor a WAL; refusing to start (were files removed?)");
            }
            return;
        }
        long expect = walStart;
        for (Path f : files) {
            long number = FileNames.walNumber(f.getFileName().toString());
            if (number != expect) {
                throw new CorruptFrame("WAL file " + walDir.resolve(FileNames.walName(expect)) + " is missing (found "
                        + f.getFileName() + (snap == null ? ", and no snapshot" : ", snapshot " + snap.file().getFileName())
                        + "); refusing to start without acknowledged data");
            }
            expect++;
        }
        for (int i = 0; i < files.size(); i++) {
            try (WalReader r = new WalReader(files.get(i))) {
                r.readAll((type, buf, off, len, position) -> { });
                if (!repair && isDamaged(r, isNewest(files, i, r))) {
                    throw damage(files.get(i), r);
                }
                if (i == files.size() - 1 && r.ended() && r.stopReason() == null) {
                    throw new CorruptFrame("WAL file " + files.get(i) + " ends by naming " + FileNames.walName(expect)
                            + ", which is missing; refusing to start without acknowledged data");
                }
            }
        }
    }

    private boolean hasTopicDirs() throws IOException {
        if (!Files.isDirectory(engine.topicsDir)) {
            return false;
        }
        try (var s = Files.list(engine.topicsDir)) {
            return s.anyMatch(p -> FileNames.parseTopicDir(p.getFileName().toString()) >= 0);
        }
    }

    private static boolean holdsNoFrames(Path f) throws IOException {
        try (WalReader r = new WalReader(f)) {
            return r.readAll((type, buf, off, len, position) -> { }) == 0 && !r.ended();
        }
    }

    /**
     * After the WAL is replayed: every seq up to a snapshot's head that no segment file
     * holds must have been deleted or evicted. A seq that was neither was in a file that is
     * gone or cut short: refuse to start rather than serve the topic without it.
     */
    void checkSegmentsHoldEverything() {
        for (TopicLog t : engine.byId.values()) {
            if (t.segments == null) {
                continue;
            }
            long[] holes = t.segments.holes();
            for (int i = 0; i < holes.length; i += 2) {
                long lo = Math.max(holes[i], t.head.earliestSeq());
                long hi = Math.min(holes[i + 1], t.head.headSeq());
                if (lo <= hi) {
                    long live = t.removed.nextLive(lo);
                    if (live <= hi) {
                        throw new CorruptFrame("topic '" + t.name + "': record " + live + " (of seqs " + lo + ".." + hi
                                + ") is in no segment file under " + t.segments.dir()
                                + " though it was neither deleted nor evicted: a segment file is missing or was cut"
                                + " short; refusing to start");
                    }
                }
            }
        }
    }

    /** A change to the WAL that waits until every check has passed. */
    private interface Step {
        void run() throws IOException;
    }

    private final List<Step> finishing = new ArrayList<>();

    /**
     * After {@link #run} and {@link #checkSegmentsHoldEverything} passed: cut the newest WAL
     * file's torn tail and end it. Kept apart so that a refusal leaves the WAL as it was.
     */
    void finish() throws IOException {
        for (Step s : finishing) {
            s.run();
        }
        finishing.clear();
    }

    long nextWalFile() {
        return nextWalFile;
    }

    private void removeUnknownTopicDirs() throws IOException {
        if (!Files.isDirectory(engine.topicsDir)) {
            return;
        }
        try (var s = Files.list(engine.topicsDir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                long id = FileNames.parseTopicDir(p.getFileName().toString());
                if (id >= 0 && !engine.byId.containsKey(id) && Files.isDirectory(p)) {
                    engine.deleteTree(p);
                }
            }
        }
    }
}
