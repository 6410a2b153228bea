package dev.topics.storage.engine;

import dev.topics.storage.AppendRequest;
import dev.topics.storage.AppendResult;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.CursorMove;
import dev.topics.storage.RecordBatch;
import dev.topics.storage.StorageException;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.Bytes;
import dev.topics.storage.segment.RecordCodec;
import dev.topics.storage.wal.CommitTask;
import java.util.HashMap;
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
        long now = System.currentTimeMillis();
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
        result = new AppendResult(first, last, t.nextSeq - 1, t.count, created, false, dropped, 0);
        byte[] keyBytes = key == null ? null : Bytes.utf8(key);
        long expires = key == null ? 0 : now + cfg.idempotencyWindowMs();
        if (key != null) {
            t.idempotency.put(key, result, expires);
        }
        CursorMove move = request.cursorMove();
        if (move != null) {
            engine.control(move.entry(), moved);
        }
        if (!t.durable() || (kept == 0 && key == null && !created)) {
            if (move != null) {
                Frames.cursor(wal, move); // the records are memory-only or none: the cursor still moves
                return Sync.FORCE;
            }
            return Sync.NONE; // memory-only, or nothing at all to log
        }
        Frames.records(wal, t, created, keyBytes, expires, kept, dropped, move, dataBytes, buf, len);
        return cfg.durability() == TopicConfig.Durability.FSYNC ? Sync.FORCE : Sync.WRITE;
    }

    @Override
    protected void apply() throws Exception {
        if (result.deduped()) {
            return;
        }
        if (moved != null) {
            engine.showControl(moved.key());
        }
        if (created) {
            engine.publish(topic);
        }
        if (last >= first) {
            topic.appendCommitted(records, 0, recordsLen, first, last, recordsDataBytes);
            if (Retention.applies(topic.config)) {
                engine.enforceRetention(topic);
                // the answer counts what retention left (SPEC §3: count after the write)
                TopicLog.Head h = topic.head;
                result = new AppendResult(first, last, last, h.count(), created, false, result.dropped(), 0);
                if (request.idempotencyKey() != null) {
                    topic.idempotency.replace(request.idempotencyKey(), result);
                }
            }
        }
    }

    AppendResult result() {
        AppendResult r = result;
        return new AppendResult(r.firstSeq(), r.lastSeq(), r.headSeq(), r.count(), r.created(), r.deduped(), r.dropped(),
                fsyncNanos);
    }
}
