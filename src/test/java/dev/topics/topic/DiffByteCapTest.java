package dev.topics.topic;

import static dev.topics.testing.TestServer.uniqueTopic;
import static dev.topics.topic.DiffTest.seqs;
import static dev.topics.topic.WriteTest.path;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SPEC §4: a diff answers with at most ~4 MiB of record data, but always at least one
 * record. The server allows 6 MiB records here so that one record can exceed the cap.
 */
@ServerTest.Setup(yaml = """
        limits:
          max_record_bytes: 6291456
        """)
class DiffByteCapTest extends ServerTest {
    static final int CAP = 4 << 20;
    static final int KIB_600 = 600 << 10;

    /** A JSON string of exactly {@code bytes} serialized bytes. */
    static String blob(char c, int bytes) {
        return "\"" + String.valueOf(c).repeat(bytes - 2) + "\"";
    }

    static long dataBytes(Response r) {
        // Every record's data is a string of ASCII letters: its serialized size is length + 2.
        return r.list("records").stream().mapToLong(x -> ((String) Http.Json.obj(x).get("data")).length() + 2).sum();
    }

    @Test
    void aDiffOfManyLargeRecordsStopsAtAboutFourMebibytes() {
        String t = uniqueTopic("cap.many");
        StringBuilder body = new StringBuilder("{\"records\": [");
        for (int i = 0; i < 10; i++) {
            body.append(i == 0 ? "" : ",").append("{\"data\": ").append(blob((char) ('a' + i), KIB_600)).append('}');
        }
        http.post(path(t), body.append("]}").toString()).ok();

        Response r = http.post(path(t) + "/diff", "{\"limit\": 100}").ok();

        int n = r.list("records").size();
        assertThat(n).as("fewer than all 10 records").isBetween(1, 9);
        assertThat(dataBytes(r)).as("data bytes returned").isLessThanOrEqualTo(CAP)
                .isGreaterThan(CAP - KIB_600);
        assertThat(seqs(r)).isEqualTo(DiffTest.range(1, n));
        assertThat(r.num("next_from_seq")).isEqualTo(n);
        assertThat(r.bool("caught_up")).isFalse();
        assertThat(r.num("lag")).isEqualTo(10 - n);

        // Following the cursor reads the rest, each record once and intact.
        List<Long> all = new ArrayList<>(seqs(r));
        long cursor = r.num("next_from_seq");
        for (int guard = 0; guard < 10 && cursor < 10; guard++) {
            Response next = http.get(path(t) + "/diff?limit=100&from_seq=" + cursor).ok();
            assertThat(dataBytes(next)).isLessThanOrEqualTo(CAP);
            all.addAll(seqs(next));
            cursor = next.num("next_from_seq");
            for (Object rec : next.list("records")) {
                Map<String, Object> m = Http.Json.obj(rec);
                char c = (char) ('a' + ((Long) m.get("$seq")).intValue() - 1);
                assertThat(m.get("data")).isEqualTo(blob(c, KIB_600).substring(1, KIB_600 - 1));
            }
        }
        assertThat(all).isEqualTo(DiffTest.range(1, 10));
    }

    @Test
    void oneRecordLargerThanTheCapIsStillReturnedAlone() {
        String t = uniqueTopic("cap.one");
        http.post(path(t), "{\"records\": [{\"data\": " + blob('z', (4 << 20) + (512 << 10)) + "}, {\"data\": \"small\"}]}").ok();

        Response r = http.post(path(t) + "/diff", "{\"limit\": 100}").ok();

        assertThat(seqs(r)).containsExactly(1L);
        assertThat(r.num("next_from_seq")).isEqualTo(1);
        assertThat(r.bool("caught_up")).isFalse();
        Response rest = http.post(path(t) + "/diff", "{\"from_seq\": 1}").ok();
        assertThat(seqs(rest)).containsExactly(2L);
        assertThat(rest.bool("caught_up")).isTrue();
    }
}
