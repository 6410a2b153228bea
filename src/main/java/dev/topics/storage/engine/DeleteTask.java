package dev.topics.storage.engine;

import dev.topics.storage.DeleteResult;
import dev.topics.storage.RecordFilter;
import dev.topics.storage.RecordView;
import dev.topics.storage.StorageException;
import dev.topics.storage.TagFilter;
import dev.topics.storage.io.ByteSink;
import dev.topics.storage.segment.RecordCodec;
import dev.topics.storage.segment.SegmentLog;
import dev.topics.storage.wal.CommitTask;
import java.util.Arrays;

/**
 * A record delete (SPEC §6) through the committer: point-in-time (it looks at the records
 * committed when it runs, so a later record with the same tag is never touched), durable
 * before it answers (a DELETE frame, forced), effective at once on every read (the topic's
 * removed set), silent (no tombstone). The bytes leave the disk when the compactor
 * rewrites the segments holding them.
 */
final class DeleteTask extends CommitTask {
    private final Engine engine;
    private final String name;
    private final RecordFilter match;
    private final long fromSeq;
    private final long toSeq;
    private TopicLog topic;
    private long[] ranges;
    private long n;
    private long bytes;
    private DeleteResult result;
    /** Segments a tag delete read (the Bloom filters skipped the rest); -1 when not counted. */
    private int segmentsRead = -1;
    /** A cluster's delete: the topic's id when the proposer matched its seqs (-1: any). */
    private long topicId = -1;

    /** {@code match} may be null; the range is inclusive (use 0 and Long.MAX_VALUE for "all"). */
    DeleteTask(Engine engine, String name, RecordFilter match, long fromSeq, long toSeq) {
        this.engine = engine;
        this.name = name;
        this.match = match;
        this.fromSeq = fromSeq;
        this.toSeq = toSeq;
    }

    /**
     * A cluster's delete (docs/CLUSTER.md): the node that took the request matched the
     * filter against the records it had applied, and every node deletes those of the seqs
     * ({@code [from, to]} pairs, ascending) still live in the topic with that id. A filter is
     * code, not data: matching once keeps the command small and the delete point-in-time.
     */
    static DeleteTask ofRanges(Engine engine, String name, long topicId, long[] ranges) {
        for (int i = 0; i < ranges.length; i += 2) {
            if (ranges[i] > ranges[i + 1] || (i > 0 && ranges[i] <= ranges[i - 1])) {
                throw new IllegalArgumentException("delete ranges out of order");
            }
        }
        long from = ranges.length == 0 ? 1 : ranges[0];
        long to = ranges.length == 0 ? 0 : ranges[ranges.length - 1];
        DeleteTask task = new DeleteTask(engine, name, v -> inRanges(ranges, v.seq()), from, to);
        task.topicId = topicId;
        return task;
    }

    /** True when {@code seq} lies in one of the ascending {@code [from, to]} pairs. */
    static boolean inRanges(long[] ranges, long seq) {
        int lo = 0;
        int hi = ranges.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (seq < ranges[2 * mid]) {
                hi = mid - 1;
            } else if (seq > ranges[2 * mid + 1]) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** A delete frees space (once compacted): allowed on a full disk. */
    @Override
    protected boolean mayUseReserve() {
        return true;
    }

    @Override
    protected Sync prepare(ByteSink wal) throws Exception {
        TopicLog t = engine.byName.get(name);
        if (t == null || (topicId >= 0 && t.id != topicId)) {
            throw new StorageException.TopicNotFound(name); // in a cluster: deleted (and made again) since the match
        }
        topic = t;
        TopicLog.Head h = t.head;
        long lo = Math.max(fromSeq, h.earliestSeq());
        long hi = Math.min(toSeq, h.headSeq());
        RemovedSeqs removed = t.removed;
        Ranges found = new Ranges();
        if (lo <= hi && h.count() > 0) {
            SegmentLog.Visitor visit = (buf, off) -> {
                long seq = RecordCodec.seq(buf, off);
                if (!removed.contains(seq)) {
                    RecordView v = new RecordView(buf, off);
                    if (match == null || match.test(v)) {
                        found.add(seq, v.dataLength());
                    }
                }
                return true;
            };
            if (match instanceof TagFilter tags) {
                segmentsRead = t.scanTags(lo, hi, tags.tags(), visit);
            } else {
                t.scan(lo, hi, visit);
                segmentsRead = -1;
            }
        }
        return finishPrepare(wal, t, found.toArray(), found.count, found.bytes);
    }

    /** Matched seqs as [from, to] pairs, contiguous seqs merged. */
    static final class Ranges {
        long[] pairs = new long[16];
        int size;
        long count;
        long bytes;

        void add(long seq, long dataBytes) {
            count++;
            bytes += dataBytes;
            if (size > 0 && pairs[size - 1] == seq - 1) {
                pairs[size - 1] = seq;
                return;
            }
            if (size + 2 > pairs.length) {
                pairs = Arrays.copyOf(pairs, pairs.length * 2);
            }
            pairs[size++] = seq;
            pairs[size++] = seq;
        }

        long[] toArray() {
            return Arrays.copyOf(pairs, size);
        }
    }

    private Sync finishPrepare(ByteSink wal, TopicLog t, long[] found, long count, long dataBytes) {
        ranges = found;
        n = count;
        bytes = dataBytes;
        if (n == 0) {
            return Sync.NONE;
        }
        if (!t.durable()) {
            return Sync.NONE;
        }
        Frames.delete(wal, t.id, n, bytes, ranges);
        return Sync.FORCE;
    }

    @Override
    protected void apply() {
        if (n > 0) {
            topic.remove(ranges, n, bytes);
        }
        TopicLog.Head h = topic.head;
        result = new DeleteResult(n, h.earliestSeq(), h.headSeq(), h.count(), segmentsRead, 0);
    }

    DeleteResult result() {
        DeleteResult r = result;
        return new DeleteResult(r.deleted(), r.earliestSeq(), r.headSeq(), r.count(), r.segmentsRead(), fsyncNanos);
    }
}
