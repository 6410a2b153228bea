package dev.topics.storage.engine;

import dev.topics.storage.AppendResult;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A topic's remembered idempotency keys and the result each first produced. Entries
 * expire in insertion order (each expires {@code window} after its write, and writes are
 * ordered by time). Rebuilt after a crash from the snapshot and the WAL's records frames,
 * which carry the key. Committer thread only. Most topics never see a key: the map is made
 * by the first and dropped when the last expires (a topic's fixed cost, benchmarks P7).
 */
final class IdempotencyTable {
    record Entry(AppendResult result, long expiresAtMs) {
    }

    /** Null while no key is remembered. */
    private LinkedHashMap<String, Entry> entries;

    AppendResult find(String key, long nowMs) {
        expire(nowMs);
        Entry e = entries == null ? null : entries.get(key);
        return e == null ? null : e.result();
    }

    void put(String key, AppendResult result, long expiresAtMs) {
        if (entries == null) {
            entries = new LinkedHashMap<>();
        }
        entries.put(key, new Entry(result, expiresAtMs));
    }

    /** Replaces the result remembered for {@code key}, keeping its expiry. */
    void replace(String key, AppendResult result) {
        Entry e = entries == null ? null : entries.get(key);
        if (e != null) {
            entries.put(key, new Entry(result, e.expiresAtMs()));
        }
    }

    void expire(long nowMs) {
        if (entries == null) {
            return;
        }
        Iterator<Entry> it = entries.values().iterator();
        while (it.hasNext() && it.next().expiresAtMs() <= nowMs) {
            it.remove();
        }
        if (entries.isEmpty()) {
            entries = null;
        }
    }

    /** The remembered keys in expiry order (read-only when empty). */
    Map<String, Entry> entries() {
        return entries == null ? Map.of() : entries;
    }
}
