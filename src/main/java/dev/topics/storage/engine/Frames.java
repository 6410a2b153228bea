package dev.topics.storage.engine;

import dev.topics.storage.ControlEntry;
import dev.topics.storage.CursorMove;
import dev.topics.storage.StreamMeta;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.ByteSource;
import dev.topics.storage.io.CorruptFrame;
import dev.topics.storage.wal.WalFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's WAL frame types and their payloads, version 1 (framing itself:
 * {@link WalFormat}). All integers little-endian; strings are u16 length + UTF-8.
 * <pre>
 * 1 RECORDS       u64 topicId  u8 flags(0x01 created the topic, 0x02 has key, 0x04 has dropped,
 *                 0x08 moves a control entry's cursor, 0x10 carries the stream state)
 *                 [topic: as in TOPIC_CREATE after the id — with 0x01, so a write that
 *                  creates its topic is one frame: after a crash, both or neither]
 *                 [u8 keyLen key  u64 keyExpiresAtMs]  [u32 dropped]
 *                 [u8 kind  str id  u64 cursor — with 0x08: a local router's copy and its
 *                  cursor are one frame (SPEC §9, exactly-once)]
 *                 [stream — with 0x10: the topic's Durable Streams state after these records
 *                  (SPEC §16: producer state, Stream-Seq and closing are one frame with the
 *                  records; count 0 for a close or a soft delete alone)]  u32 count  u64 dataBytes
 *                 records (RecordCodec, seqs and ts stamped) to the end of the frame;
 *                 count may be 0 (every record dropped as already delivered, SPEC §8:
 *                 the frame then keeps only the key, or the creation)
 * 2 TOPIC_CREATE  u64 topicId  str name  u8 hasOwner [str owner]  u64 createdAtMs  config
 * 3 TOPIC_CONFIG  u64 topicId  config
 * 4 TOPIC_DELETE  u64 topicId
 * 5 DELETE        u64 topicId  u64 count  u64 bytes  u32 n  (u64 from, u64 to) × n   (SPEC §6: the
 *                 records in these ranges are deleted; count and bytes are what they held)
 * 6 EVICT         u64 topicId  u64 newEarliestSeq  u64 count  u64 bytes   (retention, SPEC §7:
 *                 every record below newEarliestSeq is gone; count and bytes after it)
 * stream := u8 version(=1)  str contentType  i64 ttlSeconds(-1 none)  u64 expiresAtMs(0 none)
 *           u8 flags(0x01 closed, 0x02 soft-deleted, 0x04 closedBy, 0x08 fork, 0x10 streamSeq)
 *           [str id  u64 epoch  u64 seq — closedBy]  [str source  u64 at  u64 anchor  u64 sub — fork]
 *           [str streamSeq]  u32 n  (str producerId  u64 epoch  u64 seq) × n
 * config := u8 version(=1) u64 ttlMs u64 capRecords u64 capBytes u8 discard u8 durable
 *           u8 durability u8 autoCreate u64 idempotencyWindowMs u8 dedupeNode
 *           u8 publicRead u8 publicPublish
 * </pre>
 * 16 WATCH       str wid  u32 len  spec (the session as its JSON request, SPEC §5;
 *                 len 0 removes the session)
 * 17 CONTROL     u8 kind  str id  u8 op(0 remove, 1 put)
 *                 [u64 cursor  u8 topicCount  str topic*  u32 len  spec]   (with op 1;
 *                 {@link ControlEntry}: routers, subscriptions, webhooks, principals,
 *                 permissions, share tokens)
 * 18 CURSOR      u8 kind  str id  u64 cursor   (a control entry's cursor moved)
 * Reserved for later, without a format break: 19 and up. A frame type this
 * build does not know stops recovery with an error rather than being skipped.
 */
final class Frames {
    static final int RECORDS = 1;
    static final int TOPIC_CREATE = 2;
    static final int TOPIC_CONFIG = 3;
    static final int TOPIC_DELETE = 4;
    static final int DELETE = 5;
    static final int EVICT = 6;
    static final int WATCH = 16;
    static final int CONTROL = 17;
    static final int CURSOR = 18;

    /** A frame type's name, for reports. */
    static String typeName(int type) {
        return switch (type) {
            case RECORDS -> "records";
            case TOPIC_CREATE -> "topic create";
            case TOPIC_CONFIG -> "topic config";
            case TOPIC_DELETE -> "topic delete";
            case DELETE -> "record delete";
            case EVICT -> "eviction";
            case WATCH -> "watch session";
            case CONTROL -> "control entry";
            case CURSOR -> "cursor";
            default -> "type-" + type;
        };
    }

    static final int F_CREATED = 0x01;
    static final int F_KEY = 0x02;
    static final int F_DROPPED = 0x04;
    static final int F_CURSOR = 0x08;
    static final int F_STREAM = 0x10;
    private static final int CONFIG_VERSION = 1;
    private static final int STREAM_VERSION = 1;

    private Frames() {
    }

    static void config(ByteSink out, TopicConfig c) {
        out.u8(CONFIG_VERSION).i64(c.ttlMs()).i64(c.capRecords()).i64(c.capBytes())
                .u8(c.discard().ordinal()).u8(c.durable() ? 1 : 0).u8(c.durability().ordinal())
                .u8(c.autoCreate() ? 1 : 0).i64(c.idempotencyWindowMs()).u8(c.dedupeNode() ? 1 : 0)
                .u8(c.publicRead() ? 1 : 0).u8(c.publicPublish() ? 1 : 0);
    }

    static TopicConfig config(ByteSource in) {
        int v = in.u8();
        if (v != CONFIG_VERSION) {
            throw new CorruptFrame("topic config version " + v + " not supported");
        }
        long ttl = in.i64();
        long capRecords = in.i64();
        long capBytes = in.i64();
        int discard = in.u8();
        boolean durable = in.bool();
        int durability = in.u8();
        boolean autoCreate = in.bool();
        long window = in.i64();
        boolean dedupe = in.bool();
        boolean pr = in.bool();
        boolean pp = in.bool();
        if (discard > 1 || durability > 1) {
            throw new CorruptFrame("bad topic config enum");
        }
        try {
            return new TopicConfig(ttl, capRecords, capBytes, TopicConfig.Discard.values()[discard], durable,
                    TopicConfig.Durability.values()[durability], autoCreate, window, dedupe, pr, pp);
        } catch (IllegalArgumentException e) { // a value the constructor refuses, e.g. a negative cap
            throw new CorruptFrame("bad topic config: " + e.getMessage());
        }
    }

    static void stream(ByteSink out, StreamMeta m) {
        int flags = (m.closed() ? 0x01 : 0) | (m.softDeleted() ? 0x02 : 0) | (m.closedBy() != null ? 0x04 : 0)
                | (m.fork() != null ? 0x08 : 0) | (m.streamSeq() != null ? 0x10 : 0);
        out.u8(STREAM_VERSION).str16(m.contentType()).i64(m.ttlSeconds()).i64(m.expiresAtMs()).u8(flags);
        if (m.closedBy() != null) {
            out.str16(m.closedBy().id()).i64(m.closedBy().epoch()).i64(m.closedBy().seq());
        }
        if (m.fork() != null) {
            out.str16(m.fork().source()).i64(m.fork().at()).i64(m.fork().anchor()).i64(m.fork().sub());
        }
        if (m.streamSeq() != null) {
            out.str16(m.streamSeq());
        }
        out.i32(m.producers().size());
        for (StreamMeta.Producer p : m.producers().values()) {
            out.str16(p.id()).i64(p.epoch()).i64(p.seq());
        }
    }

    static StreamMeta stream(ByteSource in) {
        int v = in.u8();
        if (v != STREAM_VERSION) {
            throw new CorruptFrame("stream state version " + v + " not supported");
        }
        String contentType = in.str16();
        long ttl = in.i64();
        long expires = in.i64();
        int flags = in.u8();
        if ((flags & ~0x1F) != 0) {
            throw new CorruptFrame("stream state flags " + flags + " not known to this build");
        }
        StreamMeta.Producer closedBy = (flags & 0x04) != 0 ? new StreamMeta.Producer(in.str16(), in.i64(), in.i64()) : null;
        StreamMeta.Fork fork = (flags & 0x08) != 0 ? new StreamMeta.Fork(in.str16(), in.i64(), in.i64(), in.i64()) : null;
        String streamSeq = (flags & 0x10) != 0 ? in.str16() : null;
        int n = in.i32();
        if (n < 0 || n > in.remaining() / 18) {
            throw new CorruptFrame("stream state has " + n + " producers in " + in.remaining() + " bytes");
        }
        Map<String, StreamMeta.Producer> producers = new HashMap<>();
        for (int i = 0; i < n; i++) {
            StreamMeta.Producer p = new StreamMeta.Producer(in.str16(), in.i64(), in.i64());
            producers.put(p.id(), p);
        }
        try {
            return new StreamMeta(contentType, ttl, expires, (flags & 0x01) != 0, closedBy, fork, (flags & 0x02) != 0,
                    streamSeq, producers);
        } catch (IllegalArgumentException e) {
            throw new CorruptFrame("bad stream state: " + e.getMessage());
        }
    }

    static void topicCreate(ByteSink out, TopicLog t) {
        int at = WalFormat.beginFrame(out, TOPIC_CREATE);
        out.i64(t.id);
        topicBody(out, t);
        WalFormat.endFrame(out, at);
    }

    /** The part of a topic's creation after its id: name, owner, time, config. */
    private static void topicBody(ByteSink out, TopicLog t) {
        out.str16(t.name);
        if (t.owner != null) {
            out.u8(1).str16(t.owner);
        } else {
            out.u8(0);
        }
        out.i64(t.createdAtMs);
        config(out, t.config);
    }

    /** A topic's creation as decoded from a frame. */
    record Creation(long id, String name, String owner, long createdAtMs, TopicConfig config) {
    }

    static Creation creation(long id, ByteSource in) {
        String name = in.str16();
        String owner = in.bool() ? in.str16() : null;
        long createdAt = in.i64();
        return new Creation(id, name, owner, createdAt, config(in));
    }

    static void topicConfig(ByteSink out, long topicId, TopicConfig c) {
        int at = WalFormat.beginFrame(out, TOPIC_CONFIG);
        out.i64(topicId);
        config(out, c);
        WalFormat.endFrame(out, at);
    }

    static void topicDelete(ByteSink out, long topicId) {
        int at = WalFormat.beginFrame(out, TOPIC_DELETE);
        out.i64(topicId);
        WalFormat.endFrame(out, at);
    }

    static void delete(ByteSink out, long topicId, long count, long bytes, long[] ranges) {
        int at = WalFormat.beginFrame(out, DELETE);
        out.i64(topicId).i64(count).i64(bytes).i32(ranges.length / 2);
        for (long v : ranges) {
            out.i64(v);
        }
        WalFormat.endFrame(out, at);
    }

    static void watch(ByteSink out, String wid, byte[] spec) {
        int at = WalFormat.beginFrame(out, WATCH);
        out.str16(wid).i32(spec.length).bytes(spec);
        WalFormat.endFrame(out, at);
    }

    static void control(ByteSink out, ControlEntry.Key key, ControlEntry e) {
        int at = WalFormat.beginFrame(out, CONTROL);
        out.u8(kindCode(key.kind())).str16(key.id());
        if (e == null) {
            out.u8(0);
        } else {
            out.u8(1);
            entryRest(out, e);
        }
        WalFormat.endFrame(out, at);
    }

    /** Reads a CONTROL frame after its type: the entry, or a removal (an entry with a null spec). */
    static ControlEntry control(ByteSource in) {
        ControlEntry.Kind kind = kind(in.u8());
        String id = in.str16();
        if (!in.bool()) {
            return entry(kind, id, null, 0, List.of());
        }
        return controlBody(in, kind, id);
    }

    /** A decoded entry; what the constructor refuses (e.g. an empty id) is damage, not a bug. */
    private static ControlEntry entry(ControlEntry.Kind kind, String id, byte[] spec, long cursor,
                                      List<String> topics) {
        try {
            return new ControlEntry(kind, id, spec, cursor, topics);
        } catch (IllegalArgumentException e) {
            throw new CorruptFrame("bad control entry: " + e.getMessage());
        }
    }

    /** An entry as snapshots keep it: {@code u8 kind  str id  u64 cursor  u8 topicCount  str topic*  u32 len  spec}. */
    static void controlBody(ByteSink out, ControlEntry e) {
        out.u8(kindCode(e.kind())).str16(e.id());
        entryRest(out, e);
    }

    private static void entryRest(ByteSink out, ControlEntry e) {
        out.i64(e.cursor()).u8(e.topics().size());
        for (String t : e.topics()) {
            out.str16(t);
        }
        out.i32(e.spec().length).bytes(e.spec());
    }

    static ControlEntry controlBody(ByteSource in, ControlEntry.Kind kind, String id) {
        long cursor = in.i64();
        int n = in.u8();
        List<String> topics = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            topics.add(in.str16());
        }
        return entry(kind, id, in.bytes(in.i32()), cursor, topics);
    }

    static void cursor(ByteSink out, CursorMove m) {
        int at = WalFormat.beginFrame(out, CURSOR);
        out.u8(kindCode(m.entry().kind())).str16(m.entry().id()).i64(m.to());
        WalFormat.endFrame(out, at);
    }

    static void evict(ByteSink out, long topicId, long newEarliest, long count, long bytes) {
        int at = WalFormat.beginFrame(out, EVICT);
        out.i64(topicId).i64(newEarliest).i64(count).i64(bytes);
        WalFormat.endFrame(out, at);
    }

    /** Writes a records frame; returns the offset in {@code out} where the records start. */
    static int records(ByteSink out, TopicLog topic, boolean created, byte[] key, long keyExpiresAt, int count,
                       int dropped, CursorMove move, long dataBytes, byte[] records, int len) {
        return records(out, topic, created, key, keyExpiresAt, count, dropped, move, null, dataBytes, records, len);
    }

    /** As above; {@code stream} (may be null) is the topic's stream state after the records. */
    static int records(ByteSink out, TopicLog topic, boolean created, byte[] key, long keyExpiresAt, int count,
                       int dropped, CursorMove move, StreamMeta stream, long dataBytes, byte[] records, int len) {
        int at = WalFormat.beginFrame(out, RECORDS);
        out.i64(topic.id).u8((created ? F_CREATED : 0) | (key != null ? F_KEY : 0) | (dropped > 0 ? F_DROPPED : 0)
                | (move != null ? F_CURSOR : 0) | (stream != null ? F_STREAM : 0));
        if (created) {
            topicBody(out, topic);
        }
        if (key != null) {
            out.u8(key.length).bytes(key).i64(keyExpiresAt);
        }
        if (dropped > 0) {
            out.i32(dropped);
        }
        if (move != null) {
            out.u8(kindCode(move.entry().kind())).str16(move.entry().id()).i64(move.to());
        }
        if (stream != null) {
            stream(out, stream);
        }
        out.i32(count).i64(dataBytes);
        int recordsAt = out.size();
        out.bytes(records, 0, len);
        WalFormat.endFrame(out, at);
        return recordsAt;
    }

    /** The WAL and snapshot tag of a control entry's kind: fixed, never reused for another kind. */
    static int kindCode(ControlEntry.Kind kind) {
        return switch (kind) {
            case ROUTER -> 1;
            case SUBSCRIPTION -> 2;
            case WEBHOOK -> 3;
            case PRINCIPAL -> 4;
            case PERMISSION -> 5;
            case SHARE -> 6;
        };
    }

    /** The kind a tag written by {@link #kindCode} stands for; an unknown tag is damage. */
    static ControlEntry.Kind kind(int code) {
        for (ControlEntry.Kind k : ControlEntry.Kind.values()) {
            if (kindCode(k) == code) {
                return k;
            }
        }
        throw new CorruptFrame("control entry kind " + code + " is not known to this build");
    }
}
