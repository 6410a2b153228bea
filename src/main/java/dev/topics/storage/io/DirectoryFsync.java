package dev.topics.storage.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * fsync of a directory, so that a created, renamed or deleted entry in it survives a
 * crash. Linux allows opening a directory read-only and forcing it. Any thread.
 */
public final class DirectoryFsync {
    private DirectoryFsync() {
    }

    public static void directory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
