package dev.topics.storage;

import dev.topics.storage.segment.SegmentFiles;
import dev.topics.storage.segment.SegmentLog;
import dev.topics.storage.wal.ByteSink;
import dev.topics.storage.wal.ByteSource;
import dev.topics.storage.wal.Bytes;
import dev.topics.storage.wal.CorruptFrame;
import java.io.IOException;
import java.util.Map;

/**
 * The snapshot payload, version 1 (framed by {@code SnapshotFile}): every durable topic
 * with its counters, how far its active segment is covered, and its live idempotency keys.
 * <pre>
 * payload := u8 version(=1) u64 nextTopicId u32 topicCount topic*
 * topic   := u64 id str name u8 hasOwner [str owner] u64 createdAtMs config(Frames)
 *            u64 headSeq u64 earliestSeq u64 count u64 bytes u64 activeBase u64 activeSize
 *            u32 keyCount key*
 * key     := u8 len bytes u64 firstSeq u64 lastSeq u64 headSeq u64 count u8 created u64 expiresAtMs
 * </pre>
 * {@code durable: false} topics are not in snapshots: they end with the process.
 * Committer thread (encode) and recovery (decode) only.
 */
final class SnapshotCodec {
    private static final int VERSION = 1;

    private SnapshotCodec() {
    }

    static void encode(ByteSink out, Engine e) {
        out.u8(VERSION).i64(e.nextTopicId);
        int countAt = out.skip(4);
        int n = 0;
        long now = System.currentTimeMillis();
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
            out.i64(h.headSeq()).i64(h.earliestSeq()).i64(h.count()).i64(h.bytes());
            out.i64(t.segments.activeBase()).i64(t.segments.activeSize());
            t.idempotency.expire(now);
            Map<String, IdempotencyTable.Entry> keys = t.idempotency.entries();
            out.i32(keys.size());
            for (var k : keys.entrySet()) {
                byte[] kb = Bytes.utf8(k.getKey());
                AppendResult r = k.getValue().result();
                out.u8(kb.length).bytes(kb).i64(r.firstSeq()).i64(r.lastSeq()).i64(r.headSeq()).i64(r.count())
                        .u8(r.created() ? 1 : 0).i64(k.getValue().expiresAtMs());
            }
        }
        Bytes.put32(out.array(), countAt, n);
    }

    static void decode(byte[] payload, Engine e) throws IOException {
        ByteSource in = new ByteSource(payload, 0, payload.length);
        int v = in.u8();
        if (v != VERSION) {
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
            TopicLog.Head head = new TopicLog.Head(in.i64(), in.i64(), in.i64(), in.i64());
            long activeBase = in.i64();
            long activeSize = in.i64();
            SegmentLog segs = SegmentLog.recover(SegmentFiles.topicDir(e.options.dataDir(), id), activeBase, activeSize,
                    e.options.segmentBytes(), e.options.indexIntervalBytes());
            TopicLog t = new TopicLog(id, name, owner, createdAt, config, segs, e.options.tailBytes(), head);
            int keys = in.i32();
            for (int k = 0; k < keys; k++) {
                int kl = in.u8();
                String key = Bytes.string(payload, in.skip(kl), kl);
                AppendResult r = new AppendResult(in.i64(), in.i64(), in.i64(), in.i64(), in.bool(), false, 0);
                t.idempotency.put(key, r, in.i64());
            }
            e.register(t);
            e.publish(t);
        }
    }
}
