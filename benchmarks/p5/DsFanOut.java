// DsFanOut.java — P5S: SSE fan-out of one Durable Streams stream (PROTOCOL.md §5.8), for any
// server that speaks the protocol (ours at /v1/stream, the Node reference server).
//
//   java [-Xmx1g] DsFanOut.java --url http://127.0.0.1:PORT --stream p5s-fan --subscribers 1000 \
//        --rate 50 --duration 15 [--warmup 5] [--path-prefix /v1/stream/] [--server-pid PID]
//        [--io-threads 1] [--connect-parallel 200] [--grace 30] [--connect-timeout 300] [--pad 0]
//        [--label NAME]
//
// JDK only, no dependencies (run by benchmarks/run, a variant of benchmarks/p4/FanOut.java).
//  1. PUT {prefix}{stream} with Content-Type text/plain (201 made, 200 already there);
//  2. opens --subscribers raw TCP connections, each sending
//     GET {prefix}{stream}?offset=now&live=sse HTTP/1.1, and reads them all with non-blocking
//     NIO on --io-threads selector threads (HTTP/1.1 chunked or identity body, then the
//     text/event-stream: `event: data` with the appended text, `event: control` with
//     {"streamNextOffset",…}); a subscriber is ready at its first control event; at most
//     --connect-parallel are waiting for it at a time;
//  3. --warmup seconds of appends at --rate (unrecorded: their "i" is negative), then
//     --duration seconds at --rate: one POST {prefix}{stream} per append, Content-Type
//     text/plain, body {"t":<System.nanoTime()>,"i":n} (plus ,"p":"xxx…" with --pad N),
//     open-loop: append k leaves at start + k/rate on a pool of keep-alive connections
//     (a new one when all are busy; one idle for 2 s is replaced, since the Node server
//     closes idle connections after 5 s); any 2xx is success;
//  4. every subscriber stamps System.nanoTime() when a read returns the bytes of a `data`
//     event and records receive - t for each {"t":…,"i":…} in it (a server may put several
//     appends in one event); writer and readers share the JVM, so the clocks agree; waits
//     until every subscriber has every measured append and every append is answered, or --grace
//     seconds after the last append left (a server that falls behind: what has not arrived by
//     then counts as infinitely late, "inf", in the percentiles; "missing" says how many).
//  A stream the server ends (ours after watch.stream_sse_ms, 60 s) is reopened at once from
//  the subscriber's last streamNextOffset, as the protocol's clients do ("reconnects").
//
// Prints progress on stderr and one result line on stdout:
//   DSFANOUT subscribers=… connected=… writes=… expected=… received=… missing=… p50_ms=… p99_ms=… …
// Latencies include the append's own commit (fsync) and HTTP round trip: the clock starts
// before the POST is sent; arrived_* are the same percentiles over only the deliveries that
// came in time (for a server that falls behind). post_* is the append's round trip, spread_* per append the last
// subscriber's receive - the first's. server_cpu, client_cpu, other_cpu: cores used on average
// over the measured appends (/proc); server_rss_*_kib: the server's resident set (VmRSS) before
// the subscribers, with them idle, and after the load.
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

public class DsFanOut {
    static String host;
    static int port;
    static String path; // {prefix}{stream}
    static int measuredWrites;
    static String pad = "";
    static final AtomicInteger ready = new AtomicInteger();
    static final AtomicInteger failed = new AtomicInteger();
    static final AtomicInteger badStatus = new AtomicInteger();
    static final LongAdder received = new LongAdder();
    static final LongAdder duplicates = new LongAdder();
    static final LongAdder dataEvents = new LongAdder();
    static final LongAdder controlEvents = new LongAdder();
    static final LongAdder comments = new LongAdder();
    static final LongAdder reconnects = new LongAdder();
    static final LongAdder bytesIn = new LongAdder();
    static final LongAdder parseErrors = new LongAdder();
    static Semaphore pending;
    static InetSocketAddress addr;
    static volatile boolean running = true;
    static volatile boolean counting = true; // false once the measurement window has closed

