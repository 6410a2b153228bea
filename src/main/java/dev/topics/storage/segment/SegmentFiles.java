package dev.topics.storage.segment;

import java.nio.file.Path;

/**
 * Every on-disk name of the engine, in one place. A topic's files live in a directory
 * named by its numeric id — never by its name — so no topic name can reach outside the
 * data directory.
 * <pre>
 * data_dir/
 *   LOCK                            held while a server runs on this directory
 *   node_id                         this server's node id (SPEC §1)
 *   wal/00000000000000000001.wal    the write-ahead log (WalFormat)
 *   snapshots/00000000000000000001.snap   named by the first WAL file to replay after it
 *   topics/42/00000000000000000001.seg    a topic's segment, named by its first seq
 *   topics/42/00000000000000000001.idx    its sparse index, written when the segment is sealed
 *   topics/42/00000000000000000001.bloom  its tag Bloom filter, written when it is sealed
 * </pre>
 */
public final class SegmentFiles {
    public static final String LOCK = "LOCK";
    public static final String NODE_ID = "node_id";
    public static final String WAL_DIR = "wal";
    public static final String SNAPSHOT_DIR = "snapshots";
    public static final String TOPICS_DIR = "topics";
    public static final String SEGMENT_SUFFIX = ".seg";
    public static final String INDEX_SUFFIX = ".idx";
    public static final String BLOOM_SUFFIX = ".bloom";
    public static final String SNAPSHOT_SUFFIX = ".snap";
    public static final String TMP_SUFFIX = ".tmp";

    private SegmentFiles() {
    }

    public static Path topicDir(Path dataDir, long topicId) {
        return dataDir.resolve(TOPICS_DIR).resolve(Long.toString(topicId));
    }

    public static String segmentName(long baseSeq) {
        return String.format("%020d%s", baseSeq, SEGMENT_SUFFIX);
    }

    public static String bloomName(long baseSeq) {
        return String.format("%020d%s", baseSeq, BLOOM_SUFFIX);
    }

    public static String indexName(long baseSeq) {
        return String.format("%020d%s", baseSeq, INDEX_SUFFIX);
    }

    /** The base seq in a 20-digit file name with the given suffix, or -1. */
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
            return -1;
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
