package dev.topics.storage.segment;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The engine's open segment files: a bounded cache of {@link FileChannel}s, so that a
 * million idle topics need no more file descriptors than a few busy ones (issue 12).
 * Each segment file has a {@link SegmentSlot}; a slot opens its channel when an operation needs
 * it and the cache closes the least recently used ones when more than {@link #capacity()}
 * are open. Nothing on disk belongs to this class.
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li><b>A channel in use is never closed by eviction.</b> Every operation on a slot
 *     ({@link SegmentSlot#read}, {@link SegmentSlot#write}, {@link SegmentSlot#force}, …) holds a <i>lease</i> on
 *     the slot's current {@link Open} for its duration: a reference count raised by one CAS
 *     and lowered by one atomic decrement. Eviction may take only an {@code Open} whose count
 *     is 0, and takes it by CAS-ing the count from 0 to "dead", after which no lease can be
 *     had on it; so the evicting thread owns that channel alone when it closes it. A lease
 *     hit costs a volatile read, a CAS and a decrement, with no lock (benchmarks P1/P2 run
 *     through it on every append: re-run them after changing {@link SegmentSlot#lease}).</li>
 * <li><b>Closed is not an error.</b> A channel can still close under a lease holder for two
 *     reasons outside our control: a thread interrupted in (or before) a channel call closes
 *     the channel for everyone (NIO's {@link ClosedByInterruptException}), and
 *     {@link SegmentSlot#close} at topic deletion. The holder that sees {@link ClosedChannelException}
 *     marks that {@code Open} dead; if the slot is not closed for good and the holder itself
 *     was not interrupted, it opens the file again and repeats the operation from where it
 *     stopped (positional reads and writes are idempotent). Only the interrupted thread
 *     itself, or an operation on a closed slot, sees the exception.</li>
 * <li><b>Nothing written is closed unforced.</b> A slot counts its writes; {@link SegmentSlot#force}
 *     records how many it covered. Eviction of a slot with unforced writes forces the channel
 *     before closing it (on the evicting thread), so a channel never goes away holding
 *     writes whose fsync error could then be lost (fsyncgate: the error is reported to open
 *     descriptors). Eviction prefers clean channels and skips a few dirty ones first; a dirty
 *     victim is handed to the {@code topics-segment-flusher} threads, which force and close
 *     it, so the committer does not wait for an fsync when it opens a file (a topic's first
 *     fsync costs 0.2–0.7 ms here; a storm of new topics makes every victim dirty). Up to a
 *     quarter of the capacity may wait for them; beyond that the evicting thread forces the
 *     victim itself (back-pressure), so the bound holds.
 *     {@link SegmentSlot#force} after a channel was closed by an interrupt opens the file again and
 *     forces it: fsync flushes the file (the inode), whatever descriptor wrote the pages. A
 *     failed force during eviction is logged and kept by the slot: every later
 *     {@link SegmentSlot#force} throws it, so a snapshot never claims those bytes durable.</li>
 * <li><b>A slot whose file is gone is never reopened by name.</b> {@link SegmentSlot#retire} marks a
 *     segment that retention removed, or that compaction is about to replace by renaming
 *     another file over its name: its channel, while open, still reads the old file, but
 *     once evicted the slot throws {@link SegmentGone} instead of opening whatever file
 *     now has that name. {@link SegmentLog#read} then starts again from its current
 *     segments after the last record it visited.</li>
 * <li>The bound: channels open ≤ {@code capacity} (idle and leased ones, and dirty ones
 *     waiting for the flusher), except while more than {@code capacity} are leased at once
 *     (every lease is short) — eviction then gives up after a bounded scan and the next open
 *     tries again.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Any thread may call any slot method; writes to one slot come from one thread at a time
 * (the committer, or recovery before it starts). Opening, reopening and closing a slot are
 * serialized by the slot's monitor (virtual threads do not pin on monitors since JDK 24);
 * eviction never takes a monitor (it acts by CAS on the count), so it cannot deadlock with
 * a thread opening another slot. Victims are chosen by CLOCK (second chance): a lease sets
 * a "used" bit, the evictor clears it and moves on once.
 *
 * <p>This class is the cache and its evictor (with the flusher threads that force dirty
 * victims); {@link SegmentSlot} is the lease side, one per file.
 *
 * <h2>After a crash</h2>
 * Nothing to rebuild: the cache starts empty and slots open their files on first use.
 */
public final class SegmentChannels {
    /** The count of a dead {@link Open}: no lease can be had on it again. */
    static final int DEAD = Integer.MIN_VALUE / 2;
    /** Dirty channels an eviction pass passes over before it forces one. */
    private static final int DIRTY_SKIPS = 8;

    private final int capacity;
    /** Dirty victims that may wait for the flusher at once; the others stay within {@code capacity - maxPending}. */
    private final int maxPending;
    private final AtomicInteger open = new AtomicInteger();
    /** Of {@code open}: dead ones handed to the flusher, not yet closed. */
    private final AtomicInteger pending = new AtomicInteger();
    private final ThreadPoolExecutor flusher;
    /** CLOCK order of open channels; may hold dead entries, dropped when met or swept. */
    private final ConcurrentLinkedQueue<Open> clock = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final LongAdder opens = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    final LongAdder evictionForces = new LongAdder();

    /** A cache that keeps at most {@code capacity} (≥ 1) segment channels open. */
    /**
     * Evicted segments' files may be deleted only if they were evicted before this (nanoTime):
     * always on a single node, whose WAL logs each eviction; on a cluster node, only once a
     * durable snapshot was captured after the eviction, because the node replays the log's
     * commands from its snapshot and derives the evictions again from the records the snapshot
     * counts on, which must still be there (docs/CLUSTER.md).
     */
    private volatile long evictionsCoveredBefore = Long.MAX_VALUE;

    /** Committer: see {@link #evictionsCoveredBefore()}. */
    public void evictionsCoveredBefore(long nanos) {
        evictionsCoveredBefore = nanos;
    }

    public long evictionsCoveredBefore() {
        return evictionsCoveredBefore;
    }

    public SegmentChannels(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
        this.maxPending = capacity / 4;
        AtomicInteger n = new AtomicInteger();
        this.flusher = new ThreadPoolExecutor(4, 4, 5, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "topics-segment-flusher-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        // idle caches hold no threads; several threads so the file system batches their fsyncs
        this.flusher.allowCoreThreadTimeOut(true);
    }

    /**
     * The capacity for a configured {@code storage.max_open_segments}: the value itself, or
     * for 0 (auto) a quarter of this process's open-file limit, between 64 and 16,384 — the
     * rest is left to connections, watchers, the WAL and the JVM.
     */
    public static int capacityFor(int configured) {
        if (configured > 0) {
            return configured;
        }
        return (int) Math.max(64, Math.min(16_384, processFdLimit() / 4));
    }

    /** RLIMIT_NOFILE of this process, or 1024 when the JVM cannot tell. */
    public static long processFdLimit() {
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long max = unix.getMaxFileDescriptorCount();
            if (max > 0) {
                return max;
            }
        }
        return 1024;
    }

    public int capacity() {
        return capacity;
    }

    /** Channels open now (leased or idle). */
    public int openCount() {
        return open.get();
    }

    /** Files opened so far (first opens and reopens after eviction). */
    public long opens() {
        return opens.sum();
    }

    /** Channels closed to stay within the capacity. */
    public long evictions() {
        return evictions.sum();
    }

    /** Evictions that had to force a channel holding unforced writes first. */
    public long evictionForces() {
        return evictionForces.sum();
    }

    /** A slot for an existing file; nothing is opened until an operation needs it. */
    public SegmentSlot slot(Path file) {
        return new SegmentSlot(this, file);
    }

    /** A slot for a new file, created now ({@code CREATE_NEW}) and left open. */
    public SegmentSlot create(Path file) throws IOException {
        SegmentSlot s = new SegmentSlot(this, file);
        s.release(s.openLocked(true));
        return s;
    }

    /** Slot monitor held: a freshly opened channel joins the count and the clock; then evict while over. */
    void opened(Open o) {
        opens.increment();
        open.incrementAndGet();
        clock.add(o);
        if (queued.incrementAndGet() > 2 * capacity + 64) {
            sweepDead();
        }
        if (open.get() - pending.get() > capacity - maxPending) {
            evict();
        }
    }

    private void sweepDead() {
        int removed = 0;
        for (Iterator<Open> it = clock.iterator(); it.hasNext(); ) {
            if (it.next().dead()) {
                it.remove();
                removed++;
            }
        }
        queued.addAndGet(-removed);
    }

    /** Closes idle channels (clean ones first) until the count is within the capacity or a bounded scan ends. */
    private void evict() {
        int budget = 2 * capacity + 16;
        int dirtySkips = DIRTY_SKIPS;
        while (open.get() - pending.get() > capacity - maxPending && budget-- > 0) {
            Open o = clock.poll();
            if (o == null) {
                return;
            }
            if (o.dead()) {
                queued.decrementAndGet();
                continue;
            }
            if (o.used) {
                o.used = false;
                clock.add(o);
                continue;
            }
            if (o.slot.dirty() && dirtySkips > 0) {
                dirtySkips--;
                clock.add(o);
                continue;
            }
            if (!o.refs.compareAndSet(0, DEAD)) {
                clock.add(o); // leased right now
                continue;
            }
            queued.decrementAndGet();
            evictions.increment();
            if (o.slot.dirty()) {
                if (pending.incrementAndGet() <= maxPending && handOff(o)) {
                    continue;
                }
                pending.decrementAndGet(); // the flusher is behind: force it here (back-pressure)
            }
            o.slot.evicted(o);
        }
    }

    /** Gives a dead, dirty victim to the flusher, which forces and closes it; false if it refused. */
    private boolean handOff(Open o) {
        try {
            flusher.execute(() -> {
                try {
                    o.slot.evicted(o);
                } finally {
                    pending.decrementAndGet();
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** The channel behind a dead {@link Open} is closed: count it out. */
    void closed() {
        open.decrementAndGet();
    }

    /**
     * One opening of a segment file. {@code refs} ≥ 0 is the number of leases; {@link #DEAD}
     * (plus any late decrements) means closed or being closed, never to be leased again.
     */
    static final class Open {
        final SegmentSlot slot;
        final FileChannel ch;
        final AtomicInteger refs;
        /** Set by a lease, cleared by the evictor's first pass (CLOCK). A benign race. */
        volatile boolean used = true;

        Open(SegmentSlot slot, FileChannel ch) {
            this.slot = slot;
            this.ch = ch;
            this.refs = new AtomicInteger(1);
        }

        boolean retain() {
            for (int r = refs.get(); r >= 0; r = refs.get()) {
                if (refs.compareAndSet(r, r + 1)) {
                    return true;
                }
            }
            return false;
        }

        boolean dead() {
            return refs.get() < 0;
        }

        /** Makes it dead whatever its leases; true for the one caller that did. */
        boolean kill() {
            for (int r = refs.get(); r >= 0; r = refs.get()) {
                if (refs.compareAndSet(r, DEAD + r)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A segment whose file was removed or replaced was needed after its channel had been closed. */
    public static final class SegmentGone extends IOException {
        SegmentGone(Path file) {
            super("segment " + file + " was removed or replaced");
        }
    }
}
