package dev.topics.storage.wal;

import dev.topics.storage.io.ByteSink;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * One unit of work for the {@link Committer}: a write, a topic change, a delete. The
 * committer calls, on its own thread and in ring order:
 * <ol>
 *   <li>{@link #prepare} — validate against the engine's state, assign seqs, append WAL
 *       frames to the group buffer, and say whether the group must be forced;</li>
 *   <li>after the group's single write (and force, if any task asked):
 *       {@link #apply} — make the effect visible to readers;</li>
 *   <li>{@link #finish} — wake the waiting request thread.</li>
 * </ol>
 * A task that fails in {@code prepare} writes nothing and is finished with its error.
 * The request thread calls {@link #await}.
 */
public abstract class CommitTask {
    private static final VarHandle FINISHING;

    static {
        try {
            FINISHING = MethodHandles.lookup().findVarHandle(CommitTask.class, "finishing", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread waiter = Thread.currentThread();
    @SuppressWarnings("unused") // through FINISHING
    private volatile boolean finishing;
    private volatile boolean done;
    private Throwable failure;
    /** Nanoseconds the group's force took (0 if none). */
    protected long fsyncNanos;
    /** The command's time in a cluster (every node applies it with this time); -1 on a single node. */
    private long commandTimeMs = -1;
    /** Called once when the task is finished, on the finishing thread; null for none. */
    private volatile java.util.function.Consumer<CommitTask> whenDone;

    /** What the group must do with the WAL after writing this task's frames. */
    public enum Sync { NONE, WRITE, FORCE }

    /**
     * Validates and encodes. Returns {@link Sync#FORCE} when the group must be fsynced
     * before {@link #apply}, {@link Sync#WRITE} when frames were written without needing a
     * force, {@link Sync#NONE} when nothing was written to the WAL.
     * Throwing marks this task failed; the committer goes on with the rest of the group.
     */
    protected abstract Sync prepare(ByteSink wal) throws Exception;

    /**
     * An upper bound of the disk bytes this task's commit may take (WAL frames, segment
     * bytes, new files), checked against free space before {@link #prepare} so that a full
     * disk refuses the task before anything changes. 0: no disk at all.
     */
    protected long spaceNeeded() {
        return 1024;
    }

    /**
     * True for changes that free space or cost a few bytes (deletes, removals): they may
     * use the reserve that writes leave free, so a full disk can still be cleaned up.
     */
    protected boolean mayUseReserve() {
        return false;
    }

    /** Publishes the effect (after the WAL write/force). */
    protected abstract void apply() throws Exception;

    /**
     * The time this task's decisions use (idempotency windows, {@code $ts}, TTLs): the wall
     * clock on a single node; in a cluster the command's time, so every node decides alike.
     */
    protected final long now() {
        return commandTimeMs >= 0 ? commandTimeMs : System.currentTimeMillis();
    }

    /** A cluster's applier: the task runs at the command's time {@code ms}, and calls {@code done} when finished. */
    public final void replicated(long ms, java.util.function.Consumer<CommitTask> done) {
        this.commandTimeMs = ms;
        this.whenDone = done;
    }

    /** Finishes the task once; later calls (a racing failure path) do nothing. */
    final void finish(long fsyncNanos, Throwable error) {
        if (!FINISHING.compareAndSet(this, false, true)) {
            return;
        }
        this.fsyncNanos = fsyncNanos;
        this.failure = error;
        done = true;
        var callback = whenDone;
        if (callback != null) {
            callback.accept(this);
            return; // no thread waits for a replicated task: the applier made it
        }
        if (waiter != Thread.currentThread()) { // an inline group's writer finishes its own task
            LockSupport.unpark(waiter);
        }
    }

    public final boolean isDone() {
        return done;
    }

    /**
     * Waits until the task is finished. An untimed park: a timed one arms and cancels a
     * timer per write (measured: 3-5 % of CPU in benchmark P1). No caller is stranded
     * because the committer, whenever it exits, fails everything left in the ring, and a
     * producer that publishes after that fails its own task ({@link Committer#submit}).
     */
    final void await() {
        while (!done) {
            LockSupport.park(this);
        }
    }

    /** The error this task failed with, or null. Valid after {@link #await}. */
    public final Throwable failure() {
        return failure;
    }
}
