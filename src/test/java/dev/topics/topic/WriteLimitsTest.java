package dev.topics.topic;

import static dev.topics.testing.TestServer.uniqueTopic;
import static dev.topics.topic.WriteTest.assertUnchanged;
import static dev.topics.topic.WriteTest.paddedWrite;
import static dev.topics.topic.WriteTest.path;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.ServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Limits and topic defaults set by the config file: a 4 KiB body limit, a 1 KiB record
 * limit, and {@code auto_create: false} for names not yet created.
 */
@ServerTest.Setup(yaml = "limits:\n"
        + "  max_body_bytes: " + WriteLimitsTest.MAX_BODY + "\n"
        + "  max_record_bytes: " + WriteLimitsTest.MAX_RECORD + "\n"
        + "topic_defaults:\n"
        + "  auto_create: false\n")
class WriteLimitsTest extends ServerTest {
    static final int MAX_BODY = 4096;
    static final int MAX_RECORD = 1024;

    /** A topic made by PUT (writes cannot create here) holding one record. */
    static String topicWithOneRecord(String stem) {
        String t = uniqueTopic(stem);
        http.put(path(t), "{}").ok(201);
        http.post(path(t), "{\"records\": [{\"data\": 0}]}").ok();
        return t;
    }

    /**
     * Sends an oversized body; a connection closed or reset before any answer arrived (the
     * client still writing when the server hung up) is a failure of its own, named as such.
     */
    static Http.Response send(java.util.function.Supplier<Http.Response> call) {
        try {
            return call.get();
        } catch (java.io.UncheckedIOException e) {
            throw new AssertionError("no 413 arrived: the server closed or reset the connection while the client was "
                    + "still sending the body (" + e.getCause() + ")", e);
        }
    }

    @Test
    void aBodyOfExactlyTheLimitIsAcceptedWithContentLengthAndChunked() {
        String t = topicWithOneRecord("body.exact");
        http.postBytes(path(t), paddedWrite(MAX_BODY)).ok();
        http.postChunked(path(t), paddedWrite(MAX_BODY)).ok();
        assertUnchanged(http, t, 3, 3);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {MAX_BODY + 1, 2 * MAX_BODY, 1 << 20})
    void aBodyOverTheLimitIs413WithContentLength(int size) {
        String t = topicWithOneRecord("body.cl");
        send(() -> http.postBytes(path(t), paddedWrite(size))).assertError(413, "body_too_large");
        assertUnchanged(http, t, 1, 1);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {MAX_BODY + 1, 2 * MAX_BODY, 1 << 20})
    void aBodyOverTheLimitIs413WhenChunked(int size) {
        String t = topicWithOneRecord("body.chunked");
        send(() -> http.postChunked(path(t), paddedWrite(size))).assertError(413, "body_too_large");
        assertUnchanged(http, t, 1, 1);
    }

    @Test
    void theServerStillAnswersOnANewConnectionAfterRefusingALargeBody() {
        String t = topicWithOneRecord("body.after");
        // The error's shape is asserted by the tests above; this one is about what follows.
        send(() -> http.withoutErrorShapeCheck().postBytes(path(t), paddedWrite(2 * MAX_BODY))).expect(413);
        send(() -> http.withoutErrorShapeCheck().postChunked(path(t), paddedWrite(MAX_BODY + 100))).expect(413);
        http.post(path(t), "{\"records\": [{\"data\": 1}]}").ok();
        assertUnchanged(http, t, 2, 2);
    }

    @Test
    void putAndDiffBodiesOverTheLimitAre413Too() {
        String t = topicWithOneRecord("body.other");
        String pad = " ".repeat(MAX_BODY);
        http.put(path(t), "{" + pad + "}").assertError(413, "body_too_large");
        http.patch(path(t), "{" + pad + "}").assertError(413, "body_too_large");
        http.post(path(t) + "/diff", "{" + pad + "}").assertError(413, "body_too_large");
    }

    @Test
    void aRecordOverTheRecordLimitIs413AndNothingIsWritten() {
        String t = topicWithOneRecord("record.over");
        String data = "\"" + "x".repeat(MAX_RECORD - 1) + "\""; // limit + 1 serialized

        http.post(path(t), "{\"records\": [{\"data\": 1}, {\"data\": " + data + "}]}")
                .assertError(413, "record_too_large");

        assertUnchanged(http, t, 1, 1);
    }

    @Test
    void aRecordOfExactlyTheRecordLimitIsAccepted() {
        String t = topicWithOneRecord("record.exact");
        String data = "\"" + "x".repeat(MAX_RECORD - 2) + "\"";
        http.post(path(t), "{\"records\": [{\"data\": " + data + "}]}").ok();
        assertUnchanged(http, t, 2, 2);
    }

    @Test
    void withAutoCreateOffInTopicDefaultsAWriteToAMissingTopicIs404() {
        String t = uniqueTopic("nocreate");

        http.post(path(t), "{\"records\": [{\"data\": 1}]}").assertError(404, "topic_not_found");

        http.get(path(t)).assertError(404, "topic_not_found");
    }

    @Test
    void aTopicMadeByPutTakesTheConfiguredDefaults() {
        String t = uniqueTopic("defaults");
        assertThat(http.put(path(t), "{}").ok(201).get("config"))
                .isEqualTo(TopicCrudTest.defaultsWith("auto_create", false));
        assertThat(http.post(path(t), "{\"records\": [{\"data\": 1}]}").ok().bool("created")).isFalse();
    }
}
