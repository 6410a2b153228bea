package dev.topics.storage;

import dev.topics.storage.segment.SegmentFiles;
import dev.topics.storage.segment.SegmentLog;
import dev.topics.storage.snapshot.SnapshotFile;
import dev.topics.storage.wal.ByteSink;
import dev.topics.storage.wal.Committer;
import dev.topics.storage.wal.WalWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

/**
 * The engine's state and the mutations shared by live commits and WAL replay, so replay
 * does exactly what the live path did.
 *
 * <p>Threads: the topic maps {@code byName}/{@code byId} and {@code nextTopicId} belong
 * to the committer (and to recovery before the committer starts). {@code published} is
 * what readers see: a topic enters it when its creation is committed and leaves when its
 * deletion is.
 */
final class Engine implements Committer.Duties {
    final StorageOptions options;
    final Path topicsDir;
    final Path snapshotDir;
    final Map<String, TopicLog> byName = new HashMap<>();
    final Map<Long, TopicLog> byId = new HashMap<>();
    final ConcurrentSkipListMap<String, TopicLog> published = new ConcurrentSkipListMap<>();
    long nextTopicId = 1;

    private long lastSnapshotNanos = System.nanoTime();
    private long walBytesAtSnapshot;
    private Committer committer;
    private volatile CompletableFuture<Void> snapshotRequest;

    Engine(StorageOptions options) {
        this.options = options;
        this.topicsDir = options.dataDir().resolve(SegmentFiles.TOPICS_DIR);
        this.snapshotDir = options.dataDir().resolve(SegmentFiles.SNAPSHOT_DIR);
    }

    void committer(Committer c) {
        this.committer = c;
    }

    /** Makes a topic known to the committer (not yet to readers). */
    TopicLog newTopic(long id, String name, String owner, long createdAtMs, TopicConfig config) throws IOException {
        // Checked before any file exists: the create frame stores both as u16-length strings.
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 0xFFFF
                || (owner != null && owner.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 0xFFFF)) {
            throw new IllegalArgumentException("topic name or owner over 65535 bytes");
        }
        SegmentLog segs = config.durable()
                ? SegmentLog.create(SegmentFiles.topicDir(options.dataDir(), id), 1, options.segmentBytes(),
                options.indexIntervalBytes())
                : null;
        TopicLog t = new TopicLog(id, name, owner, createdAtMs, config, segs, options.tailBytes(), TopicLog.emptyHead(0));
        register(t);
        nextTopicId = Math.max(nextTopicId, id + 1);
        return t;
    }

    void register(TopicLog t) {
        byName.put(t.name, t);
        byId.put(t.id, t);
    }

    void publish(TopicLog t) {
        published.put(t.name, t);
    }

    /** Committer: forgets a topic and removes its files. Readers see it gone at once. */
    void drop(TopicLog t) throws IOException {
        byName.remove(t.name, t);
        byId.remove(t.id, t);
        published.remove(t.name, t);
        t.markDeleted();
        if (t.segments != null) {
            t.segments.close();
            deleteTree(t.segments.dir());
        }
    }

    /** Deletes a topic directory; refuses anything not directly under {@code topics/}. */
    void deleteTree(Path dir) throws IOException {
        if (!dir.toAbsolutePath().normalize().getParent().equals(topicsDir.toAbsolutePath().normalize())) {
            throw new IllegalStateException("refusing to delete " + dir + ": not a topic directory");
        }
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Asks the committer for a snapshot; the future completes when it is durable. */
    CompletableFuture<Void> requestSnapshot() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (this) {
            CompletableFuture<Void> prev = snapshotRequest;
            if (prev != null) {
                return prev;
            }
            snapshotRequest = f;
        }
        return f;
    }

    @Override
    public void between(WalWriter wal) throws IOException {
        CompletableFuture<Void> req = snapshotRequest;
        long walBytes = committer.stats().walBytes;
        boolean due = req != null
                || walBytes - walBytesAtSnapshot >= options.snapshotWalBytes()
                || (walBytes != walBytesAtSnapshot
                && System.nanoTime() - lastSnapshotNanos >= options.snapshotIntervalMs() * 1_000_000L);
        if (due) {
            try {
                snapshot(wal);
                if (req != null) {
                    req.complete(null);
                }
            } catch (IOException | RuntimeException e) {
                if (req != null) {
                    req.completeExceptionally(e);
                }
                throw e;
            } finally {
                if (req != null) {
                    synchronized (this) {
                        snapshotRequest = null;
                    }
                }
            }
        } else if (wal.full()) {
            wal.roll();
        }
    }

    @Override
    public void shutdown(WalWriter wal) throws IOException {
        snapshot(wal);
        CompletableFuture<Void> req = snapshotRequest;
        if (req != null) {
            req.complete(null);
        }
    }

    /**
     * Committer, between groups: every applied change is in the segments. Roll the WAL so
     * the snapshot starts at a file boundary, force the segments, write the snapshot, and
     * drop the WAL files it covers.
     */
    void snapshot(WalWriter wal) throws IOException {
        long walStart = wal.roll();
        for (TopicLog t : byName.values()) {
            if (t.segments != null) {
                t.segments.force();
            }
        }
        ByteSink payload = new ByteSink(4096);
        SnapshotCodec.encode(payload, this);
        SnapshotFile.write(snapshotDir, walStart, payload.toByteArray());
        wal.deleteBefore(walStart);
        lastSnapshotNanos = System.nanoTime();
        walBytesAtSnapshot = committer.stats().walBytes;
    }
}
