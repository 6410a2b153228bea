package dev.topics.storage.snapshot;

import dev.topics.storage.fault.Faults;
import dev.topics.storage.wal.AtomicFsync;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a file so that after a crash it holds either the old or the new content,
 * never a mix: write {@code name.tmp} → fsync it → rename over {@code name} → fsync the
 * directory. Any thread, but one writer per file.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    public static void write(Path dir, String name, byte[] content) throws IOException {
        write(dir, name, content, null);
    }

    /** As {@link #write(Path, String, byte[])}, naming a fault point reached just before the rename. */
    public static void write(Path dir, String name, byte[] content, String faultBeforeRename) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer bb = ByteBuffer.wrap(content);
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
            ch.force(true);
        }
        if (faultBeforeRename != null) {
            Faults.at(faultBeforeRename);
        }
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        AtomicFsync.directory(dir);
    }
}
