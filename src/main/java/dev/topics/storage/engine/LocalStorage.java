package dev.topics.storage.engine;

import dev.topics.storage.AppendRequest;
import dev.topics.storage.AppendResult;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.CursorMove;
import dev.topics.storage.DeleteResult;
import dev.topics.storage.ReadResult;
import dev.topics.storage.RecordFilter;
import dev.topics.storage.RecoveryReport;
import dev.topics.storage.Storage;
import dev.topics.storage.StorageException;
import dev.topics.storage.StorageOptions;
import dev.topics.storage.StreamMeta;
import dev.topics.storage.Tombstone;
import dev.topics.storage.TopicChange;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicInfo;
import dev.topics.storage.TopicPatch;
import dev.topics.storage.io.CorruptFrame;
import dev.topics.storage.wal.AppendRing;
import dev.topics.storage.wal.CommitTask;
import dev.topics.storage.wal.Committer;
import dev.topics.storage.wal.DiskSpace;
import dev.topics.storage.wal.OutOfSpace;
import dev.topics.storage.wal.WalWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;

/**
 * The engine on local disk (DESIGN.md): a WAL shared by all topics fed by group commit,
 * per-topic segments with sparse indexes and an in-memory tail, snapshots. Opening it
 * runs recovery; see {@link Recovery}.
 */
public final class LocalStorage implements Storage {
    private static final int RING_SIZE = 1 << 14;

    private final DataDir dir;
    private final Engine engine;
    private final Committer committer;
    private final String nodeId;
    private final RecoveryReport recovery;
    private volatile boolean closed;

    private LocalStorage(DataDir dir, Engine engine, Committer committer, String nodeId, RecoveryReport recovery) {
        this.dir = dir;
        this.engine = engine;
        this.committer = committer;
        this.nodeId = nodeId;
        this.recovery = recovery;
    }

    /** Opens (and recovers) the data directory; damage stops it (see {@link Recovery}). */
    public static LocalStorage open(StorageOptions options) throws IOException {
        return open(options, false);
    }

