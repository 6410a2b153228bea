package dev.topics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.ChildServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** SPEC §6: a delete that answered is durable — a SIGKILLed server brings no deleted record back. */
class ProcessDeleteTest {
    @TempDir
    Path data;

    @Test
    @Timeout(90)
    void afterSigkillAndRestartNoDeletedRecordComesBack() {
        try (ChildServer first = ChildServer.start(data)) {
            for (int i = 1; i <= 30; i++) {
                String tag = i % 3 == 0 ? "cancelled" : "order-" + i;
                assertThat(first.post("/v0/topics/orders", "{\"records\":[{\"data\":{\"n\":" + i + "},\"tag\":\"" + tag
                        + "\"}]}").status()).isEqualTo(200);
            }
            ChildServer.Response d = first.post("/v0/topics/orders/delete", "{\"match\":[\"tag\",\"Eq\",\"cancelled\"]}");
            assertThat(d.status()).isEqualTo(200);
            assertThat(d.body()).contains("\"deleted\":10");
            assertThat(first.post("/v0/topics/orders/delete", "{\"from_seq\":1,\"to_seq\":2}").body()).contains("\"deleted\":2");
            first.sigkill();
            assertThat(first.waitFor(Duration.ofSeconds(20))).isEqualTo(137);
        }
        try (ChildServer again = ChildServer.start(data)) {
            String body = again.get("/v0/topics/orders/diff?limit=100").body();
            assertThat(body).doesNotContain("cancelled").doesNotContain("\"$seq\":1,").doesNotContain("\"$seq\":2,");
            assertThat(again.get("/v0/topics/orders").body()).contains("\"count\":18").contains("\"earliest_seq\":4");
        }
    }
}
