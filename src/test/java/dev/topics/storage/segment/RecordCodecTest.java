package dev.topics.storage.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.Bytes;
import dev.topics.storage.io.CorruptFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecordCodecTest {
    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /** Every combination of the four optional parts, each with a realistic value. */
    static Stream<Arguments> combinations() {
        List<Arguments> out = new ArrayList<>();
        for (int mask = 0; mask < 16; mask++) {
            out.add(Arguments.of(
                    (mask & 1) != 0 ? "tåg/ü-✓" : null,
                    (mask & 2) != 0 ? "n-0123456789abcdef" : null,
                    (mask & 4) != 0 ? "n-origin" : null,
                    (mask & 4) != 0 ? "src/topic/ß" : null,
                    (mask & 8) != 0 ? "application/octet-stream" : null));
        }
        // empty strings are present, not absent
        out.add(Arguments.of("", "", "", "", ""));
        return out.stream();
    }

    @ParameterizedTest(name = "tag={0} node={1} origin={2}/{3} contentType={4}")
    @MethodSource("combinations")
    void encodeSealCheckAndPartsRoundTripEveryField(String tag, String node, String originNode, String originTopic,
                                                    String contentType) {
        byte[] data = "{\"a\":[1,2,3],\"s\":\"héllo\"}".getBytes(StandardCharsets.UTF_8);
        ByteSink sink = new ByteSink(8);
        sink.bytes(new byte[] {7, 7, 7}); // the record does not start at 0
        int off = sink.size();
        RecordCodec.encode(sink, data, utf8(tag), utf8(node), utf8(originNode), utf8(originTopic), 987_654_321L,
                utf8(contentType));
        int len = sink.size() - off;
        byte[] b = sink.array();
        assertThat(RecordCodec.length(b, off)).isEqualTo(len);
        assertThat(RecordCodec.seq(b, off)).isZero();

        RecordCodec.seal(b, off, 42, 1_700_000_000_123L);
        assertThat(RecordCodec.check(b, off, len)).isEqualTo(len);
        assertThat(RecordCodec.check(b, off, len + 100)).isEqualTo(len);
        assertThat(RecordCodec.seq(b, off)).isEqualTo(42);
        assertThat(RecordCodec.ts(b, off)).isEqualTo(1_700_000_000_123L);
        int expectFlags = (tag != null ? RecordCodec.F_TAG : 0) | (node != null ? RecordCodec.F_NODE : 0)
                | (originNode != null ? RecordCodec.F_ORIGIN : 0) | (contentType != null ? RecordCodec.F_CONTENT_TYPE : 0);
        assertThat(RecordCodec.flags(b, off)).isEqualTo(expectFlags);

        RecordCodec.Parts parts = new RecordCodec.Parts();
        parts.parse(b, off);
        assertThat(part(b, parts.tagOff, parts.tagLen)).isEqualTo(tag);
        assertThat(part(b, parts.nodeOff, parts.nodeLen)).isEqualTo(node);
        assertThat(part(b, parts.contentTypeOff, parts.contentTypeLen)).isEqualTo(contentType);
        if (originNode == null) {
            assertThat(parts.originOff).isEqualTo(-1);
        } else {
            int p = parts.originOff;
            int nl = b[p] & 0xFF;
            assertThat(Bytes.string(b, p + 1, nl)).isEqualTo(originNode);
            int tl = Bytes.u16(b, p + 1 + nl);
            assertThat(Bytes.string(b, p + 3 + nl, tl)).isEqualTo(originTopic);
            assertThat(Bytes.i64(b, p + 3 + nl + tl)).isEqualTo(987_654_321L);
        }
        assertThat(parts.dataLen).isEqualTo(data.length);
        assertThat(Arrays.copyOfRange(b, parts.dataOff, parts.dataOff + parts.dataLen)).isEqualTo(data);
        assertThat(parts.dataOff + parts.dataLen).as("data ends the record").isEqualTo(off + len);
    }

    private static String part(byte[] b, int off, int len) {
        return off < 0 ? null : Bytes.string(b, off, len);
    }

    @Test
    void partsParseResetsBetweenRecords() {
        ByteSink sink = new ByteSink(64);
        RecordCodec.encode(sink, utf8("1"), utf8("t"), utf8("n"), utf8("o"), utf8("ot"), 1, utf8("c/t"));
        int second = sink.size();
        RecordCodec.encode(sink, utf8("2"), null, null, null, null, 0, null);
        RecordCodec.Parts parts = new RecordCodec.Parts();
        parts.parse(sink.array(), 0);
        assertThat(parts.tagOff).isPositive();
        parts.parse(sink.array(), second);
        assertThat(parts.tagOff).isEqualTo(-1);
        assertThat(parts.nodeOff).isEqualTo(-1);
        assertThat(parts.originOff).isEqualTo(-1);
        assertThat(parts.contentTypeOff).isEqualTo(-1);
        assertThat(Bytes.string(sink.array(), parts.dataOff, parts.dataLen)).isEqualTo("2");
    }

    @Test
    void recordsBackToBackEachCheckAndWalk() {
        ByteSink sink = new ByteSink(64);
        for (int i = 0; i < 50; i++) {
            RecordCodec.encode(sink, utf8("{\"i\":" + i + "}"), i % 2 == 0 ? utf8("t" + i) : null, null, null, null, 0,
                    null);
        }
        byte[] b = sink.array();
        long seq = 100;
        for (int p = 0; p < sink.size(); p += RecordCodec.length(b, p)) {
            RecordCodec.seal(b, p, seq++, 5);
        }
        List<Long> seqs = new ArrayList<>();
        for (int p = 0; p < sink.size(); p += RecordCodec.check(b, p, sink.size() - p)) {
            seqs.add(RecordCodec.seq(b, p));
        }
        assertThat(seqs).hasSize(50).startsWith(100L).endsWith(149L);
    }

    private static byte[] sealedRecord() {
        ByteSink sink = new ByteSink(64);
        RecordCodec.encode(sink, utf8("{\"k\":\"v\"}"), utf8("tag"), utf8("node"), utf8("on"), utf8("ot"), 9, null);
        RecordCodec.seal(sink.array(), 0, 7, 123);
        return sink.toByteArray();
    }

    @Test
    void aFlippedBitAnywhereFailsCheck() {
        byte[] good = sealedRecord();
        assertThat(RecordCodec.check(good, 0, good.length)).isEqualTo(good.length);
        for (int i = 0; i < good.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] b = good.clone();
                b[i] ^= (byte) (1 << bit);
                int at = i;
                int bt = bit;
                assertThatThrownBy(() -> RecordCodec.check(b, 0, b.length))
                        .as("bit %d of byte %d", bt, at)
                        .isInstanceOf(CorruptFrame.class);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0x10, 0x20, 0x40, 0x80, 0xF0})
    void unknownFlagBitsAreRefusedEvenWithAValidCrc(int flag) {
        byte[] b = sealedRecord();
        b[24] |= (byte) flag;
        RecordCodec.seal(b, 0, 7, 123); // a valid CRC over the unknown flags
        assertThatThrownBy(() -> RecordCodec.check(b, 0, b.length))
                .isInstanceOf(CorruptFrame.class)
                .hasMessageContaining("flags");
    }

    @Test
    void checkRefusesRecordsLongerThanWhatIsAvailableOrTooShortToBeRecords() {
        byte[] b = sealedRecord();
        assertThatThrownBy(() -> RecordCodec.check(b, 0, b.length - 1)).isInstanceOf(CorruptFrame.class);
        assertThatThrownBy(() -> RecordCodec.check(b, 0, RecordCodec.HEADER + 3)).isInstanceOf(CorruptFrame.class);
        byte[] tiny = b.clone();
        Bytes.put32(tiny, 0, RecordCodec.HEADER + 3);
        assertThatThrownBy(() -> RecordCodec.check(tiny, 0, tiny.length)).isInstanceOf(CorruptFrame.class);
        byte[] negative = b.clone();
        Bytes.put32(negative, 0, -5);
        assertThatThrownBy(() -> RecordCodec.check(negative, 0, negative.length)).isInstanceOf(CorruptFrame.class);
    }

    /**
     * Each optional part has a fixed-width length field (tag u16, node u8, origin node u8,
     * origin topic u16, content type u8). A part that does not fit its field must be
     * refused, as {@link ByteSink#str16} does, rather than written with a wrapped length
     * that makes the record decode as different fields.
     */
    static Stream<Arguments> oversizedParts() {
        byte[] b256 = new byte[256];
        byte[] b65536 = new byte[65_536];
        Arrays.fill(b256, (byte) 'x');
        Arrays.fill(b65536, (byte) 'x');
        byte[] o = utf8("o");
        return Stream.of(
                Arguments.of("tag of 65536 bytes", b65536, null, null, null, null),
                Arguments.of("node of 256 bytes", null, b256, null, null, null),
                Arguments.of("origin node of 256 bytes", null, null, b256, o, null),
                Arguments.of("origin topic of 65536 bytes", null, null, o, b65536, null),
                Arguments.of("content type of 256 bytes", null, null, null, null, b256));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oversizedParts")
    void partsTooLongForTheirLengthFieldAreRefusedNotWrapped(String what, byte[] tag, byte[] node, byte[] originNode,
                                                           byte[] originTopic, byte[] contentType) {
        ByteSink sink = new ByteSink(64);
        byte[] data = utf8("{}");
        assertThatThrownBy(() -> RecordCodec.encode(sink, data, tag, node, originNode, originTopic, 1, contentType))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void partsAtTheLimitOfTheirLengthFieldRoundTrip() {
        byte[] b255 = new byte[255];
        byte[] b65535 = new byte[65_535];
        Arrays.fill(b255, (byte) 'n');
        Arrays.fill(b65535, (byte) 't');
        ByteSink sink = new ByteSink(64);
        RecordCodec.encode(sink, utf8("1"), b65535, b255, b255, b65535, 3, b255);
        RecordCodec.seal(sink.array(), 0, 1, 1);
        assertThat(RecordCodec.check(sink.array(), 0, sink.size())).isEqualTo(sink.size());
        RecordCodec.Parts parts = new RecordCodec.Parts();
        parts.parse(sink.array(), 0);
        assertThat(parts.tagLen).isEqualTo(65_535);
        assertThat(parts.nodeLen).isEqualTo(255);
        assertThat(parts.contentTypeLen).isEqualTo(255);
        assertThat(Bytes.string(sink.array(), parts.dataOff, parts.dataLen)).isEqualTo("1");
    }
}
