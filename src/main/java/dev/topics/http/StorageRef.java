package dev.topics.http;

import dev.topics.storage.Storage;

/**
 * The storage engine once recovery has finished. The HTTP server starts first (so
 * {@code /healthz} answers and {@code /readyz} can say "not yet"); until then every
 * request that needs storage gets 503 {@code not_ready}.
 */
public final class StorageRef {
    private volatile Storage storage;

    public void set(Storage s) {
        storage = s;
    }

    /** Recovery is done and the engine can write. */
    public boolean ready() {
        Storage s = storage;
        return s != null && s.failure() == null;
    }

    /** Recovery is done (the engine may have failed since). */
    public boolean recovered() {
        return storage != null;
    }

    public Storage get() {
        Storage s = storage;
        if (s == null) {
            throw new ApiError(503, "not_ready", "the server is still recovering its data");
        }
        return s;
    }
}
