package dev.topics.storage.wal;

import dev.topics.storage.fault.Faults;
import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.DirectoryFsync;
import dev.topics.storage.io.FileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Appends groups of frames to the active WAL file with one positional write each, and
 * forces on request. Rolls to a new file on {@link #roll()} (the snapshotter does, so that
 * a snapshot always starts at a file boundary) or when the active file passes its size.
 *
 * <p>Called only by the committer thread. After a crash nothing here is rebuilt: the files
 * are the truth and {@link WalReader} decides how much of them is whole.
 */
public final class WalWriter implements AutoCloseable {
    private final Path dir;
    private final long rollBytes;
    private FileChannel channel;
    private long fileNumber;
    private long position;
    private boolean unforced;
    /** A cluster node: the log is Kafka's, so frames are counted but not written (see {@link #discardFrames}). */
    private boolean discard;
    /** Everything before this position of the active file is forced. */
    private long forcedThrough;
    /** Where the committer's current group began (see {@link #cutBack}). */
    private long groupStart;
    private ByteBuffer direct = ByteBuffer.allocateDirect(1 << 20);
    /** The file's size: frames up to {@code position}, zeros after it. */
    private long allocated;
    /**
     * The file is zero-filled this far ahead of the last frame, so that most forces do not
     * also have to journal a new file size: fdatasync of a small append measured 125 µs on a
     * growing file and 90 µs within already-written space here (benchmark P1b).
     */
    static final int FILL_AHEAD = 64 * 1024;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(FILL_AHEAD);

    public WalWriter(Path dir, long nextFileNumber, long rollBytes) throws IOException {
        this.dir = dir;
        this.rollBytes = rollBytes;
        open(nextFileNumber);
    }

    /**
     * Creates file {@code number} with its header, forced, and makes it the active one. On
     * failure (a full disk) the new file is removed and the active file stays as it was.
     */
    private void open(long number) throws IOException {
        Path file = dir.resolve(FileNames.walName(number));
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            ByteBuffer h = ByteBuffer.wrap(WalFormat.fileHeader(number));
            while (h.hasRemaining()) {
                ch.write(h, h.position());
            }
            ch.force(true);
            DirectoryFsync.directory(dir);
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(file);
            throw e;
        }
        channel = ch;
        fileNumber = number;
        position = WalFormat.FILE_HEADER;
        allocated = WalFormat.FILE_HEADER;
        groupStart = position;
        fillAhead();
        unforced = false;
        forcedThrough = position;
    }

    /** Committer: a group begins here; {@link #cutBack} returns to this point. */
    public void beginGroup() {
        groupStart = position;
    }

    /**
     * After a failed write or force: drops what the group wrote (best effort; recovery cuts
     * whatever is left, as no mark proves it was forced), so that it never comes back.
     */
    public void cutBack() {
        try {
            channel.truncate(groupStart);
            channel.force(false);
            position = groupStart;
            allocated = groupStart;
        } catch (IOException e) {
            // the file is in an unknown state; recovery decides what is whole
        }
    }

    /**
     * A cluster node keeps no WAL of its own: its log is the cluster's (docs/CLUSTER.md), and
     * it recovers from a snapshot and that log. Its files still roll, so snapshots keep their
     * numbering; they hold only their headers.
     */
    public void discardFrames() {
        discard = true;
    }

    /** Writes bytes at the end of the active file with one positional write (no force). */
    public void write(byte[] b, int off, int len) throws IOException {
        if (discard) {
            return;
        }
        if (direct.capacity() < len) {
            direct = ByteBuffer.allocateDirect(Integer.highestOneBit(len) << 1);
        }
        direct.clear();
        direct.put(b, off, len).flip();
        while (direct.hasRemaining()) {
            position += channel.write(direct, position);
        }
        if (position > allocated) {
            fillAhead();
        }
        unforced = true;
    }

    /**
     * Zero-fills from the last frame's end to the next {@link #FILL_AHEAD} boundary past it.
     * Best effort: on a full disk the fill is cut back and the file simply grows by its
     * writes (which the committer's space check keeps within the free space).
     */
    private void fillAhead() {
        long target = (position / FILL_AHEAD + 1) * FILL_AHEAD;
        ByteBuffer z = ZEROS.duplicate();
        z.limit((int) (target - position));
        long at = position;
        try {
            while (z.hasRemaining()) {
                at += channel.write(z, at);
            }
            allocated = target;
        } catch (IOException e) {
            try {
                channel.truncate(position);
            } catch (IOException ignored) {
                // zeros or a short file: either reads as a clean end
            }
            allocated = position;
        }
    }

    /** fdatasync of the active file; returns the nanoseconds it took (0 if nothing was unforced). */
    public long force() throws IOException {
        if (!unforced) {
            return 0;
        }
        long t0 = System.nanoTime();
        long through = position;
        channel.force(false);
        unforced = false;
        forcedThrough = through;
        return System.nanoTime() - t0;
    }

    public boolean hasUnforced() {
        return unforced;
    }

    /** True when the active file has reached its roll size. */
    public boolean full() {
        return position >= rollBytes;
    }

    /**
     * Starts the next file and closes the active one; returns the new file's number. The
     * next file exists (header forced, directory forced) before the end frame naming it is
     * written, so a file that ends with that frame is always followed by its successor: a
     * missing successor is damage, never an interrupted roll. A crash between the two steps
     * leaves an unended file followed by an empty one, which recovery reads as the newest.
     */
    public long roll() throws IOException {
        FileChannel old = channel;
        long oldPosition = position;
        long next = fileNumber + 1;
        open(next);
        writeEnd(old, oldPosition, next);
        old.force(false);
        old.close();
        return fileNumber;
    }

    /** Everything before this position of the active file is forced (see {@link WalFormat#TYPE_MARK}). */
    public long forcedThrough() {
        return forcedThrough;
    }

    /** Appends the end-of-file frame ({@link WalFormat#TYPE_FILE_END}) at {@code position}; returns the new end. No force. */
    public static long writeEnd(FileChannel ch, long position, long nextFileNumber) throws IOException {
        ByteSink s = new ByteSink(32);
        int at = WalFormat.beginFrame(s, WalFormat.TYPE_FILE_END);
        s.i64(nextFileNumber);
        WalFormat.endFrame(s, at);
        ByteBuffer bb = ByteBuffer.wrap(s.array(), 0, s.size());
        long p = position;
        while (bb.hasRemaining()) {
            p += ch.write(bb, p);
        }
        return p;
    }

    public long fileNumber() {
        return fileNumber;
    }

    public long position() {
        return position;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Deletes WAL files numbered below {@code number} (they are covered by a durable
     * snapshot). Any thread: the writer only touches files from {@code number} on.
     */
    public static void deleteBefore(Path dir, long number) throws IOException {
        for (Path p : list(dir)) {
            long n = FileNames.walNumber(p.getFileName().toString());
            if (n >= 0 && n < number) {
                Files.deleteIfExists(p);
                Faults.at(Faults.WAL_REMOVE);
            }
        }
        DirectoryFsync.directory(dir);
    }

    /** The WAL files in {@code dir}, in log order. */
    public static List<Path> list(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.filter(p -> FileNames.walNumber(p.getFileName().toString()) >= 0).forEach(out::add);
        }
        out.sort(null);
        return out;
    }

    @Override
    public void close() throws IOException {
        force();
        channel.close();
    }
}
