package dev.topics.router;

import dev.topics.json.JsonOut;
import dev.topics.storage.AppendRequest;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.CursorMove;
import dev.topics.storage.Origin;
import dev.topics.storage.ReadResult;
import dev.topics.storage.RecordBatch;
import dev.topics.storage.RecordFilter;
import dev.topics.storage.RecordView;
import dev.topics.storage.Storage;
import dev.topics.storage.StorageException;
import dev.topics.storage.Tombstone;
import dev.topics.storage.TopicConfig;
import dev.topics.worker.Backoff;
import dev.topics.worker.Worker;
import dev.topics.worker.WorkerClock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One router's loop, on its own virtual thread (SPEC §9): read the source after the cursor
 * like a watcher, copy, move the cursor; park on the source's signal when caught up.
 *
 * <p>A local copy and its cursor move are one write ({@link CursorMove}): exactly-once
 * whatever crashes. A remote copy is a POST to the other server; the cursor moves after
 * its 2xx, so a crash in between sends the batch again and the destination's
 * {@code dedupe_node} drops what it already has (at-least-once on the wire, exactly-once
 * in effect). Records keep {@code data}, {@code $tag} and {@code $node}; a record without
 * an origin gets this server's (node id, source, seq), one with an origin keeps it. A
 * remote router skips records that came from its destination ({@code $node} or
 * {@code $origin.node} equal to the destination's node id), so two servers with routers
 * both ways do not echo.
 *
 * <p>The worker ends when it is stopped or when its stored entry is gone or replaced.
 *
 * <p>In a cluster only the node that leads copies; it publishes the status (state, last
 * error, records copied: {@link #encodeStatus}) through storage when the state or error
 * changes and at most once a second while records are copied, and the other nodes show the
 * latest one. A node that starts leading counts on from the last published count.
 */
final class RouterWorker extends Worker {
    private static final Logger LOG = Logger.getLogger(RouterWorker.class.getName());
    static final int BATCH = 1000;
    static final long BATCH_BYTES = 1L << 20;
    private static final long IDLE_WAIT_MS = 500;
    /** How often a router stopped for its creator's rights looks again. */
    private static final long RIGHTS_WAIT_MS = 1000;
    static final long MAX_BACKOFF_MS = 30_000;
    /** 250 ms, 500 ms, 1 s … up to 30 s, ±12.5 %. */
    static final Backoff BACKOFF = new Backoff(250, MAX_BACKOFF_MS, 0.125);

    enum State { RUNNING, RETRYING, STOPPED }

    private final Storage storage;
    private final ControlEntry entry;
    final RouterSpec spec;
    private final TopicConfig destDefaults;
    private final RemoteDest remote;
    private volatile State state = State.RUNNING;
    private volatile String lastError;
    private final AtomicLong copied = new AtomicLong();
    private int failures;
    /** The leading node's last published status, and when (see {@link #publish}). */
    private Status published;
    private long publishedAtMs;
    private static final long PUBLISH_EVERY_MS = 1000;

    /** What {@code GET /v0/routers/{name}} shows of a worker (SPEC §9). */
    record Status(long copied, State state, String lastError) {
    }

    private final Function<RouterSpec, String> lostRights;

    RouterWorker(Storage storage, ControlEntry entry, TopicConfig destDefaults, RemoteDest remote,
                 Function<RouterSpec, String> lostRights, WorkerClock clock) {
        super(clock);
        this.lostRights = lostRights;
        this.storage = storage;
        this.entry = entry;
        this.spec = RouterSpec.of(entry);
        this.destDefaults = destDefaults;
        this.remote = remote;
    }

    void start() {
        start("topics-router-" + spec.name());
    }

    State state() {
        return status().state();
    }

    String lastError() {
        return status().lastError();
    }

    long copied() {
        return status().copied();
    }

    /** This worker's own status where it runs; elsewhere in a cluster, the one the running node published. */
    Status status() {
        Status own = new Status(copied.get(), state, lastError);
        if (storage.leads()) {
            return own;
        }
        byte[] b = storage.status(entry.key());
        return b == null ? own : decodeStatus(b);
    }

    /** {@code u64 copied  u8 state  u8 hasError  [u16 len  utf-8 error]}. */
    static byte[] encodeStatus(Status s) {
        byte[] err = s.lastError() == null ? new byte[0] : s.lastError().getBytes(StandardCharsets.UTF_8);
        int len = Math.min(err.length, 4096);
        ByteBuffer b = ByteBuffer.allocate(8 + 2 + (s.lastError() == null ? 0 : 2 + len));
        b.putLong(s.copied()).put((byte) s.state().ordinal()).put((byte) (s.lastError() == null ? 0 : 1));
        if (s.lastError() != null) {
            b.putShort((short) len).put(err, 0, len);
        }
        return b.array();
    }

    static Status decodeStatus(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long copied = b.getLong();
        State state = State.values()[b.get()];
        String err = null;
        if (b.get() != 0) {
            byte[] e = new byte[b.getShort() & 0xffff];
            b.get(e);
            err = new String(e, StandardCharsets.UTF_8);
        }
        return new Status(copied, state, err);
    }

    /**
     * Leading node: publishes the status for the other nodes when the state or error changed,
     * or the count changed and a second has passed. Best effort: a log that is away is tried
     * at the next change.
     */
    private void publish() {
        Status now = new Status(copied.get(), state, lastError);
        if (now.equals(published)) {
            return;
        }
        boolean changed = published == null || published.state() != now.state()
                || !java.util.Objects.equals(published.lastError(), now.lastError());
        if (!changed && clock.millis() - publishedAtMs < PUBLISH_EVERY_MS) {
            return;
        }
        try {
            storage.publishStatus(entry.key(), encodeStatus(now));
            published = now;
            publishedAtMs = clock.millis();
        } catch (StorageException e) {
            // the cluster's log is away: the next change tries again
        }
    }

    /** The stored spec this worker runs (a replaced router's worker ends by itself). */
    byte[] spec() {
        return entry.spec();
    }

    @Override
    public void run() {
        RecordFilter userFilter = spec.filter();
        boolean led = false;
        try {
            while (!stopping()) {
                ControlEntry now = storage.control(entry.key());
                if (now == null || !Arrays.equals(now.spec(), entry.spec())) {
                    return; // deleted (or its topic was), or replaced by a newer worker
                }
                if (!storage.leads()) {
                    led = false;
                    clock.sleep(Worker.FOLLOWER_WAIT_MS); // another node of the cluster runs the workers
                    continue;
                }
                if (!led) { // starts running here: count on from what the node that ran it published
                    led = true;
                    byte[] b = storage.status(entry.key());
                    if (b != null) {
                        copied.set(decodeStatus(b).copied());
                    }
                    state = State.RUNNING;
                    lastError = null;
                }
                publish();
                String lost = lostRights.apply(spec);
                if (lost != null) {
                    fail(State.STOPPED, lost); // SPEC §9: stopped until its creator's rights come back
                    clock.sleep(RIGHTS_WAIT_MS);
                    continue;
                }
                try {
                    step(now.cursor(), userFilter);
                } catch (StorageException.CursorConflict | StorageException.ControlNotFound e) {
                    // changed under us: look again
                } catch (StorageException.TopicNotFound | StorageException.StreamGone e) {
                    if (storage.control(entry.key()) != null) {
                        fail(State.STOPPED, e.getMessage());
                        return;
                    }
                    return;
                } catch (StorageException e) {
                    fail(State.RETRYING, e.getMessage());
                    backoff();
                } catch (RemoteDest.Failure e) {
                    fail(State.RETRYING, e.getMessage());
                    backoff();
                }
            }
        } catch (InterruptedException e) {
            // stopped
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "router " + spec.name() + " stopped", e);
            fail(State.STOPPED, "internal error: " + e);
        }
    }

    private void step(long cursor, RecordFilter userFilter) throws InterruptedException, RemoteDest.Failure {
        RecordFilter filter = userFilter;
        if (remote != null) {
            // learns the destination's node id first: nothing is read before it is known
            RecordFilter notEcho = remote.notFromDest();
            filter = userFilter == null ? notEcho : r -> notEcho.test(r) && userFilter.test(r);
        }
        ReadResult r = storage.read(spec.source(), cursor, BATCH, BATCH_BYTES, null, filter);
        long next = r.nextFromSeq();
        if (r.tombstone() instanceof Tombstone.Reset) {
            // the source is younger than the cursor (cannot happen while the router belongs to
            // it, since deleting the source deletes the router): start over at its beginning
            storage.moveCursor(new CursorMove(entry.key(), cursor, 0));
            return;
        }
        if (r.records().isEmpty()) {
            if (next > cursor) {
                storage.moveCursor(new CursorMove(entry.key(), cursor, next)); // skipped or evicted only
            } else {
                storage.awaitAfter(spec.source(), cursor, IDLE_WAIT_MS);
                if (Thread.interrupted() && stopping()) {
                    throw new InterruptedException();
                }
            }
            running();
            return;
        }
        int n = r.records().size();
        copied.addAndGet(n); // counted before the cursor moves, so a status never shows the move without them
        try {
            if (remote != null) {
                remote.send(r.records(), spec.source(), storage.nodeId());
                storage.moveCursor(new CursorMove(entry.key(), cursor, next));
            } else {
                RecordBatch batch = new RecordBatch((int) Math.min(Integer.MAX_VALUE, 256L + n * 128L));
                for (RecordView v : r.records()) {
                    Origin o = v.origin();
                    batch.add(v.data(), v.tag(), v.node(), o != null ? o : new Origin(storage.nodeId(), spec.source(), v.seq()),
                            v.contentType());
                }
                storage.append(new AppendRequest(spec.dest(), batch, null, spec.creator(), destDefaults,
                        new CursorMove(entry.key(), cursor, next)));
            }
        } catch (RuntimeException | RemoteDest.Failure | InterruptedException e) {
            copied.addAndGet(-n);
            throw e;
        }
        running();
    }

    private void running() {
        if (state != State.RUNNING) {
            state = State.RUNNING;
        }
        failures = 0;
    }

    private void fail(State s, String why) {
        lastError = why;
        state = s;
        publish(); // before a backoff: the other nodes see it now
    }

    private void backoff() throws InterruptedException {
        clock.sleep(BACKOFF.delayMs(++failures));
    }

    /** Writes the status fields of SPEC §9 into the open object. */
    void status(JsonOut out, long cursor, long sourceHead) {
        Status s = status();
        out.field("cursor", cursor).field("source_head_seq", sourceHead).field("lag", Math.max(0, sourceHead - cursor))
                .field("copied", s.copied()).field("state", s.state().name().toLowerCase(Locale.ROOT))
                .field("last_error", s.lastError());
    }
}
