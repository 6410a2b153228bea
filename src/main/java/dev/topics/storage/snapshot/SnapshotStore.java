package dev.topics.storage.snapshot;

import java.io.IOException;

/**
 * Where a cluster's nodes share snapshots (docs/CLUSTER.md, "Shared snapshots"): named blobs,
 * the newest value per name kept, read back in the order they were put. The engine decides
 * what the blobs hold ({@link SharedSnapshot}); {@code storage.kafka}
 * implements the store on a compacted topic.
 */
public interface SnapshotStore {

    /** What {@link #scan} hands over, in the order the blobs were put. */
    interface Visitor {
        /** One blob put under {@code key}; {@code value} null: the key was removed. */
        void blob(String key, byte[] value) throws IOException;
    }

    /**
     * Puts {@code value} under {@code key} (null removes the key). Blocks while too much is in
     * flight; the puts of one thread keep their order.
     */
    void put(String key, byte[] value) throws IOException;

    /** Returns once every put before it is stored as durably as the store promises, or fails. */
    void flush() throws IOException;

    /**
     * Hands every blob the store holds to {@code visitor}, oldest first, up to its end as it
     * stands when the scan reaches it. A key may come more than once (the newest counts) until
     * the store drops the older values.
     */
    void scan(Visitor visitor) throws IOException;

    /** The largest value {@link #put} takes. */
    int maxValueBytes();

    /** Where the store is, for messages. */
    String describe();
}
