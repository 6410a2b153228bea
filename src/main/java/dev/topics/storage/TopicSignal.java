package dev.topics.storage;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Where readers of one topic wait for new records (long polls, SSE watchers). A
 * {@link ReentrantLock}/{@link Condition}, not {@code synchronized}, so waiting virtual
 * threads unmount instead of pinning their carrier. The committer signals after each
 * commit that touched the topic; the lock is taken only when someone waits.
 */
public final class TopicSignal {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile int waiters;
    /** Threads waiting on several topics at once ({@link Storage#awaitAny}); unparked on every signal. */
    private final java.util.Set<Thread> wakers = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Committer: wakes every waiter. */
    void signalAll() {
        for (Thread t : wakers) {
            java.util.concurrent.locks.LockSupport.unpark(t);
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

    void addWaker(Thread t) {
        wakers.add(t);
    }

    void removeWaker(Thread t) {
        wakers.remove(t);
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
                    // bounded wait: a deleted topic is noticed through ready() within a second
                    changed.awaitNanos(Math.min(left, TimeUnit.SECONDS.toNanos(1)));
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
