package dev.topics.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.topics.http.ApiError;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §11 permission patterns: dot-separated levels, {@code *} is exactly one level,
 * {@code >} (last only) one or more levels; everything else is literal, case-sensitive text.
 */
class PatternsTest {

    static Stream<Arguments> table() {
        return Stream.of(
                // literals: the whole name, level by level, nothing more and nothing less
                Arguments.of("orders", "orders", true),
                Arguments.of("orders", "order", false),
                Arguments.of("orders", "orders.eu", false),
                Arguments.of("alerts.disk", "alerts.disk", true),
                Arguments.of("alerts.disk", "alerts", false),
                Arguments.of("alerts.disk", "alerts.disk.full", false),
                Arguments.of("alerts.disk.full", "alerts.disk.full", true),
                Arguments.of("alerts.disk.full", "alerts.disk", false),
                Arguments.of("alerts.disk.full", "alerts.disk.fulls", false),
                // '>' : one or more trailing levels, never zero
                Arguments.of("alerts.>", "alerts", false),
                Arguments.of("alerts.>", "alerts.disk", true),
                Arguments.of("alerts.>", "alerts.disk.full", true),
                Arguments.of("alerts.>", "alerts.disk.full.now.really", true),
                Arguments.of("alerts.>", "other.disk", false),
                Arguments.of("alerts.>", "x.alerts.disk", false),
                Arguments.of("alerts.disk.>", "alerts.disk", false),
                Arguments.of("alerts.disk.>", "alerts.disk.full", true),
                Arguments.of("alerts.disk.>", "alerts.cpu.full", false),
                Arguments.of(">", "orders", true),
                Arguments.of(">", "alerts.disk", true),
                Arguments.of(">", "alerts.disk.full", true),
                Arguments.of(">", "a-b_c.D-9", true),
                // '*' : exactly one level, any text
                Arguments.of("*", "orders", true),
                Arguments.of("*", "abc", true),
                Arguments.of("*", "alerts.disk", false),
                Arguments.of("*", "alerts.disk.full", false),
                Arguments.of("*.disk", "alerts.disk", true),
                Arguments.of("*.disk", "hosts.disk", true),
                Arguments.of("*.disk", "alerts.disk.full", false),
                Arguments.of("*.disk", "disk", false),
                Arguments.of("*.disk", "alerts.cpu", false),
                Arguments.of("*.disk", "a.b.disk", false),
                Arguments.of("alerts.*", "alerts", false),
                Arguments.of("alerts.*", "alerts.disk", true),
                Arguments.of("alerts.*", "alerts.disk.full", false),
                Arguments.of("alerts.*.full", "alerts.disk.full", true),
                Arguments.of("alerts.*.full", "alerts.cpu.full", true),
                Arguments.of("alerts.*.full", "alerts.full", false),
                Arguments.of("alerts.*.full", "alerts.disk.empty", false),
                Arguments.of("*.*", "a.b", true),
                Arguments.of("*.*", "abc", false),
                Arguments.of("*.*", "a.b.c", false),
                Arguments.of("*.>", "abc", false),
                Arguments.of("*.>", "a.b", true),
                Arguments.of("*.>", "a.b.c", true),
                Arguments.of("*.*.>", "a.b", false),
                Arguments.of("*.*.>", "a.b.c", true),
                Arguments.of("a.*.>", "a.b", false),
                Arguments.of("a.*.>", "a.b.c", true),
                Arguments.of("a.*.>", "b.b.c", false),
                // prefix traps: a level is compared whole
                Arguments.of("alert.>", "alerts.x", false),
                Arguments.of("alerts.>", "alert.x", false),
                Arguments.of("alerts", "alerts2", false),
                Arguments.of("alerts2", "alerts", false),
                Arguments.of("alerts", "alert", false),
                Arguments.of("ab.c", "a.bc", false),
                Arguments.of("a.bc", "ab.c", false),
                Arguments.of("ab.c", "abc", false),
                Arguments.of("abc", "ab.c", false),
                Arguments.of("a.b", "a.bb", false),
                Arguments.of("a.bb", "a.b", false),
                Arguments.of("*.c", "ab.cd", false),
                Arguments.of("alerts.*", "alertsx.disk", false),
                Arguments.of("alerts.disk", "alerts.diskx", false),
                Arguments.of("alerts.disk", "alertsdisk", false),
                // case sensitivity
                Arguments.of("Alerts.>", "alerts.disk", false),
                Arguments.of("alerts.>", "Alerts.disk", false),
                Arguments.of("alerts.DISK", "alerts.disk", false),
                Arguments.of("alerts.DISK", "alerts.DISK", true),
                Arguments.of("*.Disk", "alerts.disk", false),
                // '-' and '_' are ordinary characters
                Arguments.of("build-42.>", "build-42.linux_x64", true),
                Arguments.of("build-42.>", "build_42.linux_x64", false),
                Arguments.of("build_42.*", "build_42.linux-x64", true),
                Arguments.of("build_42.*", "build_42.linux-x64.log", false),
                Arguments.of("-.*", "-._", true),
                Arguments.of("_.-", "_.-", true),
                Arguments.of("a-b.c_d", "a-b.c_d", true),
                Arguments.of("a-b.c_d", "a_b.c-d", false),
                Arguments.of("*.*.*", "a-1.b_2.c-3", true));
    }

