package dev.topics.topic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.json.JsonOut;
import dev.topics.storage.Origin;
import dev.topics.storage.ReadResult;
import dev.topics.storage.RecordBatch;
import dev.topics.storage.RecordView;
import dev.topics.storage.segment.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The answer of a read is built in one buffer sized up front. */
class CursorPollTest {
    /** The answer as TopicService.diff builds it, starting from the hint. */
    private static JsonOut answer(ReadResult r) {
        JsonOut out = new JsonOut(CursorPoll.sizeHint(r)).beginObject().field("topic", "orders-eu.v2");
        CursorPoll.fields(out, r);
        return out.name("performance").beginObject().name("server_total_ms").millis(123_456_789L).endObject().endObject();
    }

    private static ReadResult result(List<RecordView> records) {
        long last = records.isEmpty() ? 0 : records.getLast().seq();
        return new ReadResult(records, last, last, 1, null);
    }

    private static RecordView raw(long seq, byte[] data) {
        RecordBatch b = new RecordBatch(128 + data.length).addRaw(data, 0, data.length, "application/octet-stream");
        RecordCodec.seal(b.buffer(), 0, seq, 1_796_404_464_053L);
        return new RecordView(b.buffer(), 0);
    }

    @Test
    void aBigAnswerNeverOutgrowsItsFirstBuffer() {
        byte[] data = ("{\"s\":\"" + "x".repeat(990) + "\"}").getBytes(StandardCharsets.UTF_8);
        List<RecordView> records = new ArrayList<>();
        for (long seq = 1; seq <= 4000; seq++) {
            records.add(RecordView.of(seq, 1_796_404_464_053L, seq % 2 == 0 ? "order-" + seq : null,
                    seq % 3 == 0 ? "node-eu-1" : null, seq % 5 == 0 ? new Origin("eu-west", "orders", seq) : null,
                    data));
        }
        ReadResult r = result(records);
        int hint = CursorPoll.sizeHint(r);
        JsonOut out = answer(r);

        // the old hint (1 KiB + 96 B a record) made this 4 MiB answer grow from 385 KiB, copied 4 times
        assertThat(out.size()).isGreaterThan(4_000_000);
        assertThat(out.buffer().length).as("the buffer the answer was built in").isEqualTo(hint);
        assertThat(hint).as("and not much bigger than the answer").isLessThan(out.size() + out.size() / 4);
    }

    @Test
    void rawBytesAreHintedAsTheirBase64() {
        List<RecordView> records = new ArrayList<>();
        for (long seq = 1; seq <= 500; seq++) {
            records.add(raw(seq, new byte[(int) (seq * 7 % 3000)]));
        }
        ReadResult r = result(records);
        JsonOut out = answer(r);
        assertThat(out.buffer().length).isEqualTo(CursorPoll.sizeHint(r));
    }

    @Test
    void anEmptyAnswerFitsTheSmallestHint() {
        ReadResult r = result(List.of());
        JsonOut out = answer(r);
        assertThat(out.buffer().length).isEqualTo(CursorPoll.sizeHint(r)).isEqualTo(1024);
    }
}
