package dev.topics.storage.engine;

import dev.topics.storage.Storage;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Where readers of one topic wait for new records (long polls, SSE watchers). A
 * {@link ReentrantLock}/{@link Condition}, not {@code synchronized}, so waiting virtual
 * threads unmount instead of pinning their carrier. The committer signals after each
 * commit that touched the topic; the lock is taken only when someone waits.
 *
 * <p>Benchmark before changing: the P4 fan-out benchmark (benchmarks/p4 FanOut,
 * {@code benchmarks/run P4}), which wakes thousands of watchers per write.
 */
public final class TopicSignal {
    /**
     * The lock and condition long polls wait on, made by the first of them: most topics are
     * never long-polled, and these are a sixth of an idle topic's fixed cost (benchmarks P7).
     * Published before {@link #waiters} first counts a waiter, so a committer that sees a
     * waiter sees them.
     */
    private volatile Waiting waiting;
    private volatile int waiters;
    /**
     * Threads of streams waiting on this topic, maybe among others ({@link Storage#waiter});
     * unparked on every signal. Null until the first joins.
     */
    private volatile Set<Thread> wakers;

    private record Waiting(ReentrantLock lock, Condition changed) {
        static Waiting make() {
            ReentrantLock lock = new ReentrantLock();
            return new Waiting(lock, lock.newCondition());
        }
    }

    /** Above this many wakers the committer hands the unparking to {@link #FANOUT}. */
    static final int INLINE_WAKERS = 32;

    /**
     * Wakes the watchers of busy topics, so the committer does not spend its time
     * unparking thousands of threads (about a microsecond each) while writes wait. One
     * daemon thread; wake-ups of one topic stay in order.
     */
    private static final ExecutorService FANOUT =
            Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "topics-fanout");
                t.setDaemon(true);
                return t;
            });
    /** 1 while a fan-out of this signal is queued and has not started: another signal adds nothing. */
    @SuppressWarnings("unused") // through FANOUT_QUEUED
    private volatile int fanoutQueued;
    private static final VarHandle FANOUT_QUEUED;

    static {
        try {
            FANOUT_QUEUED = MethodHandles.lookup().findVarHandle(TopicSignal.class, "fanoutQueued", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Committer: wakes every waiter. */
    void signalAll() {
        Set<Thread> w = wakers;
        if (w != null) {
            if (w.size() > INLINE_WAKERS) {
                if (FANOUT_QUEUED.compareAndSet(this, 0, 1)) {
                    FANOUT.execute(() -> {
                        FANOUT_QUEUED.setVolatile(this, 0); // a signal from now on queues another round
                        unpark(w);
                    });
                }
            } else {
                unpark(w);
            }
        }
        if (waiters > 0) {
            Waiting wt = waiting;
            wt.lock().lock();
            try {
                wt.changed().signalAll();
            } finally {
                wt.lock().unlock();
            }
        }
    }

    private static void unpark(Set<Thread> wakers) {
        for (Thread t : wakers) {
            LockSupport.unpark(t);
        }
    }

    void addWaker(Thread t) {
        Set<Thread> w = wakers;
        if (w == null) {
            synchronized (this) { // once per topic; nothing blocks inside
                w = wakers;
                if (w == null) {
                    w = ConcurrentHashMap.newKeySet();
                    wakers = w;
                }
            }
        }
        w.add(t);
    }

    void removeWaker(Thread t) {
        Set<Thread> w = wakers;
        if (w != null) {
            w.remove(t);
        }
    }

    /** Threads registered to be unparked (tests). */
    int wakerCount() {
        Set<Thread> w = wakers;
        return w == null ? 0 : w.size();
    }

    private Waiting waiting() {
        Waiting wt = waiting;
        if (wt == null) {
            synchronized (this) {
                wt = waiting;
                if (wt == null) {
                    wt = Waiting.make();
                    waiting = wt;
                }
            }
        }
        return wt;
    }

    /** Waits until {@code ready} holds or {@code nanos} pass; returns {@code ready}'s last answer. */
    public boolean await(BooleanSupplier ready, long nanos) throws InterruptedException {
        if (ready.getAsBoolean()) {
            return true;
        }
        Waiting wt = waiting();
        wt.lock().lock();
        try {
            waiters++;
            try {
                long deadline = System.nanoTime() + nanos;
                while (!ready.getAsBoolean()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    // no shorter bound: every change ready() looks at (a commit, an eviction, a delete,
                    // a stream closed or deleted) signals; re-checking each second woke 10,000
                    // waiting long polls 10,000 times a second (benchmarks/RESULTS.md, P4c)
                    wt.changed().awaitNanos(left);
                }
                return true;
            } finally {
                waiters--;
            }
        } finally {
            wt.lock().unlock();
        }
    }
}
