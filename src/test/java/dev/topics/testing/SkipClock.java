package dev.topics.testing;

import dev.topics.worker.WorkerClock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link WorkerClock} for tests of retries: the real clock plus an offset that the test
 * moves forward with {@link #skip}, so that a router's or a webhook's backoff ends at once
 * instead of after real seconds. It never runs slower than real time, so whatever a test
 * did not skip still happens as it would in the server; a wait ends when its time has
 * come, by real time passing or by a skip. Time measured with {@link #nanos} (a receiver's
 * arrival times) includes the skips, so a test still sees the backoff between two attempts.
 *
 * <p>Hand it to a server with {@link TestServer.Builder#clock}.
 */
public final class SkipClock implements WorkerClock {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition moved = lock.newCondition();
    private volatile long offsetMs;

    @Override
    public long millis() {
        return System.currentTimeMillis() + offsetMs;
    }

    /** Like {@link System#nanoTime()}, skips included. */
    public long nanos() {
        return System.nanoTime() + offsetMs * 1_000_000L;
    }

    @Override
    public void sleep(long ms) throws InterruptedException {
        long until = millis() + ms;
        lock.lock();
        try {
            long left;
            while ((left = until - millis()) > 0) {
                moved.await(left, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Moves this clock forward by {@code d}, waking the waits that it ends. */
    public void skip(Duration d) {
        lock.lock();
        try {
            offsetMs += d.toMillis();
            moved.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
