package dev.topics.storage;

import dev.topics.storage.io.CommitOnCaller;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The engine's one narrow face: everything handlers, watchers, routers and webhooks do
 * with topics goes through here. Nothing about files, frames or the ring leaks past it,
 * so another backend (e.g. on a distributed log) can implement the same face.
 *
 * <p>Thread-safe. Writes block the calling (virtual) thread until committed — durable
 * per the topic's {@code durability} — and then return; reads never block on writes.
 */
public interface Storage extends AutoCloseable {

    /**
     * Runs a request's write: while the committer is idle, its commit may run on this thread
     * rather than be handed to the committer and back (for request handlers only: see
     * {@link CommitOnCaller}).
     */
    static <T> T onRequestThread(java.util.function.Supplier<T> write) {
        return CommitOnCaller.run(write);
    }

    /** Appends one atomic batch, creating the topic when allowed. */
    AppendResult append(AppendRequest request);

    /**
     * Live records with seq &gt; {@code fromSeq}, ascending: at most {@code limit}, at most
     * about {@code maxBytes} of data (at least one record). Records from {@code skipNode}
     * (UTF-8, may be null) or failing {@code filter} (may be null) are skipped but still
     * advance the cursor.
     */
    ReadResult read(String topic, long fromSeq, int limit, long maxBytes, byte[] skipNode, RecordFilter filter);

    /**
     * Waits until the topic's head passes {@code afterSeq}, it is deleted or closed (SPEC §16),
     * or {@code timeoutMillis} pass. Returns true unless it timed out or the topic was deleted.
     */
    boolean awaitAfter(String topic, long afterSeq, long timeoutMillis) throws InterruptedException;

    /**
     * Deletes, for good, the live records with {@code fromSeq ≤ seq ≤ toSeq} that {@code match}
     * accepts (null = all): point-in-time, silent, durable and effective at once (SPEC §6).
     */
    DeleteResult deleteRecords(String topic, RecordFilter match, long fromSeq, long toSeq);

    /**
     * A standing wait for one stream's thread (SSE watchers): it stays registered with the
     * topics it waited on between waits, so each wait costs no registration. Close it when
     * the stream ends.
     */
    Waiter waiter();

    /** See {@link #waiter()}. Used by the thread that made it; not thread-safe. */
    interface Waiter extends AutoCloseable {
        /**
         * Waits until any of the topics' heads passes its cursor, one is deleted, the thread is
         * interrupted, or {@code timeoutMillis} pass (noticed up to a few tens of milliseconds
         * late: meant for heartbeats and periodic re-checks, not for timing). Returns true unless
         * it timed out. Unknown topics count as changed (the caller's next read reports them).
         */
        boolean await(Map<String, Long> cursors, long timeoutMillis);

        /** Stops being woken by the topics; the waiter is not used again. */
        @Override
        void close();
    }

    /** The topic was used now: a Durable Streams TTL counts from its last read or write (reads count by themselves). */
    void touch(String topic);

    /** Stores a watch session's spec durably (SPEC §5), replacing one with the same id. */
    void putWatch(String wid, byte[] spec);

    /** A stored watch session's spec, or null. */
    byte[] watch(String wid);

    /** Removes a watch session for good (it expired). */
    void deleteWatch(String wid);

    /**
     * Publishes what the worker of a control entry knows and runs here (a router's state, last
     * error, records copied) to the other nodes of a cluster, which show it while they do not
     * run the worker. Each node keeps the latest per entry, in memory, until the entry goes. A
     * single node runs every worker itself: nothing is published. In a cluster this is a log
     * write: it may throw {@link StorageException.Unavailable}.
     */
    void publishStatus(ControlEntry.Key key, byte[] status);

    /** The latest status published for a control entry by the node that runs its worker, or null. */
    byte[] status(ControlEntry.Key key);

    /** How many items {@link #publishStatusItems} keeps per entry: the newest (SPEC §10's delivery log). */
    int STATUS_ITEMS = 1000;

