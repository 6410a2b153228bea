package dev.topics.watch;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.topics.testing.FuzzRuns;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes {@link CursorId#decode}, which reads the client's {@code Last-Event-ID} header
 * (docs/DECISIONS.md, "Fuzzing"): any header value either decodes or gives null (the
 * request's own cursor applies) — never an exception — and what decodes encodes back to an
 * id that decodes to the same cursors. The input is tried twice: as the header's bytes, and
 * base64url-encoded so that the fuzzer reaches the JSON inside without having to learn base64.
 */
class CursorIdFuzzTest {
    @AfterAll
    static void report() {
        FuzzRuns.report(CursorIdFuzzTest.class);
    }

    /** maxDuration is the fuzzing budget in CI (bin/fuzz); a normal build only replays the corpus. */
    @FuzzTest(maxDuration = "10s")
    void decodesOrGivesNull(byte[] input) {
        FuzzRuns.count(CursorIdFuzzTest.class, "decodesOrGivesNull");
        check(new String(input, StandardCharsets.ISO_8859_1)); // header values are bytes, read as Latin-1
        check(Base64.getUrlEncoder().withoutPadding().encodeToString(input));
    }

    private static void check(String id) {
        Map<String, Long> cursors = CursorId.decode(id);
        if (cursors == null) {
            return;
        }
        assertThat(cursors.values()).as("cursors of %s", id).allSatisfy(c -> assertThat(c).isNotNegative());
        String again = CursorId.encode(cursors);
        assertThat(CursorId.decode(again)).as("%s re-encoded as %s", id, again).isEqualTo(cursors);
    }
}
