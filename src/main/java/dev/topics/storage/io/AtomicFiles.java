package dev.topics.storage.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a file so that after a crash it holds either the old or the new content,
 * never a mix: write {@code name.tmp} ({@link FileNames#tmpName}) → fsync it → rename over
 * {@code name} → fsync the directory. Any thread, but one writer per file.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    public static void write(Path dir, String name, byte[] content) throws IOException {
        write(dir, name, content, null);
    }

    /**
     * As {@link #write(Path, String, byte[])}, running {@code beforeRename} (a fault point of
     * the caller's) once the temporary file is forced, just before the rename.
     */
    public static void write(Path dir, String name, byte[] content, Runnable beforeRename) throws IOException {
        Path tmp = dir.resolve(FileNames.tmpName(name));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer bb = ByteBuffer.wrap(content);
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
            ch.force(true);
        }
        if (beforeRename != null) {
            beforeRename.run();
        }
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DirectoryFsync.directory(dir);
    }
}