    /**
     * Publishes the items of a worker's log that changed (a webhook's deliveries, by id) to the
     * other nodes of a cluster: every node merges them into a list per entry, an id seen before
     * replaced where it stands, a new one added as the newest, the oldest dropped past
     * {@link #STATUS_ITEMS}; in memory, until the entry goes. Nothing on a single node. In a
     * cluster this is a log write: it may throw {@link StorageException.Unavailable}.
     */
    void publishStatusItems(ControlEntry.Key key, Map<String, byte[]> items);

    /** The items published for a control entry, newest first (empty when none). */
    List<byte[]> statusItems(ControlEntry.Key key);

    /**
     * A watch session was used now (opened, or its stream is open or just ended): its
     * {@code watch.session_ttl_ms} restarts (SPEC §5). In a cluster every node learns it
     * within about a second. Does nothing for an unknown session.
     */
    void touchWatch(String wid);

    /**
     * When a watch session was last used as far as this node knows (ms since the epoch); one
     * never seen used since this process started counts as used now. -1 for an unknown session.
     */
    long watchLastUsed(String wid);

    /** The ids of every stored watch session. */
    Set<String> watchIds();

    /**
     * Stores a control entry durably, creating it or replacing the one with its key; returns
     * the entry replaced, or null. Every topic the entry belongs to must exist
     * ({@link StorageException.TopicNotFound}).
     */
    default ControlEntry putControl(ControlEntry entry) {
        return putControl(entry, false);
    }

    /**
     * As {@link #putControl(ControlEntry)}; with {@code keepCursor}, an entry replacing one
     * keeps the cursor the old one has when the change commits (a concurrent move is not lost).
     */
    ControlEntry putControl(ControlEntry entry, boolean keepCursor);

    /** A control entry as last committed, or null. */
    ControlEntry control(ControlEntry.Key key);

    /**
     * A number that changes whenever a control entry of {@code kind} that readers see
     * changes, whoever changed it (in a cluster: any node): a cache of entries compares it to
     * know it is stale.
     */
    long controlVersion(ControlEntry.Kind kind);

    /** Every control entry of a kind, in id order. */
    List<ControlEntry> controls(ControlEntry.Kind kind);

    /** Removes a control entry for good and returns it ({@link StorageException.ControlNotFound} if none). */
    ControlEntry deleteControl(ControlEntry.Key key);

    /**
     * Moves an entry's cursor to {@code move.to()} if it is still {@code move.expected()}
     * ({@link StorageException.CursorConflict} otherwise); returns the entry after.
     */
    ControlEntry moveCursor(CursorMove move);

    /**
     * Moves an entry's cursor forward to {@code to}; a cursor already at or past it stays
     * (never backwards). Returns the entry after.
     */
    ControlEntry advanceCursor(ControlEntry.Key key, long to);

    /** Creates the topic with {@code defaults} changed by {@code patch}, or changes an existing one by {@code patch}. */
    TopicChange putTopic(String name, TopicPatch patch, String owner, TopicConfig defaults);

    /** Changes an existing topic. */
    TopicChange patchTopic(String name, TopicPatch patch);

    /** Deletes a topic and its records for good. */
    TopicChange deleteTopic(String name);

    TopicInfo topic(String name);

    /** Topics in name order with names starting with {@code prefix} (may be empty) and after {@code after} (may be null). */
    List<TopicInfo> list(String prefix, String after, int limit);

    /**
     * Whether this node runs the background work now: routers, webhook deliveries, watch
     * session expiry. Always on a single node; in a cluster, on exactly one node at a time
     * (it moves when that node dies).
     */
    default boolean leads() {
        return true;
    }

    /** This server's node id. */
    String nodeId();

    RecoveryReport recovery();

    /**
     * Null while the engine can write; otherwise why it stopped (an I/O error on the WAL
     * leaves the log's state unknown until a restart recovers it).
     */
    Throwable failure();

    /** Writes a snapshot now (normally periodic); returns when it is durable. */
    void snapshot();

    /** Stops accepting writes, commits what was handed over, writes a final snapshot. */
    @Override
    void close();
}
