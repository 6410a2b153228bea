package dev.topics.storage.segment;

import dev.topics.storage.io.FileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A topic's segment files as recovery finds them ({@link SegmentLog#recover}): segments
 * after the snapshot's active one deleted, the active one opened and cut after the head
 * ({@link Segment#openActive}), sealed ones checked ({@link Segment#openSealed}), a
 * leftover compaction file removed, and the seqs up to the head that no file holds.
 *
 * @param segments   the segments, oldest first, the active one last
 * @param activeMade the active segment was missing and has just been made (its name is not
 *                   yet durable)
 * @param holes      seq ranges ([from, to] pairs) up to the head that no segment file holds
 */
record RecoveredSegments(List<Segment> segments, boolean activeMade, long[] holes) {

    /** Opens the segments in {@code dir} as the snapshot left them; see {@link SegmentLog#recover}. */
    static RecoveredSegments open(SegmentChannels channels, Path dir, long activeBase, long headSeq, int interval)
            throws IOException {
        List<Long> bases = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (var s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    String name = p.getFileName().toString();
                    long b = FileNames.parse(name, FileNames.SEGMENT_SUFFIX);
                    if (b >= 0) {
                        bases.add(b);
                    } else if (name.endsWith(FileNames.TMP_SUFFIX)) {
                        Files.deleteIfExists(p); // a compaction that never finished
                    }
                }
            }
        } else {
            // gone since the snapshot: fine if the WAL deletes the topic, else holes() says what is missing
            Files.createDirectories(dir);
        }
        bases.sort(null);
        List<Segment> segs = new ArrayList<>();
        boolean made;
        try {
            for (int i = 0; i < bases.size(); i++) {
                long b = bases.get(i);
                Path file = dir.resolve(FileNames.segmentName(b));
                if (b > activeBase) {
                    Files.deleteIfExists(file);
                    Files.deleteIfExists(dir.resolve(FileNames.indexName(b)));
                    Files.deleteIfExists(dir.resolve(FileNames.bloomName(b)));
                } else if (b == activeBase) {
                    Files.deleteIfExists(dir.resolve(FileNames.indexName(b)));
                    Files.deleteIfExists(dir.resolve(FileNames.bloomName(b)));
                    segs.add(Segment.openActive(channels, file, b, interval, headSeq));
                } else {
                    long bound = (i + 1 < bases.size() ? Math.min(bases.get(i + 1), activeBase) : activeBase) - 1;
                    segs.add(Segment.openSealed(channels, file, b, interval, SparseIndex.read(dir, b), bound));
                }
            }
            made = segs.isEmpty() || segs.get(segs.size() - 1).baseSeq() != activeBase;
            if (made) {
                // missing: its records (if any) show up in holes(), checked after the WAL replay
                segs.add(Segment.create(channels, dir, activeBase, interval));
            }
        } catch (IOException | RuntimeException e) {
            for (Segment s : segs) {
                s.close();
            }
            throw e;
        }
        return new RecoveredSegments(segs, made, holes(segs, headSeq));
    }

    /** The seq ranges up to {@code headSeq} that no segment file holds, as [from, to] pairs. */
    private static long[] holes(List<Segment> segs, long headSeq) {
        List<Long> out = new ArrayList<>();
        long held = 0; // every seq ≤ held is accounted for
        for (Segment s : segs) {
            if (s.firstInFile() < 0) {
                continue;
            }
            if (s.firstInFile() > held + 1) {
                out.add(held + 1);
                out.add(s.firstInFile() - 1);
            }
            held = Math.max(held, s.lastInFile());
        }
        if (held < headSeq) {
            out.add(held + 1);
            out.add(headSeq);
        }
        long[] r = new long[out.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = out.get(i);
        }
        return r;
    }
}