    public static void main(String[] argv) throws Exception {
        if (argv.length == 0) {
            System.err.println(USAGE);
            System.exit(2);
        }
        Map<String, String> a = args(argv);
        URI url = URI.create(req(a, "url"));
        host = url.getHost();
        port = url.getPort() < 0 ? 80 : url.getPort();
        addr = new InetSocketAddress(host, port);
        path = a.getOrDefault("path-prefix", "/v1/stream/") + req(a, "stream");
        int subscribers = Integer.parseInt(req(a, "subscribers"));
        double rate = Double.parseDouble(req(a, "rate"));
        double duration = Double.parseDouble(req(a, "duration"));
        double warmup = Double.parseDouble(a.getOrDefault("warmup", "0"));
        long serverPid = Long.parseLong(a.getOrDefault("server-pid", "0"));
        int ioThreads = Integer.parseInt(a.getOrDefault("io-threads", "1"));
        int parallel = Integer.parseInt(a.getOrDefault("connect-parallel", "200"));
        double grace = Double.parseDouble(a.getOrDefault("grace", "30"));
        double connectTimeout = Double.parseDouble(a.getOrDefault("connect-timeout", "300"));
        int padBytes = Integer.parseInt(a.getOrDefault("pad", "0"));
        String label = a.getOrDefault("label", "server");
        if (padBytes > 0) {
            pad = ",\"p\":\"" + "x".repeat(padBytes) + "\"";
        }
        measuredWrites = (int) Math.round(rate * duration);
        int warmupWrites = (int) Math.round(rate * warmup);

        Writer writer = new Writer();
        int created = writer.request("PUT", null);
        log("%s: PUT %s answered %d", label, path, created);
        if (created != 201 && created != 200) {
            System.out.println("DSFANOUT subscribers=" + subscribers + " connected=0 error=PUT_answered_" + created);
            System.exit(1);
        }
        long rss0 = rssKiB(serverPid);

        // --------------------------------------------------------- connect
        pending = new Semaphore(parallel);
        IoThread[] io = new IoThread[ioThreads];
        for (int k = 0; k < ioThreads; k++) {
            io[k] = new IoThread(k);
            io[k].start();
        }
        List<Conn> conns = new ArrayList<>(subscribers);
        long c0 = System.nanoTime();
        long connectDeadline = c0 + (long) (connectTimeout * 1e9);
        String connectError = null;
        for (int i = 0; i < subscribers; i++) {
            if (!pending.tryAcquire(Math.max(1, connectDeadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                connectError = "timed out waiting for the first control events";
                break;
            }
            Conn c = new Conn(io[i % ioThreads]);
            try {
                c.open("now");
            } catch (IOException e) {
                connectError = "connection " + (i + 1) + ": " + e;
                pending.release();
                break;
            }
            conns.add(c);
            io[i % ioThreads].add(c);
            if ((i + 1) % 1000 == 0) {
                log("%d connected, %d ready (%.1f s)", i + 1, ready.get(), (System.nanoTime() - c0) / 1e9);
            }
        }
        while (ready.get() + failed.get() < conns.size() && System.nanoTime() < connectDeadline) {
            Thread.sleep(10);
        }
        double connectS = (System.nanoTime() - c0) / 1e9;
        int connected = ready.get();
        log("%d of %d subscribers ready in %.1f s (%d failed, %d bad status)%s", connected, subscribers, connectS,
                failed.get(), badStatus.get(), connectError == null ? "" : "; stopped: " + connectError);
        if (connected == 0) {
            System.out.println("DSFANOUT subscribers=" + subscribers + " connected=0 error=" + q(connectError));
            System.exit(1);
        }
        Thread.sleep(500);
        long rssIdle = rssKiB(serverPid);

        // --------------------------------------------------------- appends
        long period = (long) (1e9 / rate);
        Writers writers = new Writers(writer);
        if (warmupWrites > 0) {
            log("warm-up: %d appends at %.0f/s", warmupWrites, rate);
            Phase w = writers.run(warmupWrites, period, true);
            if (!w.done.await((long) (grace * 1e9), TimeUnit.NANOSECONDS)) {
                log("warm-up: %d of %d appends still unanswered %.0f s after the last; measuring anyway",
                        w.done.getCount(), warmupWrites, grace);
            }
            Thread.sleep(1000);
        }
        long expected = (long) measuredWrites * connected;
        log("measuring: %d appends at %.0f/s to %d subscribers (%d events expected)", measuredWrites, rate, connected,
                expected);
        Cpu cpu0 = Cpu.now(serverPid);
        long start = System.nanoTime();
        Phase m = writers.run(measuredWrites, period, false);
        long lastWrite = System.nanoTime();
        long graceEnd = lastWrite + (long) (grace * 1e9);
        while ((received.sum() < expected || m.done.getCount() > 0) && System.nanoTime() < graceEnd) {
            Thread.sleep(5);
        }
        counting = false; // deliveries from now on are too late (and no longer counted)
        long end = System.nanoTime();
        Cpu cpu1 = Cpu.now(serverPid);
        double wall = (end - start) / 1e9;
        long got = received.sum();
        long unanswered = m.done.getCount();
        long[] ackT = m.ackT.clone(); // the answers in by now: appends keep being answered while we count
        log("received %d of %d events, %d appends unanswered (%.1f s after the first append)", got, expected,
                unanswered, wall);
        long rssLoaded = rssKiB(serverPid);
        int stillOpen = conns.size() - failed.get();
        running = false;
        for (IoThread t : io) {
            t.selector.wakeup();
            t.join(5000);
        }
        for (Conn c : conns) {
            c.close();
        }

        // --------------------------------------------------------- statistics
        // A delivery that did not arrive within --grace s of the last append counts as infinitely
        // late (Long.MAX_VALUE, printed "inf"), and so does an append that was never answered:
        // percentiles are over every expected delivery, not only the ones that came.
        long[] sendT = m.sendT;
        long[] lat = new long[(int) Math.max(expected, 0)];
        Arrays.fill(lat, Long.MAX_VALUE);
        long[] firstRecv = new long[measuredWrites];
        long[] lastRecv = new long[measuredWrites];
        int[] count = new int[measuredWrites];
        Arrays.fill(firstRecv, Long.MAX_VALUE);
        Arrays.fill(lastRecv, Long.MIN_VALUE);
        int j = 0;
        for (Conn c : conns) {
            for (int s = 0; s < c.n && j < lat.length; s++) {
                int i = c.idx[s];
                long recv = sendT[i] + c.lat[s];
                lat[j++] = c.lat[s];
                firstRecv[i] = Math.min(firstRecv[i], recv);
                lastRecv[i] = Math.max(lastRecv[i], recv);
                count[i]++;
            }
        }
        Arrays.sort(lat);
        long[] arrived = Arrays.copyOf(lat, j); // only the deliveries that came (sorted: the rest are MAX_VALUE)
        long[] spread = new long[measuredWrites]; // over the appends every subscriber received
        int ns = 0;
        for (int i = 0; i < measuredWrites; i++) {
            if (count[i] == connected) {
                spread[ns++] = lastRecv[i] - firstRecv[i];
            }
        }
        spread = Arrays.copyOf(spread, ns);
        Arrays.sort(spread);
        long[] post = new long[measuredWrites];
        for (int i = 0; i < measuredWrites; i++) {
            post[i] = ackT[i] == 0 ? Long.MAX_VALUE : ackT[i] - sendT[i];
        }
        Arrays.sort(post);

        StringBuilder out = new StringBuilder("DSFANOUT");
        kv(out, "label", label);
        kv(out, "subscribers", subscribers);
        kv(out, "connected", connected);
        kv(out, "still_open", stillOpen);
        kv(out, "connect_s", f(connectS, 1));
        kv(out, "rate", f(rate, 1));
        kv(out, "writes", measuredWrites);
        kv(out, "achieved_rate", measuredWrites < 2 ? "nan"
                : f((measuredWrites - 1) / ((sendT[measuredWrites - 1] - sendT[0]) / 1e9), 2));
        kv(out, "late_writes", m.late);
        kv(out, "unanswered", unanswered);
        kv(out, "answered", Arrays.stream(ackT).filter(x -> x != 0).count());
        kv(out, "write_errors", writers.errors.sum());
        kv(out, "writer_conns", writers.made.get());
        kv(out, "expected", expected);
        kv(out, "received", got);
        kv(out, "missing", expected - got);
        kv(out, "duplicates", duplicates.sum());
        kv(out, "p50_ms", ms(pct(lat, 50)));
        kv(out, "p90_ms", ms(pct(lat, 90)));
        kv(out, "p99_ms", ms(pct(lat, 99)));
        kv(out, "p999_ms", ms(pct(lat, 99.9)));
        kv(out, "max_ms", ms(lat.length == 0 ? Long.MIN_VALUE : lat[lat.length - 1]));
        kv(out, "arrived_p50_ms", ms(pct(arrived, 50)));
        kv(out, "arrived_p99_ms", ms(pct(arrived, 99)));
        kv(out, "arrived_max_ms", ms(arrived.length == 0 ? Long.MIN_VALUE : arrived[arrived.length - 1]));
        kv(out, "post_p50_ms", ms(pct(post, 50)));
        kv(out, "post_p99_ms", ms(pct(post, 99)));
        kv(out, "spread_p50_ms", ms(pct(spread, 50)));
        kv(out, "spread_p99_ms", ms(pct(spread, 99)));
        kv(out, "complete_writes", ns);
        kv(out, "waited_s", f(wall, 1));
        kv(out, "server_rss0_kib", rss0);
        kv(out, "server_rss_idle_kib", rssIdle);
        kv(out, "server_rss_loaded_kib", rssLoaded);
        kv(out, "server_cpu", serverPid > 0 ? f((cpu1.server - cpu0.server) / wall, 2) : "nan");
        kv(out, "client_cpu", f((cpu1.self - cpu0.self) / wall, 2));
        kv(out, "machine_busy", f(cpu1.busyFraction(cpu0), 2));
        double serverCores = serverPid > 0 ? (cpu1.server - cpu0.server) / wall : 0;
        kv(out, "other_cpu", f(Math.max(0, cpu1.busyFraction(cpu0) * Runtime.getRuntime().availableProcessors()
                - serverCores - (cpu1.self - cpu0.self) / wall), 2));
        kv(out, "data_events", dataEvents.sum());
        kv(out, "control_events", controlEvents.sum());
        kv(out, "comments", comments.sum());
        kv(out, "reconnects", reconnects.sum());
        kv(out, "mb_in", f(bytesIn.sum() / 1e6, 1));
        kv(out, "parse_errors", parseErrors.sum());
        kv(out, "failed", failed.get());
        kv(out, "bad_status", badStatus.get());
        if (connectError != null) {
            kv(out, "connect_error", q(connectError));
        }
        System.out.println(out);
        System.exit(0);
    }

    // ------------------------------------------------------------------ one subscriber

    /** One SSE connection: a push parser fed by its selector thread (HTTP head, chunks, SSE lines). */
    static final class Conn {
        static final int HEAD = 0, CHUNK_SIZE = 1, CHUNK_DATA = 2, CHUNK_END = 3, IDENTITY = 4, DONE = 5;
        final IoThread io;
        SocketChannel ch;
        SelectionKey key;
        int state;
        int generation; // +1 per (re)opened connection
        boolean chunked, statusSeen, base64, isReady;
        long chunkLeft;
        int crlfLeft;
        byte[] line = new byte[128];
        int lineLen;
        byte[] hline = new byte[64]; // HTTP head and chunk-size lines (an SSE line may span chunks)
        int hlineLen;
        final ByteArrayOutputStream data = new ByteArrayOutputStream(128); // the event's data lines, joined by \n
        boolean hasData;
        String event;
        String offset = "now"; // the last streamNextOffset: where a reopened stream resumes
        final java.util.BitSet seen = new java.util.BitSet(measuredWrites);
        long[] lat = new long[Math.max(16, measuredWrites + 8)];
        int[] idx = new int[lat.length];
        int n;

        Conn(IoThread io) {
            this.io = io;
        }

        /** Connects (blocking) and sends the SSE request from {@code from}; the caller registers it. */
        void open(String from) throws IOException {
            ch = SocketChannel.open();
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.connect(addr);
            byte[] request = ("GET " + path + "?offset=" + from + "&live=sse HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            ByteBuffer b = ByteBuffer.wrap(request);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.configureBlocking(false);
            generation++;
            state = HEAD;
            chunked = statusSeen = base64 = false;
            lineLen = hlineLen = 0;
            data.reset();
            hasData = false;
            event = null;
        }

        void close() {
            try {
                if (ch != null) {
                    ch.close();
                }
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        /** The server ended the response (or the connection): reopen from the last offset while running. */
        void ended() {
            if (state == DONE) {
                return;
            }
            if (key != null) {
                key.cancel();
            }
            close();
            if (running && isReady && !offset.equals("now")) {
                try {
                    open(offset);
                    reconnects.increment();
                    key = ch.register(io.selector, SelectionKey.OP_READ, this);
                    return;
                } catch (IOException e) {
                    System.err.println("DsFanOut: reconnect failed: " + e);
                }
            }
            fail();
        }

        void feed(ByteBuffer b, long now) {
            byte[] a = b.array();
            int p = b.position(), end = b.limit();
            int gen = generation;
            while (p < end) {
                switch (state) {
                    case HEAD, CHUNK_SIZE -> {
                        int nl = indexOf(a, p, end, (byte) '\n');
                        int stop = nl < 0 ? end : nl;
                        if (hlineLen + stop - p > hline.length) {
                            hline = Arrays.copyOf(hline, Math.max(hline.length * 2, hlineLen + stop - p));
                        }
                        System.arraycopy(a, p, hline, hlineLen, stop - p);
                        hlineLen += stop - p;
                        p = stop;
                        if (nl >= 0) {
                            p++;
                            int len = hlineLen;
                            if (len > 0 && hline[len - 1] == '\r') {
                                len--;
                            }
                            hlineLen = 0;
                            if (state == HEAD) {
                                headLine(new String(hline, 0, len, StandardCharsets.ISO_8859_1));
                            } else {
                                chunkSize(new String(hline, 0, len, StandardCharsets.ISO_8859_1));
                            }
                            if (state == DONE || generation != gen) {
                                return; // failed, or ended and reopened: the rest was the old response's
                            }
                        }
                    }
                    case CHUNK_DATA -> {
                        int take = (int) Math.min(chunkLeft, end - p);
                        sse(a, p, take, now);
                        p += take;
                        chunkLeft -= take;
                        if (chunkLeft == 0) {
                            state = CHUNK_END;
                            crlfLeft = 2;
                        }
                    }
                    case CHUNK_END -> {
                        int take = Math.min(crlfLeft, end - p);
                        p += take;
                        crlfLeft -= take;
                        if (crlfLeft == 0) {
                            state = CHUNK_SIZE;
                        }
                    }
                    case IDENTITY -> {
                        sse(a, p, end - p, now);
                        p = end;
                    }
                    default -> p = end;
                }
            }
        }

        private void headLine(String s) {
            if (!statusSeen) {
                statusSeen = true;
                if (!s.startsWith("HTTP/1.1 200") && !s.startsWith("HTTP/1.0 200")) {
                    badStatus.incrementAndGet();
                    System.err.println("DsFanOut: SSE request answered: " + s);
                    fail();
                }
                return;
            }
            if (s.isEmpty()) {
                state = chunked ? CHUNK_SIZE : IDENTITY;
                return;
            }
            String l = s.toLowerCase(Locale.ROOT);
            if (l.startsWith("transfer-encoding:") && l.contains("chunked")) {
                chunked = true;
            } else if (l.startsWith("stream-sse-data-encoding:") && l.contains("base64")) {
                base64 = true;
            }
        }

        private void chunkSize(String s) {
            int semi = s.indexOf(';');
            String hex = (semi < 0 ? s : s.substring(0, semi)).trim();
            if (hex.isEmpty()) {
                return;
            }
            chunkLeft = Long.parseLong(hex, 16);
            if (chunkLeft == 0) {
                ended(); // the server ended the response
            } else {
                state = CHUNK_DATA;
            }
        }

        /** SSE lines: "event:", "data:" (joined by \n), blank = dispatch; comments (":"), "id:", "retry:" ignored. */
        private void sse(byte[] a, int p, int len, long now) {
            int end = p + len;
            while (p < end) {
                int nl = indexOf(a, p, end, (byte) '\n');
                int stop = nl < 0 ? end : nl;
                append(a, p, stop - p);
                p = stop;
                if (nl < 0) {
                    return;
                }
                p++;
                int l = lineLen;
                if (l > 0 && line[l - 1] == '\r') {
                    l--;
                }
                lineLen = 0;
                if (l == 0) {
                    dispatch(now);
                } else if (line[0] == ':') {
                    comments.increment();
                } else if (startsWith(line, l, "data:")) {
                    int from = 5;
                    if (l > 5 && line[5] == ' ') {
                        from = 6; // the SSE rule: one leading space is not part of the value
                    }
                    if (hasData) {
                        data.write('\n');
                    }
                    data.write(line, from, l - from);
                    hasData = true;
                } else if (startsWith(line, l, "event:")) {
                    event = new String(line, 6, l - 6, StandardCharsets.US_ASCII).trim();
                }
            }
        }

        private void dispatch(long now) {
            String ev = event == null ? "message" : event;
            event = null;
            if (!hasData) {
                return;
            }
            byte[] d = data.toByteArray();
            data.reset();
            hasData = false;
            switch (ev) {
                case "data" -> {
                    dataEvents.increment();
                    if (base64) {
                        try {
                            d = Base64.getDecoder().decode(new String(d, StandardCharsets.US_ASCII).replace("\n", ""));
                        } catch (IllegalArgumentException e) {
                            parseErrors.increment();
                            return;
                        }
                    }
                    appends(d, d.length, now);
                }
                case "control" -> {
                    controlEvents.increment();
                    String c = new String(d, StandardCharsets.UTF_8);
                    int k = c.indexOf("\"streamNextOffset\":\"");
                    if (k >= 0) {
                        int s = k + 20;
                        int e = c.indexOf('"', s);
                        if (e > s) {
                            offset = c.substring(s, e);
                        }
                    } else {
                        parseErrors.increment();
                    }
                    if (!isReady) {
                        isReady = true;
                        ready.incrementAndGet();
                        pending.release();
                    }
                    if (c.contains("\"streamClosed\":true")) {
                        System.err.println("DsFanOut: the stream was closed: " + c);
                        fail();
                    }
                }
                default -> {
                }
            }
        }

        private static final byte[] T = "{\"t\":".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] I = ",\"i\":".getBytes(StandardCharsets.US_ASCII);

        /** Each append is {"t":<nanoTime>,"i":<n>…}: find every {"t": and read t and i. */
        private void appends(byte[] d, int len, long now) {
            int p = 0;
            while ((p = find(d, p, len, T)) >= 0) {
                p += T.length;
                long[] r = new long[2];
                int q = number(d, p, len, r, 0);
                if (q < 0 || find(d, q, Math.min(len, q + I.length), I) != q) {
                    parseErrors.increment();
                    continue;
                }
                q = number(d, q + I.length, len, r, 1);
                if (q < 0) {
                    parseErrors.increment();
                    continue;
                }
                p = q;
                int i = (int) r[1];
                if (i < 0 || i >= measuredWrites) {
                    continue; // a warm-up append
                }
                if (!counting) {
                    return;
                }
                if (seen.get(i)) {
                    duplicates.increment();
                    continue;
                }
                seen.set(i);
                if (n == lat.length) {
                    lat = Arrays.copyOf(lat, n * 2);
                    idx = Arrays.copyOf(idx, n * 2);
                }
                lat[n] = now - r[0];
                idx[n] = i;
                n++;
                received.increment();
            }
        }

        private void fail() {
            if (state != DONE) {
                state = DONE;
                failed.incrementAndGet();
                if (key != null) {
                    key.cancel();
                }
                if (!isReady) {
                    isReady = true;
                    pending.release();
                }
            }
        }

        private void append(byte[] a, int p, int len) {
            if (lineLen + len > line.length) {
                line = Arrays.copyOf(line, Math.max(line.length * 2, lineLen + len));
            }
            System.arraycopy(a, p, line, lineLen, len);
            lineLen += len;
        }
    }

    /** A selector thread: registers new connections, reads whatever is ready, feeds the parsers. */
    static final class IoThread extends Thread {
        final Selector selector;
        final ConcurrentLinkedQueue<Conn> incoming = new ConcurrentLinkedQueue<>();
        final ByteBuffer buf = ByteBuffer.allocate(1 << 16);

        IoThread(int k) throws IOException {
            super("dsfanout-io-" + k);
            setDaemon(true);
            selector = Selector.open();
        }

        void add(Conn c) {
            incoming.add(c);
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                while (running) {
                    selector.select(100);
                    Conn c;
                    while ((c = incoming.poll()) != null) {
                        c.key = c.ch.register(selector, SelectionKey.OP_READ, c);
                    }
                    var keys = selector.selectedKeys();
                    for (SelectionKey k : keys) {
                        Conn conn = (Conn) k.attachment();
                        if (!k.isValid()) {
                            continue;
                        }
                        try {
                            int r;
                            do {
                                buf.clear();
                                r = conn.ch.read(buf);
                                long now = System.nanoTime();
                                if (r < 0) {
                                    conn.ended();
                                    break;
                                }
                                bytesIn.add(r);
                                buf.flip();
                                int gen = conn.generation;
                                conn.feed(buf, now);
                                if (conn.generation != gen || conn.state == Conn.DONE) {
                                    break; // reopened or finished: this key is gone
                                }
                            } while (r == buf.capacity());
                        } catch (IOException e) {
                            conn.ended();
                        } catch (RuntimeException e) {
                            parseErrors.increment();
                            System.err.println("DsFanOut: parser: " + e);
                            conn.fail();
                        }
                    }
                    keys.clear();
                }
            } catch (IOException e) {
                System.err.println("DsFanOut: selector: " + e);
            }
        }
    }

    // ------------------------------------------------------------------ the appends

    /** One schedule of appends: send and answer times, and a latch counted down per answer (or failure). */
    static final class Phase {
        final long[] sendT, ackT;
        final java.util.concurrent.CountDownLatch done;
        long late;

        Phase(int count) {
            sendT = new long[count];
            ackT = new long[count];
            done = new java.util.concurrent.CountDownLatch(count);
        }
    }

    /** The open-loop schedule over a pool of keep-alive connections. */
    static final class Writers {
        final ConcurrentLinkedQueue<Writer> idle = new ConcurrentLinkedQueue<>();
        final AtomicInteger made = new AtomicInteger(1);
        final LongAdder errors = new LongAdder();
        final java.util.concurrent.ExecutorService exec = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

        Writers(Writer first) {
            idle.add(first);
        }

        /**
         * Sends {@code count} appends, one every {@code period} ns, and returns when the last has
         * left, without waiting for the answers (a server that falls behind must not slow the
         * schedule, nor hold up the end of the run): the Phase's latch tells when they are in.
         */
        Phase run(int count, long period, boolean warmup) {
            Phase ph = new Phase(count);
            long start = System.nanoTime();
            for (int k = 0; k < count; k++) {
                long due = start + k * period;
                waitUntil(due);
                long t = System.nanoTime();
                if (t - due > period) {
                    ph.late++;
                }
                int i = warmup ? -(k + 1) : k;
                ph.sendT[k] = t;
                Writer w = idle.poll();
                if (w == null) {
                    w = new Writer();
                    made.incrementAndGet();
                }
                Writer use = w;
                int slot = k;
                exec.submit(() -> {
                    try {
                        int status = use.request("POST", "{\"t\":" + t + ",\"i\":" + i + pad + "}");
                        if (status / 100 != 2) {
                            throw new IOException("POST " + path + " answered " + status);
                        }
                        ph.ackT[slot] = System.nanoTime();
                        idle.add(use);
                    } catch (IOException | RuntimeException e) {
                        errors.increment();
                        System.err.println("DsFanOut: append " + i + " failed: " + e);
                        use.close();
                        idle.add(use); // reconnects on its next use
                    } finally {
                        ph.done.countDown();
                    }
                });
            }
            return ph;
        }
    }

    /** One keep-alive HTTP/1.1 connection: PUT (create) or POST (append) to the stream. */
    static final class Writer {
        Socket s;
        InputStream in;
        OutputStream out;
        final byte[] buf = new byte[8192];
        int have, pos;
        long lastUsed;

        /** Sends one request with a text/plain body (none: no body) and returns the status code. */
        int request(String method, String text) throws IOException {
            if (s != null && System.nanoTime() - lastUsed > 2_000_000_000L) {
                close(); // the Node server closes keep-alive connections idle for 5 s
            }
            if (s == null) {
                s = new Socket(host, port);
                s.setTcpNoDelay(true);
                in = s.getInputStream();
                out = s.getOutputStream();
                have = pos = 0;
            }
            byte[] body = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
            byte[] head = (method + " " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nContent-Type: text/plain\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] req = Arrays.copyOf(head, head.length + body.length);
            System.arraycopy(body, 0, req, head.length, body.length);
            out.write(req);
            out.flush();
            String status = readLine();
            int code = Integer.parseInt(status.split(" ")[1]);
            long length = -1;
            boolean chunked = false;
            boolean closeAfter = false;
            String l;
            while (!(l = readLine()).isEmpty()) {
                String lower = l.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    closeAfter = true;
                }
            }
            ByteArrayOutputStream resp = new ByteArrayOutputStream();
            if (code == 204 || code == 304 || code / 100 == 1) {
                // no body
            } else if (chunked) {
                long size;
                while ((size = Long.parseLong(readLine().split(";")[0].trim(), 16)) > 0) {
                    readN(resp, size);
                    readLine();
                }
                readLine();
            } else if (length >= 0) {
                readN(resp, length);
            } else {
                closeAfter = true; // a body up to the end of the connection: not expected here
            }
            lastUsed = System.nanoTime();
            if (code / 100 != 2) {
                System.err.println("DsFanOut: " + method + " " + path + " answered " + status + ": "
                        + resp.toString(StandardCharsets.UTF_8));
            }
            if (closeAfter) {
                close();
            }
            return code;
        }

        void close() {
            try {
                if (s != null) {
                    s.close();
                }
            } catch (IOException ignored) {
                // gone anyway
            }
            s = null;
        }

        private int read() throws IOException {
            if (pos == have) {
                have = in.read(buf);
                pos = 0;
                if (have <= 0) {
                    throw new IOException("the server closed the writer's connection");
                }
            }
            return buf[pos++] & 0xff;
        }

        private String readLine() throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = read()) != '\n') {
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }

        private void readN(ByteArrayOutputStream to, long n) throws IOException {
            for (long k = 0; k < n; k++) {
                to.write(read());
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The resident set of a process in KiB (VmRSS), -1 without a pid. */
    static long rssKiB(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.substring(6).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    /** CPU seconds of the server and of this process, and the machine's /proc/stat counters. */
    record Cpu(double server, double self, long busy, long total) {
        static Cpu now(long pid) {
            long[] m = machine();
            return new Cpu(pid > 0 ? procSeconds("/proc/" + pid + "/stat") : 0, procSeconds("/proc/self/stat"), m[0],
                    m[1]);
        }

        double busyFraction(Cpu before) {
            long t = total - before.total;
            return t <= 0 ? 0 : (busy - before.busy) / (double) t;
        }

        static double procSeconds(String file) {
            try {
                String s = Files.readString(Path.of(file));
                String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
                // after the command: state(0) … utime is field 14 overall = index 11 here, stime 12
                return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // USER_HZ is 100 on Linux
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

        static long[] machine() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long total = 0, idle = 0;
                for (int k = 1; k < f.length && k <= 8; k++) {
                    long v = Long.parseLong(f[k]);
                    total += v;
                    if (k == 4 || k == 5) {
                        idle += v; // idle, iowait
                    }
                }
                return new long[] {total - idle, total};
            } catch (IOException | RuntimeException e) {
                return new long[] {0, 0};
            }
        }
    }

    static void waitUntil(long deadline) {
        long d;
        while ((d = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(d);
        }
    }

    static long pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Long.MIN_VALUE;
        }
        int k = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, k))];
    }

