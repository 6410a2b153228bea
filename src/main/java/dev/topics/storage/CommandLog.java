package dev.topics.storage;

import dev.topics.storage.snapshot.SnapshotStore;
import java.util.concurrent.CompletableFuture;

/**
 * The replicated, ordered log a cluster's nodes share (docs/CLUSTER.md): every node appends
 * the commands its clients ask for, and every node applies every command in log order. The
 * engine knows only this face; {@code storage.kafka} implements it on one Kafka partition.
 *
 * <p>Offsets are the log's own: dense enough to order, not necessarily contiguous.
 */
public interface CommandLog extends AutoCloseable {

    /** What the applier is handed, in log order. */
    interface Follower {
        /**
         * One command at {@code offset}. Called on the log's reading thread, one at a time;
         * blocking here holds back the next ones.
         */
        void command(long offset, byte[] command);
    }

    /**
     * Appends a command. The future completes with its offset once the log holds it as
     * durably as it promises (Kafka: on {@code min.insync.replicas} brokers), or fails.
     */
    CompletableFuture<Long> append(byte[] command);

    /**
     * The offset the next appended command will get, as the log says now: a node that has
     * applied everything before it is caught up. Blocks at most {@code timeoutMs}.
     */
    long endOffset(long timeoutMs);

    /** The oldest offset the log still holds (retention removes older ones). */
    long startOffset(long timeoutMs);

    /**
     * Starts handing every command from {@code offset} on to {@code follower}, in order, on
     * a thread of the log's own, until {@link #close}. A failure to read is retried; a gap
     * (the offset fell off the log's retention) stops the follower with {@code onFailure}.
     */
    void follow(long offset, Follower follower, java.util.function.Consumer<Throwable> onFailure);

    /**
     * Whether this node runs the cluster's background work now (routers, webhooks, retention,
     * expiry): exactly one node at a time, chosen by the log's own group membership.
     */
    boolean leads();

    /**
     * Where the cluster's nodes share snapshots (docs/CLUSTER.md), or null when this log
     * offers no such place.
     */
    SnapshotStore snapshots();

    /** Where the log is, for messages: e.g. {@code kafka 127.0.0.1:9092 topic topics-log}. */
    String describe();

    @Override
    void close();
}
