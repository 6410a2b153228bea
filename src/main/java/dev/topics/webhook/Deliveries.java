package dev.topics.webhook;

import dev.topics.json.JsonOut;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A webhook's recent deliveries (SPEC §10: the last 1,000), newest first. In memory: after
 * a restart the log starts again with the delivery still pending (its records are after
 * the webhook's durable cursor, so nothing is lost, and it keeps its id unless it was
 * read anew with more records). In a cluster the node that runs the webhook publishes the
 * deliveries that changed ({@link Delivery#encode}); the other nodes show those, and a node
 * that starts running it begins from them.
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

        /** {@code u64 from  u64 to  u64 createdAt  u32 attempts  u8 status  u32 lastStatus  u64 nextAttemptAt  u8 hasError [u16 len utf-8]}. */
        byte[] encode() {
            byte[] err = lastError == null ? new byte[0] : lastError.getBytes(StandardCharsets.UTF_8);
            int len = Math.min(err.length, 4096);
            ByteBuffer b = ByteBuffer.allocate(8 * 4 + 4 + 1 + 4 + 1 + (lastError == null ? 0 : 2 + len));
            b.putLong(fromSeq).putLong(toSeq).putLong(createdAtMs).putInt(attempts)
                    .put((byte) switch (status) {
                        case "pending" -> 0;
                        case "succeeded" -> 1;
                        default -> 2;
                    }).putInt(lastStatus).putLong(nextAttemptAtMs).put((byte) (lastError == null ? 0 : 1));
            if (lastError != null) {
                b.putShort((short) len).put(err, 0, len);
            }
            return b.array();
        }

        /**
         * The id names the batch (webhook, first and last seq): a retry, also after a restart or
         * on another node, has the same one; a batch read anew with more records gets another.
         */
        static String idOf(String webhookId, long first, long last) {
            return "dl_" + webhookId.substring(3) + "_" + first + "_" + last;
        }

        static Delivery decode(String webhookId, byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            long from = b.getLong();
            long to = b.getLong();
            Delivery d = new Delivery(idOf(webhookId, from, to), from, to, b.getLong());
            d.attempts = b.getInt();
            d.status = switch (b.get()) {
                case 0 -> "pending";
                case 1 -> "succeeded";
                default -> "failed";
            };
            d.lastStatus = b.getInt();
            d.nextAttemptAtMs = b.getLong();
            if (b.get() != 0) {
                byte[] e = new byte[b.getShort() & 0xffff];
                b.get(e);
                d.lastError = new String(e, StandardCharsets.UTF_8);
            }
            return d;
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

    /** A new delivery, the newest; one with the same id (a batch begun on another node) is replaced. */
    synchronized void add(Delivery d) {
        log.removeIf(old -> old.id.equals(d.id));
        log.addFirst(d);
        while (log.size() > KEEP) {
            log.removeLast();
        }
    }

    synchronized List<Delivery> recent() {
        return new ArrayList<>(log);
    }

    /**
     * A node that starts running the webhook in a cluster: the log becomes what the nodes
     * published, newest first (nothing changes when nothing was published: a single node).
     */
    synchronized void replaceWith(List<Delivery> newestFirst) {
        if (newestFirst.isEmpty()) {
            return;
        }
        log.clear();
        for (Delivery d : newestFirst) {
            if (log.size() < KEEP) {
                log.addLast(d);
            }
        }
    }

    /** Counts by status: pending, succeeded, failed. */
    synchronized long[] counts() {
        return counts(log);
    }

    static long[] counts(Iterable<Delivery> deliveries) {
        long[] c = new long[3];
        for (Iterator<Delivery> it = deliveries.iterator(); it.hasNext(); ) {
            switch (it.next().status) {
                case "pending" -> c[0]++;
                case "succeeded" -> c[1]++;
                default -> c[2]++;
            }
        }
        return c;
    }
}
