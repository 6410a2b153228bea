package dev.topics.storage.engine;

import java.util.List;

/**
 * A cluster's watch sessions in use (SPEC §5; docs/CLUSTER.md): a session opened or streaming
 * on one node must not be expired by the node that leads. Each node logs the sessions it saw
 * used, at most once a second (an open stream counts again every quarter of
 * {@code watch.session_ttl_ms}); every node then counts them used at the command's time.
 */
final class WatchesUsedTask extends ApplyOnlyTask {
    private final List<String> wids;

    WatchesUsedTask(Engine engine, List<String> wids) {
        super(engine);
        this.wids = wids;
    }

    @Override
    protected void apply() {
        long now = now();
        for (String wid : wids) {
            if (engine.watches.containsKey(wid)) {
                engine.watchUsed.merge(wid, now, Math::max);
            }
        }
    }
}
