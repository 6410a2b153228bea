package dev.topics.storage.engine;

import dev.topics.storage.segment.SegmentLog;
import java.util.Arrays;

/**
 * The seqs of a topic removed by deletes (SPEC §6), as sorted, disjoint, non-adjacent
 * ranges. Immutable: the committer publishes a new instance per delete, readers test
 * membership without locks. Rebuilt after a crash from the snapshot and DELETE frames.
 */
final class RemovedSeqs implements SegmentLog.SeqSet {
    static final RemovedSeqs NONE = new RemovedSeqs(new long[0], new long[0]);

    private final long[] from;
    private final long[] to;

    private RemovedSeqs(long[] from, long[] to) {
        this.from = from;
        this.to = to;
    }

    boolean isEmpty() {
        return from.length == 0;
    }

    int ranges() {
        return from.length;
    }

    long from(int i) {
        return from[i];
    }

    long to(int i) {
        return to[i];
    }

    @Override
    public boolean contains(long seq) {
        int lo = 0;
        int hi = from.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (to[mid] < seq) {
                lo = mid + 1;
            } else if (from[mid] > seq) {
                hi = mid - 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** The first seq ≥ {@code seq} that is not removed. */
    long nextLive(long seq) {
        long s = seq;
        for (int i = 0; i < from.length; i++) {
            if (to[i] < s) {
                continue;
            }
            if (from[i] > s) {
                break;
            }
            s = to[i] + 1;
        }
        return s;
    }

    /** This set plus the ranges {@code [add[2k], add[2k+1]]} (sorted or not, may touch). */
    RemovedSeqs plus(long[] add) {
        int n = from.length + add.length / 2;
        long[][] all = new long[n][];
        for (int i = 0; i < from.length; i++) {
            all[i] = new long[] {from[i], to[i]};
        }
        for (int i = 0; i < add.length / 2; i++) {
            all[from.length + i] = new long[] {add[2 * i], add[2 * i + 1]};
        }
        Arrays.sort(all, (a, b) -> Long.compare(a[0], b[0]));
        long[] f = new long[n];
        long[] t = new long[n];
        int k = -1;
        for (long[] r : all) {
            if (k >= 0 && r[0] <= t[k] + 1) {
                t[k] = Math.max(t[k], r[1]);
            } else {
                k++;
                f[k] = r[0];
                t[k] = r[1];
            }
        }
        return new RemovedSeqs(Arrays.copyOf(f, k + 1), Arrays.copyOf(t, k + 1));
    }

    /** This set plus {@code other}. */
    RemovedSeqs plus(RemovedSeqs other) {
        if (other.isEmpty()) {
            return this;
        }
        long[] add = new long[other.from.length * 2];
        for (int i = 0; i < other.from.length; i++) {
            add[2 * i] = other.from[i];
            add[2 * i + 1] = other.to[i];
        }
        return plus(add);
    }

    /** Drops ranges wholly below {@code seq} (they fell behind the earliest live record). */
    RemovedSeqs atOrAbove(long seq) {
        int i = 0;
        while (i < from.length && to[i] < seq) {
            i++;
        }
        return i == 0 ? this : new RemovedSeqs(Arrays.copyOfRange(from, i, from.length), Arrays.copyOfRange(to, i, to.length));
    }

    /** True when any removed seq lies in {@code [lo, hi]}. */
    @Override
    public boolean intersects(long lo, long hi) {
        for (int i = 0; i < from.length; i++) {
            if (from[i] <= hi && to[i] >= lo) {
                return true;
            }
        }
        return false;
    }
}