    /**
     * Opens (and recovers) the data directory. With {@code repair}, damage in the WAL is
     * cut instead of refused, and {@link RecoveryReport#repaired()} says what was dropped.
     */
    public static LocalStorage open(StorageOptions options, boolean repair) throws IOException {
        DataDir dir = new DataDir(options.dataDir());
        try {
            String nodeId = dir.nodeId(options.nodeId());
            Engine engine = new Engine(options);
            Recovery recovery = new Recovery(engine, dir.walDir, repair);
            RecoveryReport report = recovery.run();
            recovery.checkSegmentsHoldEverything();
            recovery.finish();
            // evictions logged but not yet written when the last run stopped are redone before
            // anyone reads: a restart never shows records that retention had dropped
            for (TopicLog t : engine.byName.values()) {
                engine.enforceRetention(t);
                if (t.segments != null) {
                    t.segments.retireBefore(t.head.earliestSeq()); // left by a stop within the grace period
                }
            }
            WalWriter wal = new WalWriter(dir.walDir, recovery.nextWalFile(), options.walFileBytes());
            Committer committer = new Committer(new AppendRing<>(RING_SIZE), wal, engine, options.asyncFlushMs(),
                    new DiskSpace(dir.walDir, options.diskReserveBytes()));
            engine.committer(committer);
            committer.start();
            LocalStorage storage = new LocalStorage(dir, engine, committer, nodeId, report);
            Thread.ofVirtual().name("topics-stream-expiry").start(storage::expireStreams);
            return storage;
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    private void submit(CommitTask task) {
        committer.submit(task);
        Throwable f = task.failure();
        if (f == null) {
            return;
        }
        if (f instanceof StorageException se) {
            throw se;
        }
        if (f instanceof OutOfSpace) {
            throw new StorageException.InsufficientStorage(f.getMessage());
        }
        throw new StorageException.Unavailable("write failed: " + f.getMessage(), f);
    }

    @Override
    public AppendResult append(AppendRequest request) {
        AppendTask task = new AppendTask(engine, request);
        submit(task);
        return task.result();
    }

    @Override
    public DeleteResult deleteRecords(String topic, RecordFilter match, long fromSeq, long toSeq) {
        DeleteTask task = new DeleteTask(engine, topic, match, fromSeq, toSeq);
        submit(task);
        return task.result();
    }

    @Override
    public TopicChange putTopic(String name, TopicPatch patch, String owner, TopicConfig defaults) {
        TopicTask task = new TopicTask(engine, TopicTask.Kind.PUT, name, patch, owner, defaults);
        submit(task);
        return task.result();
    }

    @Override
    public TopicChange patchTopic(String name, TopicPatch patch) {
        TopicTask task = new TopicTask(engine, TopicTask.Kind.PATCH, name, patch, null, null);
        submit(task);
        return task.result();
    }

    @Override
    public TopicChange deleteTopic(String name) {
        TopicTask task = new TopicTask(engine, TopicTask.Kind.DELETE, name, null, null, null);
        submit(task);
        return task.result();
    }

    private TopicLog require(String name) {
        TopicLog t = engine.published.get(name);
        if (t == null) {
            throw new StorageException.TopicNotFound(name);
        }
        StreamMeta m = t.streamView;
        if (m != null && m.softDeleted()) {
            throw new StorageException.StreamGone(name);
        }
        return t;
    }

    /**
     * The {@code topics-stream-expiry} thread: four times a second, each Durable Streams stream
     * past its TTL or expiry time (SPEC §16) is deleted through the committer like any delete
     * (soft-deleted while forks read it). The commit checks again, so a stream used since is
     * kept. Ends when the storage closes or fails.
     */
    private void expireStreams() {
        while (!closed) {
            try {
                Thread.sleep(EXPIRY_SWEEP_MS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.currentTimeMillis();
            for (TopicLog t : engine.expiring) {
                StreamMeta m = t.streamView;
                if (closed || m == null || m.softDeleted() || !m.expired(now, t.lastAccessMs)) {
                    continue;
                }
                try {
                    submit(new TopicTask(engine, TopicTask.Kind.EXPIRE, t.name, null, null, null));
                } catch (StorageException e) {
                    if (closed || failure() != null) {
                        return;
                    }
                    LOG.warning("stream '" + t.name + "' expired but could not be deleted yet: " + e.getMessage());
                }
            }
        }
    }

    private static final long EXPIRY_SWEEP_MS = 250;
    private static final Logger LOG = Logger.getLogger(LocalStorage.class.getName());

    @Override
    public void touch(String topic) {
        TopicLog t = engine.published.get(topic);
        if (t != null) {
            t.touch();
        }
    }

    @Override
    public TopicInfo topic(String name) {
        return require(name).info();
    }

    @Override
    public List<TopicInfo> list(String prefix, String after, int limit) {
        // start at whichever comes later: the prefix or the page's last name
        var view = after == null || after.compareTo(prefix) < 0
                ? engine.published.tailMap(prefix, true)
                : engine.published.tailMap(after, false);
        List<TopicInfo> out = new ArrayList<>(Math.min(limit, 1024));
        for (TopicLog t : view.values()) {
            if (!t.name.startsWith(prefix)) {
                break; // names with the prefix are one contiguous run from the prefix on
            }
            StreamMeta m = t.streamView;
            if (m != null && m.softDeleted()) {
                continue; // deleted for everyone but its forks
            }
            out.add(t.info());
            if (out.size() >= limit) {
                break;
            }
        }
        return out;
    }

    @Override
    public ReadResult read(String topic, long fromSeq, int limit, long maxBytes, byte[] skipNode, RecordFilter filter) {
        TopicLog t = require(topic);
        t.touch();
        TopicLog.Head h = t.head;
        if (fromSeq > h.headSeq()) {
            return new ReadResult(List.of(), 0, h.headSeq(), h.earliestSeq(), new Tombstone.Reset(h.headSeq()));
        }
        StreamMeta m = t.streamView;
        if (t.source != null && m != null && m.fork() != null && fromSeq < m.fork().at()) {
            return readFork(t, fromSeq, limit, maxBytes, skipNode, filter);
        }
        ReadCollector c = new ReadCollector(limit, maxBytes, skipNode, filter, t.removed);
        // records below earliest are gone; a cursor behind retention's evictions is told so
        long start = Math.max(fromSeq + 1, h.earliestSeq());
        Tombstone tombstone = fromSeq < h.evictedThrough()
                ? new Tombstone.Retention(fromSeq + 1, Math.min(h.evictedThrough(), h.earliestSeq() - 1))
                : null;
        if (start <= h.headSeq()) {
            try {
                t.scan(start, h.headSeq(), c::visit);
            } catch (IOException e) {
                if (t.deleted) {
                    throw new StorageException.TopicNotFound(topic);
                }
                throw new StorageException.Unavailable("read failed: " + e.getMessage(), e);
            } catch (CorruptFrame e) {
                throw new StorageException.Damaged("topic '" + topic + "' has a damaged record on disk and cannot be read"
                        + " past it; the server log names the file and byte", e);
            }
        }
        long next = c.stopped ? c.lastExamined : h.headSeq();
        return new ReadResult(c.records, next, h.headSeq(), h.earliestSeq(), tombstone);
    }

    /**
     * A read of a fork from before its fork point (SPEC §16): the source's records up to it
     * (recursively), then the fork's own, in one answer; removed seqs are each topic's own.
     */
    private ReadResult readFork(TopicLog t, long fromSeq, int limit, long maxBytes, byte[] skipNode,
                                RecordFilter filter) {
        TopicLog.Head h = t.head;
        ReadCollector c = new ReadCollector(limit, maxBytes, skipNode, filter, RemovedSeqs.NONE);
        try {
            t.scanStitched(fromSeq + 1, h.headSeq(), r -> c.removed = r, c::visit);
        } catch (IOException e) {
            if (t.deleted) {
                throw new StorageException.TopicNotFound(t.name);
            }
            throw new StorageException.Unavailable("read failed: " + e.getMessage(), e);
        } catch (CorruptFrame e) {
            throw new StorageException.Damaged("topic '" + t.name + "' has a damaged record on disk and cannot be read"
                    + " past it; the server log names the file and byte", e);
        }
        long next = c.stopped ? c.lastExamined : h.headSeq();
        return new ReadResult(c.records, next, h.headSeq(), 1, null);
    }

    @Override
    public boolean awaitAfter(String topic, long afterSeq, long timeoutMillis) throws InterruptedException {
        TopicLog t = require(topic);
        return t.signal.await(() -> t.deleted || t.head.headSeq() > afterSeq || closed(t) || softDeleted(t),
                TimeUnit.MILLISECONDS.toNanos(timeoutMillis)) && !t.deleted;
    }

    /** A stream deleted while forks read it: gone for its readers, whose next read says so. */
    private static boolean softDeleted(TopicLog t) {
        StreamMeta m = t.streamView;
        return m != null && m.softDeleted();
    }

    /** A closed stream takes no more records: waiting for one would wait forever. */
    private static boolean closed(TopicLog t) {
        StreamMeta m = t.streamView;
        return m != null && m.closed();
    }

    @Override
    public boolean awaitAny(Map<String, Long> cursors, long timeoutMillis) {
        Thread me = Thread.currentThread();
        List<TopicLog> topics = new ArrayList<>();
        try {
            for (var e : cursors.entrySet()) {
                TopicLog t = engine.published.get(e.getKey());
                if (t == null) {
                    return true;
                }
                t.signal.addWaker(me);
                topics.add(t);
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (true) {
                for (TopicLog t : topics) {
                    if (t.deleted || t.head.headSeq() > cursors.get(t.name) || softDeleted(t)) {
                        return true;
                    }
                }
                if (me.isInterrupted()) {
                    return true; // the caller decides what the interrupt means
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                LockSupport.parkNanos(this, left);
            }
        } finally {
            for (TopicLog t : topics) {
                t.signal.removeWaker(me);
            }
        }
    }

    @Override
    public void putWatch(String wid, byte[] spec) {
        WatchTask task = new WatchTask(engine, wid, spec);
        submit(task);
    }

    @Override
    public byte[] watch(String wid) {
        return engine.watches.get(wid);
    }

    @Override
    public void deleteWatch(String wid) {
        submit(new WatchTask(engine, wid, null));
    }

    @Override
    public Set<String> watchIds() {
        return Set.copyOf(engine.watches.keySet());
    }

    @Override
    public ControlEntry putControl(ControlEntry entry, boolean keepCursor) {
        ControlTask task = ControlTask.put(engine, entry, keepCursor);
        submit(task);
        return task.result();
    }

    @Override
    public ControlEntry control(ControlEntry.Key key) {
        return engine.controlView.get(key);
    }

    @Override
    public List<ControlEntry> controls(ControlEntry.Kind kind) {
        List<ControlEntry> out = new ArrayList<>();
        for (ControlEntry e : engine.controlView.values()) {
            if (e.kind() == kind) {
                out.add(e);
            }
        }
        out.sort(Comparator.comparing(ControlEntry::id));
        return out;
    }

    @Override
    public ControlEntry deleteControl(ControlEntry.Key key) {
        ControlTask task = ControlTask.remove(engine, key);
        submit(task);
        return task.result();
    }

    @Override
    public ControlEntry moveCursor(CursorMove move) {
        ControlTask task = ControlTask.move(engine, move, false);
        submit(task);
        return task.result();
    }

    @Override
    public ControlEntry advanceCursor(ControlEntry.Key key, long to) {
        ControlTask task = ControlTask.move(engine, new CursorMove(key, -1, to), true);
        submit(task);
        return task.result();
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public RecoveryReport recovery() {
        return recovery;
    }

    @Override
    public Throwable failure() {
        Throwable broken = committer.broken();
        if (broken != null) {
            return broken;
        }
        return committer.isAlive() || closed ? null : new IllegalStateException("the commit thread has stopped");
    }

    /** Commit counters (for metrics and benchmarks). */
    public Committer.Stats commitStats() {
        return committer.stats();
    }

    @Override
    public void snapshot() {
        var done = engine.requestSnapshot();
        try {
            while (true) {
                try {
                    done.get(100, TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException e) {
                    Throwable f = failure(); // a committer that died takes no more requests
                    if (f != null) {
                        throw new StorageException.Unavailable("the storage engine has stopped: " + f.getMessage(), f);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException.Unavailable("interrupted", e);
        } catch (ExecutionException e) {
            throw new StorageException.Unavailable("snapshot failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            committer.close();
            for (TopicLog t : engine.byName.values()) {
                if (t.segments != null) {
                    t.segments.close();
                }
            }
            dir.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
