package dev.topics.storage.engine;

import dev.topics.storage.StreamMeta;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicInfo;
import dev.topics.storage.segment.Chunk;
import dev.topics.storage.segment.RecordCodec;
import dev.topics.storage.segment.SegmentLog;
import dev.topics.storage.segment.Tail;
import java.io.IOException;
import java.util.List;

/**
 * One topic inside the engine: identity, configuration, its records (segments on disk
 * plus the in-memory tail, or the tail alone for {@code durable: false}), the published
 * {@link Head}, and the signal readers wait on.
 *
 * <p>Threads: fields marked committer-only are touched by the committer thread (and by
 * recovery before it starts). Readers use only the volatile fields and the thread-safe
 * {@link SegmentLog}/{@link Tail} read paths. The committer appends records, then
 * publishes a new {@code head}: a reader that sees a head sees every record up to it.
 */
final class TopicLog {
    /**
     * Counters published together, so a reader never mixes two moments.
     *
     * @param evictedThrough the highest seq evicted by retention (TTL, caps), 0 if none:
     *                       readers whose cursor is below it get a {@code retention} tombstone
     */
    record Head(long headSeq, long earliestSeq, long count, long bytes, long evictedThrough) {
    }

    final long id;
    final String name;
    final String owner;
    final long createdAtMs;
    final SegmentLog segments;
    final Tail tail;
    final TopicSignal signal = new TopicSignal();
    volatile TopicConfig config;
    volatile Head head;
    /** Seqs removed by deletes; readers skip them at once, the compactor erases their bytes. */
    volatile RemovedSeqs removed = RemovedSeqs.NONE;
    /** Committer-only: deleted seqs whose bytes may still be in the segments (compaction's work). */
    RemovedSeqs toErase = RemovedSeqs.NONE;
    /**
     * Committer-only, a cluster node's: the deleted records of the snapshot being written and
     * of the newest durable one. A cluster node replays the log's commands from its snapshot
     * and derives retention again from the records, so compaction erases only what a durable
     * snapshot already counts as deleted ({@link Compaction}).
     */
    RemovedSeqs removedInflight = RemovedSeqs.NONE;
    RemovedSeqs removedDurable = RemovedSeqs.NONE;
    /**
     * Committer-only: deleted seqs not yet handed to compaction ({@link #toErase}). A single
     * node hands them over at once; a cluster node when a snapshot captured after the delete
     * is durable (through {@link #toEraseInflight}), for the reason above.
     */
    RemovedSeqs toEraseNext = RemovedSeqs.NONE;
    RemovedSeqs toEraseInflight = RemovedSeqs.NONE;
    volatile boolean deleted;

    /**
     * Durable Streams state (SPEC §16), null for a plain topic: {@code stream} is the
     * committer's truth (changed when a task is prepared), {@code streamView} what readers
     * see (set when the task is applied, after the records it came with are visible).
     */
    StreamMeta stream;
    volatile StreamMeta streamView;
    /** A fork's source topic (its records with seq ≤ {@code stream.fork().at()}), or null. Set once, at creation. */
    volatile TopicLog source;
    /** Committer-only: how many forks read this topic's records (a delete then only hides it). */
    int forkCount;
    /** When the stream was last read or written (a TTL counts from it); restarts count from the restart. */
    volatile long lastAccessMs = System.currentTimeMillis();

    /** Committer-only: the next seq to assign (may run ahead of {@code head} within a group). */
    long nextSeq;
    /** Committer-only: the live record count including prepared, not yet applied writes. */
    long count;
    /** Committer-only: live data bytes including prepared, not yet applied writes. */
    long bytes;
    /**
     * Committer-only: the active segment's base in the newest durable snapshot that holds
     * this topic, and in the snapshot being written (Long.MAX_VALUE: none). Recovery trusts
     * a snapshot's active segment to hold every record up to its head, so compaction
     * rewrites only segments below both ({@link #compactBelow}).
     */
    long durableActiveBase = Long.MAX_VALUE;
    long inflightActiveBase = Long.MAX_VALUE;
    /** Committer-only: when records were last appended (System.nanoTime), see {@link #releaseIdleTail}. */
    long appendedAtNanos = System.nanoTime();
    /** Committer-only. */
    final IdempotencyTable idempotency = new IdempotencyTable();
    /** Committer-only. */
    final OriginMarks origins = new OriginMarks();

    TopicLog(long id, String name, String owner, long createdAtMs, TopicConfig config, SegmentLog segments,
             long tailBytes, Head head) {
        this.id = id;
        this.name = name;
        this.owner = owner;
        this.createdAtMs = createdAtMs;
        this.config = config;
        this.segments = segments;
        this.tail = new Tail(segments == null ? -1 : tailBytes);
        this.head = head;
        this.nextSeq = head.headSeq() + 1;
        this.count = head.count();
        this.bytes = head.bytes();
    }

    /**
     * Committer: a durable topic with no append for {@code idleNanos} lets its tail go (the
     * records it held are in the segments; the next write starts a new one), so an idle
     * topic keeps no records on the heap. The tail is a cache: nothing else depends on it.
     */
    void releaseIdleTail(long nowNanos, long idleNanos) {
        if (segments != null && !tail.isEmpty() && nowNanos - appendedAtNanos >= idleNanos) {
            tail.release();
        }
    }

    /** Committer: compaction may rewrite segments whose base is below this. */
    long compactBelow() {
        return Math.min(durableActiveBase, inflightActiveBase);
    }

    static Head emptyHead(long headSeq) {
        return new Head(headSeq, headSeq + 1, 0, 0, 0);
    }

    boolean durable() {
        return segments != null;
    }

