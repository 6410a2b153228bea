package dev.topics.storage.wal;

import java.nio.file.FileSystemException;

/**
 * A change refused because the disk is full, or because logging it would eat into the
 * reserve kept so that deletes can still run on a full disk. Nothing of it was written.
 * Mapped to HTTP 507 {@code insufficient_storage}.
 */
public final class OutOfSpace extends RuntimeException {
    public OutOfSpace(String message) {
        super(message);
    }

    /** True when {@code t} is the file system saying it is out of space (ENOSPC, EDQUOT). */
    public static boolean is(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : c.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }
}
