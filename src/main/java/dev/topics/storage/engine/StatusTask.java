package dev.topics.storage.engine;

import dev.topics.storage.ControlEntry;

/**
 * A worker's status in a cluster (docs/CLUSTER.md): the node that runs a router publishes its
 * state, last error and records copied, and every node keeps the latest, so that a node that
 * does not run the worker shows what the one that does knows. Kept only while the entry
 * exists (a status that arrives after its entry was removed is dropped).
 */
final class StatusTask extends ApplyOnlyTask {
    private final ControlEntry.Key key;
    private final byte[] status;

    StatusTask(Engine engine, ControlEntry.Key key, byte[] status) {
        super(engine);
        this.key = key;
        this.status = status;
    }

    @Override
    protected void apply() {
        if (engine.controls.containsKey(key)) {
            engine.statuses.put(key, status);
        }
    }
}
