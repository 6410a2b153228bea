package dev.topics.storage.engine;

import dev.topics.storage.AppendResult;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.StreamMeta;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.io.ByteSource;
import dev.topics.storage.io.Bytes;
import dev.topics.storage.io.CorruptFrame;
import dev.topics.storage.segment.RecordCodec;
import java.io.IOException;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * Recovery's replay of one WAL frame: each frame type ({@link Frames}) applied to the engine
 * through the same mutations the live path makes — topics created, configured and deleted,
 * records appended to their tails (checked record by record, origin marks rebuilt),
 * idempotency keys, deletes, evictions, watches, control entries and their cursors. Frames
 * for records the snapshot's segments already hold are skipped; a gap in a topic's seqs or
 * an unknown frame type is damage ({@link CorruptFrame}).
 *
 * <p>{@link Recovery} decides which files and frames are replayed and checks the result.
 * Single-threaded; runs before the committer starts.
 */
final class WalReplay {
    /** Recovery's logger: a skipped frame is part of its report. */
    private static final Logger LOG = Logger.getLogger(Recovery.class.getName());

    private final Engine engine;
    /** A fork point no write could have reached; a larger one is damage, not a topic. */
    private static final long MAX_FORK_SEQ = 1L << 62;

    WalReplay(Engine engine) {
        this.engine = engine;
    }

    /** Applies one frame (a {@code WalReader.FrameHandler}); {@code position} is where it starts, for messages. */
    void apply(int type, byte[] buf, int off, int len, long position) throws IOException {
        ByteSource in = new ByteSource(buf, off, len);
        switch (type) {
            case Frames.RECORDS -> records(in, buf);
            case Frames.TOPIC_CREATE -> create(Frames.creation(in.i64(), in));
            case Frames.TOPIC_CONFIG -> {
                TopicLog t = engine.byId.get(in.i64());
                TopicConfig config = Frames.config(in);
                if (t != null) {
                    t.config = config;
                }
            }
            case Frames.DELETE -> {
                TopicLog t = engine.byId.get(in.i64());
                long count = in.i64();
                long bytes = in.i64();
                int n = in.i32();
                if (n < 0 || n > in.remaining() / 16) {
                    // checked before allocating: a damaged count must not ask for gigabytes
                    throw new CorruptFrame("DELETE frame at " + position + " has " + n + " ranges in " + in.remaining()
                            + " bytes");
                }
                long[] ranges = new long[n * 2];
                for (int i = 0; i < ranges.length; i++) {
                    ranges[i] = in.i64();
                }
                if (t != null) {
                    t.remove(ranges, count, bytes);
                }
            }
            case Frames.WATCH -> {
                String wid = in.str16();
                byte[] spec = in.bytes(in.i32());
                if (spec.length == 0) {
                    engine.watches.remove(wid);
                } else {
                    engine.watches.put(wid, spec);
                }
            }
            case Frames.CONTROL -> {
                ControlEntry e = Frames.control(in);
                if (e.spec() == null) {
                    engine.control(e.key(), null);
                } else if (engine.topicsExist(e)) {
                    engine.control(e.key(), e);
                } // else: it belonged to a memory-only topic, gone with it
                engine.showControl(e.key());
            }
            case Frames.CURSOR -> moveCursor(Frames.kind(in.u8()), in.str16(), in.i64());
            case Frames.EVICT -> {
                TopicLog t = engine.byId.get(in.i64());
                long newEarliest = in.i64();
                long count = in.i64();
                long bytes = in.i64();
                if (t != null && newEarliest > t.head.earliestSeq()) {
                    t.evict(newEarliest, count, bytes);
                }
            }
            case Frames.TOPIC_DELETE -> {
                TopicLog t = engine.byId.get(in.i64());
                if (t != null) {
                    engine.dropControlsOf(t.name);
                    engine.unlinkFork(t);
                    engine.drop(t);
                }
            }
            default -> throw new CorruptFrame("WAL frame type " + type + " at " + position
                    + " is not known to this build (written by a newer version?)");
        }
    }

    private TopicLog create(Frames.Creation c) throws IOException {
        return create(c, null);
    }

