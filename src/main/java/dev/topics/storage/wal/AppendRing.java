package dev.topics.storage.wal;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A bounded lock-free multi-producer, single-consumer ring: request threads
 * {@link #publish} commit tasks, the committer thread {@link #drainTo drains} every ready
 * one at once. This is what lets group commit grow batches by itself under load.
 *
 * <p>Protocol (after the LMAX Disruptor's multi-producer sequencer):
 * <ol>
 *   <li>A producer claims the next ring sequence {@code s} by CAS on {@code claim}, but
 *       only while {@code s - consumed < capacity} (the slot is free); otherwise it backs
 *       off (spin, then yield, then short parks).</li>
 *   <li>It stores the item in {@code slots[s & mask]} and then publishes {@code s} in
 *       {@code published[s & mask]} with a volatile write, which orders the item store
 *       before it.</li>
 *   <li>The consumer takes slots in sequence order while {@code published[i & mask] == i},
 *       so a slow producer that claimed {@code s} holds back only items after {@code s} —
 *       order per producer is kept and nothing is skipped.</li>
 *   <li>Wake-up: the consumer sets {@code sleeping} and re-checks before parking; a
 *       producer reads {@code sleeping} after publishing. Both sides use volatile
 *       accesses (a Dekker pair), so a publish is never missed.</li>
 * </ol>
 * Proof of no loss, no duplicate and per-producer order: {@code AppendRingTest}.
 * Benchmark before changing: benchmarks/jmh AppendRingBench (the ring alone), then
 * {@code benchmarks/run} P1 and P1b (the whole write path).
 *
 * <p>Any number of producer threads; exactly one consumer thread.
 */
public final class AppendRing<E> {
    private final Object[] slots;
    private final AtomicLongArray published;
    private final int mask;
    private final AtomicLong claim = new AtomicLong();
    private volatile long consumed;
    private volatile boolean sleeping;
    private volatile Thread consumer;

    public AppendRing(int capacity) {
        if (capacity <= 0 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two");
        }
        slots = new Object[capacity];
        published = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++) {
            published.set(i, -1);
        }
        mask = capacity - 1;
    }

    /** Names the consumer thread; it is the one woken by producers. */
    public void consumer(Thread t) {
        consumer = t;
    }

    public void publish(E item) {
        long s;
        int spins = 0;
        for (;;) {
            s = claim.get();
            if (s - consumed >= slots.length) {
                backoff(spins++);
                continue;
            }
            if (claim.compareAndSet(s, s + 1)) {
                break;
            }
        }
        int i = (int) (s & mask);
        slots[i] = item;
        published.set(i, s);
        if (sleeping) {
            Thread c = consumer;
            if (c != null) {
                LockSupport.unpark(c);
            }
        }
    }

    private static void backoff(int spins) {
        if (spins < 64) {
            Thread.onSpinWait();
        } else if (spins < 128) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(20_000);
        }
    }

    /** Consumer only: moves up to {@code max} ready items into {@code out}; returns how many. */
    @SuppressWarnings("unchecked")
    public int drainTo(List<? super E> out, int max) {
        long next = consumed;
        int n = 0;
        while (n < max) {
            int i = (int) (next & mask);
            if (published.get(i) != next) {
                break;
            }
            out.add((E) slots[i]);
            slots[i] = null;
            next++;
            n++;
        }
        if (n > 0) {
            consumed = next;
        }
        return n;
    }

    /** Consumer only: true when the next item is ready. */
    public boolean ready() {
        long next = consumed;
        return published.get((int) (next & mask)) == next;
    }

    /** Consumer only: parks until an item is published or {@code nanos} pass. */
    public void await(long nanos) {
        sleeping = true;
        if (!ready()) {
            LockSupport.parkNanos(this, nanos);
        }
        sleeping = false;
    }

    /** Items published but not yet drained (approximate when producers are active). */
    public long pending() {
        return claim.get() - consumed;
    }

    public int capacity() {
        return slots.length;
    }
}
