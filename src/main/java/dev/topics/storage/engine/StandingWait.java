package dev.topics.storage.engine;

import dev.topics.storage.Storage;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link Storage.Waiter} over the engine's topics: the owning thread is added to each
 * watched topic's {@link TopicSignal} and to the {@link WakeTimer} once, and stays there
 * between waits, so a wait is a check, a park and an unpark, with no registration and no
 * allocation. A topic deleted and made again is a new log: the next wait registers with
 * that one. A commit between two waits unparks the thread while it is not parked; the park
 * that follows returns at once and the check runs again, so nothing is missed.
 *
 * <p>Used by one thread, the one that made it.
 */
final class StandingWait implements Storage.Waiter {
    private final Engine engine;
    private final Thread owner = Thread.currentThread();
    private final WakeTimer.Waiter timer = WakeTimer.add(owner);
    /** The logs this thread is registered with, by topic name. */
    private final HashMap<String, TopicLog> registered = new HashMap<>(4);
    private boolean closed;

    StandingWait(Engine engine) {
        this.engine = engine;
    }

    @Override
    public boolean await(Map<String, Long> cursors, long timeoutMillis) {
        if (Thread.currentThread() != owner || closed) {
            throw new IllegalStateException("a waiter is used by the thread that made it, until closed");
        }
        for (String name : cursors.keySet()) {
            TopicLog t = engine.published.get(name);
            if (t == null) {
                return true; // unknown: the caller's next read says what happened
            }
            TopicLog was = registered.put(name, t);
            if (was != t) {
                if (was != null) {
                    was.signal.removeWaker(owner);
                }
                t.signal.addWaker(owner);
            }
        }
        if (registered.size() > cursors.size()) {
            // topics the stream no longer watches: stop being woken by them
            for (Iterator<Map.Entry<String, TopicLog>> it = registered.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (!cursors.containsKey(e.getKey())) {
                    e.getValue().signal.removeWaker(owner);
                    it.remove();
                }
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        timer.arm(deadline);
        try {
            while (true) {
                for (var e : cursors.entrySet()) {
                    TopicLog t = registered.get(e.getKey());
                    if (t.deleted || t.head.headSeq() > e.getValue() || LocalStorage.softDeleted(t)) {
                        return true;
                    }
                }
                if (owner.isInterrupted()) {
                    return true; // the caller decides what the interrupt means
                }
                if (deadline - System.nanoTime() <= 0) {
                    return false;
                }
                LockSupport.park(this);
            }
        } finally {
            timer.disarm();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        WakeTimer.remove(timer);
        for (TopicLog t : registered.values()) {
            t.signal.removeWaker(owner);
        }
        registered.clear();
    }
}
