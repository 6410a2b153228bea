package dev.topics.storage.engine;

import dev.topics.storage.ControlEntry;
import dev.topics.storage.CursorMove;
import dev.topics.storage.StorageException;
import dev.topics.storage.io.ByteSink;
import dev.topics.storage.wal.CommitTask;

/**
 * Stores, removes, or moves the cursor of a control entry ({@link ControlEntry}): a
 * CONTROL or CURSOR frame, forced. Checked against the committer's state, so a put for a
 * topic deleted earlier in the same group, or a move of an entry removed meanwhile, is
 * refused rather than resurrected.
 */
final class ControlTask extends CommitTask {
    private final Engine engine;
    private final ControlEntry.Key key;
    private final ControlEntry put;
    private final CursorMove move;
    /** Move: forward-only instead of compare-and-set. Put: keep the cursor of the entry replaced. */
    private final boolean forward;
    private ControlEntry result;

    private ControlTask(Engine engine, ControlEntry.Key key, ControlEntry put, CursorMove move, boolean forward) {
        this.engine = engine;
        this.key = key;
        this.put = put;
        this.move = move;
        this.forward = forward;
    }

    /** Removals and cursor moves (acks: readers' progress) may use the reserve; new entries may not. */
    @Override
    protected boolean mayUseReserve() {
        return put == null;
    }

    @Override
    protected long spaceNeeded() {
        return put == null ? 1024 : put.spec().length + 4096L;
    }

    static ControlTask put(Engine engine, ControlEntry e, boolean keepCursor) {
        if (e.spec() == null) {
            throw new IllegalArgumentException("a control entry needs a spec");
        }
        return new ControlTask(engine, e.key(), e, null, keepCursor);
    }

    static ControlTask remove(Engine engine, ControlEntry.Key key) {
        return new ControlTask(engine, key, null, null, false);
    }

    /** Compare-and-set ({@code forward} false), or move-forward-only ({@code forward} true: {@code expected} unused). */
    static ControlTask move(Engine engine, CursorMove m, boolean forward) {
        return new ControlTask(engine, m.entry(), null, m, forward);
    }

    @Override
    protected Sync prepare(ByteSink wal) {
        ControlEntry now = engine.controls.get(key);
        if (move != null) {
            if (now == null) {
                throw new StorageException.ControlNotFound(key);
            }
            if (forward ? move.to() <= now.cursor() : now.cursor() != move.expected()) {
                if (forward) {
                    result = now; // never backwards: an older move is a no-op
                    return Sync.NONE;
                }
                throw new StorageException.CursorConflict(key, move.expected(), now.cursor());
            }
            result = now.withCursor(move.to());
            Frames.cursor(wal, move);
            engine.control(key, result); // after the frame: a failure to log it changes nothing
            return Sync.FORCE;
        }
        if (put == null) {
            if (now == null) {
                throw new StorageException.ControlNotFound(key);
            }
            result = now;
            Frames.control(wal, key, null);
            engine.control(key, null);
            return Sync.FORCE;
        }
        for (String t : put.topics()) {
            if (!engine.byName.containsKey(t)) {
                throw new StorageException.TopicNotFound(t);
            }
        }
        result = now; // what was there before (null: created)
        ControlEntry next = forward && now != null ? put.withCursor(now.cursor()) : put;
        Frames.control(wal, key, next);
        engine.control(key, next);
        return Sync.FORCE;
    }

    @Override
    protected void apply() {
        engine.showControl(key);
    }

    /** Put: the entry replaced (null when created). Remove: the entry removed. Move: the entry after. */
    ControlEntry result() {
        return result;
    }
}
