package dev.topics.storage.engine;

/**
 * A cluster's retention sweep (docs/CLUSTER.md): the leading node logs one a second, and
 * every node evicts what the topics' TTLs drop at the command's time, so that all evict the
 * same records. A single node sweeps by its own clock between groups instead.
 */
final class SweepTask extends ApplyOnlyTask {
    SweepTask(Engine engine) {
        super(engine);
    }

    @Override
    protected void apply() throws Exception {
        engine.sweep(now());
    }
}
