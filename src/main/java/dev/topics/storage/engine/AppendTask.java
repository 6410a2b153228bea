package dev.topics.storage.engine;

import dev.topics.storage.AppendRequest;
import dev.topics.storage.AppendResult;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.CursorMove;
import dev.topics.storage.RecordBatch;
import dev.topics.storage.RecordView;
import dev.topics.storage.StorageException;
import dev.topics.storage.StreamCreate;
import dev.topics.storage.StreamMeta;
import dev.topics.storage.StreamOp;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.Bytes;
import dev.topics.storage.segment.RecordCodec;
import dev.topics.storage.wal.CommitTask;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A write on its way through the committer: creates the topic if allowed, answers a
 * repeated idempotency key with the first result, stamps seqs and the commit time into
 * the encoded records, and frames them into the group's WAL buffer. The same record bytes
 * then go to the segment and the in-memory tail.
 */
final class AppendTask extends CommitTask {
    private final Engine engine;
    private final AppendRequest request;
    private TopicLog topic;
    private boolean created;
    private long first;
    private long last;
    private AppendResult result;
    /** The records to store: the batch's, or a copy without the dropped ones. */
    private byte[] records;
    private int recordsLen;
    private long recordsDataBytes;
    /** Origin marks as they were before this write, to put back if it is refused. */
    private Map<OriginMarks.Source, Long> marksBefore;
    /** The control entry as the write's cursor move leaves it, or null. */
    private ControlEntry moved;
    /** The topic's stream state after this write, when the write changes or creates it (SPEC §16). */
    private StreamMeta nextStream;
    /** A stream write answered without writing anything (the stream exists, or was already closed). */
    private boolean noop;
    /** A sub-offset fork's materialized first record, to go before the request's records, or null. */
    private RecordBatch prefixed;

    AppendTask(Engine engine, AppendRequest request) {
        this.engine = engine;
        this.request = request;
    }

    /**
     * The records twice (WAL frame, segment), plus room for what may come with them: a
     * segment roll (index, filter, new file) or a new topic's directory and first segment.
     */
    @Override
    protected long spaceNeeded() {
        TopicLog t = engine.byName.get(request.topic());
        if (t != null && !t.durable()) {
            return 0;
        }
        return 2L * request.batch().encodedBytes() + 64 * 1024;
    }

    @Override
    protected Sync prepare(ByteSink wal) throws Exception {
        long now = now();
        if (request.create() != null || request.op() != null) {
            return prepareStream(wal, now);
        }
        CursorMove move = request.cursorMove();
        if (move != null) {
            ControlEntry entry = engine.controls.get(move.entry());
            if (entry == null) {
                throw new StorageException.ControlNotFound(move.entry());
            }
            if (entry.cursor() != move.expected()) {
                throw new StorageException.CursorConflict(move.entry(), move.expected(), entry.cursor());
            }
            moved = entry.withCursor(move.to());
        }
        TopicLog t = engine.byName.get(request.topic());
        if (t != null && t.stream != null) {
            checkPlainWrite(t);
        }
        if (t == null) {
            if (!request.defaults().autoCreate()) {
                throw new StorageException.TopicNotFound(request.topic());
            }
            t = engine.newTopic(engine.nextTopicId, request.topic(), request.owner(), now, request.defaults());
            created = true; // the records frame below carries the creation
        }
        topic = t;
        try {
            return prepare(wal, t, now);
        } catch (RuntimeException e) {
            if (created) {
                engine.abandon(t); // refused before anything was logged: no half-made topic
            }
            throw e;
        }
    }