    static String ms(long ns) {
        return ns == Long.MIN_VALUE ? "nan" : ns == Long.MAX_VALUE ? "inf" : f(ns / 1e6, 3);
    }

    static String f(double v, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    static String q(String s) {
        return s == null ? "none" : s.replaceAll("\\s+", "_");
    }

    static void kv(StringBuilder b, String k, Object v) {
        b.append(' ').append(k).append('=').append(v);
    }

    static int indexOf(byte[] a, int from, int to, byte b) {
        for (int k = from; k < to; k++) {
            if (a[k] == b) {
                return k;
            }
        }
        return -1;
    }

    static int find(byte[] a, int from, int to, byte[] pat) {
        outer:
        for (int k = from; k <= to - pat.length; k++) {
            for (int m = 0; m < pat.length; m++) {
                if (a[k + m] != pat[m]) {
                    continue outer;
                }
            }
            return k;
        }
        return -1;
    }

    /** Reads an optionally negative integer at p into r[slot]; returns the index after it, or -1. */
    static int number(byte[] a, int p, int to, long[] r, int slot) {
        boolean neg = p < to && a[p] == '-';
        if (neg) {
            p++;
        }
        int s = p;
        long v = 0;
        while (p < to && a[p] >= '0' && a[p] <= '9') {
            v = v * 10 + (a[p] - '0');
            p++;
        }
        if (p == s) {
            return -1;
        }
        r[slot] = neg ? -v : v;
        return p;
    }

    static boolean startsWith(byte[] a, int len, String s) {
        if (len < s.length()) {
            return false;
        }
        for (int k = 0; k < s.length(); k++) {
            if (a[k] != s.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    static Map<String, String> args(String[] argv) {
        Map<String, String> m = new HashMap<>();
        for (int k = 0; k < argv.length; k++) {
            if (!argv[k].startsWith("--") || k + 1 >= argv.length) {
                throw new IllegalArgumentException(USAGE + "; got " + argv[k]);
            }
            m.put(argv[k].substring(2), argv[++k]);
        }
        return m;
    }

    static final String USAGE = "usage: java DsFanOut.java --url URL --stream NAME --subscribers N --rate W "
            + "--duration D [--warmup S] [--path-prefix /v1/stream/] [--server-pid PID] [--io-threads K] "
            + "[--connect-parallel P] [--grace S] [--connect-timeout S] [--pad BYTES] [--label NAME]";

    static String req(Map<String, String> a, String k) {
        String v = a.get(k);
        if (v == null) {
            throw new IllegalArgumentException("--" + k + " is required");
        }
        return v;
    }

    static void log(String fmt, Object... args) {
        System.err.printf(Locale.ROOT, "DsFanOut: " + fmt + "%n", args);
    }
}
