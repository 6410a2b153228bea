package dev.topics.storage.engine;

import dev.topics.storage.io.ByteSink;
import dev.topics.storage.wal.CommitTask;

/** Stores (or, with a null spec, removes) a watch session (SPEC §5): a WATCH frame, forced. */
final class WatchTask extends CommitTask {
    private final Engine engine;
    private final String wid;
    private final byte[] spec;

    WatchTask(Engine engine, String wid, byte[] spec) {
        this.engine = engine;
        this.wid = wid;
        this.spec = spec;
    }

    /** A session is a reader's: a few hundred bytes, allowed on a full disk so that reads keep working. */
    @Override
    protected boolean mayUseReserve() {
        return true;
    }

    @Override
    protected Sync prepare(ByteSink wal) {
        Frames.watch(wal, wid, spec == null ? new byte[0] : spec);
        return Sync.FORCE;
    }

    @Override
    protected void apply() {
        if (spec == null) {
            engine.watches.remove(wid);
            engine.watchUsed.remove(wid);
        } else {
            engine.watches.put(wid, spec);
            engine.watchUsed.merge(wid, now(), Math::max);
        }
    }
}
