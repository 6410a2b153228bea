package dev.topics.topic;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import org.junit.jupiter.api.Test;

/** SPEC §8 over HTTP: a re-sent routed record is dropped, and the write says how many. */
class DedupeHttpTest extends ServerTest {
    private static String routed(long... seqs) {
        StringBuilder b = new StringBuilder("{\"records\":[");
        for (int i = 0; i < seqs.length; i++) {
            b.append(i == 0 ? "" : ",").append("{\"data\":").append(seqs[i])
                    .append(",\"origin\":{\"node\":\"n-west\",\"topic\":\"orders\",\"seq\":").append(seqs[i]).append("}}");
        }
        return b.append("]}").toString();
    }

    @Test
    void aResentOriginSeqIsDroppedAndReportedAsDropped() {
        String t = uniqueTopic("dedupe");
        Response first = http.post("/v0/topics/" + t, routed(1, 2)).ok();
        assertThat(first.num("dropped")).isZero();
        assertThat(first.list("seqs")).containsExactly(1L, 2L);

        Response again = http.post("/v0/topics/" + t, routed(2, 3)).ok();
        assertThat(again.num("dropped")).isEqualTo(1);
        assertThat(again.list("seqs")).containsExactly(3L);
        assertThat(again.num("count")).isEqualTo(3);

        Response none = http.post("/v0/topics/" + t, routed(3)).ok();
        assertThat(none.num("dropped")).isEqualTo(1);
        assertThat(none.list("seqs")).isEmpty();
        assertThat(none.num("first_seq")).isEqualTo(4);
        assertThat(none.num("last_seq")).isEqualTo(3);

        Response read = http.get("/v0/topics/" + t + "/diff").ok();
        assertThat(read.list("records")).hasSize(3);
        assertThat(read.num("records.2.$origin.seq")).isEqualTo(3);
    }
}
