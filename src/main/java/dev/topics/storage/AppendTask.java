package dev.topics.storage;

import dev.topics.storage.segment.RecordCodec;
import dev.topics.storage.wal.ByteSink;
import dev.topics.storage.wal.Bytes;
import dev.topics.storage.wal.CommitTask;

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

    AppendTask(Engine engine, AppendRequest request) {
        this.engine = engine;
        this.request = request;
    }

    @Override
    protected Sync prepare(ByteSink wal) throws Exception {
        long now = System.currentTimeMillis();
        TopicLog t = engine.byName.get(request.topic());
        if (t == null) {
            if (!request.defaults().autoCreate()) {
                throw new StorageException.TopicNotFound(request.topic());
            }
            t = engine.newTopic(engine.nextTopicId, request.topic(), request.owner(), now, request.defaults());
            created = true; // the records frame below carries the creation
        }
        topic = t;
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
        first = t.nextSeq;
        long seq = first;
        for (int p = 0; p < len; p += RecordCodec.length(buf, p)) {
            RecordCodec.seal(buf, p, seq++, now);
        }
        last = seq - 1;
        t.nextSeq = seq;
        t.count += batch.count();
        result = new AppendResult(first, last, last, t.count, created, false, 0);
        TopicConfig cfg = t.config;
        if (key != null) {
            long expires = now + cfg.idempotencyWindowMs();
            t.idempotency.put(key, result, expires);
            if (t.durable()) {
                Frames.records(wal, t, created, Bytes.utf8(key), expires, batch.count(), batch.dataBytes(), buf, len);
            }
        } else if (t.durable()) {
            Frames.records(wal, t, created, null, 0, batch.count(), batch.dataBytes(), buf, len);
        }
        if (!t.durable()) {
            return Sync.NONE;
        }
        return cfg.durability() == TopicConfig.Durability.FSYNC ? Sync.FORCE : Sync.WRITE;
    }

    @Override
    protected void apply() throws Exception {
        if (result.deduped()) {
            return;
        }
        if (created) {
            engine.publish(topic);
        }
        RecordBatch batch = request.batch();
        topic.appendCommitted(batch.buffer(), 0, batch.encodedBytes(), first, last, batch.dataBytes());
    }

    AppendResult result() {
        AppendResult r = result;
        return new AppendResult(r.firstSeq(), r.lastSeq(), r.headSeq(), r.count(), r.created(), r.deduped(), fsyncNanos);
    }
}
