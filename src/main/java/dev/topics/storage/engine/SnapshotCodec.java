package dev.topics.storage.engine;

import dev.topics.storage.AppendResult;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.ByteSource;
import dev.topics.storage.io.Bytes;
import dev.topics.storage.io.CorruptFrame;
import dev.topics.storage.io.FileNames;
import dev.topics.storage.segment.SegmentLog;
import java.io.IOException;
import java.util.Map;

/**
 * The snapshot payload, format version 6 (framed by {@code SnapshotFile}): every durable
 * topic with its counters, how far its active segment is covered, its live idempotency keys,
 * its origin marks (SPEC §8) and its removed seq ranges; then the watch sessions and the
 * control entries. Integers are little-endian; {@code str} is a {@code u16} length and that
 * many UTF-8 bytes.
 * <pre>
 * payload := u8 version(=6)  u64 nextTopicId  u32 topicCount topic*
 *            u32 watchCount watch*  u32 controlCount control*  u64 appliedOffset  u64 clockMs
 * topic   := u64 id  str name  u8 hasOwner [str owner]  u64 createdAtMs  config   (Frames.config)
 *            u64 headSeq  u64 earliestSeq  u64 count  u64 bytes  u64 evictedThrough
 *            u64 activeBase  u64 activeSize
 *            u32 keyCount key*  u32 markCount mark*  u32 rangeCount range*
 *            u8 hasStream [stream]        (Frames.stream: the Durable Streams state, SPEC §16)
 *            u64 lastAccessMs             (a stream's last use: a cluster restores it, a single node restarts TTLs)
 * key     := u8 len  u8[len] key  u64 firstSeq  u64 lastSeq  u64 headSeq  u64 count
 *            u8 created  u64 expiresAtMs  u32 dropped                  (a live idempotency key)
 * mark    := str originNode  str originTopic  u64 highestOriginSeq
 * range   := u64 from  u64 to               removed seqs the segments may still hold
 * watch   := str wid  u32 len  u8[len] spec                            (SPEC §5)
 * control := u8 kind  str id  u64 cursor  u8 topicCount  str topic*  u32 len  u8[len] spec
 *            (Frames.controlBody; kind is Frames.kindCode)
 * </pre>
 * {@code activeSize} is written but not needed on read (the active segment is cut after
 * {@code headSeq}). Only control entries whose topics are all durable are kept; the others,
 * like {@code durable: false} topics, end with the process.
 *
 * <p>Older versions are still read; each lacks what a later one added:
 * <ul>
 *   <li>1: no {@code evictedThrough} and no {@code dropped} (both read as 0), no marks and
 *       no ranges;</li>
 *   <li>2: adds {@code evictedThrough}, {@code dropped}, marks and ranges;</li>
 *   <li>3: adds the watch sessions;</li>
 *   <li>4: adds the control entries (routers, subscriptions, webhooks, principals,
 *       permissions, shares);</li>
 *   <li>5: adds each topic's stream state;</li>
 *   <li>6: adds each topic's last use and, for a cluster node, the log offset the snapshot covers and the commands'
 *       clock (docs/CLUSTER.md); -1 and 0 on a single node.</li>
 * </ul>
 * Committer thread (encode) and recovery (decode) only.
 */
final class SnapshotCodec {
    private static final int VERSION = 6;

    private SnapshotCodec() {
    }

    /**
     * The log offset a cluster node's snapshot covers, read from the payload's last 16 bytes
     * without decoding the rest; -1 for a payload older than version 6 (a single node's).
     */
    static long appliedOffset(byte[] payload) {
        if (payload.length < 17 || payload[0] < 6) {
            return -1;
        }
        return Bytes.i64(payload, payload.length - 16);
    }

    static void encode(ByteSink out, Engine e) {
        out.u8(VERSION).i64(e.nextTopicId);
        int countAt = out.skip(4);
        int n = 0;
        long now = e.cluster ? e.clockMs : System.currentTimeMillis(); // a cluster decides by its commands' clock
        for (TopicLog t : e.byName.values()) {
            if (!t.durable()) {
                continue;
            }
            n++;
            out.i64(t.id).str16(t.name);
            if (t.owner != null) {
                out.u8(1).str16(t.owner);
            } else {
                out.u8(0);
            }
            out.i64(t.createdAtMs);
            Frames.config(out, t.config);
            TopicLog.Head h = t.head;
            out.i64(h.headSeq()).i64(h.earliestSeq()).i64(h.count()).i64(h.bytes()).i64(h.evictedThrough());
            out.i64(t.segments.activeBase()).i64(t.segments.activeSize());
            t.idempotency.expire(now);
            Map<String, IdempotencyTable.Entry> keys = t.idempotency.entries();
            out.i32(keys.size());
            for (var k : keys.entrySet()) {
                byte[] kb = Bytes.utf8(k.getKey());
                AppendResult r = k.getValue().result();
                out.u8(kb.length).bytes(kb).i64(r.firstSeq()).i64(r.lastSeq()).i64(r.headSeq()).i64(r.count())
                        .u8(r.created() ? 1 : 0).i64(k.getValue().expiresAtMs()).i32(r.dropped());
            }
            Map<OriginMarks.Source, Long> marks = t.origins.all();
            out.i32(marks.size());
            for (var m : marks.entrySet()) {
                out.str16(m.getKey().node()).str16(m.getKey().topic()).i64(m.getValue());
            }
            RemovedSeqs removed = t.removed;
            out.i32(removed.ranges());
            for (int r = 0; r < removed.ranges(); r++) {
                out.i64(removed.from(r)).i64(removed.to(r));
            }
            if (t.stream != null) {
                out.u8(1);
                Frames.stream(out, t.stream);
            } else {
                out.u8(0);
            }
            out.i64(t.lastAccessMs);
        }
        Bytes.put32(out.array(), countAt, n);
        out.i32(e.watches.size());
        for (var w : e.watches.entrySet()) {
            out.str16(w.getKey()).i32(w.getValue().length).bytes(w.getValue());
        }
        int controlsAt = out.skip(4);
        int c = 0;
        for (ControlEntry entry : e.controls.values()) {
            boolean durable = true;
            for (String topic : entry.topics()) {
                durable &= e.byName.get(topic) != null && e.byName.get(topic).durable();
            }
            if (durable) {
                Frames.controlBody(out, entry);
                c++;
            }
        }
        Bytes.put32(out.array(), controlsAt, c);
        out.i64(e.appliedOffset).i64(e.clockMs);
    }

