package dev.topics.storage.wal;

import dev.topics.storage.fault.Faults;
import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.CommitOnCaller;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The single writer. One platform thread drains every ready {@link CommitTask} from the
 * {@link AppendRing} and commits them as one group:
 * <pre>
 *   prepare each task  → frames appended to one buffer (seqs assigned here: single writer)
 *   one positional write of the buffer, then one force if any task asked for it
 *   apply each task    → effects become visible to readers
 *   finish each task   → request threads wake
 * </pre>
 * Flush triggers, explicit and counted: a task asking {@link CommitTask.Sync#FORCE}
 * (fsync topics) forces its group; unforced bytes ({@code async} topics) are forced at
 * the latest {@code asyncFlushNanos} after they were written; {@link Duties#between} runs
 * after every group and when idle (snapshots, rolls).
 *
 * <p>A full disk is met before anything changes: each task says how much space it may
 * need ({@link CommitTask#spaceNeeded}) and is refused with {@link OutOfSpace} before its
 * prepare when the free space (checked once per group, {@link DiskSpace}) minus what the
 * group has already claimed would fall below the reserve; deletes may use the reserve.
 * Writes come back by themselves once space is free.
 *
 * <p>If a WAL write or force fails anyway, every task of that group fails and the
 * committer refuses all later tasks until a restart: prepared state is ahead of the log,
 * and after a failed fsync the page cache may have dropped the data (PostgreSQL's
 * "fsyncgate"), so only recovery knows what is whole. A failed write is cut from the WAL
 * first, so it never reappears after the restart.
 *
 * <p><b>A writer that finds the committer idle commits its own group</b> (leader/follower
 * group commit, as RocksDB's write groups do): in {@link #submit}, when the ring is empty,
 * nobody holds {@link #writing} and the thread is marked by {@link CommitOnCaller} (a
 * request thread, which nothing interrupts: an interrupt during file I/O closes the
 * channel), the request thread itself runs the group of its one task, with the same
 * {@link #commit} under the same lock, and returns without the two thread hand-offs
 * (request → committer → request). The lock is what "single writer"
 * means now: whoever holds it is the only one preparing, writing and applying. The
 * committer thread takes it for each group it drains and for its duties, which it runs
 * after its own groups and at least every {@code idleTick} (so after inline groups too,
 * within that tick). Tasks published to the ring (a cluster's applier, in log order) are
 * never overtaken: a writer goes inline only while the ring is empty.
 *
 * <p>Benchmark before changing: {@code benchmarks/} P1, P1b, P2.
 */
public final class Committer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Committer.class.getName());
    private static final int MAX_GROUP_TASKS = 4096;
    private static final int MAX_GROUP_BYTES = 32 << 20;

    /** Work done on the committer thread between groups. */
    public interface Duties {
        /** After each group and at least every {@code idleTick} when idle. */
        void between(WalWriter wal) throws IOException;

        /** Once, after the last group, before the WAL closes. */
        void shutdown(WalWriter wal) throws IOException;
    }

    private final AppendRing<CommitTask> ring;
    private final WalWriter wal;
    private final Duties duties;
    private final DiskSpace space;
    private final long asyncFlushNanos;
    private final Thread thread;
    private final ByteSink buffer = new ByteSink(1 << 20);
    private final List<CommitTask> group = new ArrayList<>(MAX_GROUP_TASKS);
    /** Held by whoever commits a group or runs the duties: the committer thread or an inline writer. */
    private final ReentrantLock writing = new ReentrantLock();
    private final List<CommitTask> inline = new ArrayList<>(1);
    private final boolean inlineCommits;
    private volatile boolean inlineOff;
    private volatile boolean stopping;
    private volatile boolean exited;
    private volatile Throwable broken;
    private long unforcedSince = -1;

    private final Stats stats = new Stats();

    /** Counters for metrics and benchmarks; written only while holding {@link #writing}. */
    public static final class Stats {
        public volatile long groups;
        public volatile long tasks;
        public volatile long forces;
        public volatile long forceNanos;
        public volatile long walBytes;
    }

    public Committer(AppendRing<CommitTask> ring, WalWriter wal, Duties duties, long asyncFlushMs, DiskSpace space) {
        this(ring, wal, duties, asyncFlushMs, space, !Boolean.getBoolean("topics.committer.noInline"));
    }

    /** {@code inlineCommits} false: every group on the committer thread (benchmarks compare both). */
    public Committer(AppendRing<CommitTask> ring, WalWriter wal, Duties duties, long asyncFlushMs, DiskSpace space,
                     boolean inlineCommits) {
        this.inlineCommits = inlineCommits;
        this.space = space;
        this.ring = ring;
        this.wal = wal;
        this.duties = duties;
        this.asyncFlushNanos = TimeUnit.MILLISECONDS.toNanos(asyncFlushMs);
        this.thread = new Thread(this::run, "topics-committer");
        this.thread.setDaemon(true);
        ring.consumer(thread);
    }

    public void start() {
        thread.start();
    }

    public boolean isAlive() {
        return thread.isAlive() && broken == null;
    }

    public Throwable broken() {
        return broken;
    }

    public Stats stats() {
        return stats;
    }

    /** Hands a task to the committer and waits until it is committed (or failed). */
    public void submit(CommitTask task) {
        if (inlineCommits && !inlineOff && CommitOnCaller.here() && ring.pending() == 0 && !stopping
                && broken == null && thread.isAlive() && !writing.isHeldByCurrentThread() && writing.tryLock()) {
            try {
                if (ring.pending() == 0 && broken == null && !exited) {
                    commitInline(task);
                    return;
                }
            } finally {
                writing.unlock();
            }
        }
        publish(task);
        task.await(); // returns at once when publish finished it with a refusal
    }

    /**
     * From now on every group runs on the committer thread: called before the HTTP server
     * stops, which interrupts request threads still running when its grace period ends.
     */
    public void stopInlineCommits() {
        inlineOff = true;
    }

    /** The group of one task, on the writer's own thread, holding {@link #writing}. */
    private void commitInline(CommitTask task) {
        inline.clear();
        inline.add(task);
        try {
            commit(inline);
        } catch (Throwable t) {
            // as on the committer thread: the engine is broken until a restart; the committer
            // notices it at its next turn, exits and fails whatever is left
            if (broken == null) {
                broken = t;
            }
            LOG.log(Level.SEVERE, "storage commit failed", t);
            task.finish(0, t);
            LockSupport.unpark(thread);
        }
    }

    /**
     * Hands a task to the committer without waiting; tasks are committed in the order they are
     * published (a cluster's applier publishes in log order, and the task's completion
     * callback reports it).
     */
    public void publish(CommitTask task) {
        if (stopping || broken != null || !thread.isAlive()) {
            task.finish(0, new IllegalStateException("the storage engine is not accepting writes"));
            return;
        }
        ring.publish(task);
        if (exited) {
            // The committer may have made its last sweep before this publish: nobody else
            // will finish the task. (If the sweep did see it, this finish does nothing.)
            task.finish(0, new IllegalStateException("the storage engine has stopped"));
        }
    }

    private void run() {
        long idleTick = Math.min(asyncFlushNanos, TimeUnit.MILLISECONDS.toNanos(50));
        try {
            while (true) {
                if (broken != null) {
                    throw broken; // an inline group failed
                }
                group.clear();
                int n = ring.drainTo(group, MAX_GROUP_TASKS);
                if (n == 0) {
                    if (stopping && ring.pending() == 0) {
                        break;
                    }
                    between();
                    ring.await(idleTick);
                    continue;
                }
                writing.lock();
                try {
                    commit(group);
                    flushAsyncIfDue();
                    duties.between(wal);
                } finally {
                    writing.unlock();
                }
            }
            writing.lock(); // an inline writer may still be in its group
            try {
                wal.force();
                duties.shutdown(wal);
                wal.close();
            } finally {
                writing.unlock();
            }
            exit(new IllegalStateException("the storage engine has stopped"));
        } catch (Throwable t) {
            broken = t;
            LOG.log(Level.SEVERE, "storage committer stopped", t);
            for (CommitTask task : group) {
                task.finish(0, t); // a group that failed midway: no waiter is stranded (finish is once-only)
            }
            exit(t);
        }
    }

    private void between() throws IOException {
        writing.lock();
        try {
            flushAsyncIfDue();
            duties.between(wal);
        } finally {
            writing.unlock();
        }
    }

    /** Marks the committer gone, then fails whatever is still in the ring (see {@link #submit}). */
    private void exit(Throwable reason) {
        exited = true;
        failPending(reason);
    }

    private void commit(List<CommitTask> tasks) throws IOException {
        buffer.reset();
        wal.beginGroup();
        // Each group opens with a mark of how far the WAL was forced before it: recovery's
        // way to tell damage in acknowledged frames from a torn tail (WalFormat.TYPE_MARK).
        WalFormat.mark(buffer, wal.forcedThrough());
        int framesFrom = buffer.size();
        boolean force = false;
        boolean wrote = false;
        Throwable[] errors = new Throwable[tasks.size()];
        long budget = space.budget();
        for (int i = 0; i < tasks.size(); i++) {
            CommitTask task = tasks.get(i);
            if (broken != null) {
                errors[i] = broken;
                continue;
            }
            // Refused before prepare, so nothing of it happens: no seq, no state, no byte.
            long need = task.spaceNeeded();
            if (need > 0) {
                long left = budget - need + (task.mayUseReserve() ? space.reserve() : 0);
                if (left < 0) {
                    errors[i] = space.refusal(need);
                    continue;
                }
                budget -= need;
            }
            int mark = buffer.size();
            try {
                CommitTask.Sync sync = task.prepare(buffer);
                force |= sync == CommitTask.Sync.FORCE;
                wrote |= sync != CommitTask.Sync.NONE;
            } catch (Throwable t) {
                // a new topic's files could not be made: the disk filled under the estimate
                errors[i] = OutOfSpace.is(t) ? new OutOfSpace("the disk is full: " + t.getMessage()) : t;
                // A failed prepare writes nothing: drop any partial frame it left.
                truncate(mark);
            }
            if (buffer.size() > MAX_GROUP_BYTES && i + 1 < tasks.size()) {
                // A very large group: write what we have so the buffer stays bounded.
                wal.write(buffer.array(), 0, buffer.size());
                stats.walBytes += buffer.size();
                buffer.reset();
                framesFrom = 0;
            }
        }
        long fsyncNanos = 0;
        try {
            if (buffer.size() > framesFrom) {
                wal.write(buffer.array(), 0, buffer.size());
                stats.walBytes += buffer.size();
                Faults.at(Faults.WAL_AFTER_WRITE);
            }
            if (force) {
                fsyncNanos = wal.force();
                unforcedSince = -1;
                stats.forces++;
                stats.forceNanos += fsyncNanos;
            } else if (wrote && unforcedSince < 0) {
                unforcedSince = System.nanoTime();
            }
        } catch (IOException e) {
            broken = e;
            wal.cutBack(); // nothing the group wrote may come back after the restart
            for (CommitTask t : tasks) {
                t.finish(0, e);
            }
            throw e;
        }
        for (int i = 0; i < tasks.size(); i++) {
            CommitTask task = tasks.get(i);
            Throwable err = errors[i];
            if (err == null) {
                try {
                    task.apply();
                } catch (Throwable t) {
                    err = t;
                }
            }
            task.finish(fsyncNanos, err);
        }
        stats.groups++;
        stats.tasks += tasks.size();
    }

    private void truncate(int size) {
        if (buffer.size() > size) {
            buffer.reset();
            buffer.skip(size);
        }
    }

    /**
     * Committer thread (duties): bytes were written to the WAL outside a group; force them
     * with the next group or within {@code async_flush_ms}.
     */
    public void noteUnforced() {
        if (unforcedSince < 0) {
            unforcedSince = System.nanoTime();
        }
    }

    private void flushAsyncIfDue() throws IOException {
        if (unforcedSince >= 0 && System.nanoTime() - unforcedSince >= asyncFlushNanos) {
            wal.force();
            unforcedSince = -1;
        }
    }

    private void failPending(Throwable t) {
        List<CommitTask> rest = new ArrayList<>();
        // pending() counts claimed slots too: wait for producers that claimed but have not published yet
        while (ring.pending() > 0) {
            if (ring.drainTo(rest, Integer.MAX_VALUE) == 0) {
                Thread.onSpinWait();
                continue;
            }
            for (CommitTask task : rest) {
                task.finish(0, t);
            }
            rest.clear();
        }
    }

    /** Stops accepting, commits everything already handed over, runs the shutdown duty. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        LockSupport.unpark(thread);
        thread.join();
    }
}