    /** A topic's creation, with its stream state (may be null): a fork starts after its inherited records. */
    private TopicLog create(Frames.Creation c, StreamMeta stream) throws IOException {
        TopicLog old = engine.byName.get(c.name());
        if (old != null) {
            engine.drop(old); // cannot happen in a log this build wrote; keep names unique regardless
        }
        long first = stream != null && stream.fork() != null ? stream.fork().at() + 1 : 1;
        if (first < 1 || first > MAX_FORK_SEQ) {
            throw new CorruptFrame("fork '" + c.name() + "' starts at seq " + first + ", out of range");
        }
        TopicLog t = engine.newTopic(c.id(), c.name(), c.owner(), c.createdAtMs(), c.config(), first);
        if (stream != null) {
            t.stream = stream;
            engine.showStream(t);
            engine.linkFork(t);
        }
        engine.publish(t);
        return t;
    }

    private void records(ByteSource in, byte[] buf) throws IOException {
        long topicId = in.i64();
        int flags = in.u8();
        Frames.Creation creation = (flags & Frames.F_CREATED) != 0 ? Frames.creation(topicId, in) : null;
        String key = null;
        long expires = 0;
        if ((flags & Frames.F_KEY) != 0) {
            int kl = in.u8();
            key = Bytes.string(buf, in.skip(kl), kl);
            expires = in.i64();
        }
        int dropped = (flags & Frames.F_DROPPED) != 0 ? in.i32() : 0;
        if ((flags & Frames.F_CURSOR) != 0) {
            moveCursor(Frames.kind(in.u8()), in.str16(), in.i64());
        }
        StreamMeta stream = (flags & Frames.F_STREAM) != 0 ? Frames.stream(in) : null;
        if (creation != null) {
            create(creation, stream);
        }
        int count = in.i32();
        long dataBytes = in.i64();
        int len = in.remaining();
        int at = in.skip(len);
        TopicLog t = engine.byId.get(topicId);
        if (t == null) {
            LOG.warning("WAL records frame for unknown topic id " + topicId + " skipped");
            return;
        }
        if (stream != null && creation == null) {
            StreamMeta.Fork was = t.stream == null ? null : t.stream.fork();
            if (!Objects.equals(was, stream.fork())) {
                throw new CorruptFrame("WAL stream state for topic '" + t.name + "' changes its fork link, which is"
                        + " fixed at creation");
            }
            t.stream = stream; // the whole state after the frame: replaying it twice changes nothing
            engine.showStream(t);
        }
        if (count > 0) {
            long first = RecordCodec.seq(buf, at);
            if (first <= t.head.headSeq()) {
                return; // already in the segments
            }
            if (first != t.nextSeq) {
                throw new CorruptFrame("WAL records for topic '" + t.name + "' start at seq " + first + " but "
                        + t.nextSeq + " was expected: part of the log is missing");
            }
            // The reader reuses its buffer; the tail keeps what we give it.
            byte[] records = new byte[len];
            System.arraycopy(buf, at, records, 0, len);
            RecordCodec.Parts parts = new RecordCodec.Parts();
            for (int p = 0; p < len; ) {
                int n = RecordCodec.check(records, p, len - p); // before anything reads the record
                t.origins.accept(records, p, parts); // rebuild the origin marks (SPEC §8)
                p += n;
            }
            long last = first + count - 1;
            t.appendCommitted(records, 0, len, first, last, dataBytes);
            t.nextSeq = last + 1;
            t.count = t.head.count();
            t.bytes = t.head.bytes();
        }
        if (key != null) {
            long head = t.nextSeq - 1;
            long first = count > 0 ? head - count + 1 : head + 1;
            t.idempotency.put(key, new AppendResult(first, head, head, t.count, (flags & Frames.F_CREATED) != 0,
                    false, dropped, 0), expires);
        }
    }

    private void moveCursor(ControlEntry.Kind kind, String id, long cursor) {
        ControlEntry.Key key = new ControlEntry.Key(kind, id);
        ControlEntry e = engine.controls.get(key);
        if (e != null) {
            engine.control(key, e.withCursor(cursor));
            engine.showControl(key);
        }
    }
}