    private Sync prepare(ByteSink wal, TopicLog t, long now) {
        String key = request.idempotencyKey();
        if (key != null && !created) {
            AppendResult earlier = t.idempotency.find(key, now);
            if (earlier != null) {
                result = earlier.asDuplicate();
                return Sync.NONE;
            }
        }
        RecordBatch batch = request.batch();
        byte[] buf = batch.buffer();
        int len = batch.encodedBytes();
        int kept = batch.count();
        long dataBytes = batch.dataBytes();
        if (prefixed != null) {
            ByteSink both = new ByteSink(prefixed.encodedBytes() + len);
            both.bytes(prefixed.buffer(), 0, prefixed.encodedBytes()).bytes(buf, 0, len);
            buf = both.array();
            len = both.size();
            kept += prefixed.count();
            dataBytes += prefixed.dataBytes();
        }
        if (batch.hasOrigins()) {
            // SPEC §8: drop what an origin already delivered (marks move even without dedupe)
            boolean dedupe = t.config.dedupeNode();
            RecordCodec.Parts parts = new RecordCodec.Parts();
            ByteSink keep = null;
            marksBefore = new HashMap<>();
            for (int p = 0; p < len; p += RecordCodec.length(buf, p)) {
                boolean fresh = t.origins.accept(buf, p, parts, marksBefore);
                if (dedupe && !fresh) {
                    if (keep == null) {
                        keep = new ByteSink(len);
                        keep.bytes(buf, 0, p);
                    }
                    parts.parse(buf, p);
                    kept--;
                    dataBytes -= parts.dataLen;
                } else if (keep != null) {
                    keep.bytes(buf, p, RecordCodec.length(buf, p));
                }
            }
            if (keep != null) {
                buf = keep.array();
                len = keep.size();
            }
        }
        TopicConfig cfg = t.config;
        if (cfg.discard() == TopicConfig.Discard.NEW) {
            String cap = cfg.capRecords() > 0 && t.count + kept > cfg.capRecords() ? "cap_records " + cfg.capRecords()
                    : cfg.capBytes() > 0 && t.bytes + dataBytes > cfg.capBytes() ? "cap_bytes " + cfg.capBytes()
                    : null;
            if (cap != null) {
                if (marksBefore != null) {
                    t.origins.rollback(marksBefore);
                }
                throw new StorageException.TopicFull(t.name, cap);
            }
        }
        records = buf;
        recordsLen = len;
        recordsDataBytes = dataBytes;
        int dropped = batch.count() - kept;
        first = t.nextSeq;
        long seq = first;
        for (int p = 0; p < len; p += RecordCodec.length(buf, p)) {
            RecordCodec.seal(buf, p, seq++, now);
        }
        last = seq - 1;
        t.nextSeq = seq;
        t.count += kept;
        t.bytes += dataBytes;
        result = new AppendResult(first, last, t.nextSeq - 1, t.count, created, false, dropped, 0,
                nextStream != null ? nextStream : t.stream);
        byte[] keyBytes = key == null ? null : Bytes.utf8(key);
        long expires = key == null ? 0 : now + cfg.idempotencyWindowMs();
        if (key != null) {
            t.idempotency.put(key, result, expires);
        }
        CursorMove move = request.cursorMove();
        if (move != null) {
            engine.control(move.entry(), moved);
        }
        if (nextStream != null) {
            t.stream = nextStream;
        }
        if (!t.durable() || (kept == 0 && key == null && !created && nextStream == null)) {
            if (move != null) {
                Frames.cursor(wal, move); // the records are memory-only or none: the cursor still moves
                return Sync.FORCE;
            }
            return Sync.NONE; // memory-only, or nothing at all to log
        }
        Frames.records(wal, t, created, keyBytes, expires, kept, dropped, move, nextStream, dataBytes, buf, len);
        return cfg.durability() == TopicConfig.Durability.FSYNC ? Sync.FORCE : Sync.WRITE;
    }

    @Override
    protected void apply() throws Exception {
        if (result.deduped() || noop) {
            return;
        }
        if (moved != null) {
            engine.showControl(moved.key());
        }
        if (created) {
            if (nextStream != null) {
                engine.showStream(topic); // a new stream is never seen without its state
            }
            engine.publish(topic);
        }
        topic.touch(now()); // a write restarts a stream's TTL
        if (last >= first) {
            topic.appendCommitted(records, 0, recordsLen, first, last, recordsDataBytes);
            if (Retention.applies(topic.config)) {
                engine.enforceRetention(topic, now());
                // the answer counts what retention left (SPEC §3: count after the write)
                TopicLog.Head h = topic.head;
                result = new AppendResult(first, last, last, h.count(), created, false, result.dropped(), 0,
                        result.stream());
                if (request.idempotencyKey() != null) {
                    topic.idempotency.replace(request.idempotencyKey(), result);
                }
            }
        }
        if (nextStream != null && !created) {
            engine.showStream(topic); // after the records: a reader that sees the state sees them too
        }
    }

    AppendResult result() {
        AppendResult r = result;
        return new AppendResult(r.firstSeq(), r.lastSeq(), r.headSeq(), r.count(), r.created(), r.deduped(), r.dropped(),
                fsyncNanos, r.stream());
    }

