package dev.topics.filter;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.topics.json.JsonException;
import dev.topics.storage.Origin;
import dev.topics.storage.RecordFilter;
import dev.topics.storage.RecordView;
import dev.topics.storage.TagFilter;
import dev.topics.testing.FuzzRuns;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes {@link FilterExpr#compile(byte[])} (docs/DECISIONS.md, "Fuzzing"): any bytes either
 * compile or are refused with {@link InvalidFilter} (400 {@code invalid_filter}) or a
 * {@link JsonException} ({@code invalid_json}, {@code json_too_deep}: 400). A compiled filter
 * evaluates every record without throwing, and a {@link TagFilter} — which lets a delete skip
 * segments by their tag Bloom filter — accepts only records whose tag is one of its tags.
 */
class FilterExprFuzzTest {
    /** Records with and without each optional part, tags and nodes at the edges of the byte order. */
    private static final List<RecordView> RECORDS = List.of(
            RecordView.of(1, 1, null, null, null, bytes("1")),
            RecordView.of(2, 0, "a", "n1", null, bytes("{}")),
            RecordView.of(3, -1L, "b", null, new Origin("o", "t", 7), bytes("[]")),
            RecordView.of(-1L, Long.MAX_VALUE, "é", "", null, bytes("null")),
            RecordView.of(Long.MAX_VALUE, 5, "", "ü\uD83D\uDE00", null, bytes("\"x\"")),
            RecordView.of(0, 2, "x*y?z", "a", null, bytes("true")));

    @AfterAll
    static void report() {
        FuzzRuns.report(FilterExprFuzzTest.class);
    }

    /** maxDuration is the fuzzing budget in CI (bin/fuzz); a normal build only replays the corpus. */
    @FuzzTest(maxDuration = "15s")
    void compilesOrRefusesCleanly(byte[] input) {
        FuzzRuns.count(FilterExprFuzzTest.class, "compilesOrRefusesCleanly");
        RecordFilter f;
        try {
            f = FilterExpr.compile(input);
        } catch (InvalidFilter e) {
            assertThat(e.getMessage()).startsWith(e.path() + ": ");
            return;
        } catch (JsonException e) {
            assertThat(e.code()).as(e.getMessage()).isIn(JsonException.INVALID_JSON, JsonException.JSON_TOO_DEEP);
            return;
        }
        if (f == null) {
            return; // JSON null: no filter
        }
        for (RecordView v : RECORDS) {
            boolean accepted = f.test(v);
            if (accepted && f instanceof TagFilter tf) {
                byte[] tag = v.hasTag() ? v.tag().getBytes(StandardCharsets.UTF_8) : null;
                assertThat(tag).as("a tag filter accepted record %d without a tag", v.seq()).isNotNull();
                assertThat(tf.tags().stream().anyMatch(t -> Arrays.equals(t, tag)))
                        .as("tag filter %s accepted tag '%s'", tf.tags().stream().map(FilterExprFuzzTest::text).toList(),
                                v.tag())
                        .isTrue();
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
