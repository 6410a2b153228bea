// CatchUp.java — P8 of DESIGN.md "Figures to reach": a reader catching up on a big topic.
//
//   java CatchUp.java URL TOPIC [LIMIT]
//
// JDK only (run by benchmarks/run). Reads TOPIC from seq 0 to the head_seq it had when this
// started, one diff after another on one keep-alive connection:
// GET /v0/topics/TOPIC/diff?from_seq=<next_from_seq>&limit=LIMIT (default 10,000), as a
// client catching up would. Each answer is read whole into one reused buffer; its
// next_from_seq (found from the end, where the server writes it after the records) is the
// next cursor. Checks that the cursor ends at the head and that every answer moved it.
// Prints one line:
//   CATCHUP records=… requests=… json_bytes=… seconds=… json_mb_s=… records_s=…
// The topic must hold only live records, seq 1..head (records = head_seq is checked).
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

public class CatchUp {
    static InputStream in;
    static byte[] buf = new byte[16 << 20];
    static int have;

    public static void main(String[] a) throws Exception {
        if (a.length < 2) {
            System.err.println("usage: java CatchUp.java URL TOPIC [LIMIT]");
            System.exit(2);
        }
        URI url = URI.create(a[0]);
        String topic = a[1];
        int limit = a.length > 2 ? Integer.parseInt(a[2]) : 10_000;
        try (Socket s = new Socket(url.getHost(), url.getPort())) {
            s.setTcpNoDelay(true);
            s.setReceiveBufferSize(4 << 20);
            in = new BufferedInputStream(s.getInputStream(), 1 << 16); // large reads bypass its buffer
            OutputStream out = s.getOutputStream();
            String host = "Host: " + url.getHost() + ":" + url.getPort() + "\r\n\r\n";
            byte[] info = get(out, "/v0/topics/" + topic, host);
            long head = number(info, 0, have, "\"head_seq\":");
            long from = 0, requests = 0, json = 0;
            long t0 = System.nanoTime();
            while (from < head) {
                get(out, "/v0/topics/" + topic + "/diff?from_seq=" + from + "&limit=" + limit, host);
                requests++;
                json += have;
                long next = lastNumber("\"next_from_seq\":");
                if (next <= from) {
                    throw new IOException("a diff from " + from + " did not move the cursor (next_from_seq " + next + ")");
                }
                from = next;
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            if (from != head) {
                throw new IOException("the cursor ended at " + from + ", the head was " + head);
            }
            System.out.printf(Locale.ROOT, "CATCHUP records=%d requests=%d json_bytes=%d seconds=%.3f json_mb_s=%.1f records_s=%.0f%n",
                    head, requests, json, sec, json / 1e6 / sec, head / sec);
        }
    }

    /** GET PATH; the body is left in buf[0, have). Fails unless 200 with a Content-Length. */
    static byte[] get(OutputStream out, String path, String host) throws IOException {
        out.write(("GET " + path + " HTTP/1.1\r\n" + host).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        StringBuilder head = new StringBuilder();
        int c, crlf = 0;
        while (crlf < 4 && (c = in.read()) >= 0) {
            head.append((char) c);
            crlf = (c == '\r' || c == '\n') ? crlf + 1 : 0;
        }
        String h = head.toString();
        if (!h.startsWith("HTTP/1.1 200")) {
            throw new IOException("GET " + path + " answered " + h.lines().findFirst().orElse(h));
        }
        int cl = h.toLowerCase(Locale.ROOT).indexOf("content-length:");
        if (cl < 0) {
            throw new IOException("GET " + path + ": no Content-Length in " + h);
        }
        int n = Integer.parseInt(h.substring(cl + 15, h.indexOf('\r', cl)).trim());
        if (n > buf.length) {
            buf = new byte[n];
        }
        int got = 0;
        while (got < n) {
            int r = in.read(buf, got, n - got);
            if (r < 0) {
                throw new IOException("the server closed the connection in an answer");
            }
            got += r;
        }
        have = n;
        return buf;
    }

    static long lastNumber(String key) throws IOException {
        byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        for (int p = have - k.length; p >= 0; p--) {
            if (buf[p] == k[0] && Arrays.equals(buf, p, p + k.length, k, 0, k.length)) {
                return number(buf, p, have, key);
            }
        }
        throw new IOException("no " + key + " in an answer");
    }

    static long number(byte[] b, int from, int to, String key) throws IOException {
        String s = new String(b, from, Math.min(to - from, 4096), StandardCharsets.ISO_8859_1);
        int p = s.indexOf(key);
        if (p < 0) {
            throw new IOException("no " + key + " in " + s);
        }
        p += key.length();
        long v = 0;
        while (p < s.length() && Character.isDigit(s.charAt(p))) {
            v = v * 10 + (s.charAt(p++) - '0');
        }
        return v;
    }
}
