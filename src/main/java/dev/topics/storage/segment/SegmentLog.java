package dev.topics.storage.segment;

import dev.topics.storage.fault.Faults;
import dev.topics.storage.io.CorruptFrame;
import dev.topics.storage.io.DirectoryFsync;
import dev.topics.storage.io.FileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A durable topic's records on disk: its segment files, oldest first, the newest being
 * the active one that the committer appends to. Rolls to a new segment when the active
 * one passes {@code segmentBytes}; a sealed segment gets its index file.
 *
 * <p>Readers ({@link #read}) take the volatile segment array and read positionally; the
 * committer replaces the array on roll (copy-on-write). Segments are closed only when
 * the topic is deleted — a reader racing that gets an I/O error, which the engine turns
 * into "topic not found". Files are opened on demand through the engine's
 * {@link SegmentChannels}; a reader that meets a segment retired meanwhile (retention,
 * compaction) whose channel was evicted starts again from the current array after the
 * last record it visited.
 *
 * <p>After a crash, {@link #recover} is given the active segment's base and the topic's
 * head from the snapshot: segments after it are deleted (written after the snapshot, they
 * will be replayed from the WAL), the active one is cut after the head and its index
 * rebuilt; sealed ones keep their index files (rebuilt by a scan if missing or damaged).
 * Damage stops recovery with the file and byte named.
 *
 * <p>Invariant that makes this sound: a segment file whose records some durable (or
 * in-flight) snapshot counts on is never rewritten — compaction only rewrites segments
 * wholly below the active one of every such snapshot ({@link #compactionCandidates}).
 */
public final class SegmentLog implements AutoCloseable {
    private static final int READ_BLOCK = 64 * 1024;

    /** A set of seqs (records deleted), as compaction needs it. */
    public interface SeqSet {
        boolean contains(long seq);

        /** True when any seq of the set lies in {@code [from, to]}. */
        boolean intersects(long from, long to);
    }

    /** Sees each record; returns false to stop. The buffer is owned by the caller afterwards. */
    public interface Visitor {
        boolean visit(byte[] buf, int off);
    }

    private final SegmentChannels channels;
    private final Path dir;
    private final long segmentBytes;
    private final int interval;
    private volatile Segment[] segments;
    /** Segment files made (committer: create, roll) and how many of them {@link #force} made durable by name. */
    private final AtomicLong filesMade = new AtomicLong(1);
    private volatile long filesForced;
    /** See {@link #holes()}. */
    private long[] holes = NO_HOLES;
    private static final long[] NO_HOLES = new long[0];
    /**
     * Segments dropped by retention or swapped out by compaction, oldest first: closed after a
     * grace period. Null while there is none, as for most topics (a topic's fixed cost, P7).
     */
    private ArrayList<Retired> retired;
    /** The retired segments whose files go too (retention), null while none; a swapped-out one shares its name with its successor. */
    private ArrayList<Retired> evicted;
    /** A reader holding a retired segment finishes well within this. */
    private static final long CLOSE_GRACE_NANOS = 30_000_000_000L;

    private record Retired(Segment segment, long atNanos) {
    }

    private static ArrayList<Retired> add(ArrayList<Retired> to, Segment s, long atNanos) {
        ArrayList<Retired> l = to == null ? new ArrayList<>(2) : to;
        l.add(new Retired(s, atNanos));
        return l;
    }

    private SegmentLog(SegmentChannels channels, Path dir, long segmentBytes, int interval, Segment[] segments) {
        this.channels = channels;
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.interval = interval;
        this.segments = segments;
    }

    /** A new log whose first record will have seq {@code firstSeq}. */
    public static SegmentLog create(SegmentChannels channels, Path dir, long firstSeq, long segmentBytes, int interval)
            throws IOException {
        boolean made = !Files.exists(dir);
        Files.createDirectories(dir);
        try {
            return new SegmentLog(channels, dir, segmentBytes, interval,
                    new Segment[] {Segment.create(channels, dir, firstSeq, interval)});
        } catch (IOException | RuntimeException e) {
            // a full disk: leave nothing half-made, so the same topic id can be made later
            Files.deleteIfExists(dir.resolve(FileNames.segmentName(firstSeq)));
            if (made) {
                Files.deleteIfExists(dir);
            }
            throw e;
        }
    }

    /**
     * Recovery: opens an existing log as the snapshot left it. {@code activeBase} is the
     * segment the snapshot names as active and {@code headSeq} the topic's head then.
     * Segments after the active one were made after the snapshot and are deleted (the WAL
     * replay writes them again); the active one must hold every record up to
     * {@code headSeq} and is cut after it ({@link Segment#openActive}); sealed ones are
     * checked ({@link Segment#openSealed}). Seqs up to {@code headSeq} that no file holds
     * are left in {@link #holes()}: the caller checks, once the WAL is replayed, that each
     * was deleted or evicted, since a missing segment file looks just like that.
     */
    public static SegmentLog recover(SegmentChannels channels, Path dir, long activeBase, long headSeq,
                                     long segmentBytes, int interval) throws IOException {
        RecoveredSegments found = RecoveredSegments.open(channels, dir, activeBase, headSeq, interval);
        SegmentLog log = new SegmentLog(channels, dir, segmentBytes, interval, found.segments().toArray(new Segment[0]));
        if (!found.activeMade()) {
            log.filesForced = log.filesMade.get(); // the names the snapshot counts on were made durable before it
        }
        log.holes = found.holes();
        return log;
    }

    /**
     * Recovery: seq ranges ([from, to] pairs, up to the snapshot's head) that no segment
     * file holds. Each must turn out deleted or evicted once the WAL is replayed; if not, a
     * file was lost or cut. Not kept up to date after recovery.
     */
    public long[] holes() {
        return holes;
    }

    /** Committer: appends whole records with contiguous seqs; rolls first if the active segment is full. */
    public void append(byte[] b, int off, int len, long firstSeq, long lastSeq) throws IOException {
        Segment active = active();
        if (active.size() >= segmentBytes && active.lastSeq() >= active.baseSeq()) {
            active.writeIndex();
            Faults.at(Faults.SEGMENT_ROLL);
            Segment next = Segment.create(channels, dir, firstSeq, interval);
            filesMade.incrementAndGet();
            Segment[] cur = segments;
            Segment[] grown = Arrays.copyOf(cur, cur.length + 1);
            grown[cur.length] = next;
            segments = grown;
            active = next;
        }
        active.append(b, off, len, firstSeq, lastSeq);
    }

    /**
     * Committer: drops every sealed segment whose records are all below {@code seq}
     * (retention). Readers stop seeing them now; their channels are closed and their files
     * deleted after a grace period, so that a reader still holding one finishes its read
     * and the EVICT frame that explains their absence is forced first (it is forced within
     * {@code async_flush_ms}): recovery refuses a missing file that nothing explains.
     */
    public void retireBefore(long seq) throws IOException {
        Segment[] cur = segments;
        int drop = 0;
        while (drop < cur.length - 1 && cur[drop].lastSeq() < seq) {
            drop++;
        }
        if (drop == 0) {
            return;
        }
        segments = Arrays.copyOfRange(cur, drop, cur.length);
        long now = System.nanoTime();
        for (int i = 0; i < drop; i++) {
            cur[i].retire(); // never reopened by name: its files go after the grace period
            retired = add(retired, cur[i], now);
            evicted = add(evicted, cur[i], now);
        }
        reapRetired(now);
    }

    /**
     * Committer: closes retired segments whose grace period is over, and deletes the files of
     * those retention evicted once they are closed and their eviction is covered
     * ({@link SegmentChannels#evictionsCoveredBefore()}).
     */
    public void reapRetired(long nowNanos) throws IOException {
        while (retired != null && nowNanos - retired.getFirst().atNanos() > CLOSE_GRACE_NANOS) {
            Segment s = retired.removeFirst().segment();
            if (retired.isEmpty()) {
                retired = null;
            }
            s.close();
        }
        if (evicted == null) {
            return;
        }
        long covered = channels.evictionsCoveredBefore();
        while (evicted != null && !stillOpen(evicted.getFirst().segment()) && evicted.getFirst().atNanos() < covered) {
            Segment s = evicted.removeFirst().segment();
            if (evicted.isEmpty()) {
                evicted = null;
            }
            deleteFiles(s);
        }
    }

    /** Whether {@code s} is retired and not closed yet. */
    private boolean stillOpen(Segment s) {
        if (retired != null) {
            for (Retired r : retired) {
                if (r.segment() == s) {
                    return true;
                }
            }
        }
        return false;
    }

    private void deleteFiles(Segment s) throws IOException {
        Files.deleteIfExists(s.file());
        Files.deleteIfExists(dir.resolve(FileNames.indexName(s.baseSeq())));
        Files.deleteIfExists(dir.resolve(FileNames.bloomName(s.baseSeq())));
    }

    /**
     * Committer: the sealed segments with a base below {@code below} holding a seq in
     * {@code removed} — the ones compaction may rewrite now. The active segment is rolled
     * first when it holds one ({@code nextSeq} is the seq the next append will have).
     * {@code below} is the lowest active-segment base of the snapshots recovery may load
     * (see the class comment): those segments must stay as the snapshots saw them.
     */
    public List<Segment> compactionCandidates(SeqSet removed, long nextSeq, long below) throws IOException {
        Segment active = active();
        if (active.lastSeq() >= active.baseSeq() && removed.intersects(active.baseSeq(), active.lastSeq())) {
            active.writeIndex();
            Segment next = Segment.create(channels, dir, nextSeq, interval);
            filesMade.incrementAndGet();
            Segment[] cur = segments;
            Segment[] grown = Arrays.copyOf(cur, cur.length + 1);
            grown[cur.length] = next;
            segments = grown;
        }
        Segment[] cur = segments;
        List<Segment> out = new ArrayList<>();
        for (int i = 0; i < cur.length - 1 && cur[i].baseSeq() < below; i++) {
            if (cur[i].lastSeq() >= cur[i].baseSeq() && removed.intersects(cur[i].baseSeq(), cur[i].lastSeq())) {
                out.add(cur[i]);
            }
        }
        return out;
    }

    /**
     * Committer: puts {@code fresh} (from {@link Segment#compacted}) in place of {@code old}
     * if {@code old} is still one of this log's segments; otherwise discards it. The old
     * segment is retired (closed after the grace period). Returns true when swapped.
     */
    public boolean swap(Segment old, Segment fresh) throws IOException {
        Segment[] cur = segments;
        for (int i = 0; i < cur.length - 1; i++) {
            if (cur[i] == old) {
                // readers move to the fresh segment (its channel reads the tmp file until the
                // rename) before the old one is retired, so none reopens the new file by the
                // old one's name and reads it at the old positions
                Segment[] out = cur.clone();
                out[i] = fresh;
                segments = out;
                old.retire();
                fresh.install();
                retired = add(retired, old, System.nanoTime());
                return true;
            }
        }
        fresh.discard();
        return false;
    }

    public Segment active() {
        Segment[] s = segments;
        return s[s.length - 1];
    }

    /** fsync every segment appended to since the last force (see {@link Segment#force}); any one thread. */
    public void force() throws IOException {
        long made = filesMade.get();
        for (Segment s : segments) {
            s.force();
        }
        if (made != filesForced) {
            // new segment files are named in the directory: a snapshot that counts on them
            // needs the names durable too, not only the bytes (a power cut, not just a kill)
            DirectoryFsync.directory(dir);
            filesForced = made;
        }
    }

    /**
     * Visits records with {@code fromSeq ≤ seq ≤ toSeq} in order until the visitor says stop.
     * Any thread.
     */
    public void read(long fromSeq, long toSeq, Visitor visitor) throws IOException {
        read(fromSeq, toSeq, visitor, null);
    }

    /**
     * As {@link #read(long, long, Visitor)}, reading only the segments {@code which} accepts
     * (null = all); returns how many segments were read.
     */
    public int read(long fromSeq, long toSeq, Visitor visitor, Predicate<Segment> which)
            throws IOException {
        long[] last = {fromSeq - 1};
        Visitor tracking = (buf, off) -> {
            last[0] = RecordCodec.seq(buf, off);
            return visitor.visit(buf, off);
        };
        for (int attempt = 0; ; attempt++) {
            try {
                return readSegments(last[0] + 1, toSeq, tracking, which);
            } catch (SegmentChannels.SegmentGone e) {
                // a retired segment's channel was evicted: the current array no longer has it
                if (attempt >= 10) {
                    throw e;
                }
            }
        }
    }

    private int readSegments(long fromSeq, long toSeq, Visitor visitor, Predicate<Segment> which)
            throws IOException {
        int read = 0;
        Segment[] segs = segments;
        int i = segs.length - 1;
        while (i > 0 && segs[i].baseSeq() > fromSeq) {
            i--;
        }
        for (; i < segs.length; i++) {
            Segment s = segs[i];
            if (s.baseSeq() > toSeq) {
                break;
            }
            if (which != null && !which.test(s)) {
                continue;
            }
            read++;
            long end = s.size();
            long pos = s.index().floor(fromSeq, Segment.HEADER);
            if (!readSegment(s, pos, end, fromSeq, toSeq, visitor)) {
                break;
            }
        }
        return read;
    }

    private static boolean readSegment(Segment s, long pos, long end, long fromSeq, long toSeq, Visitor visitor)
            throws IOException {
        while (pos < end) {
            int want = (int) Math.min(READ_BLOCK, end - pos);
            byte[] buf = new byte[want];
            int n = s.read(ByteBuffer.wrap(buf), pos);
            int off = 0;
            while (off + RecordCodec.HEADER + 4 <= n) {
                int len = RecordCodec.length(buf, off);
                if (len < RecordCodec.HEADER + 4 || len > end - pos - off) {
                    throw new CorruptFrame("segment " + s.file() + " is damaged at byte " + (pos + off)
                            + ": a bad record length (" + len + ")");
                }
                if (off + len > n) {
                    if (off == 0) {
                        // one record larger than the block: read it whole
                        buf = new byte[len];
                        n = s.read(ByteBuffer.wrap(buf), pos);
                        continue;
                    }
                    break;
                }
                try {
                    RecordCodec.check(buf, off, n - off); // damage is an error, never altered data
                } catch (CorruptFrame e) {
                    throw new CorruptFrame("segment " + s.file() + " is damaged at byte " + (pos + off) + ": "
                            + e.getMessage());
                }
                long seq = RecordCodec.seq(buf, off);
                if (seq > toSeq) {
                    return false;
                }
                if (seq >= fromSeq && !visitor.visit(buf, off)) {
                    return false;
                }
                off += len;
            }
            if (off == 0) {
                throw new CorruptFrame("segment " + s.file() + " is unreadable at byte " + pos);
            }
            pos += off;
        }
        return true;
    }

    /** A file of this log and how many of its bytes count. */
    public record Extent(Path file, long size) {
    }

    /**
     * Committer: this log's files as they stand, oldest first, each with the bytes it holds
     * now (the active one's so far); what a shared snapshot taken now counts on.
     */
    public List<Extent> extents() {
        Segment[] cur = segments;
        List<Extent> out = new ArrayList<>(cur.length);
        for (Segment s : cur) {
            out.add(new Extent(s.file(), s.size()));
        }
        return out;
    }

    public long activeBase() {
        return active().baseSeq();
    }

    public long activeSize() {
        return active().size();
    }

    public Path dir() {
        return dir;
    }

    /** Bytes on disk. */
    public long diskBytes() {
        long total = 0;
        for (Segment s : segments) {
            total += s.size();
        }
        return total;
    }

    @Override
    public void close() throws IOException {
        for (Segment s : segments) {
            s.close();
        }
        if (retired != null) {
            for (Retired r : retired) {
                r.segment().close();
            }
        }
        retired = null;
        evicted = null; // their files are retired again by the next start (see LocalStorage.open)
    }
}
