package dev.topics.testing;

import dev.topics.storage.wal.WalReader;
import dev.topics.storage.wal.WalWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Damages files the way crashes and bad disks do, for crash-recovery tests: copy a data
 * directory (a copy taken while the engine is open and idle is what a crash leaves:
 * every written byte is in the page cache), cut a file, flip a bit, append garbage, and
 * find where the WAL's frames are by walking them with {@link WalReader}.
 */
public final class Corruptor {
    /** One whole WAL frame: its type and its byte range {@code [start, end)} in the file. */
    public record Frame(int type, long start, long end) {
        public long length() {
            return end - start;
        }
    }

    private Corruptor() {
    }

    /** Copies {@code src} to {@code dst} recursively; {@code dst} must not exist yet. */
    public static void copyTree(Path src, Path dst) {
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path to = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes {@code dir} and everything under it, if it exists. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh copy of {@code src} at {@code dst}, replacing whatever was there. */
    public static Path freshCopy(Path src, Path dst) {
        deleteTree(dst);
        copyTree(src, dst);
        return dst;
    }

    /** Cuts {@code file} to {@code size} bytes. */
    public static void truncate(Path file, long size) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            if (size > ch.size()) {
                throw new IllegalArgumentException("cannot truncate " + file + " of " + ch.size() + " bytes to " + size);
            }
            ch.truncate(size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flips bit {@code bit} (0–7) of the byte at {@code offset}. */
    public static void flipBit(Path file, long offset, int bit) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            if (ch.read(b, offset) != 1) {
                throw new IllegalArgumentException("offset " + offset + " is past the end of " + file);
            }
            b.flip();
            byte v = (byte) (b.get(0) ^ (1 << bit));
            ch.write(ByteBuffer.wrap(new byte[] {v}), offset);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Overwrites bytes at {@code offset}. */
    public static void overwrite(Path file, long offset, byte[] bytes) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b, offset + b.position());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends bytes at the end of {@code file}. */
    public static void append(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code n} bytes from a seeded generator (the same seed gives the same garbage). */
    public static byte[] randomBytes(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    public static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The WAL files of a data directory, in log order. */
    public static List<Path> walFiles(Path dataDir) {
        try {
            return WalWriter.list(dataDir.resolve("wal"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The newest WAL file of a data directory. */
    public static Path lastWalFile(Path dataDir) {
        List<Path> files = walFiles(dataDir);
        if (files.isEmpty()) {
            throw new IllegalStateException("no WAL file in " + dataDir);
        }
        return files.get(files.size() - 1);
    }

    /** Every whole frame of a WAL file, in order (stops where {@link WalReader} stops). */
    public static List<Frame> frames(Path walFile) {
        List<Frame> out = new ArrayList<>();
        try (WalReader r = new WalReader(walFile)) {
            r.readAll((type, buf, off, len, position) ->
                    out.add(new Frame(type, position, position + 8 + 1 + len)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The last whole frame of a WAL file. */
    public static Frame lastFrame(Path walFile) {
        List<Frame> f = frames(walFile);
        if (f.isEmpty()) {
            throw new IllegalStateException("no frame in " + walFile);
        }
        return f.get(f.size() - 1);
    }
}
