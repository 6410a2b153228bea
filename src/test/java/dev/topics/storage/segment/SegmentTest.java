package dev.topics.storage.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.CorruptFrame;
import dev.topics.storage.io.FileNames;
import dev.topics.testing.Corruptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class SegmentTest {
    /** Two open files at most: every test also runs through reopening. */
    private static final SegmentChannels CHANNELS = new SegmentChannels(2);

    @TempDir
    Path dir;

    /** Appends records {@code first..first+n-1} of about {@code size} bytes each; returns the next seq. */
    private static long append(Segment s, long first, int n, int size) throws IOException {
        ByteSink sink = new ByteSink(64);
        for (int i = 0; i < n; i++) {
            byte[] data = ("\"" + "x".repeat(Math.max(0, size - 32)) + "\"").getBytes(StandardCharsets.UTF_8);
            int at = sink.size();
            RecordCodec.encode(sink, data, null, null, null, null, 0, null);
            RecordCodec.seal(sink.array(), at, first + i, 1);
        }
        s.append(sink.array(), 0, sink.size(), first, first + n - 1);
        return first + n;
    }

    @Test
    void reopeningRebuildsTheIndexAndLastSeqByScanning() throws IOException {
        long next;
        long size;
        List<Long> indexed = new ArrayList<>();
        try (Segment s = Segment.create(CHANNELS, dir, 1, 256)) {
            next = 1;
            for (int i = 0; i < 40; i++) {
                next = append(s, next, 1 + i % 3, 100);
            }
            size = s.size();
            for (long v : s.index().toArray()) {
                indexed.add(v);
            }
        }
        try (Segment s = Segment.openActive(CHANNELS, dir.resolve(FileNames.segmentName(1)), 1, 256, next - 1)) {
            assertThat(s.lastSeq()).isEqualTo(next - 1);
            assertThat(s.size()).isEqualTo(size);
            List<Long> rebuilt = new ArrayList<>();
            for (long v : s.index().toArray()) {
                rebuilt.add(v);
            }
            assertThat(rebuilt).isEqualTo(indexed);
        }
    }

    @Test
    void openActiveCutsAfterTheSnapshotsHead() throws IOException {
        long cutAt;
        try (Segment s = Segment.create(CHANNELS, dir, 10, 4096)) {
            long next = append(s, 10, 5, 60);
            cutAt = s.size();
            append(s, next, 5, 60);
        }
        Path file = dir.resolve(FileNames.segmentName(10));
        try (Segment s = Segment.openActive(CHANNELS, file, 10, 4096, 14)) {
            assertThat(s.size()).isEqualTo(cutAt);
            assertThat(s.lastSeq()).isEqualTo(14);
        }
        assertThat(Corruptor.size(file)).isEqualTo(cutAt);
    }

    @Test
    void aBadHeaderIsRefused() throws IOException {
        try (Segment s = Segment.create(CHANNELS, dir, 5, 4096)) {
            append(s, 5, 2, 50);
        }
        Path file = dir.resolve(FileNames.segmentName(5));
        assertThatThrownBy(() -> Segment.openSealed(CHANNELS, file, 6, 4096, null, 100).close()).isInstanceOf(CorruptFrame.class);
        Corruptor.flipBit(file, 0, 1);
        assertThatThrownBy(() -> Segment.openSealed(CHANNELS, file, 5, 4096, null, 100).close()).isInstanceOf(CorruptFrame.class);
    }

    @Test
    void reopeningASmallSegmentAllocatesAboutItsSizeNotAWholeScanBlock() throws IOException {
        // recovery opens every topic's active segment: with 100,000 topics a 1 MiB buffer each
        // (a G1 humongous object) made start-up take minutes of full GCs under -Xmx512m
        long next;
        try (Segment s = Segment.create(CHANNELS, dir, 1, 4096)) {
            next = append(s, 1, 10, 100);
        }
        Path file = dir.resolve(FileNames.segmentName(1));
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int warm = 0; warm < 3; warm++) { // class loading and the channel cache's first use
            Segment.openActive(CHANNELS, file, 1, 4096, next - 1).close();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        try (Segment s = Segment.openActive(CHANNELS, file, 1, 4096, next - 1)) {
            assertThat(s.lastSeq()).isEqualTo(next - 1);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated to reopen a %d-byte segment", Files.size(file))
                .isLessThan(Segment.SCAN_BLOCK / 4);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.SECONDS)
    void aZeroedRegionFollowedByMoreThanAScanBlockIsRefusedNotScannedForever() throws IOException {
        // Records, then 2 MiB of zeros (a region a bad disk or a torn file system left
        // empty): the scan must report the damage. Its read block is 1 MiB. (A scan that
        // spins is stopped by the timeout's interrupt, which closes the channel.)
        try (Segment s = Segment.create(CHANNELS, dir, 1, 4096)) {
            append(s, 1, 10, 100);
        }
        Path file = dir.resolve(FileNames.segmentName(1));
        Corruptor.append(file, new byte[2 << 20]);
        assertThatThrownBy(() -> Segment.openSealed(CHANNELS, file, 1, 4096, null, 100).close()).isInstanceOf(CorruptFrame.class);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aZeroedTailShorterThanAScanBlockIsRefused() throws IOException {
        try (Segment s = Segment.create(CHANNELS, dir, 1, 4096)) {
            append(s, 1, 10, 100);
        }
        Path file = dir.resolve(FileNames.segmentName(1));
        Corruptor.append(file, new byte[100]);
        assertThatThrownBy(() -> Segment.openSealed(CHANNELS, file, 1, 4096, null, 100).close()).isInstanceOf(CorruptFrame.class);
    }

    @Test
    void openActiveRefusesWhenRecordsTheSnapshotCoversAreDamagedAndCutsNothing() throws IOException {
        long second;
        try (Segment s = Segment.create(CHANNELS, dir, 1, 4096)) {
            second = append(s, 1, 1, 60);
            append(s, second, 9, 60);
        }
        Path file = dir.resolve(FileNames.segmentName(1));
        long size = Corruptor.size(file);
        Corruptor.flipBit(file, size - 30, 0); // inside seq 10
        assertThatThrownBy(() -> Segment.openActive(CHANNELS, file, 1, 4096, 10).close()).isInstanceOf(CorruptFrame.class)
                .hasMessageContaining("should hold records 10..10");
        assertThat(Corruptor.size(file)).isEqualTo(size);
        // the same damage past what the snapshot covers is a torn tail of later writes: cut
        try (Segment s = Segment.openActive(CHANNELS, file, 1, 4096, 9)) {
            assertThat(s.lastSeq()).isEqualTo(9);
        }
        assertThat(Corruptor.size(file)).isLessThan(size);
    }

    @Test
    void openSealedRefusesAFileCutShortOfItsIndex() throws IOException {
        SparseIndex index;
        try (Segment s = Segment.create(CHANNELS, dir, 1, 256)) {
            append(s, 1, 40, 100);
            s.writeIndex();
            index = SparseIndex.read(dir, 1);
        }
        Path file = dir.resolve(FileNames.segmentName(1));
        Corruptor.truncate(file, Corruptor.size(file) - 10);
        assertThatThrownBy(() -> Segment.openSealed(CHANNELS, file, 1, 256, index, 40).close()).isInstanceOf(CorruptFrame.class);
    }

    @Test
    void aReaderInterruptedWhileReadingBreaksNeitherLaterReadsNorTheCommittersAppends() throws IOException {
        // NIO closes a channel for every thread when one thread is interrupted in a call on it
        // (a watch stream's takeover interrupts its thread); the segment reopens its file
        try (Segment s = Segment.create(CHANNELS, dir, 1, 4096)) {
            long next = append(s, 1, 10, 100);
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> s.read(java.nio.ByteBuffer.allocate(64), Segment.HEADER))
                        .isInstanceOf(java.nio.channels.ClosedByInterruptException.class);
            } finally {
                Thread.interrupted();
            }
            next = append(s, next, 10, 100);
            s.force();
            List<Long> seqs = new ArrayList<>();
            try (SegmentLog log = SegmentLog.recover(CHANNELS, dir, 1, next - 1, 1 << 20, 4096)) {
                log.read(1, 100, (buf, off) -> seqs.add(RecordCodec.seq(buf, off)));
            }
            assertThat(seqs).hasSize(20).startsWith(1L).endsWith(next - 1);
        }
    }
}
