package dev.topics.storage.engine;

import dev.topics.storage.TopicConfig;
import dev.topics.storage.segment.RecordCodec;
import java.io.IOException;

/**
 * Enforces a topic's retention (SPEC §7) from the oldest end: while the topic holds more
 * than {@code cap_records} records or {@code cap_bytes} bytes, or its oldest record is older
 * than {@code ttl_ms}, the oldest record goes. Caps evict in both discard modes ({@code
 * discard: new} additionally refuses writes that would pass a cap, in {@link AppendTask}),
 * so lowering a cap by PATCH applies at once.
 *
 * <p>Runs on the committer: when a write or a config change is applied (so a write's
 * answer already counts what was evicted) and in a sweep every second (TTL acts without
 * writes). An eviction is visible at once and logged as an EVICT frame written between
 * groups and forced with the next group (or by the async timer). If a crash loses the frame,
 * recovery enforces retention again before anyone reads, so no evicted record reappears.
 */
final class Retention {
    private Retention() {
    }

    static boolean applies(TopicConfig c) {
        return c.ttlMs() > 0 || c.capRecords() > 0 || c.capBytes() > 0;
    }

    /** Evicts what must go; returns the EVICT frame's fields, or null when nothing went. */
    static long[] enforce(TopicLog t, long nowMs) throws IOException {
        TopicConfig c = t.config;
        TopicLog.Head h = t.head;
        if (!applies(c) || h.count() == 0) {
            return null;
        }
        boolean overCap = (c.capRecords() > 0 && h.count() > c.capRecords()) || (c.capBytes() > 0 && h.bytes() > c.capBytes());
        if (!overCap && c.ttlMs() == 0) {
            return null; // within its caps, and no age limit: nothing to read
        }
        long[] state = {h.count(), h.bytes(), h.earliestSeq()}; // count, bytes, new earliest
        long expiredBefore = c.ttlMs() > 0 ? nowMs - c.ttlMs() : Long.MIN_VALUE;
        RecordCodec.Parts parts = new RecordCodec.Parts();
        RemovedSeqs removed = t.removed;
        t.scan(h.earliestSeq(), h.headSeq(), (buf, off) -> {
            if (removed.contains(RecordCodec.seq(buf, off))) {
                state[2] = RecordCodec.seq(buf, off) + 1; // already deleted: not counted, just passed
                return true;
            }
            boolean over = (c.capRecords() > 0 && state[0] > c.capRecords())
                    || (c.capBytes() > 0 && state[1] > c.capBytes())
                    || RecordCodec.ts(buf, off) < expiredBefore;
            if (!over) {
                return false;
            }
            parts.parse(buf, off);
            state[0]--;
            state[1] -= parts.dataLen;
            state[2] = RecordCodec.seq(buf, off) + 1;
            return true;
        });
        if (state[2] <= h.earliestSeq()) {
            return null;
        }
        t.evict(state[2], state[0], state[1]);
        return t.durable() ? new long[] {t.id, state[2], state[0], state[1]} : null;
    }
}