    /**
     * Committer: makes records {@code first..last} (encoded in {@code buf[off, off+len)})
     * part of the topic and visible to readers.
     */
    void appendCommitted(byte[] buf, int off, int len, long first, long last, long dataBytes) throws IOException {
        if (segments != null) {
            segments.append(buf, off, len, first, last);
        }
        tail.add(new Chunk(first, last, buf, off, len));
        appendedAtNanos = System.nanoTime();
        Head h = head;
        long n = last - first + 1;
        head = new Head(last, h.count() == 0 ? first : h.earliestSeq(), h.count() + n, h.bytes() + dataBytes,
                h.evictedThrough());
        signal.signalAll();
    }

    /**
     * Committer (and recovery): records below {@code newEarliest} are gone (retention).
     * Readers see it at once; the tail lets go of them and whole segments below are retired.
     */
    void evict(long newEarliest, long count, long bytes) throws IOException {
        Head h = head;
        long earliest = count == 0 ? h.headSeq() + 1 : newEarliest;
        head = new Head(h.headSeq(), earliest, count, bytes, Math.max(h.evictedThrough(), newEarliest - 1));
        removed = removed.atOrAbove(earliest);
        this.count = count;
        this.bytes = bytes;
        tail.dropThrough(newEarliest - 1);
        if (segments != null) {
            segments.retireBefore(newEarliest);
        }
        signal.signalAll();
    }

    /**
     * Committer (and recovery): the records in {@code ranges} ([from, to] pairs) are deleted
     * ({@code n} live records, {@code bytes} of data). Readers skip them from now on.
     */
    void remove(long[] ranges, long n, long bytesRemoved) {
        RemovedSeqs r = removed.plus(ranges);
        Head h = head;
        long count = h.count() - n;
        long earliest = count == 0 ? h.headSeq() + 1 : r.nextLive(h.earliestSeq());
        removed = r.atOrAbove(earliest);
        head = new Head(h.headSeq(), earliest, count, h.bytes() - bytesRemoved, h.evictedThrough());
        this.count -= n;
        this.bytes -= bytesRemoved;
        if (segments != null) {
            toEraseNext = toEraseNext.plus(ranges);
        }
        signal.signalAll();
    }

    /**
     * Visits the records {@code start..end} that may carry one of {@code tags}: on disk only
     * the segments whose tag Bloom filter admits one are read. Committer thread (segment
     * filters belong to it). Returns how many segments were read.
     */
    int scanTags(long start, long end, List<byte[]> tags, SegmentLog.Visitor visitor) throws IOException {
        if (segments == null) {
            scan(start, end, visitor);
            return 0;
        }
        return segments.read(start, end, visitor, seg -> {
            for (byte[] t : tags) {
                if (seg.mayHoldTag(t)) {
                    return true;
                }
            }
            return false;
        });
    }

    /**
     * Visits the records {@code start..end} in order (tail first, else the segments) until
     * the visitor says stop. Any thread; used by reads and by retention.
     */
    void scan(long start, long end, SegmentLog.Visitor visitor) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Chunk[] chunks = tail.from(start);
            if (chunks != null) {
                for (Chunk ch : chunks) {
                    int stop = ch.off() + ch.len();
                    for (int p = ch.off(); p < stop; p += RecordCodec.length(ch.buf(), p)) {
                        long seq = RecordCodec.seq(ch.buf(), p);
                        if (seq > end) {
                            return;
                        }
                        if (seq >= start && !visitor.visit(ch.buf(), p)) {
                            return;
                        }
                    }
                }
                return;
            }
            if (segments != null) {
                segments.read(start, end, visitor);
                return;
            }
            // Memory-only topic: the tail is the whole log. A miss means we raced the
            // committer's eviction: look again from what is still held.
            long first = tail.firstSeq();
            if (first < 0 || attempt > 3) {
                return;
            }
            start = Math.max(start, first);
        }
    }

    TopicInfo info() {
        Head h = head;
        return new TopicInfo(name, config, owner, createdAtMs, h.headSeq(), h.earliestSeq(), h.count(), h.bytes(),
                streamView);
    }

    /** Readers see the stream state the committer holds, and waiters wake to it ({@link Engine#showStream}). */
    void showStream() {
        streamView = stream;
        signal.signalAll();
    }

    /** Any thread: the topic is used now (its TTL restarts). Written only when it matters, to spare the cache line. */
    void touch(long nowMs) {
        StreamMeta m = streamView;
        if (m != null && m.ttlSeconds() >= 0 && nowMs > lastAccessMs) {
            lastAccessMs = nowMs;
        }
    }

    /**
     * Visits records {@code start..end} of this topic as readers see it: a fork's records up
     * to its fork point come from its source (recursively), its own after. {@code removed}
     * is told which topic's removed seqs apply to what follows.
     */
    void scanStitched(long start, long end, java.util.function.Consumer<RemovedSeqs> removed, SegmentLog.Visitor v)
            throws IOException {
        TopicLog src = source;
        StreamMeta m = streamView;
        if (src != null && m != null && m.fork() != null && start <= m.fork().at()) {
            long at = m.fork().at();
            boolean[] more = {true};
            src.scanStitched(start, Math.min(end, at), removed, (buf, off) -> more[0] = v.visit(buf, off));
            if (!more[0] || end <= at) {
                return;
            }
            start = at + 1;
        }
        removed.accept(this.removed);
        TopicLog.Head h = head;
        long from = Math.max(start, h.earliestSeq());
        if (from <= Math.min(end, h.headSeq())) {
            scan(from, Math.min(end, h.headSeq()), v);
        }
    }

    /** Committer: marks the topic gone and wakes its readers so they notice. */
    void markDeleted() {
        deleted = true;
        signal.signalAll();
    }
}
