package dev.topics.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One raw TCP connection to a server, for tests about the HTTP/1 wire itself: pipelined
 * and ambiguous requests, slow senders, who closes the connection when. Bytes go out
 * exactly as given; everything the server sends is kept and can be parsed as a sequence of
 * responses (each with a Content-Length). Every read waits at most a bounded time, so no
 * test hangs: {@link #awaitClosed} and {@link #awaitResponses} take their bound.
 */
public final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private boolean closed;

    private RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(100);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects to the server at {@code base} (http://host:port). */
    public static RawConnection open(URI base) {
        return open(base, null);
    }

    /** Connects from {@code localAddress} (e.g. 127.0.0.7: every 127/8 address is loopback on Linux). */
    public static RawConnection open(URI base, String localAddress) {
        Socket s = new Socket();
        try {
            if (localAddress != null) {
                s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            }
            s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
            return new RawConnection(s);
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to do
            }
            throw new UncheckedIOException("cannot connect to " + base, e);
        }
    }

    /** Writes {@code text} (ISO-8859-1); false when the server had closed the connection already. */
    public boolean send(String text) {
        try {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads until the server closes the connection or {@code within} passes; true when it closed. */
    public boolean awaitClosed(Duration within) {
        long end = System.nanoTime() + within.toNanos();
        while (!closed && System.nanoTime() - end < 0) {
            readSome();
        }
        return closed;
    }

    /** Reads until {@code n} complete responses arrived, the connection closed, or {@code within} passed. */
    public List<Response> awaitResponses(int n, Duration within) {
        long end = System.nanoTime() + within.toNanos();
        while (!closed && responses().size() < n && System.nanoTime() - end < 0) {
            readSome();
        }
        return responses();
    }

    private void readSome() {
        byte[] b = new byte[8192];
        try {
            int r = in.read(b);
            if (r < 0) {
                closed = true;
            } else {
                received.write(b, 0, r);
            }
        } catch (SocketTimeoutException e) {
            // nothing yet
        } catch (IOException e) {
            closed = true; // reset by the server
        }
    }

    /** True once the server closed the connection (as far as read so far). */
    public boolean closed() {
        return closed;
    }

    /** Everything received so far, as text. */
    public String text() {
        return received.toString(StandardCharsets.ISO_8859_1);
    }

    /** The complete responses received so far, in order. */
    public List<Response> responses() {
        List<Response> list = new ArrayList<>();
        String all = text();
        int at = 0;
        while (true) {
            int split = all.indexOf("\r\n\r\n", at);
            if (split < 0) {
                return list;
            }
            String[] lines = all.substring(at, split).split("\r\n");
            Map<String, String> h = new TreeMap<>();
            for (int i = 1; i < lines.length; i++) {
                int c = lines[i].indexOf(':');
                h.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
            }
            int length = Integer.parseInt(h.getOrDefault("content-length", "0"));
            if (all.length() < split + 4 + length) {
                return list;
            }
            byte[] body = all.substring(split + 4, split + 4 + length).getBytes(StandardCharsets.ISO_8859_1);
            list.add(new Response(Integer.parseInt(lines[0].split(" ")[1]), h,
                    new String(body, StandardCharsets.UTF_8)));
            at = split + 4 + length;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** One response read off the wire. */
    public record Response(int status, Map<String, String> headers, String body) {
        /** Asserts the status and SPEC §0's error body with this code. */
        public Response assertError(int status, String code) {
            Map<String, List<String>> h = new TreeMap<>();
            headers.forEach((k, v) -> h.put(k, List.of(v)));
            new Http.Response("raw", this.status, h, body.getBytes(StandardCharsets.UTF_8)).assertError(status, code);
            return this;
        }
    }
}
