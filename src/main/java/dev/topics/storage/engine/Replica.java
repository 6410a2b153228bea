package dev.topics.storage.engine;

import dev.topics.storage.CommandLog;
import dev.topics.storage.StorageException;
import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.ByteSource;
import dev.topics.storage.io.CorruptFrame;
import dev.topics.storage.wal.CommitTask;
import dev.topics.storage.wal.Committer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A cluster node's side of the shared log (docs/CLUSTER.md).
 *
 * <p><b>Proposing.</b> A change asked of this node is encoded as a command ({@link Commands})
 * named by this process's random incarnation and a counter, appended to the log, and waited
 * for: the answer is the outcome of this node's own apply of it, once the log has
 * acknowledged it. Whatever does not arrive within {@code writeTimeoutMs} is answered
 * {@link StorageException.Unavailable} (the command may still be applied later; a client's
 * retry with the same idempotency key is answered once).
 *
 * <p><b>Applying.</b> The log's reading thread decodes each command, in log order, into the
 * commit task a single node would run, stamped with the command's time made monotonic (the
 * log's clock: {@code max(previous, proposer's time)}), and hands it to the committer, which
 * runs tasks in the order they come. When a task finishes, the engine's applied offset and
 * clock move to it, and the proposer (if it is this node) gets the task. A command that
 * cannot be decoded stops this node: skipping it would make it differ from the others.
 *
 * <p>Invariant: {@code engine.appliedOffset} and {@code engine.clockMs} change only in the
 * committer's finish, in log order, so a snapshot (taken between groups) covers exactly the
 * commands through {@code appliedOffset}.
 */
final class Replica {
    private static final Logger LOG = Logger.getLogger(Replica.class.getName());

    private final Engine engine;
    private final Committer committer;
    private final CommandLog log;
    private final long writeTimeoutMs;
    private final long incarnation = new SecureRandom().nextLong();
    private final AtomicLong counter = new AtomicLong();
    private final ConcurrentHashMap<Long, CompletableFuture<CommitTask>> pending = new ConcurrentHashMap<>();
    /** Streams read on this node since the last USED command. */
    final Set<String> used = ConcurrentHashMap.newKeySet();
    /** Watch sessions used on this node since the last WATCHES_USED command. */
    final Set<String> watchesUsed = ConcurrentHashMap.newKeySet();
    /** Applier thread only: the log's clock after the last command decoded. */
    private long clock;
    /** Applier thread only: the offset of the last command handed to the committer. */
    private long lastPublished = -1;
    private volatile Throwable failure;

    Replica(Engine engine, Committer committer, CommandLog log, long writeTimeoutMs) {
        this.engine = engine;
        this.committer = committer;
        this.log = log;
        this.writeTimeoutMs = writeTimeoutMs;
    }

