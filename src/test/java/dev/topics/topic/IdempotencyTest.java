package dev.topics.topic;

import static dev.topics.testing.TestServer.uniqueTopic;
import static dev.topics.topic.WriteTest.assertUnchanged;
import static dev.topics.topic.WriteTest.path;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SPEC §3: the {@code Idempotency-Key} header and {@code idempotency_key} field. */
class IdempotencyTest extends ServerTest {
    static final String TWO = "{\"records\": [{\"data\": \"a\"}, {\"data\": \"b\"}]";


    static String withKey(String key) {
        return TWO + ", \"idempotency_key\": \"" + key + "\"}";
    }

    static void assertSameWrite(Response first, Response repeat) {
        assertThat(repeat.num("first_seq")).isEqualTo(first.num("first_seq"));
        assertThat(repeat.num("last_seq")).isEqualTo(first.num("last_seq"));
        assertThat(repeat.list("seqs")).isEqualTo(first.list("seqs"));
        assertThat(repeat.bool("deduped")).isTrue();
        assertThat(first.bool("deduped")).isFalse();
    }

    @Test
    void aRepeatedHeaderKeyReturnsTheSameSeqsAndWritesNothing() {
        String t = uniqueTopic("idem.header");
        Response first = http.post(path(t), TWO + "}", "Idempotency-Key", "k-123").ok();
        Response repeat = http.post(path(t), TWO + "}", "Idempotency-Key", "k-123").ok();

        assertSameWrite(first, repeat);
        assertThat(first.list("seqs")).containsExactly(1L, 2L);
        assertThat(repeat.map().keySet()).isEqualTo(first.map().keySet());
        assertUnchanged(http, t, 2, 2);
        assertThat(http.post(path(t) + "/diff", "{}").ok().list("records")).hasSize(2);
    }

    @Test
    void aRepeatedFieldKeyReturnsTheSameSeqsAndWritesNothing() {
        String t = uniqueTopic("idem.field");
        WriteTest.seed(http, t, 1);
        Response first = http.post(path(t), withKey("k-1")).ok();
        Response repeat = http.post(path(t), withKey("k-1")).ok();

        assertSameWrite(first, repeat);
        assertThat(first.list("seqs")).containsExactly(2L, 3L);
        assertUnchanged(http, t, 3, 3);
    }

    @Test
    void theHeaderAndTheFieldAreOneKey() {
        String t = uniqueTopic("idem.both");
        Response first = http.post(path(t), withKey("same")).ok();
        Response viaHeader = http.post(path(t), TWO + "}", "Idempotency-Key", "same").ok();
        Response viaBoth = http.post(path(t), withKey("same"), "Idempotency-Key", "same").ok();

        assertSameWrite(first, viaHeader);
        assertSameWrite(first, viaBoth);
        assertUnchanged(http, t, 2, 2);
    }

    @Test
    void aRepeatWithADifferentBodyStillReturnsTheFirstAnswer() {
        String t = uniqueTopic("idem.otherbody");
        Response first = http.post(path(t), withKey("k")).ok();
        Response repeat = http.post(path(t), "{\"records\": [{\"data\": 1}, {\"data\": 2}, {\"data\": 3}], \"idempotency_key\": \"k\"}").ok();

        assertSameWrite(first, repeat);
        assertUnchanged(http, t, 2, 2);
    }

    @Test
    void differentKeysWriteTwice() {
        String t = uniqueTopic("idem.distinct");
        http.post(path(t), withKey("k1")).ok();
        Response second = http.post(path(t), withKey("k2")).ok();
        assertThat(second.bool("deduped")).isFalse();
        assertThat(second.list("seqs")).containsExactly(3L, 4L);
    }

    @Test
    void aKeyIsRememberedPerTopic() {
        String a = uniqueTopic("idem.pertopic");
        String b = uniqueTopic("idem.pertopic");
        http.post(path(a), withKey("shared")).ok();
        Response other = http.post(path(b), withKey("shared")).ok();
        assertThat(other.bool("deduped")).isFalse();
        assertUnchanged(http, b, 2, 2);
    }