    /** A {@code /v0} write (no stream op) to a Durable Streams topic: it must fit the stream's state. */
    private void checkPlainWrite(TopicLog t) {
        StreamMeta m = t.stream;
        if (m.softDeleted()) {
            throw new StorageException.StreamGone(t.name);
        }
        if (m.closed()) {
            throw new StorageException.StreamClosed(t.name, t.nextSeq - 1);
        }
        if (m.json() == request.batch().hasRaw()) {
            throw new StorageException.StreamRefused(409, "content_type_mismatch", "stream '" + t.name + "' holds "
                    + m.contentType() + (m.json() ? ": its records are JSON, not raw bytes"
                    : ": JSON records cannot be written to it, only bytes on its Durable Streams surface"));
        }
    }

    /**
     * A write on the Durable Streams surface (SPEC §16): a creation ({@code PUT}) or an append
     * with its stream op, checked against the stream's state in the protocol's order
     * ({@link StreamOp}) and logged with the state after it in one records frame.
     */
    private Sync prepareStream(ByteSink wal, long now) throws Exception {
        StreamCreate create = request.create();
        TopicLog t = engine.byName.get(request.topic());
        if (create != null) {
            if (t != null) {
                if (t.stream != null && t.stream.softDeleted()) {
                    throw new StorageException.StreamRefused(409, "stream_deleted", "stream '" + t.name
                            + "' was deleted and its forks still read it: the name cannot be used again yet");
                }
                existing(t); // the caller compares the state with its request: 200 or 409
                return Sync.NONE;
            }
            return createStream(wal, create, now);
        }
        if (t == null) {
            throw new StorageException.TopicNotFound(request.topic());
        }
        StreamMeta cur = t.stream != null ? t.stream : StreamMeta.PLAIN_JSON;
        if (cur.softDeleted()) {
            throw new StorageException.StreamGone(t.name);
        }
        StreamOp op = request.op();
        StreamMeta.Producer p = op.producer();
        StreamMeta.Producer st = p == null ? null : cur.producers().get(p.id());
        if (st != null && p.epoch() < st.epoch()) {
            throw new StorageException.StaleEpoch(p.id(), p.epoch(), st.epoch());
        }
        if (st != null && p.epoch() == st.epoch() && p.seq() <= st.seq()) {
            existing(t); // a retry of an accepted append: answered, nothing written
            result = result.asDuplicate();
            return Sync.NONE;
        }
        RecordBatch batch = request.batch();
        if (cur.closed()) {
            if (!op.body() && op.close()) {
                existing(t); // closing a closed stream again succeeds
                return Sync.NONE;
            }
            throw new StorageException.StreamClosed(t.name, t.nextSeq - 1);
        }
        if (p != null) {
            if (st == null || p.epoch() > st.epoch()) {
                if (p.seq() != 0) {
                    if (st == null) {
                        throw new StorageException.ProducerSeqGap(p.id(), 0, p.seq());
                    }
                    throw new StorageException.StreamRefused(400, "invalid_producer_seq", "producer '" + p.id()
                            + "' starts epoch " + p.epoch() + " at seq " + p.seq() + ": a new epoch starts at seq 0");
                }
            } else if (p.seq() > st.seq() + 1) {
                throw new StorageException.ProducerSeqGap(p.id(), st.seq() + 1, p.seq());
            }
        }
        if (op.streamSeq() != null && cur.streamSeq() != null
                && Arrays.compareUnsigned(Bytes.utf8(op.streamSeq()), Bytes.utf8(cur.streamSeq())) <= 0) {
            throw new StorageException.StreamRefused(409, "stream_seq_conflict", "Stream-Seq '" + op.streamSeq()
                    + "' is not above the last one, '" + cur.streamSeq() + "'");
        }
        if (batch.count() > 0 && cur.json() == batch.hasRaw()) {
            throw new StorageException.StreamRefused(409, "content_type_mismatch", "stream '" + t.name + "' holds "
                    + cur.contentType());
        }
        StreamMeta next = cur;
        if (p != null) {
            next = next.withProducer(p);
        }
        if (op.streamSeq() != null) {
            next = next.withStreamSeq(op.streamSeq());
        }
        if (op.close()) {
            next = next.withClosed(p);
        }
        // a plain append leaves the state as it is: nothing to log or publish beside the records
        nextStream = p != null || op.streamSeq() != null || op.close() ? next : null;
        topic = t;
        return prepare(wal, t, now);
    }

    /** The answer for a stream write that changes nothing: where the topic stands. */
    private void existing(TopicLog t) {
        topic = t;
        noop = true;
        long head = t.nextSeq - 1;
        result = new AppendResult(head + 1, head, head, t.count, false, false, 0, 0, t.stream);
    }

