package dev.topics.topic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.TestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quickstart's create, write and read, verbatim (topic {@code orders} on a fresh
 * server): every value the page shows must come back, apart from timings and {@code $ts}.
 */
class QuickstartTest {

    @Test
    void theQuickstartCreateWriteAndReadWorkAsDocumented(@TempDir Path tmp) {
        try (TestServer server = TestServer.start(tmp)) {
            Http http = server.http();

            Response created = http.put("/v0/topics/orders", "{ \"durable\": true, \"cap_records\": 0, \"ttl_ms\": 0 }",
                    "content-type", "application/json").ok(201);
            assertThat(created.str("topic")).isEqualTo("orders");
            assertThat(created.bool("created")).isTrue();
            assertThat(created.obj("config")).containsAllEntriesOf(Map.of(
                    "ttl_ms", 0L, "cap_records", 0L, "cap_bytes", 0L, "discard", "old", "durable", true,
                    "durability", "fsync", "auto_create", true, "idempotency_window_ms", 120000L, "dedupe_node", true));
            assertThat(created.get("performance.server_total_ms")).isInstanceOf(Number.class);

            Response written = http.post("/v0/topics/orders", """
                    { "records": [ { "data": { "sku": "AEROPRESS-GO", "qty": 1, "total": 3499 }, "tag": "order-7731" },\
                     { "data": { "sku": "FELLOW-KETTLE", "qty": 1, "total": 16500 }, "tag": "order-7732" } ] }""",
                    "content-type", "application/json").ok();
            assertThat(withoutPerformance(written)).isEqualTo(Map.of(
                    "topic", "orders", "first_seq", 1L, "last_seq", 2L, "seqs", List.of(1L, 2L), "head_seq", 2L,
                    "count", 2L, "created", false, "deduped", false, "dropped", 0L));
            assertThat(written.obj("performance").keySet()).containsExactlyInAnyOrder("server_total_ms", "fsync_ms");

            Response read = http.post("/v0/topics/orders/diff", "{ \"from_seq\": 0, \"limit\": 500 }",
                    "content-type", "application/json").ok();
            Map<String, Object> body = withoutPerformance(read);
            List<Object> records = read.list("records");
            body.remove("records");
            Map<String, Object> expected = new java.util.HashMap<>(Map.of(
                    "topic", "orders", "next_from_seq", 2L, "head_seq", 2L, "earliest_seq", 1L, "caught_up", true,
                    "lag", 0L));
            expected.put("tombstone", null);
            assertThat(body).isEqualTo(expected);
            assertThat(records).hasSize(2);
            Map<String, Object> first = Http.Json.obj(records.get(0));
            assertThat(first.keySet()).containsExactly("$seq", "$ts", "$tag", "data");
            assertThat(first).containsEntry("$seq", 1L).containsEntry("$tag", "order-7731")
                    .containsEntry("data", Map.of("sku", "AEROPRESS-GO", "qty", 1L, "total", 3499L));
            Map<String, Object> second = Http.Json.obj(records.get(1));
            assertThat(second).containsEntry("$seq", 2L).containsEntry("$tag", "order-7732")
                    .containsEntry("data", Map.of("sku", "FELLOW-KETTLE", "qty", 1L, "total", 16500L));
            assertThat((Long) second.get("$ts")).isGreaterThanOrEqualTo((Long) first.get("$ts"));
            assertThat(read.text()).contains(
                    "\"data\":{\"sku\":\"AEROPRESS-GO\",\"qty\":1,\"total\":3499}",
                    "\"data\":{\"sku\":\"FELLOW-KETTLE\",\"qty\":1,\"total\":16500}");
        }
    }

    private static Map<String, Object> withoutPerformance(Response r) {
        Map<String, Object> m = new java.util.HashMap<>(r.map());
        assertThat(m.remove("performance")).isNotNull();
        return m;
    }
}
