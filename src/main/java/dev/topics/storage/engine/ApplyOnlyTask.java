package dev.topics.storage.engine;

import dev.topics.storage.io.ByteSink;
import dev.topics.storage.wal.CommitTask;

/**
 * A cluster command that changes only what every node derives at apply, at the command's
 * time, and writes nothing of its own: no frame, no disk space, allowed on a full disk
 * ({@link SweepTask}, {@link UsedTask}).
 */
abstract class ApplyOnlyTask extends CommitTask {
    protected final Engine engine;

    ApplyOnlyTask(Engine engine) {
        this.engine = engine;
    }

    @Override
    protected final long spaceNeeded() {
        return 0;
    }

    @Override
    protected final boolean mayUseReserve() {
        return true;
    }

    @Override
    protected final Sync prepare(ByteSink wal) {
        return Sync.NONE;
    }
}
