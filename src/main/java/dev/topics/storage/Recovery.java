package dev.topics.storage;

import dev.topics.storage.segment.RecordCodec;
import dev.topics.storage.segment.SegmentFiles;
import dev.topics.storage.snapshot.SnapshotFile;
import dev.topics.storage.wal.ByteSource;
import dev.topics.storage.wal.Bytes;
import dev.topics.storage.wal.CorruptFrame;
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
 * Rebuilds the engine after a stop of any kind: load the newest snapshot (segments cut to
 * what it covers), remove topic directories it does not know (their data is in the WAL),
 * then replay every WAL file from the snapshot's {@code walStart} through the same
 * mutations the live path uses. The first frame that is not whole in the last WAL file
 * ends the log: the file is cut there and the cut reported. Damage in an earlier WAL file
 * (acknowledged data after it) stops start-up with an error instead of losing data quietly.
 *
 * <p>Single-threaded; runs before the committer starts.
 */
final class Recovery {
    private static final Logger LOG = Logger.getLogger(Recovery.class.getName());

    private final Engine engine;
    private final Path walDir;
    private long frames;
    private long nextWalFile;

    Recovery(Engine engine, Path walDir) {
        this.engine = engine;
        this.walDir = walDir;
    }

    RecoveryReport run() throws IOException {
        long t0 = System.nanoTime();
        SnapshotFile.Loaded snap = SnapshotFile.readNewest(engine.snapshotDir);
        long walStart = 1;
        if (snap != null) {
            walStart = snap.walStart();
            SnapshotCodec.decode(snap.payload(), engine);
        }
        removeUnknownTopicDirs();
        List<Path> files = new ArrayList<>();
        for (Path f : WalWriter.list(walDir)) {
            if (WalFormat.parseFileName(f.getFileName().toString()) < walStart) {
                Files.deleteIfExists(f); // covered by the snapshot; its deletion was interrupted
            } else {
                files.add(f);
            }
        }
        nextWalFile = walStart;
        long cut = 0;
        String reason = null;
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            long number = WalFormat.parseFileName(f.getFileName().toString());
            if (number != nextWalFile) {
                throw new CorruptFrame("WAL file " + WalFormat.fileName(nextWalFile) + " is missing (found " + f.getFileName()
                        + "); refusing to start without acknowledged data");
            }
            nextWalFile = number + 1;
            boolean last = i == files.size() - 1;
            try (WalReader r = new WalReader(f)) {
                frames += r.readAll(this::apply);
                if (!last && (r.stopReason() != null || !r.ended())) {
                    throw new CorruptFrame("WAL file " + f + " is damaged at byte " + r.validEnd() + " ("
                            + (r.stopReason() != null ? r.stopReason() : "its end-of-file marker is missing")
                            + ") and later WAL files exist; refusing to drop acknowledged data");
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
                    Files.delete(f);
                    nextWalFile = number;
                    continue;
                }
                if (r.stopReason() != null) {
                    cut = r.size() - r.validEnd();
                    reason = f.getFileName() + ": " + r.stopReason();
                    LOG.warning("WAL tail cut: " + cut + " bytes (" + reason + ")");
                }
                // End the file where its whole frames end, so that it is a proper non-last file
                // once the next one is created.
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                    ch.truncate(r.validEnd());
                    if (!r.ended()) {
                        WalWriter.writeEnd(ch, r.validEnd(), nextWalFile);
                    }
                    ch.force(true);
                }
            }
        }
        if (snap != null && files.isEmpty()) {
            throw new CorruptFrame("WAL file " + WalFormat.fileName(walStart) + " named by snapshot " + snap.file()
                    + " is missing; refusing to start without acknowledged data");
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new RecoveryReport(snap == null ? -1 : snap.walStart(), frames, cut, reason, ms);
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
                long id = SegmentFiles.parseTopicDir(p.getFileName().toString());
                if (id >= 0 && !engine.byId.containsKey(id) && Files.isDirectory(p)) {
                    engine.deleteTree(p);
                }
            }
        }
    }

    private void apply(int type, byte[] buf, int off, int len, long position) throws IOException {
        ByteSource in = new ByteSource(buf, off, len);
        switch (type) {
            case Frames.RECORDS -> records(in, buf);
            case Frames.TOPIC_CREATE -> create(Frames.creation(in.i64(), in));
            case Frames.TOPIC_CONFIG -> {
                TopicLog t = engine.byId.get(in.i64());
                TopicConfig config = Frames.config(in);
                if (t != null) {
                    t.config = config;
                }
            }
            case Frames.DELETE -> {
                TopicLog t = engine.byId.get(in.i64());
                long count = in.i64();
                long bytes = in.i64();
                int n = in.i32();
                if (n < 0 || n > in.remaining() / 16) {
                    // checked before allocating: a damaged count must not ask for gigabytes
                    throw new CorruptFrame("DELETE frame at " + position + " has " + n + " ranges in " + in.remaining()
                            + " bytes");
                }
                long[] ranges = new long[n * 2];
                for (int i = 0; i < ranges.length; i++) {
                    ranges[i] = in.i64();
                }
                if (t != null) {
                    t.remove(ranges, count, bytes);
                }
            }
            case Frames.WATCH -> {
                String wid = in.str16();
                byte[] spec = in.bytes(in.i32());
                if (spec.length == 0) {
                    engine.watches.remove(wid);
                } else {
                    engine.watches.put(wid, spec);
                }
            }
            case Frames.CONTROL -> {
                ControlEntry e = Frames.control(in);
                if (e.spec() == null) {
                    engine.control(e.key(), null);
                } else if (engine.topicsExist(e)) {
                    engine.control(e.key(), e);
                } // else: it belonged to a memory-only topic, gone with it
                engine.showControl(e.key());
            }
            case Frames.CURSOR -> moveCursor(ControlEntry.Kind.of(in.u8()), in.str16(), in.i64());
            case Frames.EVICT -> {
                TopicLog t = engine.byId.get(in.i64());
                long newEarliest = in.i64();
                long count = in.i64();
                long bytes = in.i64();
                if (t != null && newEarliest > t.head.earliestSeq()) {
                    t.evict(newEarliest, count, bytes);
                }
            }
            case Frames.TOPIC_DELETE -> {
                TopicLog t = engine.byId.get(in.i64());
                if (t != null) {
                    engine.dropControlsOf(t.name);
                    engine.drop(t);
                }
            }
            default -> throw new CorruptFrame("WAL frame type " + type + " at " + position
                    + " is not known to this build (written by a newer version?)");
        }
    }

    private TopicLog create(Frames.Creation c) throws IOException {
        TopicLog old = engine.byName.get(c.name());
        if (old != null) {
            engine.drop(old); // cannot happen in a log this build wrote; keep names unique regardless
        }
        TopicLog t = engine.newTopic(c.id(), c.name(), c.owner(), c.createdAtMs(), c.config());
        engine.publish(t);
        return t;
    }

    private void records(ByteSource in, byte[] buf) throws IOException {
        long topicId = in.i64();
        int flags = in.u8();
        if ((flags & Frames.F_CREATED) != 0) {
            create(Frames.creation(topicId, in));
        }
        String key = null;
        long expires = 0;
        if ((flags & Frames.F_KEY) != 0) {
            int kl = in.u8();
            key = Bytes.string(buf, in.skip(kl), kl);
            expires = in.i64();
        }
        int dropped = (flags & Frames.F_DROPPED) != 0 ? in.i32() : 0;
        if ((flags & Frames.F_CURSOR) != 0) {
            moveCursor(ControlEntry.Kind.of(in.u8()), in.str16(), in.i64());
        }
        int count = in.i32();
        long dataBytes = in.i64();
        int len = in.remaining();
        int at = in.skip(len);
        TopicLog t = engine.byId.get(topicId);
        if (t == null) {
            LOG.warning("WAL records frame for unknown topic id " + topicId + " skipped");
            return;
        }
        if (count > 0) {
            long first = RecordCodec.seq(buf, at);
            if (first <= t.head.headSeq()) {
                return; // already in the segments
            }
            if (first != t.nextSeq) {
                throw new CorruptFrame("WAL records for topic '" + t.name + "' start at seq " + first + " but "
                        + t.nextSeq + " was expected: part of the log is missing");
            }
            // The reader reuses its buffer; the tail keeps what we give it.
            byte[] records = new byte[len];
            System.arraycopy(buf, at, records, 0, len);
            RecordCodec.Parts parts = new RecordCodec.Parts();
            for (int p = 0; p < len; ) {
                int n = RecordCodec.check(records, p, len - p); // before anything reads the record
                t.origins.accept(records, p, parts); // rebuild the origin marks (SPEC §8)
                p += n;
            }
            long last = first + count - 1;
            t.appendCommitted(records, 0, len, first, last, dataBytes);
            t.nextSeq = last + 1;
            t.count = t.head.count();
            t.bytes = t.head.bytes();
        }
        if (key != null) {
            long head = t.nextSeq - 1;
            long first = count > 0 ? head - count + 1 : head + 1;
            t.idempotency.put(key, new AppendResult(first, head, head, t.count, (flags & Frames.F_CREATED) != 0,
                    false, dropped, 0), expires);
        }
    }

    private void moveCursor(ControlEntry.Kind kind, String id, long cursor) {
        ControlEntry.Key key = new ControlEntry.Key(kind, id);
        ControlEntry e = engine.controls.get(key);
        if (e != null) {
            engine.control(key, e.withCursor(cursor));
            engine.showControl(key);
        }
    }
}
