package dev.topics.topic;

import dev.topics.json.JsonOut;
import dev.topics.storage.ReadResult;
import dev.topics.storage.RecordFilter;
import dev.topics.storage.RecordView;
import dev.topics.storage.Storage;
import dev.topics.storage.Tombstone;

/**
 * Reading from a cursor the way SPEC §4 describes it, shared by diff and by subscriptions'
 * {@code next}: the long poll, and the answer's fields.
 */
public final class CursorPoll {
    /** A read answers with at most about this much record data (SPEC §4). */
    public static final long MAX_BYTES = 4L << 20;

    private CursorPoll() {
    }

    /**
     * Reads after {@code fromSeq}; with {@code waitMs} &gt; 0 holds while nothing is returned
     * and nothing is wrong, until {@code startNanos + waitMs}.
     */
    public static ReadResult read(Storage s, String topic, long fromSeq, int limit, byte[] node, RecordFilter filter,
                                  long waitMs, long startNanos) {
        ReadResult r = s.read(topic, fromSeq, limit, MAX_BYTES, node, filter);
        if (waitMs > 0) {
            long deadline = startNanos + waitMs * 1_000_000L;
            // skipped records still move the cursor, so keep reading from where the last read stopped
            while (r.records().isEmpty() && r.tombstone() == null) {
                long leftMs = (deadline - System.nanoTime()) / 1_000_000L;
                if (leftMs <= 0) {
                    break;
                }
                try {
                    if (!s.awaitAfter(topic, r.nextFromSeq(), leftMs)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                r = s.read(topic, r.nextFromSeq(), limit, MAX_BYTES, node, filter);
            }
        }
        return r;
    }

    /**
     * Writes {@code "records", "next_from_seq", "head_seq", "earliest_seq", "caught_up",
     * "tombstone", "lag"} into the open object.
     */
    public static JsonOut fields(JsonOut out, ReadResult r) {
        out.name("records").beginArray();
        for (RecordView v : r.records()) {
            RecordJson.write(out, v);
        }
        out.endArray();
        long next = r.nextFromSeq();
        out.field("next_from_seq", next).field("head_seq", r.headSeq()).field("earliest_seq", r.earliestSeq())
                .field("caught_up", next == r.headSeq());
        out.name("tombstone");
        switch (r.tombstone()) {
            case null -> out.nullValue();
            case Tombstone.Reset reset -> out.beginObject().field("reason", "reset").field("head_seq", reset.headSeq())
                    .endObject();
            case Tombstone.Retention ret -> out.beginObject().field("reason", "retention")
                    .field("from_seq", ret.fromSeq()).field("to_seq", ret.toSeq()).endObject();
        }
        return out.field("lag", Math.max(0, r.headSeq() - next));
    }

    /**
     * A buffer size that fits the answer without growing: the records' data (base64 for raw
     * bytes), tags and nodes, plus room for each record's fields. A few MiB of answer grown by
     * doubling from a guess was copied four times over and took half a catch-up's CPU
     * (benchmarks/RESULTS.md, P8).
     */
    public static int sizeHint(ReadResult r) {
        long n = 1024;
        for (RecordView v : r.records()) {
            int data = v.dataLength();
            n += 128 + (v.raw() ? (data + 2) / 3 * 4 + 64 : data) + v.tagLength() + v.nodeLength();
        }
        return (int) Math.min(n, Integer.MAX_VALUE - 8);
    }
}