    /**
     * Follows the log from the snapshot's offset and returns once everything the log held
     * at the start is applied, or refuses to start: the log unreachable, or no longer holding
     * the offset this node needs.
     */
    void start() {
        long from = engine.appliedOffset + 1;
        long oldest;
        long end;
        try {
            oldest = log.startOffset(writeTimeoutMs * 2);
            end = log.endOffset(writeTimeoutMs * 2);
        } catch (RuntimeException e) {
            throw new StorageException.Unavailable("cannot reach the cluster log (" + log.describe() + "): "
                    + e.getMessage(), e);
        }
        if (oldest > from) {
            throw new StorageException.Unavailable("this node needs the cluster log from offset " + from
                    + (from == 0 ? " (it has no snapshot)" : " (its snapshot covers up to " + (from - 1) + ")")
                    + " but the oldest offset the log still holds is " + oldest + " (" + log.describe()
                    + "); its retention dropped the rest, and no snapshot shared through Kafka reaches it"
                    + " (the node that runs the workers shares one every cluster.kafka.snapshot_interval_ms)."
                    + " Keep the log longer than that interval (docs/CLUSTER.md, \"Retention the log needs\")", null);
        }
        clock = engine.clockMs;
        log.follow(from, this::apply, this::fail);
        long t0 = System.nanoTime();
        long lastNote = t0;
        while (engine.appliedOffset < end - 1) {
            Throwable f = failure();
            if (f != null) {
                throw new StorageException.Unavailable("catching up with the cluster log failed: " + f.getMessage(), f);
            }
            if (System.nanoTime() - lastNote > 10_000_000_000L) {
                lastNote = System.nanoTime();
                LOG.info("catching up with the cluster log: applied through " + engine.appliedOffset + " of "
                        + (end - 1));
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException.Unavailable("interrupted while catching up", e);
            }
        }
        if (end - from > 0) {
            LOG.info("applied " + (end - from) + " cluster log offsets from " + from + " in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
    }

    /** The log's reading thread: one command, in log order. */
    private void apply(long offset, byte[] command) {
        if (failure != null) {
            return;
        }
        CommitTask task;
        Commands.Header h;
        try {
            ByteSource in = new ByteSource(command, 0, command.length);
            h = Commands.header(in);
            task = Commands.decode(engine, h, in);
        } catch (CorruptFrame | IndexOutOfBoundsException e) {
            fail(new CorruptFrame("cluster log offset " + offset + " (" + log.describe() + ") cannot be applied: "
                    + e.getMessage() + "; this node stops rather than differ from the others"));
            return;
        }
        if (h.type() == Commands.DELETE) {
            // A delete reads the records as applied (segments, tail), and the committer applies a
            // group only after preparing all of it: let everything before it be applied first,
            // or a node that happens to group it with the write before would miss that write's
            // records. Deletes are rare; the wait is one group.
            awaitApplied(lastPublished);
        }
        long at = Math.max(clock, h.timeMs());
        clock = at;
        boolean mine = h.incarnation() == incarnation;
        long id = h.counter();
        task.replicated(at, done -> {
            engine.clockMs = at;
            engine.appliedOffset = offset;
            if (mine) {
                CompletableFuture<CommitTask> waiting = pending.remove(id);
                if (waiting != null) {
                    waiting.complete(done);
                }
            }
        });
        committer.publish(task);
        lastPublished = offset;
    }

    /** The applier: waits until every command through {@code offset} is applied (or this node fails). */
    private void awaitApplied(long offset) {
        while (engine.appliedOffset < offset && failure == null && committer.isAlive()) {
            java.util.concurrent.locks.LockSupport.parkNanos(50_000);
        }
    }

    private void fail(Throwable t) {
        if (failure == null) {
            failure = t;
            LOG.log(Level.SEVERE, "cluster node stopped applying the log", t);
        }
        for (var f : List.copyOf(pending.values())) {
            f.completeExceptionally(t);
        }
    }

    /** Why this node stopped applying the log, or null. */
    Throwable failure() {
        return failure;
    }

    /** Whether this node runs the cluster's background work now. */
    boolean leads() {
        return failure == null && log.leads();
    }

    /**
     * Logs a command and waits for this node to apply it; returns the task that ran (its
     * outcome, possibly a refusal, is the task's).
     */
    CommitTask propose(int type, int sizeHint, Consumer<ByteSink> body) {
        Throwable f = failure;
        if (f != null) {
            throw new StorageException.Unavailable("this cluster node has stopped applying the log: " + f.getMessage(), f);
        }
        long id = counter.incrementAndGet();
        ByteSink out = Commands.begin(type, incarnation, id, System.currentTimeMillis(), sizeHint);
        body.accept(out);
        CompletableFuture<CommitTask> applied = new CompletableFuture<>();
        pending.put(id, applied);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(writeTimeoutMs);
        try {
            CompletableFuture<Long> logged = log.append(out.toByteArray());
            try {
                logged.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new StorageException.Unavailable("the cluster log (" + log.describe()
                        + ") did not acknowledge the write within " + writeTimeoutMs + " ms", e);
            } catch (ExecutionException e) {
                throw new StorageException.Unavailable("the cluster log (" + log.describe() + ") refused the write: "
                        + e.getCause().getMessage(), e.getCause());
            }
            try {
                return applied.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new StorageException.Unavailable("the write is in the cluster log but this node had not applied"
                        + " it within " + writeTimeoutMs + " ms", e);
            } catch (ExecutionException e) {
                throw new StorageException.Unavailable("this cluster node stopped applying the log: "
                        + e.getCause().getMessage(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException.Unavailable("interrupted", e);
        } finally {
            pending.remove(id);
        }
    }

    /**
     * Logs the streams read and the watch sessions used here since the last call (their TTLs
     * restart on every node); what could not be logged is tried again with the next call.
     */
    void flushUsed() {
        flush(used, Commands.USED);
        flush(watchesUsed, Commands.WATCHES_USED);
    }

    private void flush(Set<String> seen, int type) {
        if (seen.isEmpty()) {
            return;
        }
        List<String> names = new ArrayList<>(seen);
        seen.removeAll(names);
        int size = 0;
        for (String n : names) {
            size += n.length() * 3 + 2;
        }
        try {
            propose(type, size + 8, out -> Commands.used(out, names));
        } catch (RuntimeException e) {
            seen.addAll(names);
            throw e;
        }
    }

    /** The leader: logs a retention sweep at its time. */
    void sweep() {
        propose(Commands.SWEEP, 0, out -> { });
    }

    void close() {
        log.close();
        for (var f : List.copyOf(pending.values())) {
            f.completeExceptionally(new IllegalStateException("the storage engine has stopped"));
        }
    }
}
