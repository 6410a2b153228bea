package dev.topics.storage.segment;

import dev.topics.storage.segment.SegmentChannels.Open;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The channel of one segment file, opened on demand within the bound of its
 * {@link SegmentChannels} cache, and every operation on it under a lease. The rules (leases,
 * reopening after a close, forcing before eviction, retired files) are in the class comment
 * of {@link SegmentChannels}, which evicts; this class is the lease side. In short, every
 * method may run on any thread, {@link #write} and {@link #truncate} on one thread at a time.
 */
public final class SegmentSlot {
    /** The cache's logger: a failed force at eviction is the cache's event. */
    private static final Logger LOG = Logger.getLogger(SegmentChannels.class.getName());
    /** An operation reopens its file at most this often before giving up (channels keep closing under it). */
    private static final int MAX_REOPENS = 100;

    private static final VarHandle OPEN;
    private static final VarHandle WRITES;
    private static final VarHandle FORCED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            OPEN = l.findVarHandle(SegmentSlot.class, "open", Open.class);
            WRITES = l.findVarHandle(SegmentSlot.class, "writes", long.class);
            FORCED = l.findVarHandle(SegmentSlot.class, "forced", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SegmentChannels cache;
    /** Changed only under the monitor (compaction's rename); reopening reads it there. */
    private Path file;
    private volatile Open open;
    private volatile boolean closed;
    private volatile boolean gone;
    /** Writes made (single writer); {@code forced} is how many the last force covered. */
    private volatile long writes;
    private volatile long forced;
    /** A failed force of this file: later forces throw it (the data may not be on disk). */
    private volatile IOException forceFailure;

    SegmentSlot(SegmentChannels cache, Path file) {
        this.cache = cache;
        this.file = file;
    }

    /** A lease on an open channel: the fast path is a volatile read and one CAS. */
    private Open lease() throws IOException {
        Open o = open;
        if (o != null && o.retain()) {
            if (!o.used) {
                o.used = true;
            }
            return o;
        }
        return openLocked(false);
    }

    void release(Open o) {
        o.refs.decrementAndGet();
    }

    /** Opens the file (again) unless another thread just did; returns it leased. */
    synchronized Open openLocked(boolean create) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        Open o = open;
        if (o != null && o.retain()) {
            return o;
        }
        if (gone) {
            throw new SegmentChannels.SegmentGone(file);
        }
        FileChannel ch = create
                ? FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Open n = new Open(this, ch);
        open = n;
        cache.opened(n);
        return n;
    }

    /**
     * After {@code e} from a leased channel: mark it dead (closing it and counting it out
     * once) and say whether to retry, i.e. the slot is still open and this thread was not
     * the one interrupted. Otherwise rethrows.
     */
    private void afterClosed(Open o, ClosedChannelException e, int attempt) throws IOException {
        if (o.kill()) {
            closeQuietly(o);
        }
        if (closed || e instanceof ClosedByInterruptException || Thread.currentThread().isInterrupted()) {
            throw e;
        }
        if (attempt >= MAX_REOPENS) {
            throw new IOException("segment " + file + " keeps being closed under its readers", e);
        }
    }

    private void closeQuietly(Open o) {
        OPEN.compareAndSet(this, o, null);
        try {
            o.ch.close();
        } catch (IOException ignored) {
            // closing a read/write file channel reports nothing we could act on
        } finally {
            cache.closed();
        }
    }

    /** The evictor owns {@code o} (its count is dead): force it if dirty, then close it. */
    void evicted(Open o) {
        long w = writes;
        if (w > forced) {
            cache.evictionForces.increment();
            try {
                o.ch.force(false);
                raiseForced(w);
            } catch (IOException e) {
                forceFailure = e;
                LOG.log(Level.SEVERE, "fsync of " + file + " failed while closing it; the next snapshot will fail", e);
            }
        }
        closeQuietly(o);
    }

    boolean dirty() {
        return writes > forced;
    }

    private void raiseForced(long w) {
        for (long f = forced; f < w; f = forced) {
            if (FORCED.compareAndSet(this, f, w)) {
                return;
            }
        }
    }

    /** Reads into {@code dst} from {@code position} until it is full or the file ends; returns the bytes read. */
    public int read(ByteBuffer dst, long position) throws IOException {
        int total = 0;
        for (int attempt = 0; ; attempt++) {
            Open o = lease();
            try {
                while (dst.hasRemaining()) {
                    int n = o.ch.read(dst, position + total);
                    if (n < 0) {
                        break;
                    }
                    total += n;
                }
                return total;
            } catch (ClosedChannelException e) {
                afterClosed(o, e, attempt);
            } finally {
                release(o);
            }
        }
    }

    /** One writer: writes all of {@code src} at {@code position}. */
    public void write(ByteBuffer src, long position) throws IOException {
        long at = position;
        for (int attempt = 0; ; attempt++) {
            Open o = lease();
            try {
                while (src.hasRemaining()) {
                    at += o.ch.write(src, at);
                }
                WRITES.setRelease(this, writes + 1); // before the release below: eviction sees it
                return;
            } catch (ClosedChannelException e) {
                afterClosed(o, e, attempt);
            } finally {
                release(o);
            }
        }
    }

    /** One writer: cuts the file to {@code size}. */
    public void truncate(long size) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Open o = lease();
            try {
                o.ch.truncate(size);
                WRITES.setRelease(this, writes + 1);
                return;
            } catch (ClosedChannelException e) {
                afterClosed(o, e, attempt);
            } finally {
                release(o);
            }
        }
    }

    /** The file's size now. */
    public long size() throws IOException {
        for (int attempt = 0; ; attempt++) {
            Open o = lease();
            try {
                return o.ch.size();
            } catch (ClosedChannelException e) {
                afterClosed(o, e, attempt);
            } finally {
                release(o);
            }
        }
    }

    /**
     * fsync (data only) if anything was written since the last force: everything written
     * before the call is durable after it, even through a channel closed since. Throws the
     * failure of an earlier force made at eviction, if any.
     */
    public void force() throws IOException {
        IOException failed = forceFailure;
        if (failed != null) {
            throw new IOException("an earlier fsync of " + file + " failed: " + failed.getMessage(), failed);
        }
        long w = writes;
        if (w <= forced) {
            return;
        }
        for (int attempt = 0; ; attempt++) {
            Open o = lease();
            try {
                o.ch.force(false);
                raiseForced(w);
                return;
            } catch (ClosedChannelException e) {
                afterClosed(o, e, attempt);
            } finally {
                release(o);
            }
        }
    }

    /**
     * The file is about to be removed or replaced: from now on it is never opened by name
     * again. An open channel stays usable until evicted or closed.
     */
    public void retire() {
        gone = true;
    }

    /** Compaction's rename: the same file (inode) now has this name. */
    public synchronized void renamed(Path to) {
        file = to;
    }

    public synchronized Path file() {
        return file;
    }

    SegmentChannels cache() {
        return cache;
    }

    /** Is a channel open now (tests). */
    boolean isOpen() {
        Open o = open;
        return o != null && !o.dead();
    }

    /**
     * For good: closes the channel at once, even under readers (they get
     * {@link ClosedChannelException}, as they would have with the file deleted).
     */
    public synchronized void close() {
        closed = true;
        Open o = open;
        if (o != null && o.kill()) {
            closeQuietly(o);
        }
    }
}
