package dev.topics.storage.engine;

import dev.topics.storage.io.ByteSink;
import dev.topics.storage.wal.CommitTask;

/**
 * A cluster's retention sweep (docs/CLUSTER.md): the leading node logs one a second, and
 * every node evicts what the topics' TTLs drop at the command's time, so that all evict the
 * same records. A single node sweeps by its own clock between groups instead.
 */
final class SweepTask extends CommitTask {
    private final Engine engine;

    SweepTask(Engine engine) {
        this.engine = engine;
    }

    @Override
    protected long spaceNeeded() {
        return 0;
    }

    @Override
    protected boolean mayUseReserve() {
        return true;
    }

    @Override
    protected Sync prepare(ByteSink wal) {
        return Sync.NONE;
    }

    @Override
    protected void apply() throws Exception {
        engine.sweep(now());
    }
}
