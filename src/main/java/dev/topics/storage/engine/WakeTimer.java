package dev.topics.storage.engine;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One clock for every thread waiting in {@link LocalStorage#awaitAny}: a waiter parks without
 * a timeout, and one daemon thread, every {@link #TICK_MILLIS}, unparks the waiters whose
 * deadline has passed. A timed park of a virtual thread puts a task in the JDK's timer queue
 * (a heap under a lock) and takes it out again when the thread is unparked earlier, which
 * is what happens to an SSE watcher on every write; with thousands of watchers woken per
 * write that queue was a hot spot (benchmarks/RESULTS.md, P4). Here a wait costs one set
 * insert and one removal, and a deadline is kept to within a tick.
 *
 * <p>Thread safety: {@link #add} and {@link #remove} from any thread; the ticker only reads
 * the set and unparks (a spurious unpark is harmless: waiters re-check their condition).
 */
final class WakeTimer {
    /** How late a deadline may be noticed; heartbeats (seconds) and access re-checks (500 ms) allow it. */
    static final long TICK_MILLIS = 25;

    /** A thread parked until its deadline (System.nanoTime) or an earlier unpark. */
    static final class Waiter {
        final Thread thread;
        final long deadline;

        Waiter(Thread thread, long deadline) {
            this.thread = thread;
            this.deadline = deadline;
        }
    }

    private static final Set<Waiter> WAITING = ConcurrentHashMap.newKeySet();

    static {
        Thread t = new Thread(WakeTimer::tick, "topics-wake-timer");
        t.setDaemon(true);
        t.start();
    }

    private WakeTimer() {
    }

    static Waiter add(Thread thread, long deadline) {
        Waiter w = new Waiter(thread, deadline);
        WAITING.add(w);
        return w;
    }

    static void remove(Waiter w) {
        WAITING.remove(w);
    }

    private static void tick() {
        long tick = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
        while (true) {
            LockSupport.parkNanos(tick);
            long now = System.nanoTime();
            for (Waiter w : WAITING) {
                if (now - w.deadline >= 0) {
                    LockSupport.unpark(w.thread);
                }
            }
        }
    }
}
