package dev.topics.storage.segment;

import dev.topics.storage.fault.Faults;
import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.Bytes;
import dev.topics.storage.io.CorruptFrame;
import dev.topics.storage.io.DirectoryFsync;
import dev.topics.storage.io.FileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.LongPredicate;

/**
 * One segment file of a topic: a header then records ({@link RecordCodec}) with
 * contiguous seqs starting at {@link #baseSeq()}.
 * <pre>
 * header := "TSEG" u8 version(=1) u8[3] zero  u64 baseSeq     (16 bytes)
 * </pre>
 * Writes: only the committer appends, at {@link #size()}, and publishes the new size
 * after the bytes are written, so readers never see a partial record. Reads: positional
 * {@link FileChannel#read(ByteBuffer, long)} from any thread — no shared file position,
 * no lock. The sparse index gets an entry for the first record and then for the first
 * record at or after every {@code interval} bytes.
 *
 * <p>After a crash ({@link #openActive}, {@link #openSealed}): the segment the snapshot
 * names as active must hold every record up to the snapshot's head, and is cut after it
 * (the rest is in the WAL); its index is rebuilt by a scan. A sealed segment is trusted
 * with its index once the records after the last index entry check out; without a valid
 * index it is scanned. Damage is refused, naming the file and byte; nothing is cut then.
 * Every record read from the file by anyone is checked against its CRC (see SegmentLog).
 *
 * <p>The file is not held open: every read, write and force goes through the segment's
 * {@link SegmentSlot}, which opens the file on demand within the engine's bound
 * on open files, and whose rules (leases, a channel closed by eviction reopened
 * transparently, nothing unforced ever closed) are in {@link SegmentChannels}. A segment
 * whose file was removed (retention) or replaced (compaction) is {@link #retire retired}
 * first, so it is never reopened by name. What a segment holds when recovery opens it is
 * durable (the snapshot that names it forced it), so only a cut makes it need a force.
 *
 * <p>Beside it: its index and the index file ({@link SparseIndex}), what it knows of its
 * tags ({@link SegmentTags}), and compaction's copy of its live records
 * ({@link SegmentRewrite}).
 */
public final class Segment implements AutoCloseable {
    public static final int HEADER = 16;
    private static final int VERSION = 1;

    private final Path file;
    private final long baseSeq;
    private final SegmentSlot channel;
    private final int interval;
    private final SparseIndex index;
    private volatile long size;
    private volatile long lastSeq;
    private long lastIndexed = Long.MIN_VALUE / 2;
    private final SegmentTags tags = new SegmentTags();
    /** Recovery of a sealed segment: the first and last seq its file holds, -1 when none (see SegmentLog#holes). */
    private long firstInFile = -1;
    private long lastInFile = -1;

    private Segment(Path file, long baseSeq, SegmentSlot channel, int interval, SparseIndex index, long size, long lastSeq) {
        this.file = file;
        this.baseSeq = baseSeq;
        this.channel = channel;
        this.interval = interval;
        this.index = index;
        this.size = size;
        this.lastSeq = lastSeq;
    }

    /** The file header of the segment at {@code baseSeq}. */
    private static byte[] header(long baseSeq) {
        ByteSink h = new ByteSink(HEADER);
        h.u8('T').u8('S').u8('E').u8('G').u8(VERSION).u8(0).u8(0).u8(0).i64(baseSeq);
        return h.toByteArray();
    }

