package dev.topics.storage.engine;

import dev.topics.storage.AppendResult;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A topic's remembered idempotency keys and the result each first produced. Entries
 * expire in insertion order (each expires {@code window} after its write, and writes are
 * ordered by time). Rebuilt after a crash from the snapshot and the WAL's records frames,
 * which carry the key. Committer thread only.
 */
final class IdempotencyTable {
    record Entry(AppendResult result, long expiresAtMs) {
    }

    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

    AppendResult find(String key, long nowMs) {
        expire(nowMs);
        Entry e = entries.get(key);
        return e == null ? null : e.result();
    }

    void put(String key, AppendResult result, long expiresAtMs) {
        entries.put(key, new Entry(result, expiresAtMs));
    }

    /** Replaces the result remembered for {@code key}, keeping its expiry. */
    void replace(String key, AppendResult result) {
        Entry e = entries.get(key);
        if (e != null) {
            entries.put(key, new Entry(result, e.expiresAtMs()));
        }
    }

    void expire(long nowMs) {
        Iterator<Entry> it = entries.values().iterator();
        while (it.hasNext() && it.next().expiresAtMs() <= nowMs) {
            it.remove();
        }
    }

    Map<String, Entry> entries() {
        return entries;
    }
}
