package dev.topics.storage.engine;

import java.util.List;

/**
 * A cluster's uses that restart a TTL (docs/CLUSTER.md): a Durable Streams read (SPEC §16) or
 * a watch session opened or streaming (SPEC §5) on one node keeps it alive on all. Each node
 * logs what it saw used, at most once a second (an open watch stream counts again every
 * quarter of {@code watch.session_ttl_ms}); every node then counts them used at the command's
 * time, so the node that decides expiry sees every node's uses.
 */
final class UsedTask extends ApplyOnlyTask {
    private final List<String> names;
    private final boolean watches;

    /** {@code names}: topics (streams), or, with {@code watches}, watch session ids. */
    UsedTask(Engine engine, List<String> names, boolean watches) {
        super(engine);
        this.names = names;
        this.watches = watches;
    }

    @Override
    protected void apply() {
        long now = now();
        for (String name : names) {
            if (watches) {
                if (engine.watches.containsKey(name)) {
                    engine.watchUsed.merge(name, now, Math::max);
                }
            } else {
                TopicLog t = engine.byName.get(name);
                if (t != null) {
                    t.touch(now);
                }
            }
        }
    }
}
