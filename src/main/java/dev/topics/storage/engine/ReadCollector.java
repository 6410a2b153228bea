package dev.topics.storage.engine;

import dev.topics.storage.RecordFilter;
import dev.topics.storage.RecordView;
import java.util.ArrayList;
import java.util.List;

/**
 * Gathers the records of one read ({@code LocalStorage.read}) as the topic's log visits
 * them: skips removed seqs, records from {@code skipNode} and those the filter refuses, and
 * stops at the limit, the byte cap (past the first record) or the examine cap. Views are
 * taken over the visited buffers, not copied. One reader thread.
 */
final class ReadCollector {
    /** A read examines at most this many records (skipped ones included) before answering. */
    private static final int MAX_EXAMINED = 100_000;

    final List<RecordView> records = new ArrayList<>();
    final int limit;
    final long maxBytes;
    final byte[] skipNode;
    final RecordFilter filter;
    long bytes;
    long examined;
    long lastExamined;
    boolean stopped;

    /** The removed seqs of the topic being visited (a fork's read changes topics on the way). */
    RemovedSeqs removed;

    ReadCollector(int limit, long maxBytes, byte[] skipNode, RecordFilter filter, RemovedSeqs removed) {
        this.removed = removed;
        this.limit = limit;
        this.maxBytes = maxBytes;
        this.skipNode = skipNode;
        this.filter = filter;
    }

    boolean visit(byte[] buf, int off) {
        RecordView r = new RecordView(buf, off);
        if (!records.isEmpty() && bytes + r.dataLength() > maxBytes) {
            stopped = true;
            return false;
        }
        examined++;
        lastExamined = r.seq();
        boolean skip = removed.contains(r.seq()) || (skipNode != null && r.nodeEquals(skipNode))
                || (filter != null && !filter.test(r));
        if (!skip) {
            records.add(r);
            bytes += r.dataLength();
        }
        if (records.size() >= limit || examined >= MAX_EXAMINED) {
            stopped = true;
            return false;
        }
        return true;
    }
}
