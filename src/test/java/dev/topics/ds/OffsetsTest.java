package dev.topics.ds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.topics.http.ApiError;
import dev.topics.storage.StreamMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Offsets ↔ seqs (SPEC §16): fixed width so string order is seq order; only minted shapes parse. */
class OffsetsTest {

    @Test
    void anOffsetIsItsSeqIn16DigitsAndParsesBack() {
        assertThat(Offsets.of(0)).isEqualTo("0000000000000000_0000000000000000");
        assertThat(Offsets.of(42)).isEqualTo("0000000000000042_0000000000000000");
        assertThat(Offsets.of(9_999_999_999_999_999L)).isEqualTo("9999999999999999_0000000000000000");
        for (long seq : new long[] {0, 1, 9, 10, 99, 100, 123_456_789_012L, 9_999_999_999_999_999L}) {
            assertThat(Offsets.parse(Offsets.of(seq), "offset")).isEqualTo(seq);
        }
        assertThat(Offsets.parse("-1", "offset")).isZero();
        assertThat(Offsets.parse("now", "offset")).isEqualTo(Offsets.NOW);
    }

    @Test
    void offsetsSortAsStringsInSeqOrder() {
        List<String> offsets = new ArrayList<>();
        for (long seq = 0; seq < 2_000; seq += 7) {
            offsets.add(Offsets.of(seq));
        }
        offsets.add(Offsets.of(1L << 40));
        assertThat(offsets).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void anythingElseIsRefused() {
        for (String bad : List.of("", "0", "-2", "NOW", "0000000000000000", "0000000000000000_000000000000000",
                "000000000000000a_0000000000000000", "0000000000000000-0000000000000000", "0 1", "0,1",
                "../0000000000000000_000000000000000", "0000000000000000_000000000000000\n",
                "0000000000000000_00000000000000x0")) {
            assertThatThrownBy(() -> Offsets.parse(bad, "offset")).as("'%s'", bad).isInstanceOf(ApiError.class)
                    .extracting(e -> ((ApiError) e).code()).isEqualTo("invalid_offset");
        }
        assertThatThrownBy(() -> Offsets.of(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Offsets.of(10_000_000_000_000_000L)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTtlTooLargeToCountInMillisecondsNeverExpires() {
        StreamMeta m = new StreamMeta("text/plain", 9_999_999_999_999_999L, 0, false, null, null, false, null, Map.of());
        assertThat(m.expired(Long.MAX_VALUE / 2, 0)).isFalse();
        StreamMeta zero = new StreamMeta("text/plain", 0, 0, false, null, null, false, null, Map.of());
        assertThat(zero.expired(1_000, 1_000)).isTrue();
        StreamMeta oneSecond = new StreamMeta("text/plain", 1, 0, false, null, null, false, null, Map.of());
        assertThat(oneSecond.expired(1_999, 1_000)).isFalse();
        assertThat(oneSecond.expired(2_000, 1_000)).isTrue();
    }
}
