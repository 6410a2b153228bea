package dev.topics.watch;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.ServerTest;
import dev.topics.testing.SseClient;
import dev.topics.testing.SseClient.Event;
import java.net.URI;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SPEC §5.3 read by a real SSE client: GET /v0/topics/{name}/watch. */
@Timeout(60)
class TopicWatchTest extends ServerTest {
    private static URI watch(String topic, String query) {
        return http.base().resolve("/v0/topics/" + topic + "/watch" + (query.isEmpty() ? "" : "?" + query));
    }

    private static String cursorId(String topic, long seq) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("{\"" + topic + "\":" + seq + "}").getBytes());
    }

    private static void write(String topic, String records) {
        http.post("/v0/topics/" + topic, "{\"records\":[" + records + "]}").ok();
    }

    @Test
    void eventsArriveInOrderWithCursorIdsCaughtUpTransitionsAndHeartbeats() throws Exception {
        String t = uniqueTopic("watch.order");
        write(t, "{\"data\":1,\"tag\":\"a\"},{\"data\":2}");
        try (SseClient sse = SseClient.open(watch(t, "heartbeat_ms=200"), null)) {
            assertThat(sse.status()).isEqualTo(200);
            assertThat(sse.contentType()).startsWith("text/event-stream");
            assertThat(sse.next(5).retry()).isEqualTo("2000");
            Event first = sse.next(5);
            assertThat(first.name()).isEqualTo("record");
            assertThat(first.id()).isEqualTo(cursorId(t, 2));
            assertThat(first.data().replaceAll("\"\\$ts\":\\d+", "\"\\$ts\":T")).isEqualTo("{\"topic\":\"" + t
                    + "\",\"records\":[{\"$seq\":1,\"$ts\":T,\"$tag\":\"a\",\"data\":1},{\"$seq\":2,\"$ts\":T,\"data\":2}],"
                    + "\"from_seq\":0,\"to_seq\":2,\"head_seq\":2}");
            Event caught = sse.next(5);
            assertThat(caught.name()).isEqualTo("caught-up");
            assertThat(caught.data()).isEqualTo("{\"topic\":\"" + t + "\",\"head_seq\":2}");
            assertThat(sse.next(5).comment()).as("a heartbeat while idle").isEqualTo("hb");

            write(t, "{\"data\":3}");
            Event live = sse.nextEvent(5);
            assertThat(live.name()).isEqualTo("record");
            assertThat(live.id()).isEqualTo(cursorId(t, 3));
            assertThat(live.data()).contains("\"from_seq\":2,\"to_seq\":3,\"head_seq\":3");
            assertThat(sse.nextEvent(5).name()).as("caught up again: one per transition").isEqualTo("caught-up");
        }
    }

    @Test
    void lastEventIdResumesExactlyWithNoGapAndNoRepeat() throws Exception {
        String t = uniqueTopic("watch.resume");
        write(t, "{\"data\":1},{\"data\":2},{\"data\":3}");
        String id;
        try (SseClient sse = SseClient.open(watch(t, ""), null)) {
            id = sse.nextEvent(5).id();
        }
        write(t, "{\"data\":4}");
        try (SseClient sse = SseClient.open(watch(t, "from_seq=0"), id)) {
            Event e = sse.nextEvent(5);
            assertThat(e.data()).contains("\"from_seq\":3,\"to_seq\":4").contains("\"$seq\":4").doesNotContain("\"$seq\":3");
        }
    }

    @Test
    void deletingTheTopicEndsTheStreamWithADeletedTombstone() throws Exception {
        String t = uniqueTopic("watch.deleted");
        write(t, "{\"data\":1}");
        try (SseClient sse = SseClient.open(watch(t, "heartbeat_ms=200"), null)) {
            assertThat(sse.nextEvent(5).name()).isEqualTo("record");
            assertThat(sse.nextEvent(5).name()).isEqualTo("caught-up");
            http.delete("/v0/topics/" + t).ok();
            Event end = sse.nextEvent(10);
            assertThat(end.name()).isEqualTo("tombstone");
            assertThat(end.data()).isEqualTo("{\"topic\":\"" + t + "\",\"tombstone\":{\"reason\":\"deleted\"}}");
            assertThat(sse.nextEvent(5)).as("the stream ends").isNull();
        }
    }

    @Test
    void aCursorPastTheHeadGetsAResetTombstone() throws Exception {
        String t = uniqueTopic("watch.reset");
        write(t, "{\"data\":1}");
        try (SseClient sse = SseClient.open(watch(t, "from_seq=9"), null)) {
            Event e = sse.nextEvent(5);
            assertThat(e.name()).isEqualTo("tombstone");
            assertThat(e.data()).isEqualTo("{\"topic\":\"" + t + "\",\"tombstone\":{\"reason\":\"reset\",\"head_seq\":1}}");
            assertThat(sse.nextEvent(5).data()).contains("\"$seq\":1").contains("\"from_seq\":0");
        }
    }

    @Test
    void aMissingTopicOrABadQueryIsAnErrorBeforeAnyStream() {
        http.get("/v0/topics/" + uniqueTopic("watch.none") + "/watch").assertError(404, "topic_not_found");
        String t = uniqueTopic("watch.bad");
        write(t, "{\"data\":1}");
        http.get("/v0/topics/" + t + "/watch?wait_ms=5").assertError(400, "unknown_field");
        http.get("/v0/topics/" + t + "/watch?heartbeat_ms=5").assertError(400, "invalid_field");
    }
}
