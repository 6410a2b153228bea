package dev.topics.storage.engine;

import dev.topics.storage.AppendRequest;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.CursorMove;
import dev.topics.storage.RecordBatch;
import dev.topics.storage.StreamCreate;
import dev.topics.storage.StreamMeta;
import dev.topics.storage.StreamOp;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicPatch;
import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.ByteSource;
import dev.topics.storage.io.CorruptFrame;
import dev.topics.storage.wal.CommitTask;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands of a cluster's log (docs/CLUSTER.md): what a request asks, encoded by the node
 * that took it, decoded by every node into the commit task the single node would have run.
 * A command holds no result: seqs, refusals and dedupe are decided when it is applied, from
 * the state before it, so every node decides alike.
 * <pre>
 * command := u8 version(=1)  u8 type  u64 incarnation  u64 counter  u64 timeMs  body
 * APPEND  := str topic  u8 flags  [str key] [str owner] [config defaults] [move] [create] [op]
 *            u32 len  u8[len] records                  (RecordCodec, seq and ts not yet stamped)
 *            flags: 1 key, 2 owner, 4 defaults, 8 move, 16 create, 32 op
 * move    := u8 kind  str id  u64 expected  u64 to
 * create  := u8 flags(1 type, 2 source)  [str type]  u64 ttl+1  u64 expiresAtMs  u8 closed
 *            [str source]  u64 anchor+1  u64 sub
 * op      := u8 flags(1 producer, 2 seq, 4 close, 8 body)  [str id  u64 epoch  u64 seq]  [str streamSeq]
 * TOPIC   := u8 kind(0 put, 1 patch, 2 delete, 3 expire)  str name  [patch  u8 hasOwner [str owner]  config]
 * patch   := u16 present-bits  then each present field: u64 | u8
 * DELETE  := str topic  u64 topicId  u32 n  (u64 from  u64 to)*      (the seqs the proposer matched)
 * CONTROL := u8 op(0 put, 1 put keeping the cursor, 2 remove, 3 move, 4 advance)  u8 kind  str id
 *            put: Frames.controlBody rest; move/advance: u64 expected  u64 to
 * WATCH   := str wid  u8 present  [u32 len  u8[len] spec]
 * SWEEP   := (nothing: retention by age, at the command's time)
 * USED    := u32 n  str topic*                          (streams read since the last one: TTLs restart)
 * WATCHES_USED := u32 n  str wid*                      (watch sessions used since the last one: TTLs restart)
 * STATUS  := u8 kind  str id  u32 len  u8[len] status   (a worker's status, from the node running it)
 * STATUS_ITEMS := u8 kind  str id  u32 n  (str item  u32 len  u8[len])*   (items of a worker's log that changed)
 * </pre>
 * The incarnation and counter name the command, so the node that proposed it finds its
 * waiting request when it comes back. Decoding damaged bytes throws {@link CorruptFrame}.
 */
final class Commands {
    static final int VERSION = 1;
    static final int APPEND = 1;
    static final int TOPIC = 2;
    static final int DELETE = 3;
    static final int CONTROL = 4;
    static final int WATCH = 5;
    static final int SWEEP = 6;
    static final int USED = 7;
    static final int WATCHES_USED = 8;
    static final int STATUS = 9;
    static final int STATUS_ITEMS = 10;

    private Commands() {
    }

    /** Who proposed a command and when. */
    record Header(int type, long incarnation, long counter, long timeMs) {
    }

    static ByteSink begin(int type, long incarnation, long counter, long timeMs, int sizeHint) {
        ByteSink out = new ByteSink(sizeHint + 32);
        out.u8(VERSION).u8(type).i64(incarnation).i64(counter).i64(timeMs);
        return out;
    }

    static Header header(ByteSource in) {
        int v = in.u8();
        if (v != VERSION) {
            throw new CorruptFrame("cluster command version " + v + " not supported (this node reads " + VERSION
                    + "): a newer node wrote it");
        }
        return new Header(in.u8(), in.i64(), in.i64(), in.i64());
    }

    // ---- encoding (the proposing node) ----

    static void append(ByteSink out, AppendRequest r) {
        out.str16(r.topic());
        int flags = (r.idempotencyKey() != null ? 1 : 0) | (r.owner() != null ? 2 : 0) | (r.defaults() != null ? 4 : 0)
                | (r.cursorMove() != null ? 8 : 0) | (r.create() != null ? 16 : 0) | (r.op() != null ? 32 : 0);
        out.u8(flags);
        if (r.idempotencyKey() != null) {
            out.str16(r.idempotencyKey());
        }
        if (r.owner() != null) {
            out.str16(r.owner());
        }
        if (r.defaults() != null) {
            Frames.config(out, r.defaults());
        }
        if (r.cursorMove() != null) {
            CursorMove m = r.cursorMove();
            out.u8(Frames.kindCode(m.entry().kind())).str16(m.entry().id()).i64(m.expected()).i64(m.to());
        }
        if (r.create() != null) {
            StreamCreate c = r.create();
            out.u8((c.contentType() != null ? 1 : 0) | (c.forkSource() != null ? 2 : 0));
            if (c.contentType() != null) {
                out.str16(c.contentType());
            }
            out.i64(c.ttlSeconds() + 1).i64(c.expiresAtMs()).u8(c.closed() ? 1 : 0);
            if (c.forkSource() != null) {
                out.str16(c.forkSource());
            }
            out.i64(c.forkAnchor() + 1).i64(c.forkSub());
        }
        if (r.op() != null) {
            StreamOp op = r.op();
            out.u8((op.producer() != null ? 1 : 0) | (op.streamSeq() != null ? 2 : 0) | (op.close() ? 4 : 0)
                    | (op.body() ? 8 : 0));
            if (op.producer() != null) {
                out.str16(op.producer().id()).i64(op.producer().epoch()).i64(op.producer().seq());
            }
            if (op.streamSeq() != null) {
                out.str16(op.streamSeq());
            }
        }
        RecordBatch b = r.batch();
        out.i32(b.encodedBytes()).bytes(b.buffer(), 0, b.encodedBytes());
    }

    static void topic(ByteSink out, TopicTask.Kind kind, String name, TopicPatch patch, String owner,
                      TopicConfig defaults) {
        out.u8(kind.ordinal()).str16(name);
        if (kind == TopicTask.Kind.PUT || kind == TopicTask.Kind.PATCH) {
            patch(out, patch);
            out.u8(owner != null ? 1 : 0);
            if (owner != null) {
                out.str16(owner);
            }
            out.u8(defaults != null ? 1 : 0);
            if (defaults != null) {
                Frames.config(out, defaults);
            }
        }
    }

    static void delete(ByteSink out, String topic, long topicId, long[] ranges) {
        out.str16(topic).i64(topicId).i32(ranges.length / 2);
        for (long v : ranges) {
            out.i64(v);
        }
    }

    static void controlPut(ByteSink out, ControlEntry e, boolean keepCursor) {
        out.u8(keepCursor ? 1 : 0);
        Frames.controlBody(out, e);
    }

    static void controlRemove(ByteSink out, ControlEntry.Key key) {
        out.u8(2).u8(Frames.kindCode(key.kind())).str16(key.id());
    }

    static void controlMove(ByteSink out, CursorMove m, boolean forward) {
        out.u8(forward ? 4 : 3).u8(Frames.kindCode(m.entry().kind())).str16(m.entry().id()).i64(m.expected())
                .i64(m.to());
    }

    static void watch(ByteSink out, String wid, byte[] spec) {
        out.str16(wid).u8(spec != null ? 1 : 0);
        if (spec != null) {
            out.i32(spec.length).bytes(spec);
        }
    }

    static void status(ByteSink out, ControlEntry.Key key, byte[] status) {
        out.u8(Frames.kindCode(key.kind())).str16(key.id()).i32(status.length).bytes(status);
    }

    static void statusItems(ByteSink out, ControlEntry.Key key, java.util.Map<String, byte[]> items) {
        out.u8(Frames.kindCode(key.kind())).str16(key.id()).i32(items.size());
        items.forEach((id, item) -> out.str16(id).i32(item.length).bytes(item));
    }

    /** USED and WATCHES_USED: the names of the streams, or the ids of the watch sessions. */
    static void used(ByteSink out, List<String> names) {
        out.i32(names.size());
        for (String t : names) {
            out.str16(t);
        }
    }

    private static void patch(ByteSink out, TopicPatch p) {
        Object[] f = {p.ttlMs(), p.capRecords(), p.capBytes(), p.discard(), p.durable(), p.durability(),
                p.autoCreate(), p.idempotencyWindowMs(), p.dedupeNode(), p.publicRead(), p.publicPublish()};
        int bits = 0;
        for (int i = 0; i < f.length; i++) {
            if (f[i] != null) {
                bits |= 1 << i;
            }
        }
        out.u16(bits);
        for (Object o : f) {
            switch (o) {
                case null -> { }
                case Long l -> out.i64(l);
                case Boolean b -> out.u8(b ? 1 : 0);
                case Enum<?> e -> out.u8(e.ordinal());
                default -> throw new IllegalStateException("patch field " + o);
            }
        }
    }

    // ---- decoding (every node, in log order) ----

    /** The task a command asks for, bound to {@code engine}; damage throws {@link CorruptFrame}. */
    static CommitTask decode(Engine engine, Header h, ByteSource in) {
        try {
            CommitTask task = switch (h.type()) {
                case APPEND -> new AppendTask(engine, appendRequest(in));
                case TOPIC -> topicTask(engine, in);
                case DELETE -> deleteTask(engine, in);
                case CONTROL -> controlTask(engine, in);
                case WATCH -> watchTask(engine, in);
                case SWEEP -> new SweepTask(engine);
                case USED -> new UsedTask(engine, strings(in), false);
                case WATCHES_USED -> new UsedTask(engine, strings(in), true);
                case STATUS -> statusTask(engine, in);
                case STATUS_ITEMS -> statusItemsTask(engine, in);
                default -> throw new CorruptFrame("unknown cluster command type " + h.type());
            };
            if (in.remaining() != 0) {
                throw new CorruptFrame("cluster command type " + h.type() + " has " + in.remaining() + " bytes too many");
            }
            return task;
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new CorruptFrame("bad cluster command type " + h.type() + ": " + e.getMessage());
        }
    }

    private static AppendRequest appendRequest(ByteSource in) {
        String topic = in.str16();
        int flags = in.u8();
        String key = (flags & 1) != 0 ? in.str16() : null;
        String owner = (flags & 2) != 0 ? in.str16() : null;
        TopicConfig defaults = (flags & 4) != 0 ? Frames.config(in) : null;
        CursorMove move = null;
        if ((flags & 8) != 0) {
            ControlEntry.Kind kind = Frames.kind(in.u8());
            move = new CursorMove(new ControlEntry.Key(kind, in.str16()), in.i64(), in.i64());
        }
        StreamCreate create = null;
        if ((flags & 16) != 0) {
            int cf = in.u8();
            String type = (cf & 1) != 0 ? in.str16() : null;
            long ttl = in.i64() - 1;
            long expires = in.i64();
            boolean closed = in.bool();
            String source = (cf & 2) != 0 ? in.str16() : null;
            create = new StreamCreate(type, ttl, expires, closed, source, in.i64() - 1, in.i64());
        }
        StreamOp op = null;
        if ((flags & 32) != 0) {
            int of = in.u8();
            StreamMeta.Producer producer = (of & 1) != 0 ? new StreamMeta.Producer(in.str16(), in.i64(), in.i64()) : null;
            String seq = (of & 2) != 0 ? in.str16() : null;
            op = new StreamOp(producer, seq, (of & 4) != 0, (of & 8) != 0);
        }
        int len = in.i32();
        if (len < 0 || len > in.remaining()) {
            throw new CorruptFrame("records length " + len + " out of bounds");
        }
        int at = in.position();
        in.skip(len);
        RecordBatch batch = RecordBatch.ofEncoded(in.array(), at, len);
        return new AppendRequest(topic, batch, key, owner, defaults, move, create, op);
    }

    private static TopicTask topicTask(Engine engine, ByteSource in) {
        int k = in.u8();
        if (k >= TopicTask.Kind.values().length) {
            throw new CorruptFrame("unknown topic command " + k);
        }
        TopicTask.Kind kind = TopicTask.Kind.values()[k];
        String name = in.str16();
        TopicPatch patch = null;
        String owner = null;
        TopicConfig defaults = null;
        if (kind == TopicTask.Kind.PUT || kind == TopicTask.Kind.PATCH) {
            patch = patch(in);
            owner = in.bool() ? in.str16() : null;
            defaults = in.bool() ? Frames.config(in) : null;
        }
        return new TopicTask(engine, kind, name, patch, owner, defaults);
    }

    private static TopicPatch patch(ByteSource in) {
        int bits = in.u16();
        Long ttl = (bits & 1) != 0 ? in.i64() : null;
        Long capRecords = (bits & 2) != 0 ? in.i64() : null;
        Long capBytes = (bits & 4) != 0 ? in.i64() : null;
        TopicConfig.Discard discard = (bits & 8) != 0 ? TopicConfig.Discard.values()[in.u8()] : null;
        Boolean durable = (bits & 16) != 0 ? in.bool() : null;
        TopicConfig.Durability durability = (bits & 32) != 0 ? TopicConfig.Durability.values()[in.u8()] : null;
        Boolean autoCreate = (bits & 64) != 0 ? in.bool() : null;
        Long window = (bits & 128) != 0 ? in.i64() : null;
        Boolean dedupe = (bits & 256) != 0 ? in.bool() : null;
        Boolean publicRead = (bits & 512) != 0 ? in.bool() : null;
        Boolean publicPublish = (bits & 1024) != 0 ? in.bool() : null;
        return new TopicPatch(ttl, capRecords, capBytes, discard, durable, durability, autoCreate, window, dedupe,
                publicRead, publicPublish);
    }

    private static DeleteTask deleteTask(Engine engine, ByteSource in) {
        String topic = in.str16();
        long id = in.i64();
        int n = in.i32();
        if (n < 0 || n > in.remaining() / 16) {
            throw new CorruptFrame("delete range count " + n + " out of bounds");
        }
        long[] ranges = new long[2 * n];
        for (int i = 0; i < ranges.length; i++) {
            ranges[i] = in.i64();
        }
        return DeleteTask.ofRanges(engine, topic, id, ranges);
    }

    private static ControlTask controlTask(Engine engine, ByteSource in) {
        int op = in.u8();
        ControlEntry.Kind kind = Frames.kind(in.u8());
        String id = in.str16();
        return switch (op) {
            case 0, 1 -> ControlTask.put(engine, Frames.controlBody(in, kind, id), op == 1);
            case 2 -> ControlTask.remove(engine, new ControlEntry.Key(kind, id));
            case 3, 4 -> ControlTask.move(engine, new CursorMove(new ControlEntry.Key(kind, id), in.i64(), in.i64()),
                    op == 4);
            default -> throw new CorruptFrame("unknown control command " + op);
        };
    }

    private static StatusTask statusTask(Engine engine, ByteSource in) {
        ControlEntry.Kind kind = Frames.kind(in.u8());
        String id = in.str16();
        int len = in.i32();
        if (len < 0 || len > in.remaining()) {
            throw new CorruptFrame("status length " + len + " out of bounds");
        }
        return new StatusTask(engine, new ControlEntry.Key(kind, id), in.bytes(len));
    }

    private static StatusTask statusItemsTask(Engine engine, ByteSource in) {
        ControlEntry.Kind kind = Frames.kind(in.u8());
        String id = in.str16();
        int n = in.i32();
        if (n < 0 || n > in.remaining() / 6) {
            throw new CorruptFrame("status item count " + n + " out of bounds");
        }
        java.util.LinkedHashMap<String, byte[]> items = new java.util.LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String item = in.str16();
            int len = in.i32();
            if (len < 0 || len > in.remaining()) {
                throw new CorruptFrame("status item length " + len + " out of bounds");
            }
            items.put(item, in.bytes(len));
        }
        return new StatusTask(engine, new ControlEntry.Key(kind, id), items);
    }

    private static WatchTask watchTask(Engine engine, ByteSource in) {
        String wid = in.str16();
        byte[] spec = in.bool() ? in.bytes(in.i32()) : null;
        return new WatchTask(engine, wid, spec);
    }

    private static List<String> strings(ByteSource in) {
        int n = in.i32();
        if (n < 0 || n > in.remaining() / 2) {
            throw new CorruptFrame("topic count " + n + " out of bounds");
        }
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(in.str16());
        }
        return out;
    }
}
