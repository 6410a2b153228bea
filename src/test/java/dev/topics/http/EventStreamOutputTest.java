package dev.topics.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An event stream's output: one write to the socket's stream per flush, a shared frame sent uncopied. */
class EventStreamOutputTest {
    /** Records each write it gets (the array itself, and a copy of what it held) and each flush. */
    static final class Recording extends OutputStream {
        final List<byte[]> arrays = new ArrayList<>();
        final List<String> writes = new ArrayList<>();
        int flushes;
        boolean closed;
        IOException failWrites;

        @Override
        public void write(int b) {
            throw new AssertionError("single bytes are never written through");
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (failWrites != null) {
                throw failWrites;
            }
            arrays.add(b);
            writes.add(new String(b, off, len, StandardCharsets.UTF_8));
        }

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void whatIsWrittenBetweenFlushesGoesOutAsOneWrite() throws IOException {
        Recording sink = new Recording();
        EventStreamOutput out = new EventStreamOutput(sink);
        out.write(bytes("event: record\n"));
        out.write(bytes("data: {\"a\":1}"));
        out.write('\n');
        out.write('\n');
        assertThat(sink.writes).isEmpty();
        out.flush();
        assertThat(sink.writes).containsExactly("event: record\ndata: {\"a\":1}\n\n");
        assertThat(sink.flushes).isEqualTo(1);
        out.write(bytes(": hb\n\n"));
        out.flush();
        assertThat(sink.writes).containsExactly("event: record\ndata: {\"a\":1}\n\n", ": hb\n\n");
    }

    @Test
    void aLoneFrameIsWrittenAsTheSameArrayWithoutACopy() throws IOException {
        Recording sink = new Recording();
        EventStreamOutput out = new EventStreamOutput(sink);
        byte[] shared = bytes("id: 7\nevent: record\ndata: {}\n\n");
        out.frame(shared);
        out.flush();
        assertThat(sink.arrays).hasSize(1);
        assertThat(sink.arrays.get(0)).isSameAs(shared);
    }

    @Test
    void aFrameBesideOtherWritesIsCopiedInOrder() throws IOException {
        Recording sink = new Recording();
        EventStreamOutput out = new EventStreamOutput(sink);
        byte[] first = bytes("A".repeat(300));
        byte[] second = bytes("B".repeat(700));
        out.frame(first);
        out.write(bytes("-"));
        out.frame(second);
        out.write('!');
        out.flush();
        assertThat(sink.writes).containsExactly("A".repeat(300) + "-" + "B".repeat(700) + "!");
        assertThat(sink.arrays.get(0)).isNotSameAs(first).isNotSameAs(second);
        // and a write before a frame keeps its place too
        out.write(bytes("x"));
        out.frame(first);
        out.flush();
        assertThat(sink.writes.get(1)).isEqualTo("x" + "A".repeat(300));
    }

    @Test
    void aFlushWithNothingPendingWritesNothingButStillFlushes() throws IOException {
        Recording sink = new Recording();
        EventStreamOutput out = new EventStreamOutput(sink);
        out.write(new byte[0], 0, 0);
        out.flush();
        assertThat(sink.writes).isEmpty();
        assertThat(sink.flushes).isEqualTo(1);
    }

    @Test
    void aFailedWriteDropsWhatWasPendingAndCloseStillClosesTheStream() {
        Recording sink = new Recording();
        EventStreamOutput out = new EventStreamOutput(sink);
        out.write(bytes("lost"));
        sink.failWrites = new IOException("client gone");
        assertThatThrownBy(out::flush).hasMessage("client gone");
        sink.failWrites = null;
        out.write(bytes("next"));
        assertThatThrownBy(() -> {
            sink.failWrites = new IOException("still gone");
            out.close();
        }).hasMessage("still gone");
        assertThat(sink.closed).isTrue();
        assertThat(sink.writes).isEmpty();
    }

    @Test
    void closeSendsWhatIsPending() throws IOException {
        Recording sink = new Recording();
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        try (EventStreamOutput out = new EventStreamOutput(new OutputStream() {
            @Override
            public void write(int b) {
                seen.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                seen.write(b, off, len);
                sink.writes.add(new String(b, off, len, StandardCharsets.UTF_8));
            }
        })) {
            out.write(bytes("data: last\n\n"));
        }
        assertThat(seen.toString(StandardCharsets.UTF_8)).isEqualTo("data: last\n\n");
        assertThat(sink.writes).hasSize(1);
    }
}
