package dev.topics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Paths and query strings built from command-line values stay what they say: one segment, one value. */
class ApiPathTest {
    @Test
    void eachSegmentIsEscapedDotSegmentsIncluded() {
        assertThat(Api.topic("orders.eu-1_x")).isEqualTo("v0/topics/orders.eu-1_x");
        assertThat(Api.topic("a/b c", "shares", "sh_1")).isEqualTo("v0/topics/a%2Fb%20c/shares/sh_1");
        assertThat(Api.path("v0", "routers", "..")).isEqualTo("v0/routers/%2E%2E");
        assertThat(Api.path("v0", "routers", ".")).isEqualTo("v0/routers/%2E");
    }

    @Test
    void queriesLeaveOutWhatWasNotGiven() {
        assertThat(Api.query("prefix", null, "limit", null)).isEmpty();
        assertThat(Api.query("prefix", "a b&c", "limit", 5)).isEqualTo("?prefix=a+b%26c&limit=5");
        assertThat(Api.query("prefix", null, "after", "x")).isEqualTo("?after=x");
    }
}
