package dev.topics.watch;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.SseClient;
import dev.topics.testing.SseClient.Event;
import dev.topics.testing.TestServer;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** SPEC §5: POST /v0/watch sessions and GET /v0/watch/{wid}, read by a real SSE client. */
@Timeout(60)
class WatchSessionTest {
    @TempDir
    Path tmp;

    private static void write(Http http, String topic, String records) {
        http.post("/v0/topics/" + topic, "{\"records\":[" + records + "]}").ok();
    }

    private static String decodeId(String id) {
        return new String(Base64.getUrlDecoder().decode(id));
    }

    @Test
    void aSessionStreamsEveryTopicWithItsFilterAndResumesAcrossARestart() throws Exception {
        try (TestServer server = TestServer.start(tmp)) {
            Http http = server.http();
            String a = uniqueTopic("ws.a");
            String b = uniqueTopic("ws.b");
            write(http, a, "{\"data\":1}");
            write(http, b, "{\"data\":10,\"tag\":\"skip\"},{\"data\":11,\"tag\":\"keep\"}");
            Response created = http.post("/v0/watch", "{\"topics\": {\"" + a + "\": {\"from_seq\": 0}, \"" + b
                    + "\": {\"from_seq\": 0, \"filter\": [\"tag\", \"Eq\", \"keep\"]}}, \"heartbeat_ms\": 200}").ok(201);
            String wid = created.str("wid");
            assertThat(wid).matches("wid_[A-Za-z0-9_-]{22}");
            assertThat(created.str("stream_url")).isEqualTo("/v0/watch/" + wid);
            assertThat(created.obj("topics").keySet()).containsExactly(a, b);

            String lastId;
            try (SseClient sse = SseClient.open(http.base().resolve("/v0/watch/" + wid), null)) {
                Event ea = sse.nextEvent(5);
                assertThat(ea.name()).isEqualTo("record");
                assertThat(ea.data()).contains("\"topic\":\"" + a + "\"").contains("\"data\":1");
                assertThat(sse.nextEvent(5).name()).isEqualTo("caught-up");
                Event eb = sse.nextEvent(5);
                assertThat(eb.data()).contains("\"topic\":\"" + b + "\"").contains("\"data\":11").doesNotContain("\"data\":10");
                assertThat(decodeId(eb.id())).isEqualTo("{\"" + a + "\":1,\"" + b + "\":2}");
                assertThat(sse.nextEvent(5).name()).isEqualTo("caught-up");

                write(http, b, "{\"data\":12,\"tag\":\"keep\"}");
                Event live = sse.nextEvent(5);
                assertThat(live.data()).contains("\"data\":12").contains("\"from_seq\":2,\"to_seq\":3");
                lastId = live.id();
            }
            write(http, a, "{\"data\":2}");
            server.restart();
            try (SseClient sse = SseClient.open(server.http().base().resolve("/v0/watch/" + wid), lastId)) {
                Event resumed = sse.nextEvent(5);
                assertThat(resumed.data()).as("resumes after a restart, no repeat")
                        .contains("\"topic\":\"" + a + "\"").contains("\"from_seq\":1,\"to_seq\":2").contains("\"data\":2");
            }
        }
    }

    @Test
    void aDeletedTopicLeavesTheStreamAndTheLastOneEndsIt() throws Exception {
        try (TestServer server = TestServer.start(tmp)) {
            Http http = server.http();
            String a = uniqueTopic("ws.da");
            String b = uniqueTopic("ws.db");
            write(http, a, "{\"data\":1}");
            write(http, b, "{\"data\":1}");
            String wid = http.post("/v0/watch", "{\"topics\": {\"" + a + "\": {}, \"" + b + "\": {}}, \"heartbeat_ms\": 200}")
                    .ok(201).str("wid");
            try (SseClient sse = SseClient.open(http.base().resolve("/v0/watch/" + wid), null)) {
                for (int i = 0; i < 4; i++) {
                    sse.nextEvent(5); // record + caught-up for each
                }
                http.delete("/v0/topics/" + a).ok();
                Event gone = sse.nextEvent(10);
                assertThat(gone.name()).isEqualTo("tombstone");
                assertThat(gone.data()).isEqualTo("{\"topic\":\"" + a + "\",\"tombstone\":{\"reason\":\"deleted\"}}");
                write(http, b, "{\"data\":2}");
                assertThat(sse.nextEvent(5).data()).contains("\"topic\":\"" + b + "\"").contains("\"data\":2");
                assertThat(sse.nextEvent(5).name()).isEqualTo("caught-up");
                http.delete("/v0/topics/" + b).ok();
                assertThat(sse.nextEvent(10).name()).isEqualTo("tombstone");
                assertThat(sse.nextEvent(5)).as("no topic left: the stream ends").isNull();
            }
        }
    }

