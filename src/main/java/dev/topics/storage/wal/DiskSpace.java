package dev.topics.storage.wal;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The free space of the data directory's file system, as the committer's admission check
 * sees it: writes may use what is free above {@code reserve}; deletes, removals and
 * readers' small changes may use the reserve too, so that a full disk can still be
 * cleaned up through the API (docs/RELIABILITY.md). One {@code statvfs} per group.
 *
 * <p>Committer thread.
 */
public final class DiskSpace {
    private final FileStore store;
    private final long reserve;
    private long lastUsable;

    public DiskSpace(Path dir, long reserve) throws IOException {
        this.store = Files.getFileStore(dir);
        this.reserve = reserve;
    }

    /** Bytes writes may still take now: usable space above the reserve (may be negative). */
    long budget() {
        try {
            lastUsable = store.getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE / 4; // cannot tell: let the write itself find out
        }
        return lastUsable - reserve;
    }

    long reserve() {
        return reserve;
    }

    OutOfSpace refusal(long need) {
        return new OutOfSpace("the disk is full: " + lastUsable + " bytes free, this change may need " + need
                + " and " + reserve + " are kept for deletes (storage.disk_reserve_bytes); delete records or"
                + " topics, or free space, and writes resume by themselves");
    }
}
