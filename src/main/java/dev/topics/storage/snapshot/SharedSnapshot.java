package dev.topics.storage.snapshot;

import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.ByteSource;
import dev.topics.storage.io.Bytes;
import dev.topics.storage.io.CorruptFrame;
import dev.topics.storage.io.DirectoryFsync;
import dev.topics.storage.io.FileNames;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A cluster node's snapshot shared through a {@link SnapshotStore}, so that a node with no
 * usable local state (a wiped one, or one whose snapshot is older than the log's retention)
 * starts from it and follows the log from the offset after it (docs/CLUSTER.md, "Shared
 * snapshots"). What is shared is the snapshot file and every segment file it counts on, as
 * they were when the snapshot was captured.
 *
 * <p><b>Blobs.</b> Content-addressed, so that a snapshot puts only the chunks the previous
 * one did not (sealed segments do not change):
 * <pre>
 * c/&lt;hex&gt;   a chunk: up to {@link #CHUNK_BYTES} of one file; hex is the lowercase SHA-256 of its bytes
 * manifest  root := "TSHR" u8 version(=1) u8[3] zero  u64 offset  u64 bodySize  u8[32] bodySha256
 *                   u32 chunkCount  u8[32]*chunkCount                  (the body's chunks, in order)
 * body := u32 fileCount file*
 * file := str16 path  u64 size  u8[32] sha256  u32 chunkCount  u8[32]*chunkCount
 * </pre>
 * Integers are little-endian. {@code offset} is the last log offset the snapshot covers.
 * {@code path} is relative to the data directory and is one of
 * {@code topics/<topic id>/<base seq>.seg} or {@code snapshots/<n>.snap}; a reader refuses any
 * other, so nothing outside the data directory's own places is ever written.
 *
 * <p><b>Invariants.</b>
 * <ul>
 *   <li>A root is put only once every chunk it names is stored ({@link SnapshotStore#flush}),
 *       so a reader that sees a root has seen its chunks before it.</li>
 *   <li>A chunk is removed only after a newer root that does not name it is stored; the
 *       newest root's chunks are never removed.</li>
 *   <li>A reader restores only what matches: every chunk its SHA-256, every file its size and
 *       SHA-256; anything else refuses the restore and names what did not match. Nothing is
 *       moved into the data directory before everything is verified, and the snapshot file is
 *       moved last: a restore cut short leaves no snapshot, so the next start restores again.</li>
 * </ul>
 * The writer is one thread ({@link Writer}); a reader is the starting node.
 */
public final class SharedSnapshot {
    /** The largest chunk: far below Kafka's default message size limit with its framing. */
    public static final int CHUNK_BYTES = 1 << 20;
    public static final String ROOT_KEY = "manifest";
    public static final String CHUNK_PREFIX = "c/";
    private static final int VERSION = 1;
    private static final int HASH = 32;
    /** The largest body a reader takes: 256 MiB names ~8 million chunks (8 TiB of files). */
    private static final long MAX_BODY = 256L << 20;
    private static final HexFormat HEX = HexFormat.of();

    private SharedSnapshot() {
    }

    /**
     * One file to share: the first {@code size} bytes of {@code file} (a hard link the caller
     * made and removes after the write, so the bytes stay however the data directory changes);
     * {@code path} as in the format.
     */
    public record Source(String path, Path file, long size) {
    }

    /** What one {@link Writer#write} did. */
    public record Shared(long offset, int files, int chunks, int chunksPut, long bytesPut, int chunksRemoved,
                         long bytesRead) {
    }

    /** A verified snapshot in a staging directory, not yet in place ({@link #install}). */
    public record Fetched(long offset, int files, long bytes, Path staging) {
    }

    /**
     * The writing node's side: puts snapshots and remembers which chunks the store holds, so
     * that each snapshot puts only new chunks and removes those no longer named. It learns the
     * store's chunks by scanning it before its first snapshot, and again after a failed one
     * (whose chunks may be stored without a root naming them).
     */
    public static final class Writer {
        private final SnapshotStore store;
        /** The chunks (hex) the store holds; null: not known, scan first. */
        private Set<String> stored;
        /**
         * The hashes of files read for the last snapshot, by path: a sealed segment does not
         * change, so the next snapshot reads it again only if it is no longer the same file
         * (inode, modification time or size differ: compaction wrote a new one).
         */
        private Map<String, Hashed> hashed = new HashMap<>();
        private record Hashed(Object fileKey, long modifiedNanos, long size, byte[] sha, List<byte[]> chunks) {
        }
        private final MessageDigest chunkHash = sha256();
        private final MessageDigest fileHash = sha256();
        private final int chunkBytes;

        public Writer(SnapshotStore store) {
            this.store = store;
            this.chunkBytes = Math.min(CHUNK_BYTES, store.maxValueBytes());
        }

        /**
         * Shares the snapshot covering log offset {@code offset}, made of {@code files}.
         * {@code stop} is polled between chunks: when it says so, the write ends without a
         * root (the next one starts over).
         */
        public Shared write(long offset, List<Source> files, java.util.function.BooleanSupplier stop) throws IOException {
            try {
                if (stored == null) {
                    Set<String> found = new HashSet<>();
                    store.scan((key, value) -> {
                        if (key.startsWith(CHUNK_PREFIX)) {
                            if (value == null) {
                                found.remove(key.substring(CHUNK_PREFIX.length()));
                            } else {
                                found.add(key.substring(CHUNK_PREFIX.length()));
                            }
                        }
                    });
                    stored = found;
                }
                Set<String> named = new LinkedHashSet<>();
                int[] put = new int[1];
                long[] bytes = new long[1];
                ByteSink body = new ByteSink(64 + files.size() * 128);
                body.i32(files.size());
                byte[] buf = new byte[chunkBytes];
                Map<String, Hashed> nowHashed = new HashMap<>();
                long read = 0;
                for (Source f : files) {
                    BasicFileAttributes at = Files.readAttributes(f.file(), BasicFileAttributes.class);
                    Hashed known = hashed.get(f.path());
                    long modified = at.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
                    if (known != null && at.fileKey() != null && at.fileKey().equals(known.fileKey())
                            && modified == known.modifiedNanos() && at.size() == known.size() && f.size() == at.size()
                            && named(known.chunks(), named)) {
                        nowHashed.put(f.path(), known); // the same file, whole: its chunks are stored
                        body.str16(f.path()).i64(f.size()).bytes(known.sha()).i32(known.chunks().size());
                        for (byte[] h : known.chunks()) {
                            body.bytes(h);
                        }
                        continue;
                    }
                    List<byte[]> hashes = new ArrayList<>();
                    fileHash.reset();
                    long pos = 0;
                    try (FileChannel ch = FileChannel.open(f.file(), StandardOpenOption.READ)) {
                        while (pos < f.size()) {
                            if (stop.getAsBoolean()) {
                                throw new IOException("stopped: this node no longer shares snapshots");
                            }
                            int n = (int) Math.min(chunkBytes, f.size() - pos);
                            readFully(ch, f, pos, buf, n);
                            fileHash.update(buf, 0, n);
                            hashes.add(putChunk(buf, n, named, put, bytes));
                            pos += n;
                            read += n;
                        }
                    }
                    byte[] sha = fileHash.digest();
                    if (f.size() == at.size()) {
                        nowHashed.put(f.path(), new Hashed(at.fileKey(), modified, at.size(), sha, hashes));
                    }
                    body.str16(f.path()).i64(f.size()).bytes(sha).i32(hashes.size());
                    for (byte[] h : hashes) {
                        body.bytes(h);
                    }
                }
                byte[] b = body.toByteArray();
                ByteSink root = new ByteSink(64);
                root.u8('T').u8('S').u8('H').u8('R').u8(VERSION).u8(0).u8(0).u8(0).i64(offset).i64(b.length)
                        .bytes(sha256().digest(b));
                List<byte[]> bodyChunks = new ArrayList<>();
                for (int at = 0; at < b.length; at += chunkBytes) {
                    int n = Math.min(chunkBytes, b.length - at);
                    System.arraycopy(b, at, buf, 0, n);
                    bodyChunks.add(putChunk(buf, n, named, put, bytes));
                }
                root.i32(bodyChunks.size());
                for (byte[] h : bodyChunks) {
                    root.bytes(h);
                }
                store.flush(); // every chunk stored before the root that names them
                stored.addAll(named);
                store.put(ROOT_KEY, root.toByteArray());
                store.flush();
                int removed = 0;
                for (String hex : new ArrayList<>(stored)) {
                    if (!named.contains(hex)) {
                        store.put(CHUNK_PREFIX + hex, null);
                        stored.remove(hex);
                        removed++;
                    }
                }
                store.flush();
                hashed = nowHashed;
                return new Shared(offset, files.size(), named.size(), put[0], bytes[0], removed, read);
            } catch (IOException | RuntimeException e) {
                stored = null; // chunks may be stored that no root names: learn them again
                throw e;
            }
        }

        /**
         * Names a known file's chunks in this snapshot; true when the store holds them all (it
         * does unless a chunk was removed since, or the store is being learned again).
         */
        private boolean named(List<byte[]> chunks, Set<String> named) {
            for (byte[] h : chunks) {
                if (!stored.contains(HEX.formatHex(h))) {
                    return false;
                }
            }
            for (byte[] h : chunks) {
                named.add(HEX.formatHex(h));
            }
            return true;
        }

        private byte[] putChunk(byte[] buf, int n, Set<String> named, int[] put, long[] bytes) throws IOException {
            chunkHash.reset();
            chunkHash.update(buf, 0, n);
            byte[] h = chunkHash.digest();
            String hex = HEX.formatHex(h);
            if (named.add(hex) && !stored.contains(hex)) {
                byte[] value = new byte[n];
                System.arraycopy(buf, 0, value, 0, n);
                store.put(CHUNK_PREFIX + hex, value);
                put[0]++;
                bytes[0] += n;
            }
            return h;
        }

        private static void readFully(FileChannel ch, Source f, long pos, byte[] buf, int n) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
            while (bb.hasRemaining()) {
                int r = ch.read(bb, pos + bb.position());
                if (r < 0) {
                    throw new IOException(f.path() + " ended at byte " + (pos + bb.position()) + " of the "
                            + f.size() + " the snapshot counts on");
                }
            }
        }
    }

    /**
     * Reads the store into {@code staging} (made empty first) and verifies the newest shared
     * snapshot there; returns null when the store holds none. Throws {@link CorruptFrame},
     * naming the chunk or file, when anything the newest root names is missing or does not
     * match its SHA-256. Uses up to about twice the snapshot's size in {@code staging} while
     * it works; on failure {@code staging} is removed.
     */
    public static Fetched fetch(SnapshotStore store, Path staging) throws IOException {
        deleteTree(staging);
        Path chunks = Files.createDirectories(staging.resolve("chunks"));
        Set<String> damaged = new HashSet<>();
        byte[][] root = new byte[1][];
        MessageDigest md = sha256();
        boolean ok = false;
        try {
            store.scan((key, value) -> {
                if (key.equals(ROOT_KEY)) {
                    root[0] = value;
                } else if (key.startsWith(CHUNK_PREFIX)) {
                    String hex = key.substring(CHUNK_PREFIX.length());
                    if (hex.length() != HASH * 2 || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                        return; // not one of ours: never named by a root we accept
                    }
                    Path p = chunks.resolve(hex);
                    if (value == null) {
                        damaged.remove(hex);
                        Files.deleteIfExists(p);
                    } else if (!HEX.formatHex(md.digest(value)).equals(hex)) {
                        damaged.add(hex);
                        Files.deleteIfExists(p);
                    } else {
                        damaged.remove(hex);
                        Files.write(p, value);
                    }
                }
            });
            if (root[0] == null) {
                deleteTree(staging);
                ok = true;
                return null;
            }
            Fetched f = assemble(store, root[0], chunks, damaged, staging);
            deleteTree(chunks);
            ok = true;
            return f;
        } finally {
            if (!ok) {
                deleteTree(staging);
            }
        }
    }

    private static Fetched assemble(SnapshotStore store, byte[] rootBytes, Path chunks, Set<String> damaged,
                                    Path staging) throws IOException {
        String where = "the shared snapshot (" + store.describe() + ")";
        ByteSource root = new ByteSource(rootBytes, 0, rootBytes.length);
        if (rootBytes.length < 56 || root.u8() != 'T' || root.u8() != 'S' || root.u8() != 'H' || root.u8() != 'R') {
            throw new CorruptFrame(where + ": its manifest is not one");
        }
        int version = root.u8();
        if (version != VERSION) {
            throw new CorruptFrame(where + ": its manifest has format version " + version + "; this build reads " + VERSION);
        }
        root.skip(3);
        long offset = root.i64();
        long bodySize = root.i64();
        byte[] bodySha = root.bytes(HASH);
        int n = root.i32();
        if (bodySize < 4 || bodySize > MAX_BODY || n < 0 || root.remaining() != (long) n * HASH) {
            throw new CorruptFrame(where + ": its manifest is damaged (sizes do not add up)");
        }
        byte[] body = new byte[(int) bodySize];
        int at = 0;
        for (int i = 0; i < n; i++) {
            String hex = HEX.formatHex(root.bytes(HASH));
            byte[] c = chunk(chunks, hex, damaged, where + "'s manifest");
            if (at + c.length > body.length) {
                throw new CorruptFrame(where + ": its manifest's chunks hold more than its " + bodySize + " bytes");
            }
            System.arraycopy(c, 0, body, at, c.length);
            at += c.length;
        }
        if (at != body.length || !MessageDigest.isEqual(sha256().digest(body), bodySha)) {
            throw new CorruptFrame(where + ": its manifest's body does not match its size and SHA-256");
        }
        ByteSource in = new ByteSource(body, 0, body.length);
        int files = in.i32();
        Path out = staging.resolve("files");
        long total = 0;
        List<Object[]> list = new ArrayList<>();
        Map<String, Integer> uses = new HashMap<>();
        try {
            for (int i = 0; i < files; i++) {
                String path = in.str16();
                long size = in.i64();
                byte[] sha = in.bytes(HASH);
                int cn = in.i32();
                String[] hexes = new String[cn];
                for (int j = 0; j < cn; j++) {
                    hexes[j] = HEX.formatHex(in.bytes(HASH));
                    uses.merge(hexes[j], 1, Integer::sum);
                }
                list.add(new Object[] {path, size, sha, hexes});
            }
        } catch (IndexOutOfBoundsException e) {
            throw new CorruptFrame(where + ": its manifest's body is cut short");
        }
        Set<String> seen = new HashSet<>();
        MessageDigest md = sha256();
        for (Object[] f : list) {
            String path = (String) f[0];
            long size = (Long) f[1];
            if (!validPath(path) || !seen.add(path)) {
                throw new CorruptFrame(where + " names a file this build does not restore: '" + path + "'");
            }
            Path target = out.resolve(path);
            Files.createDirectories(target.getParent());
            md.reset();
            long written = 0;
            try (OutputStream o = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (String hex : (String[]) f[3]) {
                    byte[] c = chunk(chunks, hex, damaged, path);
                    md.update(c);
                    o.write(c);
                    written += c.length;
                    if (uses.merge(hex, -1, Integer::sum) == 0) {
                        Files.deleteIfExists(chunks.resolve(hex)); // keeps the staging near one copy
                    }
                }
            }
            if (written != size || !MessageDigest.isEqual(md.digest(), (byte[]) f[2])) {
                throw new CorruptFrame(where + ": file " + path + " does not match its size and SHA-256 ("
                        + written + " bytes restored, " + size + " named)");
            }
            try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            total += size;
        }
        return new Fetched(offset, files, total, staging);
    }

    private static byte[] chunk(Path chunks, String hex, Set<String> damaged, String of) throws IOException {
        if (damaged.contains(hex)) {
            throw new CorruptFrame("chunk " + CHUNK_PREFIX + hex + " of " + of
                    + " in the shared snapshot does not match its SHA-256: the store's copy is damaged");
        }
        try {
            return Files.readAllBytes(chunks.resolve(hex));
        } catch (NoSuchFileException e) {
            throw new CorruptFrame("chunk " + CHUNK_PREFIX + hex + " of " + of + " is missing from the shared snapshot");
        }
    }

    /** {@code topics/<id>/<base>.seg} or {@code snapshots/<n>.snap}, nothing else. */
    static boolean validPath(String path) {
        String[] p = path.split("/", -1);
        if (p.length == 3 && p[0].equals(FileNames.TOPICS_DIR)) {
            return FileNames.parseTopicDir(p[1]) >= 0 && FileNames.parse(p[2], FileNames.SEGMENT_SUFFIX) >= 0
                    && p[2].equals(FileNames.segmentName(FileNames.parse(p[2], FileNames.SEGMENT_SUFFIX)));
        }
        return p.length == 2 && p[0].equals(FileNames.SNAPSHOT_DIR) && FileNames.parse(p[1], FileNames.SNAPSHOT_SUFFIX) >= 0
                && p[1].equals(FileNames.snapshotName(FileNames.parse(p[1], FileNames.SNAPSHOT_SUFFIX)));
    }

    /**
     * Puts a fetched snapshot in place of this data directory's snapshots and segments: the
     * old snapshot goes first and the new one comes last, so a crash part way leaves no
     * snapshot and the next start fetches again. Then removes the staging directory.
     */
    public static void install(Fetched f, Path dataDir) throws IOException {
        Path snapshots = dataDir.resolve(FileNames.SNAPSHOT_DIR);
        Path topics = dataDir.resolve(FileNames.TOPICS_DIR);
        try (var s = Files.list(snapshots)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.deleteIfExists(p);
            }
        }
        DirectoryFsync.directory(snapshots);
        try (var s = Files.list(topics)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                deleteTree(p);
            }
        }
        Path files = f.staging().resolve("files");
        Path stagedTopics = files.resolve(FileNames.TOPICS_DIR);
        if (Files.isDirectory(stagedTopics)) {
            try (var s = Files.list(stagedTopics)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    DirectoryFsync.directory(p);
                    Files.move(p, topics.resolve(p.getFileName().toString()), StandardCopyOption.ATOMIC_MOVE);
                }
            }
        }
        DirectoryFsync.directory(topics);
        Path stagedSnapshots = files.resolve(FileNames.SNAPSHOT_DIR);
        if (Files.isDirectory(stagedSnapshots)) {
            try (var s = Files.list(stagedSnapshots)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Files.move(p, snapshots.resolve(p.getFileName().toString()), StandardCopyOption.ATOMIC_MOVE);
                }
            }
        }
        DirectoryFsync.directory(snapshots);
        deleteTree(f.staging());
    }

    /** Removes {@code dir} and everything in it, if it exists. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