    @ParameterizedTest(name = "[{index}] {0} vs {1} -> {2}")
    @MethodSource("table")
    void matches(String pattern, String topic, boolean expected) {
        assertThat(Patterns.check(pattern)).isEqualTo(pattern);
        assertThat(Patterns.matches(pattern, topic))
                .as("Patterns.matches(%s, %s)", pattern, topic)
                .isEqualTo(expected);
        assertThat(reference(pattern, topic)).as("the test's own reading of %s vs %s", pattern, topic)
                .isEqualTo(expected);
    }

    /** Random patterns and names from a tiny alphabet (so that they often collide) against the reference. */
    @Test
    void randomPatternsAgreeWithAPlainLevelByLevelReading() {
        Random rnd = new Random(0x5eed);
        String[] words = {"a", "b", "ab", "a-b", "a_b", "A", "bb", "ba"};
        List<String> failures = new ArrayList<>();
        int matched = 0;
        for (int i = 0; i < 50_000; i++) {
            int pl = 1 + rnd.nextInt(4);
            StringBuilder p = new StringBuilder();
            for (int l = 0; l < pl; l++) {
                if (l > 0) {
                    p.append('.');
                }
                int k = rnd.nextInt(10);
                if (k == 0) {
                    p.append('*');
                } else if (k == 1 && l == pl - 1) {
                    p.append('>');
                } else {
                    p.append(words[rnd.nextInt(words.length)]);
                }
            }
            int tl = 1 + rnd.nextInt(5);
            StringBuilder t = new StringBuilder();
            for (int l = 0; l < tl; l++) {
                if (l > 0) {
                    t.append('.');
                }
                t.append(words[rnd.nextInt(words.length)]);
            }
            String pattern = Patterns.check(p.toString());
            boolean want = reference(pattern, t.toString());
            matched += want ? 1 : 0;
            if (Patterns.matches(pattern, t.toString()) != want) {
                failures.add(pattern + " vs " + t + ": expected " + want);
            }
        }
        assertThat(failures).isEmpty();
        assertThat(matched).as("the sample holds matches as well as misses").isBetween(500, 45_000);
    }

    /** SPEC §11 read plainly: split both on '.', compare level by level. */
    static boolean reference(String pattern, String topic) {
        String[] p = pattern.split("\\.", -1);
        String[] t = topic.split("\\.", -1);
        for (int i = 0; i < p.length; i++) {
            if (p[i].equals(">")) {
                return i == p.length - 1 && t.length > i; // one or more levels left
            }
            if (i >= t.length) {
                return false;
            }
            if (!p[i].equals("*") && !p[i].equals(t[i])) {
                return false;
            }
        }
        return p.length == t.length;
    }

    // ------------------------------------------------------------------ check

    @ParameterizedTest(name = "[{index}] accepts {0}")
    @ValueSource(strings = {"a", "orders", "alerts.disk.full", "*", ">", "*.>", "*.*", "alerts.>", "alerts.*",
            "*.disk", "a.*.b.>", "A-Z_a-z.0-9", "-", "_", "-._", "build-42.linux_x64", "ALERTS.Disk"})
    void checkAccepts(String pattern) {
        assertThat(Patterns.check(pattern)).isEqualTo(pattern);
    }

    @Test
    void checkAccepts255Characters() {
        String p = "a".repeat(255);
        assertThat(Patterns.check(p)).isEqualTo(p);
        String levels = "abcd.".repeat(50) + "abcde";
        assertThat(levels).hasSize(255);
        assertThat(Patterns.check(levels)).isEqualTo(levels);
        String wild = "ab.".repeat(84) + "*.>";
        assertThat(wild).hasSize(255);
        assertThat(Patterns.check(wild)).isEqualTo(wild);
    }

    @ParameterizedTest(name = "[{index}] refuses \"{0}\"")
    @ValueSource(strings = {"", ".", "..", "a..b", ".a", "a.", ".a.b", "a.b.", "*..>", ">.a", "a.>.b", ">.>", ">.*",
            "a*", "*a", "a*b", "a>", ">a", "a.b>", "a.>b", "**", ">>", "a b", " a", "a ", "a/b", "a\\b", "a:b", "a$",
            "a+b", "a#", "a,b", "a@b", "a%2Eb", "é", "alerts.dïsk", "a\tb", "a\nb", "a\u0000b", "\u00a0", "a\u2024b",
            "topic🙂"})
    void checkRefuses(String pattern) {
        assertThatThrownBy(() -> Patterns.check(pattern))
                .as("Patterns.check(\"%s\")", pattern)
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("invalid_field");
                    assertThat(e.getMessage()).isNotBlank();
                });
    }

    @Test
    void checkRefusesNull() {
        assertThatThrownBy(() -> Patterns.check(null)).isInstanceOfSatisfying(ApiError.class,
                e -> assertThat(e.code()).isEqualTo("invalid_field"));
    }

    @Test
    void checkRefusesOver255Characters() {
        for (String p : List.of("a".repeat(256), "a".repeat(1000), "ab.".repeat(85) + ">", "*.".repeat(200) + ">")) {
            assertThat(p.length()).isGreaterThan(255);
            assertThatThrownBy(() -> Patterns.check(p)).as("length %d", p.length())
                    .isInstanceOfSatisfying(ApiError.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.code()).isEqualTo("invalid_field");
                    });
        }
    }
}
