package dev.topics.storage.engine;

import java.util.List;

/**
 * A cluster's reads that restart Durable Streams TTLs (SPEC §16; docs/CLUSTER.md): a read on
 * one node keeps a stream alive on all. Each node logs the streams it saw read, at most once a
 * second; every node then counts them used at the command's time, so expiry is decided alike.
 */
final class UsedTask extends ApplyOnlyTask {
    private final List<String> topics;

    UsedTask(Engine engine, List<String> topics) {
        super(engine);
        this.topics = topics;
    }

    @Override
    protected void apply() {
        long now = now();
        for (String name : topics) {
            TopicLog t = engine.byName.get(name);
            if (t != null) {
                t.touch(now);
            }
        }
    }
}
