package dev.topics.storage.io;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Every name the storage gives a file or directory inside the data directory, in one
 * place, and the parsing of those names. A topic's files live in a directory named by its
 * numeric id — never by its name — so no topic name can reach outside the data directory.
 * Numbered files carry a 20-digit zero-padded number so that {@code ls} sorts them in order.
 * <pre>
 * data_dir/
 *   LOCK                                  held while a server runs on this directory (DataDir)
 *   node_id                               this server's node id (SPEC §1), made on first start
 *   wal/00000000000000000001.wal          the write-ahead log, named by file number (WalFormat)
 *   snapshots/00000000000000000001.snap   a snapshot, named by the first WAL file to replay after it
 *   topics/42/00000000000000000001.seg    a topic's segment, named by its first seq
 *   topics/42/00000000000000000001.idx    its sparse index, written when the segment is sealed
 *   topics/42/00000000000000000001.bloom  its tag Bloom filter, written when it is sealed
 *   repair/20240131-235959/               WAL files kept by {@code topics serve --repair} (WalRepair)
 *   share/topics/42/…seg, share/snapshots/…  cluster: hard links to the files a snapshot being shared
 *                                         counts on, while it is put to Kafka (SharedSnapshot)
 *   restore/                              cluster: a shared snapshot being fetched and checked before
 *                                         it replaces snapshots/ and topics/ (SharedSnapshot)
 * </pre>
 * A file replaced atomically ({@link AtomicFiles}: {@code node_id}, snapshots, indexes,
 * Bloom filters) and a segment being compacted are first written as {@code <name>.tmp}
 * ({@link #tmpName}); a leftover {@code .tmp} is deleted when its directory is next opened.
 *
 * <p>Stateless; any thread.
 */
public final class FileNames {
    public static final String LOCK = "LOCK";
    public static final String NODE_ID = "node_id";
    public static final String WAL_DIR = "wal";
    public static final String SNAPSHOT_DIR = "snapshots";
    public static final String TOPICS_DIR = "topics";
    public static final String REPAIR_DIR = "repair";
    public static final String SHARE_DIR = "share";
    public static final String RESTORE_DIR = "restore";
    public static final String WAL_SUFFIX = ".wal";
    public static final String SEGMENT_SUFFIX = ".seg";
    public static final String INDEX_SUFFIX = ".idx";
    public static final String BLOOM_SUFFIX = ".bloom";
    public static final String SNAPSHOT_SUFFIX = ".snap";
    public static final String TMP_SUFFIX = ".tmp";

    private static final DateTimeFormatter REPAIR_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private FileNames() {
    }

    public static Path topicDir(Path dataDir, long topicId) {
        return dataDir.resolve(TOPICS_DIR).resolve(Long.toString(topicId));
    }

    /** The directory under {@code repair/} that keeps the WAL files of a repair started at {@code time}. */
    public static Path repairDir(Path dataDir, LocalDateTime time) {
        return dataDir.resolve(REPAIR_DIR).resolve(REPAIR_TIME.format(time));
    }

    public static String walName(long fileNumber) {
        return numbered(fileNumber, WAL_SUFFIX);
    }

    public static String snapshotName(long walStart) {
        return numbered(walStart, SNAPSHOT_SUFFIX);
    }

    public static String segmentName(long baseSeq) {
        return numbered(baseSeq, SEGMENT_SUFFIX);
    }

    public static String bloomName(long baseSeq) {
        return numbered(baseSeq, BLOOM_SUFFIX);
    }

    public static String indexName(long baseSeq) {
        return numbered(baseSeq, INDEX_SUFFIX);
    }

    /** The temporary name {@code name} is written under before it is renamed into place. */
    public static String tmpName(String name) {
        return name + TMP_SUFFIX;
    }

    private static String numbered(long number, String suffix) {
        return String.format("%020d%s", number, suffix);
    }

    /** The file number of a WAL file name, or -1 if the name is not one. */
    public static long walNumber(String name) {
        return parse(name, WAL_SUFFIX);
    }

    /** The number in a 20-digit file name with the given suffix, or -1. */
    public static long parse(String name, String suffix) {
        if (name.length() != 20 + suffix.length() || !name.endsWith(suffix)) {
            return -1;
        }
        for (int i = 0; i < 20; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        try {
            return Long.parseLong(name, 0, 20, 10);
        } catch (NumberFormatException e) {
            return -1; // 20 digits above Long.MAX_VALUE: not a name this engine writes
        }
    }

    /** A topic id from a directory name under topics/, or -1 if the name is not one. */
    public static long parseTopicDir(String name) {
        if (name.isEmpty() || name.length() > 19) {
            return -1;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        return Long.parseLong(name);
    }
}