    /** Creates a new empty segment file (its channel one of {@code channels}). */
    public static Segment create(SegmentChannels channels, Path dir, long baseSeq, int interval) throws IOException {
        Path file = dir.resolve(FileNames.segmentName(baseSeq));
        SegmentSlot ch = channels.create(file);
        try {
            ch.write(ByteBuffer.wrap(header(baseSeq)), 0);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        Segment s = new Segment(file, baseSeq, ch, interval, new SparseIndex(), HEADER, baseSeq - 1);
        s.tags.collect();
        return s;
    }

    /**
     * Recovery: opens the segment that the snapshot names as active. Every record with
     * {@code baseSeq ≤ seq ≤ maxSeq} (the topic's head when the snapshot was taken) must be
     * there, whole and in order: the active segment is never compacted while a snapshot
     * names it (see {@code Compaction}), so a missing or damaged one is damage, refused with
     * the file and byte named, and the file is left as it is. Whatever follows the record
     * {@code maxSeq} was written after the snapshot, is in the WAL, and is cut here (it may
     * be torn). The index and tag hashes are rebuilt by the scan.
     */
    public static Segment openActive(SegmentChannels channels, Path file, long baseSeq, int interval, long maxSeq)
            throws IOException {
        SegmentSlot ch = openChecked(channels, file, baseSeq);
        Segment s = new Segment(file, baseSeq, ch, interval, new SparseIndex(), ch.size(), baseSeq - 1);
        try {
            s.tags.collect();
            Scan scan = s.scan(HEADER, maxSeq, true, true);
            if (scan.lastSeq() < maxSeq && maxSeq >= baseSeq) {
                throw new CorruptFrame("segment " + file + " should hold records " + (scan.lastSeq() + 1) + ".." + maxSeq
                        + " (the snapshot covers them) but " + (scan.damage() == null ? "ends" : "has " + scan.damage())
                        + " at byte " + scan.end());
            }
            if (scan.end() < s.size) {
                ch.truncate(scan.end()); // written after the snapshot: the WAL holds it
                s.size = scan.end();
            }
            s.lastSeq = scan.lastSeq();
            s.firstInFile = scan.firstSeq();
            s.lastInFile = scan.firstSeq() < 0 ? -1 : scan.lastSeq();
            return s;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Recovery: opens a sealed segment (older than the snapshot's active one: whole, forced,
     * never written again). With a valid {@code index} only the records after its last
     * entry are read, which checks that the file ends with a whole record; without one the
     * whole file is scanned and the index rebuilt. Damage is refused with the file and byte
     * named; nothing is cut. {@code boundSeq} is the seq below the next segment's base.
     */
    public static Segment openSealed(SegmentChannels channels, Path file, long baseSeq, int interval,
                                     SparseIndex index, long boundSeq) throws IOException {
        SegmentSlot ch = openChecked(channels, file, baseSeq);
        Segment s = new Segment(file, baseSeq, ch, interval, index == null ? new SparseIndex() : index, ch.size(),
                boundSeq);
        try {
            long from = HEADER;
            if (index == null) {
                s.tags.collect();
            } else if (index.size() > 0) {
                from = index.positionAt(index.size() - 1);
                if (from >= s.size) {
                    throw new CorruptFrame("segment " + file + " ends at byte " + s.size + " but its index names a record at "
                            + from + " (the file was cut short)");
                }
            }
            Scan scan = s.scan(from, Long.MAX_VALUE, index == null, false);
            if (scan.damage() != null || scan.end() != s.size) {
                throw new CorruptFrame("segment " + file + " has " + (scan.damage() == null ? "unreadable bytes"
                        : scan.damage()) + " at byte " + scan.end());
            }
            if (index != null) {
                s.tags.loaded(TagBloom.read(file.getParent(), baseSeq));
            }
            s.firstInFile = index != null && index.size() > 0 ? index.seqAt(0) : scan.firstSeq();
            s.lastInFile = scan.lastSeq() >= baseSeq ? scan.lastSeq() : -1;
            if (s.firstInFile < 0) {
                s.lastInFile = -1;
            }
            return s;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static SegmentSlot openChecked(SegmentChannels channels, Path file, long baseSeq)
            throws IOException {
        SegmentSlot ch = channels.slot(file);
        byte[] h;
        int n;
        try {
            h = new byte[HEADER];
            n = ch.read(ByteBuffer.wrap(h), 0);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (n < HEADER || h[0] != 'T' || h[1] != 'S' || h[2] != 'E' || h[3] != 'G' || h[4] != VERSION
                || Bytes.i64(h, 8) != baseSeq) {
            ch.close();
            throw new CorruptFrame("bad segment header in " + file + " (expected base seq " + baseSeq + ")");
        }
        return ch;
    }

    /**
     * Where a scan stopped: {@code end} is the position after the last whole record it
     * accepted; {@code damage} says why it stopped before the end of the file (null: the
     * end, or a record past {@code maxSeq}).
     */
    record Scan(long end, long firstSeq, long lastSeq, String damage) {
    }

    /** The most a scan reads at once. */
    static final int SCAN_BLOCK = 1 << 20;

    /**
     * Reads records from {@code from} until the end of the file, the first record past
     * {@code maxSeq}, or the first one that is not whole (length, CRC, order). With
     * {@code build} the index and tag hashes are fed; with {@code contiguous} every seq
     * must follow the previous one (an active segment is never compacted).
     */
    private Scan scan(long from, long maxSeq, boolean build, boolean contiguous) throws IOException {
        long pos = from;
        long first = -1;
        long last = baseSeq - 1;
        long end = size;
        // no bigger than what there is to scan: recovery scans every topic's active segment, and
        // a 1 MiB array is a humongous object to G1 (a region of its own, and a GC when regions
        // run short): 100,000 small topics under -Xmx512m took minutes of full GCs to start
        byte[] buf = new byte[(int) Math.max(64, Math.min(SCAN_BLOCK, end - from))];
        while (pos < end) {
            int n = channel.read(ByteBuffer.wrap(buf, 0, (int) Math.min(buf.length, end - pos)), pos);
            int off = 0;
            while (true) {
                if (n - off < RecordCodec.HEADER + 4) {
                    if (pos + n >= end) {
                        return new Scan(pos + off, first, last, n - off > 0 ? "a partial record" : null);
                    }
                    break; // read on from this record
                }
                int len = RecordCodec.length(buf, off);
                if (len < RecordCodec.HEADER + 4 || len > end - (pos + off)) {
                    return new Scan(pos + off, first, last, len < RecordCodec.HEADER + 4
                            ? "a bad record length (" + len + ")" : "a partial record");
                }
                if (off + len > n) {
                    if (off == 0) {
                        buf = new byte[Integer.highestOneBit(len) << 1]; // one record larger than the block
                    }
                    break;
                }
                try {
                    RecordCodec.check(buf, off, n - off);
                } catch (CorruptFrame e) {
                    return new Scan(pos + off, first, last, e.getMessage());
                }
                long seq = RecordCodec.seq(buf, off);
                if (seq > maxSeq) {
                    return new Scan(pos + off, first, last, null);
                }
                if (seq <= last || (contiguous && seq != last + 1)) {
                    return new Scan(pos + off, first, last, "record seq " + seq + " out of order after " + last);
                }
                if (build) {
                    noteIndex(seq, pos + off);
                    tags.note(buf, off);
                }
                if (first < 0) {
                    first = seq;
                }
                last = seq;
                off += len;
            }
            pos += off;
        }
        return new Scan(pos, first, last, null);
    }

    /** False only when no record here has this tag; committer thread. */
    public boolean mayHoldTag(byte[] tag) {
        return tags.mayHold(tag);
    }

    private void noteIndex(long seq, long position) {
        if (position - lastIndexed >= interval) {
            index.add(seq, position);
            lastIndexed = position;
        }
    }

    /** Committer: appends whole records (contiguous seqs following {@link #lastSeq()}). */
    public void append(byte[] b, int off, int len, long firstSeq, long lastSeqOfBatch) throws IOException {
        long pos = size;
        ByteBuffer bb = ByteBuffer.wrap(b, off, len);
        channel.write(bb, pos);
        Faults.at(Faults.SEGMENT_AFTER_APPEND);
        for (int p = off; p < off + len; ) {
            int rl = RecordCodec.length(b, p);
            noteIndex(RecordCodec.seq(b, p), pos + (p - off));
            tags.note(b, p);
            p += rl;
        }
        lastSeq = lastSeqOfBatch;
        size = pos + len;
    }

    /** Reads into {@code dst} from {@code position}; returns the bytes read. Any thread. */
    public int read(ByteBuffer dst, long position) throws IOException {
        return channel.read(dst, position);
    }

    /**
     * fsync if anything was appended since the last force. Safe while the committer keeps
     * appending: everything written before the call is durable after it. Any thread
     * (the snapshotter; an eviction of the channel forces it too).
     */
    public void force() throws IOException {
        channel.force();
    }

    /**
     * Compaction, step 1 (any thread; this segment is sealed, so its bytes do not change):
     * writes {@code <base>.seg.tmp} holding this segment's records except those
     * {@code removed} says are gone, forced, and opens it as the segment that will take
     * this one's place (index and tag hashes rebuilt by its scan). Nothing visible changes
     * until {@link #install}.
     */
    public Segment compacted(LongPredicate removed) throws IOException {
        Path tmp = tmpFile();
        SegmentRewrite.writeLive(channel, size, file, tmp, header(baseSeq), removed);
        // until install() renames it, the fresh segment's slot opens the tmp file
        SegmentSlot ch = channel.cache().slot(tmp);
        Segment fresh = new Segment(file, baseSeq, ch, interval, new SparseIndex(), ch.size(), lastSeq);
        fresh.tags.collect();
        Scan scan = fresh.scan(HEADER, Long.MAX_VALUE, true, false);
        if (scan.damage() != null) {
            ch.close();
            throw new CorruptFrame("compacted segment " + tmp + " has " + scan.damage() + " at byte " + scan.end());
        }
        fresh.lastSeq = lastSeq; // the bound stays this segment's even if its last record went
        return fresh;
    }

    private Path tmpFile() {
        return file.resolveSibling(FileNames.tmpName(file.getFileName().toString()));
    }

    /**
     * Compaction, step 2 (committer): puts the compacted file in this name's place — the
     * old index and filter removed, the tmp file renamed over the segment, the directory
     * forced, the new index and filter written. A crash anywhere leaves either file whole;
     * a missing index or filter is rebuilt. Readers of the old segment keep its open file.
     */
    public void install() throws IOException {
        Path dir = file.getParent();
        Files.deleteIfExists(dir.resolve(FileNames.indexName(baseSeq)));
        Files.deleteIfExists(dir.resolve(FileNames.bloomName(baseSeq)));
        Faults.at(Faults.COMPACTION_SWAP);
        synchronized (channel) { // no reopen by either name while the name changes
            Files.move(tmpFile(), file, StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            channel.renamed(file);
        }
        DirectoryFsync.directory(dir);
        writeIndex();
    }

    /** Compaction abandoned (the segment went meanwhile): drop the tmp file. */
    public void discard() throws IOException {
        close();
        Files.deleteIfExists(tmpFile());
    }

    /** Writes this segment's index and tag filter next to it (at seal time). */
    public void writeIndex() throws IOException {
        tags.seal(file.getParent(), baseSeq);
        index.write(file.getParent(), baseSeq);
        index.trim();
    }

    /** Recovery: the first seq this file holds (-1: none), known for segments opened by recovery. */
    long firstInFile() {
        return firstInFile;
    }

    /** Recovery: the last seq this file holds (-1: none). */
    long lastInFile() {
        return lastInFile;
    }

    public long baseSeq() {
        return baseSeq;
    }

    public long size() {
        return size;
    }

    public long lastSeq() {
        return lastSeq;
    }

    public SparseIndex index() {
        return index;
    }

    public Path file() {
        return file;
    }

    /**
     * Committer: this segment's file is about to be deleted (retention) or replaced
     * (compaction): never open it by name again. Readers holding the segment finish on its
     * open channel, or get {@link SegmentChannels.SegmentGone} and look again.
     */
    public void retire() {
        channel.retire();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