    @Test
    void headerAndFieldThatDifferAreRefusedAndNothingIsWritten() {
        String t = uniqueTopic("idem.differ");
        WriteTest.seed(http, t, 1);
        http.post(path(t), withKey("one"), "Idempotency-Key", "two").assertError(400, "invalid_field");
        assertUnchanged(http, t, 1, 1);
    }

    @Test
    void aRefusedWriteDoesNotUseUpItsKey() {
        String t = uniqueTopic("idem.refused");
        WriteTest.seed(http, t, 1);
        http.post(path(t), "{\"records\": [], \"idempotency_key\": \"k\"}").assertError(400, "invalid_field");
        http.post(path(t), "{\"records\": [{}]}", "Idempotency-Key", "k").assertError(400, "invalid_field");

        Response ok = http.post(path(t), withKey("k")).ok();

        assertThat(ok.bool("deduped")).isFalse();
        assertThat(ok.list("seqs")).containsExactly(2L, 3L);
    }

    @Test
    void aDeletedTopicForgetsItsKeys() {
        String t = uniqueTopic("idem.deleted");
        http.post(path(t), withKey("k")).ok();
        http.delete(path(t)).ok();

        Response again = http.post(path(t), withKey("k")).ok();

        assertThat(again.bool("deduped")).isFalse();
        assertThat(again.bool("created")).isTrue();
        assertThat(again.list("seqs")).containsExactly(1L, 2L);
    }

    @Test
    void aKeyOf128BytesIsAcceptedAnd129IsRefused() {
        String t = uniqueTopic("idem.length");
        WriteTest.seed(http, t, 1);
        http.post(path(t), withKey("k".repeat(128))).ok();
        http.post(path(t), TWO + "}", "Idempotency-Key", "h".repeat(128)).ok();

        http.post(path(t), withKey("k".repeat(129))).assertError(400, "invalid_field");
        http.post(path(t), TWO + "}", "Idempotency-Key", "h".repeat(129)).assertError(400, "invalid_field");
        // Bytes, not characters: 65 two-byte characters are 130 bytes.
        http.post(path(t), withKey("é".repeat(65))).assertError(400, "invalid_field");
        assertUnchanged(http, t, 5, 5);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 64})
    void aKeyIsCountedInUtf8BytesUpTo128(int twoByteChars) {
        String key = "é".repeat(twoByteChars);
        String t = uniqueTopic("idem.utf8");
        Response first = http.post(path(t), withKey(key)).ok();
        assertSameWrite(first, http.post(path(t), withKey(key)).ok());
    }

    @Test
    void aKeyIsForgottenAfterTheTopicsWindow() throws InterruptedException {
        String t = uniqueTopic("idem.window");
        http.put(path(t), "{\"idempotency_window_ms\": 200}").ok(201);
        http.post(path(t), withKey("k")).ok();

        Thread.sleep(400); // the test is about time passing: let the 200 ms window close

        Response later = http.post(path(t), withKey("k")).ok();
        assertThat(later.bool("deduped")).isFalse();
        assertThat(later.list("seqs")).containsExactly(3L, 4L);
    }

    @Test
    void aKeySurvivesARestart() {
        String t = uniqueTopic("idem.restart");
        String untouched = uniqueTopic("idem.restart");
        Response first = http.post(path(t), withKey("durable-key")).ok();
        http.post(path(untouched), TWO + "}", "Idempotency-Key", "h-key").ok();

        server.restart();

        Response repeat = http.post(path(t), withKey("durable-key")).ok();
        assertSameWrite(first, repeat);
        assertThat(http.post(path(untouched), TWO + "}", "Idempotency-Key", "h-key").ok().bool("deduped")).isTrue();
        assertUnchanged(http, t, 2, 2);
        // Seqs are never reused: the next new write continues after the restart.
        assertThat(http.post(path(t), withKey("new-key")).ok().list("seqs")).isEqualTo(List.of(3L, 4L));
    }
}
