package dev.topics.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.topics.http.ApiError;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** SPEC §2's naming rule: 3–255 of {@code A–Z a–z 0–9 . - _}, no leading/trailing dot, no empty segment. */
class TopicNameTest {

    static Stream<Arguments> names() {
        return Stream.of(
                arguments("abc", true),
                arguments("a.b.c", true),
                arguments("A-Z_0.9", true),
                arguments("alerts.disk.full", true),
                arguments("---", true),
                arguments("_a_", true),
                arguments("a".repeat(255), true),
                arguments("a".repeat(256), false),
                arguments("ab", false),
                arguments("a", false),
                arguments("", false),
                arguments("...", false),
                arguments("a..b", false),
                arguments(".ab", false),
                arguments("ab.", false),
                arguments("../x", false),
                arguments("..", false),
                arguments("a/b", false),
                arguments("a\\b", false),
                arguments("a b", false),
                arguments("ü-topic", false),
                arguments("a*b", false),
                arguments("a>b", false),
                arguments("a:b", false),
                arguments("a\u0000b", false));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" valid={1}")
    @MethodSource("names")
    void aNameIsValidExactlyWhenTheRuleSaysSo(String name, boolean valid) {
        assertThat(TopicName.valid(name)).isEqualTo(valid);
        if (valid) {
            assertThat(TopicName.check(name)).isEqualTo(name);
        } else {
            assertThatThrownBy(() -> TopicName.check(name))
                    .isInstanceOfSatisfying(ApiError.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.code()).isEqualTo("invalid_topic_name");
                    });
        }
    }

    @Test
    void aMissingNameIsRefusedLikeAnInvalidOne() {
        assertThatThrownBy(() -> TopicName.check(null))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo("invalid_topic_name"));
    }
}
