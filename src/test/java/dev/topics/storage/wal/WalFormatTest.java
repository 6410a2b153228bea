package dev.topics.storage.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.Bytes;
import dev.topics.storage.io.CorruptFrame;
import dev.topics.storage.io.FileNames;
import dev.topics.testing.Corruptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class WalFormatTest {
    @TempDir
    Path dir;

    private record Read(int type, byte[] payload, long position) {
    }

    private static byte[] frame(int type, byte[] payload) {
        ByteSink sink = new ByteSink(16);
        int at = WalFormat.beginFrame(sink, type);
        sink.bytes(payload);
        WalFormat.endFrame(sink, at);
        return sink.toByteArray();
    }

    /** Writes a WAL file numbered {@code number} holding the given frames; returns its path. */
    /**
     * A WAL file holding exactly {@code frames}: the zero-filled space the writer keeps ahead
     * of itself is trimmed, so tests can append damage right after the last frame
     * ({@link #theWritersZeroFilledSpaceReadsAsACleanEnd} covers the untrimmed file).
     */
    private Path writeWal(long number, List<byte[]> frames) throws IOException {
        long end;
        try (WalWriter w = new WalWriter(dir, number, 1L << 30)) {
            for (byte[] f : frames) {
                w.write(f, 0, f.length);
            }
            w.force();
            end = w.position();
        }
        Path file = dir.resolve(FileNames.walName(number));
        Corruptor.truncate(file, end);
        return file;
    }

    @Test
    void theWritersZeroFilledSpaceReadsAsACleanEnd() throws IOException {
        long end;
        try (WalWriter w = new WalWriter(dir, 8, 1L << 30)) {
            for (int i = 0; i < 3; i++) {
                byte[] f = frame(1, new byte[] {(byte) i});
                w.write(f, 0, f.length);
            }
            w.force();
            end = w.position();
        }
        Path file = dir.resolve(FileNames.walName(8));
        assertThat(Files.size(file)).as("zero-filled ahead").isGreaterThan(end);
        try (WalReader r = new WalReader(file)) {
            assertThat(readAll(r)).hasSize(3);
            assertThat(r.validEnd()).isEqualTo(end);
            assertThat(r.stopReason()).isNull();
        }
    }

    private static List<Read> readAll(WalReader r) throws IOException {
        List<Read> out = new ArrayList<>();
        r.readAll((type, buf, off, len, position) -> {
            byte[] p = new byte[len];
            System.arraycopy(buf, off, p, 0, len);
            out.add(new Read(type, p, position));
        });
        return out;
    }

    @Test
    void framesRoundTripWithExactTypesPayloadsAndIncreasingPositions() throws IOException {
        Random rnd = new Random(7);
        List<byte[]> payloads = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        int[] sizes = {0, 1, 7, 8, 100, 65_535, 65_536, 200_000, 3, 0};
        for (int i = 0; i < sizes.length; i++) {
            byte[] p = new byte[sizes[i]];
            rnd.nextBytes(p);
            payloads.add(p);
            types.add(i == 0 ? 253 : i % 5 + 1); // 255 (end of file) and 254 (mark) are read by WalReader itself
        }
        // Several frames in one write (a group), as the committer does.
        ByteSink group = new ByteSink(64);
        for (int i = 0; i < 3; i++) {
            int at = WalFormat.beginFrame(group, types.get(i));
            group.bytes(payloads.get(i));
            WalFormat.endFrame(group, at);
        }
        List<byte[]> writes = new ArrayList<>();
        writes.add(group.toByteArray());
        for (int i = 3; i < sizes.length; i++) {
            writes.add(frame(types.get(i), payloads.get(i)));
        }
        Path file = writeWal(42, writes);

        try (WalReader r = new WalReader(file)) {
            assertThat(r.fileNumber()).isEqualTo(42);
            List<Read> got = readAll(r);
            assertThat(got).hasSize(sizes.length);
            long expectAt = WalFormat.FILE_HEADER;
            for (int i = 0; i < sizes.length; i++) {
                assertThat(got.get(i).type()).as("type of frame %d", i).isEqualTo(types.get(i));
                assertThat(got.get(i).payload()).as("payload of frame %d", i).isEqualTo(payloads.get(i));
                assertThat(got.get(i).position()).as("position of frame %d", i).isEqualTo(expectAt);
                expectAt += WalFormat.FRAME_HEADER + 1 + sizes[i];
            }
            assertThat(r.validEnd()).isEqualTo(expectAt).isEqualTo(Files.size(file));
            assertThat(r.stopReason()).isNull();
        }
    }

    @Test
    void endFrameWritesLittleEndianLengthAndCrcOverTypeAndPayload() {
        byte[] f = frame(3, new byte[] {10, 20, 30});
        assertThat(f).hasSize(WalFormat.FRAME_HEADER + 4);
        assertThat(Bytes.i32(f, 0)).isEqualTo(4);
        assertThat(Bytes.i32(f, 4)).isEqualTo(Bytes.crc32c(new byte[] {3, 10, 20, 30}, 0, 4));
        assertThat(f[8]).isEqualTo((byte) 3);
    }

    @Test
    void fileHeaderRoundTripsItsNumber() {
        byte[] h = WalFormat.fileHeader(123_456_789_012L);
        assertThat(h).hasSize(WalFormat.FILE_HEADER);
        assertThat(new String(h, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("TWAL");
        assertThat(WalFormat.checkFileHeader(h)).isEqualTo(123_456_789_012L);
    }

    @ParameterizedTest
    @CsvSource({
            "00000000000000000007.wal, 7",
            "00000000000000000000.wal, 0",
            "00000000000000000001.wal, 1",
            "09223372036854775807.wal, 9223372036854775807",
            "7.wal, -1",
            "0000000000000000007.wal, -1",
            "000000000000000000007.wal, -1",
            "0000000000000000000a.wal, -1",
            "-0000000000000000001.wal, -1",
            "+0000000000000000001.wal, -1",
            "00000000000000000007.snap, -1",
            "00000000000000000007.wal.tmp, -1",
            "00000000000000000007.WAL, -1",
            "00000000000000000007xwal, -1",
            "'', -1",
            "LOCK, -1",
            // 20 digits but past Long.MAX_VALUE: not a name this build writes
            "99999999999999999999.wal, -1",
            "09223372036854775808.wal, -1",
            // non-ASCII digits (Arabic-Indic) must not be taken for a file number
            "٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٧.wal, -1",
    })
    void parseFileNameAcceptsOnlyTwentyAsciiDigitsAndTheSuffix(String name, long expected) {
        assertThat(FileNames.walNumber(name)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
            "0, 00000000000000000000.wal",
            "7, 00000000000000000007.wal",
            "12345678901, 00000000012345678901.wal",
            "9223372036854775807, 09223372036854775807.wal",
    })
    void fileNameIsTwentyZeroPaddedDigitsAndRoundTrips(long number, String name) {
        assertThat(FileNames.walName(number)).isEqualTo(name);
        assertThat(FileNames.walNumber(name)).isEqualTo(number);
    }

    @Test
    void fileNamesSortInLogOrder() {
        List<String> names = new ArrayList<>(List.of(FileNames.walName(10), FileNames.walName(9), FileNames.walName(100),
                FileNames.walName(1)));
        names.sort(null);
        assertThat(names.stream().map(FileNames::walNumber)).containsExactly(1L, 9L, 10L, 100L);
    }

    /** Bytes after three good frames that a reader must refuse, and why. */
    static Stream<Arguments> badTails() {
        byte[] zeroLength = new byte[20]; // a zero length with data after it: not the writer's zero fill
        zeroLength[19] = 1;
        byte[] tooLong = new byte[20];
        Bytes.put32(tooLong, 0, WalFormat.MAX_FRAME + 1);
        byte[] negative = new byte[20];
        Bytes.put32(negative, 0, Integer.MIN_VALUE);
        byte[] allOnes = new byte[20];
        Arrays.fill(allOnes, (byte) 0xFF);
        byte[] pastEof = frame(1, new byte[100]);
        pastEof = Arrays.copyOf(pastEof, pastEof.length - 1);
        byte[] onlyHeaderOfBigFrame = Arrays.copyOf(frame(1, new byte[100]), WalFormat.FRAME_HEADER);
        byte[] crc = frame(2, new byte[] {1, 2, 3, 4, 5});
        crc[4] ^= 1;
        byte[] payloadFlip = frame(2, new byte[] {1, 2, 3, 4, 5});
        payloadFlip[11] ^= (byte) 0x80;
        byte[] typeFlip = frame(2, new byte[] {1, 2, 3, 4, 5});
        typeFlip[8] ^= 4;
        byte[] shorterLength = frame(2, new byte[] {1, 2, 3, 4, 5});
        Bytes.put32(shorterLength, 0, 3);
        return Stream.of(
                Arguments.of("zero length", zeroLength),
                Arguments.of("length over MAX_FRAME", tooLong),
                Arguments.of("negative length", negative),
                Arguments.of("all ones", allOnes),
                Arguments.of("length past end of file", pastEof),
                Arguments.of("header of a frame whose body is missing", onlyHeaderOfBigFrame),
                Arguments.of("CRC mismatch (crc field)", crc),
                Arguments.of("CRC mismatch (payload bit)", payloadFlip),
                Arguments.of("CRC mismatch (type bit)", typeFlip),
                Arguments.of("length shorter than written", shorterLength),
                Arguments.of("truncated header (1 byte)", new byte[] {5}),
                Arguments.of("truncated header (7 bytes)", Arrays.copyOf(frame(1, new byte[3]), 7)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTails")
    void readerStopsAtTheFirstFrameThatIsNotWhole(String what, byte[] tail) throws IOException {
        List<byte[]> good = List.of(frame(1, new byte[] {1}), frame(2, new byte[50]), frame(3, new byte[0]));
        Path file = writeWal(1, good);
        long goodEnd = Files.size(file);
        Corruptor.append(file, tail);
        assertStopsAfterThreeFrames(file, goodEnd);
        // A whole frame after the damage must not be read either: the log ends at the damage.
        Corruptor.append(file, frame(1, new byte[] {9, 9}));
        assertStopsAfterThreeFrames(file, goodEnd);
    }

    private static void assertStopsAfterThreeFrames(Path file, long goodEnd) throws IOException {
        try (WalReader r = new WalReader(file)) {
            List<Read> got = readAll(r);
            assertThat(got).extracting(Read::type).containsExactly(1, 2, 3);
            assertThat(r.validEnd()).isEqualTo(goodEnd);
            assertThat(r.stopReason()).isNotNull();
            assertThat(r.size()).isEqualTo(Files.size(file));
        }
    }

    @Test
    void readerOfAFileWithOnlyAHeaderReadsNothingAndIsWhole() throws IOException {
        Path file = writeWal(3, List.of());
        try (WalReader r = new WalReader(file)) {
            assertThat(readAll(r)).isEmpty();
            assertThat(r.fileNumber()).isEqualTo(3);
            assertThat(r.validEnd()).isEqualTo(WalFormat.FILE_HEADER);
            assertThat(r.stopReason()).isNull();
        }
    }

    @ParameterizedTest
    @CsvSource({"1", "4", "8", "15"})
    void aFileShorterThanItsHeaderYieldsNoFrames(int length) throws IOException {
        Path file = dir.resolve(FileNames.walName(5));
        Files.write(file, Arrays.copyOf(WalFormat.fileHeader(5), length));
        try (WalReader r = new WalReader(file)) {
            assertThat(readAll(r)).isEmpty();
            assertThat(r.validEnd()).isZero();
            assertThat(r.stopReason()).isNotNull();
        }
    }

    @Test
    void anEmptyFileYieldsNoFrames() throws IOException {
        Path file = dir.resolve(FileNames.walName(5));
        Files.write(file, new byte[0]);
        try (WalReader r = new WalReader(file)) {
            assertThat(readAll(r)).isEmpty();
            assertThat(r.validEnd()).isZero();
        }
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0",   // magic
            "3, 6",   // magic
            "4, 0",   // version 1 -> 0
            "4, 1",   // version 1 -> 3
            "4, 7",   // version 1 -> 129 (negative byte)
    })
    void aBadMagicOrVersionThrowsCorruptFrame(int offset, int bit) throws IOException {
        Path file = writeWal(1, List.of(frame(1, new byte[] {1, 2})));
        Corruptor.flipBit(file, offset, bit);
        assertThatThrownBy(() -> new WalReader(file).close()).isInstanceOf(CorruptFrame.class);
    }

    @Test
    void checkFileHeaderRefusesAShortArray() {
        assertThatThrownBy(() -> WalFormat.checkFileHeader(new byte[] {'T', 'W', 'A', 'L', 1}))
                .isInstanceOf(CorruptFrame.class);
    }

    @Test
    void writerRollsToTheNextNumberedFileAndListsInLogOrder() throws IOException {
        try (WalWriter w = new WalWriter(dir, 9, 40)) {
            byte[] f = frame(1, new byte[30]);
            w.write(f, 0, f.length);
            assertThat(w.full()).isTrue();
            assertThat(w.roll()).isEqualTo(10);
            w.write(f, 0, f.length);
            assertThat(w.roll()).isEqualTo(11);
        }
        Files.write(dir.resolve("notes.txt"), new byte[] {1});
        assertThat(WalWriter.list(dir)).extracting(p -> p.getFileName().toString())
                .containsExactly(FileNames.walName(9), FileNames.walName(10), FileNames.walName(11));
        try (WalReader r = new WalReader(dir.resolve(FileNames.walName(10)))) {
            assertThat(r.fileNumber()).isEqualTo(10);
            assertThat(readAll(r)).hasSize(1);
        }
    }
}
