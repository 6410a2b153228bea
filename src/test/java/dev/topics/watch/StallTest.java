package dev.topics.watch;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.TestServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** SPEC §5: a client that stops reading is cut off after watch.stall_ms, not buffered for. */
class StallTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(60)
    void aStreamWhoseClientStopsReadingIsClosedAfterTheStallLimit() throws Exception {
        try (TestServer server = TestServer.builder(tmp).yaml("watch:\n  stall_ms: 300\n").start()) {
            Http http = server.http();
            String t = uniqueTopic("stall");
            String big = "\"" + "x".repeat(500_000) + "\"";
            for (int w = 0; w < 8; w++) { // 40 records of 500 KB: far more than socket buffers hold
                StringBuilder body = new StringBuilder("{\"records\":[");
                for (int i = 0; i < 5; i++) {
                    body.append(i == 0 ? "" : ",").append("{\"data\":").append(big).append("}");
                }
                http.post("/v0/topics/" + t, body.append("]}").toString()).ok();
            }
            try (Socket s = new Socket()) {
                s.setReceiveBufferSize(4096);
                s.connect(new InetSocketAddress("127.0.0.1", http.base().getPort()));
                s.getOutputStream().write(("GET /v0/topics/" + t + "/watch HTTP/1.1\r\nHost: localhost\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                // the test is about a client that does not read: give the server time to stall and cut
                Thread.sleep(2_000);
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                byte[] buf = new byte[1 << 16];
                long total = 0;
                try {
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        total += n;
                    }
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("the server kept the stalled stream open (" + total + " bytes read)");
                } catch (java.net.SocketException reset) {
                    // closed by the server: what we want
                }
                assertThat(total).as("the stream was cut before it sent everything").isLessThan(20_000_000);
            }
            // the server is fine and streams to a reader that reads
            http.get("/v0/topics/" + t).ok();
        }
    }
}
