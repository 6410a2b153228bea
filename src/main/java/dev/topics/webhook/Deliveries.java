package dev.topics.webhook;

import dev.topics.json.JsonOut;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A webhook's recent deliveries (SPEC §10: the last 1,000), newest first. In memory: after
 * a restart the log starts again with the delivery still pending (its records are after
 * the webhook's durable cursor, so nothing is lost, and it keeps its id unless it was
 * read anew with more records).
 */
final class Deliveries {
    static final int KEEP = 1000;

    /** One delivery: a batch of records from_seq..to_seq, tried until acknowledged or given up. */
    static final class Delivery {
        final String id;
        final long fromSeq;
        final long toSeq;
        final long createdAtMs;
        volatile int attempts;
        volatile String status = "pending";
        volatile int lastStatus;
        volatile String lastError;
        volatile long nextAttemptAtMs;
        /** The worker's own: the cursor the batch starts after, the cursor after it, its bytes (until it ends). */
        long cursor;
        long next;
        byte[] body;

        Delivery(String id, long fromSeq, long toSeq, long createdAtMs) {
            this.id = id;
            this.fromSeq = fromSeq;
            this.toSeq = toSeq;
            this.createdAtMs = createdAtMs;
        }

        JsonOut write(JsonOut out) {
            out.beginObject().field("id", id).field("from_seq", fromSeq).field("to_seq", toSeq).field("attempts", attempts)
                    .field("status", status).name("last_status");
            if (lastStatus == 0) {
                out.nullValue();
            } else {
                out.value(lastStatus);
            }
            return out.field("last_error", lastError)
                    .field("next_attempt_at", nextAttemptAtMs == 0 ? null : Instant.ofEpochMilli(nextAttemptAtMs).toString())
                    .field("created_at", Instant.ofEpochMilli(createdAtMs).toString()).endObject();
        }
    }

    private final ArrayDeque<Delivery> log = new ArrayDeque<>();

    synchronized void add(Delivery d) {
        log.addFirst(d);
        while (log.size() > KEEP) {
            log.removeLast();
        }
    }

    synchronized List<Delivery> recent() {
        return new ArrayList<>(log);
    }

    /** Counts by status: pending, succeeded, failed. */
    synchronized long[] counts() {
        long[] c = new long[3];
        for (Iterator<Delivery> it = log.iterator(); it.hasNext(); ) {
            switch (it.next().status) {
                case "pending" -> c[0]++;
                case "succeeded" -> c[1]++;
                default -> c[2]++;
            }
        }
        return c;
    }
}
