package dev.topics.storage.engine;

import dev.topics.storage.Storage;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
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
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile int waiters;
    /** Threads of streams waiting on this topic, maybe among others ({@link Storage#waiter}); unparked on every signal. */
    private final Set<Thread> wakers = ConcurrentHashMap.newKeySet();

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
    /** A fan-out of this signal is queued and has not started: another signal adds nothing. */
    private final AtomicBoolean fanoutQueued = new AtomicBoolean();

    /** Committer: wakes every waiter. */
    void signalAll() {
        if (wakers.size() > INLINE_WAKERS) {
            if (fanoutQueued.compareAndSet(false, true)) {
                FANOUT.execute(() -> {
                    fanoutQueued.set(false); // a signal from now on queues another round
                    unparkWakers();
                });
            }
        } else {
            unparkWakers();
        }
        if (waiters > 0) {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void unparkWakers() {
        for (Thread t : wakers) {
            LockSupport.unpark(t);
        }
    }

    void addWaker(Thread t) {
        wakers.add(t);
    }

    void removeWaker(Thread t) {
        wakers.remove(t);
    }

    /** Threads registered to be unparked (tests). */
    int wakerCount() {
        return wakers.size();
    }

    /** Waits until {@code ready} holds or {@code nanos} pass; returns {@code ready}'s last answer. */
    public boolean await(BooleanSupplier ready, long nanos) throws InterruptedException {
        if (ready.getAsBoolean()) {
            return true;
        }
        lock.lock();
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
                    changed.awaitNanos(left);
                }
                return true;
            } finally {
                waiters--;
            }
        } finally {
            lock.unlock();
        }
    }
}
