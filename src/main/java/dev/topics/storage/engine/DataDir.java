package dev.topics.storage.engine;

import dev.topics.storage.io.AtomicFiles;
import dev.topics.storage.io.FileNames;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The data directory: its layout ({@link FileNames}), an exclusive lock so two servers
 * never share it, and the stable node id kept in it.
 */
final class DataDir implements AutoCloseable {
    final Path root;
    final Path walDir;
    private final FileChannel lockChannel;
    private final FileLock lock;

    DataDir(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root);
        this.walDir = root.resolve(FileNames.WAL_DIR);
        Files.createDirectories(walDir);
        Files.createDirectories(root.resolve(FileNames.SNAPSHOT_DIR));
        Files.createDirectories(root.resolve(FileNames.TOPICS_DIR));
        lockChannel = FileChannel.open(root.resolve(FileNames.LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            lockChannel.close();
            throw new IOException("data directory " + root + " is in use by another topics server");
        }
        lock = l;
    }

    /** The configured node id, or the one stored here (made on first start). */
    String nodeId(String configured) throws IOException {
        if (configured != null) {
            return configured;
        }
        Path p = root.resolve(FileNames.NODE_ID);
        if (Files.exists(p)) {
            String id = Files.readString(p, StandardCharsets.UTF_8).trim();
            if (!id.isEmpty()) {
                return id;
            }
        }
        byte[] r = new byte[8];
        new SecureRandom().nextBytes(r);
        String id = "n-" + HexFormat.of().formatHex(r);
        AtomicFiles.write(root, FileNames.NODE_ID, (id + "\n").getBytes(StandardCharsets.UTF_8));
        return id;
    }

    /** Releases the lock; a second call does nothing (a failed start closes it from two places). */
    @Override
    public void close() throws IOException {
        if (!lockChannel.isOpen()) {
            return;
        }
        lock.release();
        lockChannel.close();
    }
}
