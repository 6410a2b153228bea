package dev.topics.storage.fault;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Named fault points in the engine, kept in the build so that crash tests stop a real
 * server at an exact step and kill it there with SIGKILL (docs/RELIABILITY.md).
 *
 * <p>Armed only by the JVM system property {@code topics.fault=<point>[:<n>]} (never by
 * configuration): the {@code n}-th time (default 1) the named point is reached, the
 * thread that reached it prints {@code FAULT-POINT <point>} on standard error and parks
 * for good. The test that armed it sees the line and kills the process with SIGKILL, so
 * the disk holds exactly what the engine had written up to that step. Unarmed, a point
 * is one read of a static final field, which the JIT folds away.
 *
 * <p>Points (each placed at a step whose interruption recovery must survive):
 * <ul>
 *   <li>{@link #WAL_AFTER_WRITE}: a group's frames are written to the WAL, not yet forced;</li>
 *   <li>{@link #SEGMENT_AFTER_APPEND}: records are in a segment file, not yet in its index;</li>
 *   <li>{@link #SEGMENT_ROLL}: a full segment was sealed (index written), the next not yet made;</li>
 *   <li>{@link #SNAPSHOT_BEFORE_RENAME}: the snapshot's tmp file is forced, not yet renamed;</li>
 *   <li>{@link #SNAPSHOT_AFTER_RENAME}: the snapshot is in place, covered WAL files not yet removed;</li>
 *   <li>{@link #WAL_REMOVE}: some covered WAL files are removed, others not yet;</li>
 *   <li>{@link #COMPACTION_REWRITE}: a segment is half written again without its deleted records;</li>
 *   <li>{@link #COMPACTION_SWAP}: the old segment's index and filter are gone, the new file not yet renamed in.</li>
 * </ul>
 */
public final class Faults {
    public static final String WAL_AFTER_WRITE = "wal-after-write";
    public static final String SEGMENT_AFTER_APPEND = "segment-after-append";
    public static final String SEGMENT_ROLL = "segment-roll";
    public static final String SNAPSHOT_BEFORE_RENAME = "snapshot-before-rename";
    public static final String SNAPSHOT_AFTER_RENAME = "snapshot-after-rename";
    public static final String WAL_REMOVE = "wal-remove";
    public static final String COMPACTION_REWRITE = "compaction-rewrite";
    public static final String COMPACTION_SWAP = "compaction-swap";

    /** Every point, for tests and for checking the property. */
    public static final List<String> ALL = List.of(WAL_AFTER_WRITE, SEGMENT_AFTER_APPEND,
            SEGMENT_ROLL, SNAPSHOT_BEFORE_RENAME, SNAPSHOT_AFTER_RENAME, WAL_REMOVE, COMPACTION_REWRITE,
            COMPACTION_SWAP);

    /** True when a point is armed in this JVM. */
    public static final boolean ARMED;
    private static final String POINT;
    private static final int NTH;
    private static final AtomicInteger HITS = new AtomicInteger();

    static {
        String spec = System.getProperty("topics.fault");
        String point = null;
        int nth = 1;
        if (spec != null && !spec.isBlank()) {
            int colon = spec.indexOf(':');
            point = colon < 0 ? spec : spec.substring(0, colon);
            nth = colon < 0 ? 1 : Integer.parseInt(spec.substring(colon + 1));
            if (!ALL.contains(point) || nth < 1) {
                throw new IllegalArgumentException("topics.fault: unknown fault point '" + spec + "'; points: " + ALL);
            }
        }
        POINT = point;
        NTH = nth;
        ARMED = point != null;
    }

    private Faults() {
    }

    /** Reached {@code point}: stops here for good if it is the armed one and its turn has come. */
    public static void at(String point) {
        if (ARMED && point.equals(POINT) && HITS.incrementAndGet() == NTH) {
            System.err.println("FAULT-POINT " + point);
            System.err.flush();
            while (true) {
                LockSupport.park(Faults.class);
            }
        }
    }
}