    @Test
    void badSessionsAreRefusedAndUnknownWidsAre404() {
        try (TestServer server = TestServer.start(tmp)) {
            Http http = server.http();
            String t = uniqueTopic("ws.bad");
            write(http, t, "{\"data\":1}");
            http.post("/v0/watch", "{\"topics\": {\"" + uniqueTopic("ws.none") + "\": {}}}").assertError(404, "topic_not_found");
            http.post("/v0/watch", "{\"topics\": {}}").assertError(400, "invalid_field");
            http.post("/v0/watch", "{\"topics\": {\"" + t + "\": {\"from\": 1}}}").assertError(400, "unknown_field");
            http.post("/v0/watch", "{\"topics\": {\"" + t + "\": {\"filter\": [\"tag\"]}}}").assertError(400, "invalid_filter");
            http.post("/v0/watch", "{\"topics\": {\"" + t + "\": {}}, \"heartbeat_ms\": 5}").assertError(400, "invalid_field");
            http.get("/v0/watch/wid_AAAAAAAAAAAAAAAAAAAAAA").assertError(404, "watch_not_found");
        }
    }

    @Test
    void aSecondGetTakesTheSessionOverAndClosesTheFirstStream() throws Exception {
        try (TestServer server = TestServer.start(tmp)) {
            Http http = server.http();
            String t = uniqueTopic("ws.take");
            write(http, t, "{\"data\":1}");
            String wid = http.post("/v0/watch", "{\"topics\": {\"" + t + "\": {}}, \"heartbeat_ms\": 5000}").ok(201).str("wid");
            try (SseClient first = SseClient.open(http.base().resolve("/v0/watch/" + wid), null)) {
                assertThat(first.nextEvent(5).name()).isEqualTo("record");
                assertThat(first.nextEvent(5).name()).isEqualTo("caught-up");
                try (SseClient second = SseClient.open(http.base().resolve("/v0/watch/" + wid), null)) {
                    assertThat(second.nextEvent(5).name()).isEqualTo("record");
                    assertThat(first.nextEvent(5)).as("the older stream is closed").isNull();
                    write(http, t, "{\"data\":2}");
                    assertThat(second.nextEvent(5).name()).isEqualTo("caught-up");
                    assertThat(second.nextEvent(5).data()).contains("\"data\":2");
                }
            }
        }
    }

    @Test
    void aSessionUnusedForItsTtlExpiresButNotWhileAStreamHoldsIt() throws Exception {
        try (TestServer server = TestServer.builder(tmp).yaml("watch:\n  session_ttl_ms: 300\n").start()) {
            Http http = server.http();
            String t = uniqueTopic("ws.ttl");
            write(http, t, "{\"data\":1}");
            String body = "{\"topics\": {\"" + t + "\": {}}, \"heartbeat_ms\": 100}";
            String held = http.post("/v0/watch", body).ok(201).str("wid");
            String idle = http.post("/v0/watch", body).ok(201).str("wid");
            try (SseClient sse = SseClient.open(http.base().resolve("/v0/watch/" + held), null)) {
                assertThat(sse.nextEvent(5).name()).isEqualTo("record");
                assertThat(sse.nextEvent(5).name()).isEqualTo("caught-up");
                // the test is about time passing: well past the TTL while the stream stays open
                Thread.sleep(1000);
                assertThat(sse.next(5).comment()).as("still streaming: heartbeats").isEqualTo("hb");
            }
            http.get("/v0/watch/" + idle).assertError(404, "watch_not_found");
            try (SseClient again = SseClient.open(http.base().resolve("/v0/watch/" + held), null)) {
                assertThat(again.status()).as("used until a moment ago").isEqualTo(200);
                assertThat(again.nextEvent(5).name()).isEqualTo("record");
            }
        }
    }
}