    static void decode(byte[] payload, Engine e) throws IOException {
        ByteSource in = new ByteSource(payload, 0, payload.length);
        int v = in.u8();
        if (v < 1 || v > VERSION) {
            throw new CorruptFrame("snapshot payload version " + v + " not supported");
        }
        e.nextTopicId = in.i64();
        int n = in.i32();
        for (int i = 0; i < n; i++) {
            long id = in.i64();
            String name = in.str16();
            String owner = in.bool() ? in.str16() : null;
            long createdAt = in.i64();
            TopicConfig config = Frames.config(in);
            TopicLog.Head head = new TopicLog.Head(in.i64(), in.i64(), in.i64(), in.i64(), v >= 2 ? in.i64() : 0);
            long activeBase = in.i64();
            in.i64(); // activeSize: kept in the format, not needed (the active segment is cut after headSeq)
            SegmentLog segs = SegmentLog.recover(e.channels, FileNames.topicDir(e.options.dataDir(), id), activeBase,
                    head.headSeq(), e.options.segmentBytes(), e.options.indexIntervalBytes());
            TopicLog t = new TopicLog(id, name, owner, createdAt, config, segs, e.options.tailBytes(), head);
            t.durableActiveBase = activeBase;
            int keys = in.i32();
            for (int k = 0; k < keys; k++) {
                int kl = in.u8();
                String key = Bytes.string(payload, in.skip(kl), kl);
                long firstSeq = in.i64();
                long lastSeq = in.i64();
                long headSeq = in.i64();
                long count = in.i64();
                boolean created = in.bool();
                long expires = in.i64();
                int dropped = v >= 2 ? in.i32() : 0;
                t.idempotency.put(key, new AppendResult(firstSeq, lastSeq, headSeq, count, created, false, dropped, 0),
                        expires);
            }
            int marks = v >= 2 ? in.i32() : 0;
            for (int m = 0; m < marks; m++) {
                t.origins.put(new OriginMarks.Source(in.str16(), in.str16()), in.i64());
            }
            int ranges = v >= 2 ? in.i32() : 0;
            if (ranges < 0 || ranges > in.remaining() / 16) {
                // checked before allocating: a damaged count must not ask for gigabytes
                throw new CorruptFrame("snapshot topic '" + name + "' has " + ranges + " removed ranges in "
                        + in.remaining() + " bytes");
            }
            if (ranges > 0) {
                long[] pairs = new long[ranges * 2];
                for (int r = 0; r < pairs.length; r++) {
                    pairs[r] = in.i64();
                }
                t.removed = RemovedSeqs.NONE.plus(pairs);
                t.toErase = t.removed; // the segments may still hold them: check again
                t.removedDurable = t.removed; // this snapshot counts them as deleted (a cluster node's compaction)
            }
            if (v >= 5 && in.bool()) {
                t.stream = Frames.stream(in);
                e.showStream(t);
            }
            long lastAccess = v >= 6 ? in.i64() : 0;
            if (e.cluster) {
                t.lastAccessMs = lastAccess; // decided by the log's commands: every node holds the same
            }
            e.register(t);
            e.publish(t);
        }
        for (TopicLog t : e.byName.values()) {
            e.linkFork(t); // every source is known by now
        }
        int watches = v >= 3 ? in.i32() : 0;
        for (int w = 0; w < watches; w++) {
            String wid = in.str16();
            e.watches.put(wid, in.bytes(in.i32()));
        }
        int controls = v >= 4 ? in.i32() : 0;
        for (int c = 0; c < controls; c++) {
            ControlEntry.Kind kind = Frames.kind(in.u8());
            ControlEntry entry = Frames.controlBody(in, kind, in.str16());
            e.control(entry.key(), entry);
            e.showControl(entry.key());
        }
        if (v >= 6) {
            e.appliedOffset = in.i64();
            e.clockMs = in.i64();
        }
    }
}
