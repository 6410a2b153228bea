package dev.topics.storage.engine;

import dev.topics.storage.io.ByteSource;
import dev.topics.storage.io.DirectoryFsync;
import dev.topics.storage.io.FileNames;
import dev.topics.storage.segment.RecordCodec;
import dev.topics.storage.wal.WalReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * {@code topics serve --repair} (docs/RELIABILITY.md): recovery found damage in the WAL
 * with acknowledged frames after it, and the operator chose point-in-time recovery. The
 * log then ends at the last whole frame before the damage: the damaged file and every later
 * WAL file are first kept in {@code <data dir>/repair/<time>/} (the damaged one copied, the
 * later ones moved there), and what the cut drops is described per topic and seq range.
 * The caller cuts the damaged file itself, once every other check has passed.
 *
 * <p>Recovery's thread, before the committer starts; the engine holds the state replayed
 * up to the damage.
 */
final class WalRepair {
    private static final Logger LOG = Logger.getLogger(WalRepair.class.getName());

    private final Engine engine;

    WalRepair(Engine engine) {
        this.engine = engine;
    }

    /**
     * Keeps the files and tallies what is dropped after the damage {@code r} found in
     * {@code f} and in the {@code later} files; returns the report.
     */
    String cut(WalReader r, Path f, List<Path> later) throws IOException {
        Path keep = FileNames.repairDir(engine.options.dataDir(), LocalDateTime.now());
        Files.createDirectories(keep);
        Files.copy(f, keep.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        Lost lost = new Lost();
        r.framesAfterDamage(lost::frame);
        for (Path p : later) {
            try (WalReader lr = new WalReader(p)) {
                lr.readAll(lost::frame);
            }
            Files.move(p, keep.resolve(p.getFileName()));
        }
        DirectoryFsync.directory(keep);
        String report = "WAL file " + f.getFileName() + " cut at byte " + r.validEnd() + " (" + r.stopReason()
                + "); dropped " + lost.describe() + "; the files as they were are in " + keep;
        LOG.severe("repair: " + report);
        return report;
    }

    /** Tallies the frames a repair drops: records per topic (seq ranges), other changes by kind. */
    private final class Lost {
        private final Map<String, long[]> records = new TreeMap<>();
        private final Map<String, Integer> others = new TreeMap<>();

        void frame(int type, byte[] buf, int off, int len, long position) {
            try {
                if (type == Frames.RECORDS) {
                    ByteSource in = new ByteSource(buf, off, len);
                    long id = in.i64();
                    int flags = in.u8();
                    TopicLog t = engine.byId.get(id);
                    String name = (flags & Frames.F_CREATED) != 0 ? Frames.creation(id, in).name()
                            : t != null ? t.name : "#" + id;
                    if ((flags & Frames.F_KEY) != 0) {
                        in.skip(in.u8());
                        in.i64();
                    }
                    if ((flags & Frames.F_DROPPED) != 0) {
                        in.i32();
                    }
                    if ((flags & Frames.F_CURSOR) != 0) {
                        in.u8();
                        in.str16();
                        in.i64();
                    }
                    int count = in.i32();
                    in.i64();
                    if (count > 0) {
                        long first = RecordCodec.seq(buf, in.skip(0));
                        long[] r = records.computeIfAbsent(name, k -> new long[] {Long.MAX_VALUE, 0, 0});
                        r[0] = Math.min(r[0], first);
                        r[1] = Math.max(r[1], first + count - 1);
                        r[2] += count;
                    }
                } else {
                    others.merge(Frames.typeName(type), 1, Integer::sum);
                }
            } catch (RuntimeException e) {
                others.merge("unreadable", 1, Integer::sum);
            }
        }

        String describe() {
            List<String> parts = new ArrayList<>();
            records.forEach((topic, r) -> {
                // the damaged frame itself cannot be read: what the log holds for the topic
                // ends before its next seq, so that is where the loss starts
                TopicLog t = engine.byName.get(topic);
                long from = t != null ? Math.min(r[0], t.nextSeq) : r[0];
                parts.add((r[1] - from + 1) + " records of '" + topic + "' (seqs " + from + ".." + r[1] + ")");
            });
            others.forEach((kind, n) -> parts.add(n + " " + kind + " change" + (n == 1 ? "" : "s")));
            return parts.isEmpty() ? "no whole frame" : String.join(", ", parts);
        }
    }
}
