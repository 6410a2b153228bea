package dev.topics.storage.engine;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One clock for every stream waiting in a {@link StandingWait}: a waiter parks without a
 * timeout, and one daemon thread, every {@link #TICK_MILLIS}, unparks the waiters whose
 * deadline has passed. A timed park of a virtual thread puts a task in the JDK's timer queue
 * (a heap under a lock) and takes it out again when the thread is unparked earlier, which
 * is what happens to an SSE watcher on every write; with thousands of watchers woken per
 * write that queue was a hot spot (benchmarks/RESULTS.md, P4). Here a waiter is added once
 * for its stream's life, and each wait only sets and clears its deadline.
 *
 * <p>A scan costs a few nanoseconds per registered waiter (10,000 streams: well under a
 * millisecond, 40 times a second). Thread safety: {@link #add} and {@link #remove} from any
 * thread; a waiter's deadline is set by its own thread; the ticker only reads and unparks
 * (a spurious unpark is harmless: waiters re-check their condition).
 */
final class WakeTimer {
    /** How late a deadline may be noticed; heartbeats (seconds) and access re-checks (500 ms) allow it. */
    static final long TICK_MILLIS = 25;

    /** A thread that parks until its deadline (System.nanoTime) or an earlier unpark. */
    static final class Waiter {
        final Thread thread;
        private long deadline;
        /** Set after {@link #deadline} while the thread waits; cleared when it stops. */
        private volatile boolean armed;

        Waiter(Thread thread) {
            this.thread = thread;
        }

        void arm(long deadlineNanos) {
            deadline = deadlineNanos;
            armed = true; // publishes the deadline to the ticker
        }

        void disarm() {
            armed = false;
        }

        boolean due(long now) {
            return armed && now - deadline >= 0;
        }
    }

    private static final Set<Waiter> WAITERS = ConcurrentHashMap.newKeySet();

    private static final Thread TICKER = new Thread(WakeTimer::tick, "topics-wake-timer");

    static {
        TICKER.setDaemon(true);
        TICKER.start();
    }

    private WakeTimer() {
    }

    static Waiter add(Thread thread) {
        Waiter w = new Waiter(thread);
        WAITERS.add(w);
        LockSupport.unpark(TICKER); // it parks without a timeout while nobody waits
        return w;
    }

    static void remove(Waiter w) {
        WAITERS.remove(w);
    }

    private static void tick() {
        long tick = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
        while (true) {
            if (WAITERS.isEmpty()) {
                LockSupport.park(); // an idle server is not woken 40 times a second; add() unparks
            }
            LockSupport.parkNanos(tick);
            long now = System.nanoTime();
            for (Waiter w : WAITERS) {
                if (w.due(now)) {
                    LockSupport.unpark(w.thread);
                }
            }
        }
    }
}