    /** A stream's creation: its state (a fork resolved against its source), its topic, its first records. */
    private Sync createStream(ByteSink wal, StreamCreate create, long now) throws Exception {
        String type = create.contentType();
        long ttl = create.ttlSeconds();
        long expires = create.expiresAtMs();
        StreamMeta.Fork fork = null;
        byte[] prefix = null;
        long first = 1;
        if (create.forkSource() != null) {
            TopicLog src = engine.byName.get(create.forkSource());
            if (src == null) {
                throw new StorageException.ForkSourceNotFound(create.forkSource());
            }
            StreamMeta sm = src.stream != null ? src.stream : StreamMeta.PLAIN_JSON;
            if (!src.durable() && request.defaults().durable()) {
                throw new StorageException.StreamRefused(409, "not_durable", "topic '" + src.name
                        + "' lives in memory only: a durable fork cannot read it after a restart");
            }
            if (sm.softDeleted()) {
                throw new StorageException.StreamRefused(409, "stream_deleted", "stream '" + src.name
                        + "' was deleted: it cannot be forked");
            }
            if (type == null) {
                type = sm.contentType();
            } else if (!sm.sameType(type)) {
                throw new StorageException.StreamRefused(409, "content_type_mismatch", "a fork has its source's content type, "
                        + sm.contentType() + ", not " + type);
            }
            if (ttl < 0 && expires == 0) {
                ttl = sm.ttlSeconds();
                expires = sm.expiresAtMs();
            }
            long tail = src.nextSeq - 1;
            long anchor = create.forkAnchor() < 0 ? tail : create.forkAnchor();
            if (anchor > tail) {
                throw new StorageException.StreamRefused(400, "invalid_offset", "fork offset is past the end of stream '"
                        + src.name + "'");
            }
            long at = anchor;
            long sub = create.forkSub();
            if (sub > 0) {
                List<RecordView> after = recordsAfter(src, anchor, sm.json() ? sub : 1);
                if (sm.json()) {
                    if (after.size() < sub) {
                        throw new StorageException.StreamRefused(400, "invalid_offset", "sub-offset " + sub + " is past the "
                                + after.size() + " messages after the fork offset");
                    }
                    at = after.get((int) sub - 1).seq();
                } else {
                    if (after.isEmpty() || after.get(0).dataLength() < sub) {
                        throw new StorageException.StreamRefused(400, "invalid_offset", "sub-offset " + sub
                                + " is past the data after the fork offset");
                    }
                    RecordView next = after.get(0);
                    if (next.dataLength() == sub) {
                        at = next.seq();
                    } else {
                        at = next.seq() - 1; // the fork's first own record is the inherited part of this one
                        prefix = Arrays.copyOfRange(next.buffer(), next.dataOffset(), next.dataOffset() + (int) sub);
                    }
                }
            }
            fork = new StreamMeta.Fork(src.name, at, anchor, sub);
            first = at + 1;
        }
        if (type == null) {
            type = StreamCreate.DEFAULT_TYPE;
        }
        StreamMeta meta = new StreamMeta(type, ttl, expires, false, null, fork, false, null, Map.of());
        RecordBatch batch = request.batch();
        if (batch.count() > 0 && meta.json() == batch.hasRaw()) {
            throw new StorageException.StreamRefused(409, "content_type_mismatch", "the first records do not match "
                    + type);
        }
        if (create.closed()) {
            meta = meta.withClosed(null);
        }
        nextStream = meta;
        TopicLog t = engine.newTopic(engine.nextTopicId, request.topic(), request.owner(), now, request.defaults(), first);
        t.stream = meta;
        engine.linkFork(t);
        created = true;
        topic = t;
        try {
            if (prefix != null) {
                RecordBatch both = new RecordBatch(prefix.length + batch.encodedBytes() + 64);
                both.addRaw(prefix, 0, prefix.length, type);
                prefixed = both;
            }
            return prepare(wal, t, now);
        } catch (RuntimeException e) {
            engine.unlinkFork(t);
            engine.abandon(t); // refused before anything was logged: no half-made topic
            throw e;
        }
    }

    /** Up to {@code n} live records after {@code seq}, as readers of {@code t} see them (a fork's from its source). */
    private static List<RecordView> recordsAfter(TopicLog t, long seq, long n) throws IOException {
        List<RecordView> out = new ArrayList<>();
        RemovedSeqs[] removed = {RemovedSeqs.NONE};
        t.scanStitched(seq + 1, Long.MAX_VALUE, r -> removed[0] = r, (buf, off) -> {
            RecordView v = new RecordView(buf, off);
            if (!removed[0].contains(v.seq())) {
                out.add(v);
            }
            return out.size() < n;
        });
        return out;
    }
}
