package dev.topics.storage.engine;

import dev.topics.storage.ControlEntry;
import dev.topics.storage.Storage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A worker's status in a cluster (docs/CLUSTER.md): the node that runs a router publishes its
 * state, last error and records copied, and the node that runs a webhook the deliveries that
 * changed; every node keeps them, so that a node that does not run the worker shows what the
 * one that does knows. Kept only while the entry exists (a status that arrives after its entry
 * was removed is dropped).
 */
final class StatusTask extends ApplyOnlyTask {
    private final ControlEntry.Key key;
    private final byte[] status;
    private final Map<String, byte[]> items;

    /** The latest status of the entry's worker. */
    StatusTask(Engine engine, ControlEntry.Key key, byte[] status) {
        super(engine);
        this.key = key;
        this.status = status;
        this.items = null;
    }

    /** Items of the worker's log that changed, merged into the entry's bounded list. */
    StatusTask(Engine engine, ControlEntry.Key key, Map<String, byte[]> items) {
        super(engine);
        this.key = key;
        this.status = null;
        this.items = items;
    }

    @Override
    protected void apply() {
        if (!engine.controls.containsKey(key)) {
            return;
        }
        if (items == null) {
            engine.statuses.put(key, status);
            return;
        }
        LinkedHashMap<String, byte[]> list = engine.statusItems.computeIfAbsent(key, k -> new LinkedHashMap<>());
        synchronized (list) {
            list.putAll(items); // an id seen before keeps its place
            var oldest = list.entrySet().iterator();
            while (list.size() > Storage.STATUS_ITEMS) {
                oldest.next();
                oldest.remove();
            }
        }
    }
}
