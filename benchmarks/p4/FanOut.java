// FanOut.java — P4 of DESIGN.md "Figures to reach": SSE fan-out latency and heap per watcher.
//
//   java [-Xmx2g] FanOut.java --url http://127.0.0.1:PORT --topic fan --watchers 10000 --rate 10 \
//        --duration 20 [--warmup 5] [--server-pid PID] [--jcmd PATH] [--io-threads 1] [--connect-parallel 200]
//        [--heartbeat-ms 15000] [--grace 10] [--connect-timeout 300] [--histogram FILE] [--write-url URL]
//
// JDK only, no dependencies (run by benchmarks/run). What it does:
//  1. writes one record to create the topic and learns its head_seq (writes go to --write-url,
//     default --url: another node of a cluster measures write-to-visible latency across nodes;
//     the watchers then start from the head_seq the writing node answered);
//  2. (with --server-pid) heap of the server with 0 watchers: `jcmd PID GC.run` (a full GC),
//     then `jcmd PID GC.heap_info` ("used …K");
//  3. opens --watchers raw TCP connections, each sending
//     GET /v0/topics/<topic>/watch?from_seq=<head>&heartbeat_ms=… HTTP/1.1, and reads them all
//     with non-blocking NIO on --io-threads selector threads (HTTP/1.1 chunked transfer-encoding
//     decoded, then the text/event-stream parsed); at most --connect-parallel connections are
//     waiting for their first `caught-up` at a time; waits until every watcher has had it;
//  4. heap again with N watchers connected and idle: (used_N - used_0) / N per watcher
//     (--histogram FILE: also the server's `jcmd PID GC.class_histogram` at that point);
//  5. --warmup seconds of writes at --rate (unrecorded: their "i" is negative), then
//     --duration seconds of writes at --rate, one record per POST from one keep-alive
//     connection on a fixed schedule: {"records":[{"data":{"t":<System.nanoTime()>,"i":n}}]};
//  6. every watcher stamps System.nanoTime() when a read returns the bytes of a `record`
//     event and records receive - t for each record in it (same JVM: the clocks agree);
//     waits until every watcher has every measured record, or --grace seconds after the last write;
//  7. heap again with the N watchers still connected (after the load); closes everything.
//
// Prints progress on stderr and one result line on stdout:
//   FANOUT watchers=… connected=… writes=… expected=… received=… p50_ms=… p99_ms=… max_ms=… …
// Latencies include the write's own commit (fsync) and HTTP round trip: the clock starts
// before the POST is sent. ack_* are receive - (the writer got its 200), i.e. the fan-out
// after the commit was acknowledged (may be negative: events can arrive before the ack).
// spread_* is, per write, last watcher's receive - first watcher's receive.
// server_cpu, client_cpu: CPU seconds of the server process (from /proc/PID/stat) and of this
// process over the measured writes, divided by the wall time: cores used on average;
// machine_busy: the fraction of all cores busy (/proc/stat); other_cpu: cores used by anything
// else (busy cores - server - this process).
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class FanOut {
    static String host;
    static int port;
    static String writeHost;
    static int writePort;
    static String topic;
    static int measuredWrites;
    static final AtomicInteger caughtUp = new AtomicInteger();
    static final AtomicInteger closed = new AtomicInteger();
    static final AtomicInteger badStatus = new AtomicInteger();
    static final LongAdder received = new LongAdder();
    static final LongAdder duplicates = new LongAdder();
    static final LongAdder recordEvents = new LongAdder();
    static final LongAdder caughtUpEvents = new LongAdder();
    static final LongAdder heartbeats = new LongAdder();
    static final LongAdder bytesIn = new LongAdder();
    static final LongAdder parseErrors = new LongAdder();
    static Semaphore pending;
    static volatile boolean running = true;

    public static void main(String[] argv) throws Exception {
        if (argv.length == 0) {
            System.err.println(USAGE);
            System.exit(2);
        }
        Map<String, String> a = args(argv);
        URI url = URI.create(req(a, "url"));
        host = url.getHost();
        port = url.getPort() < 0 ? 80 : url.getPort();
        URI writeUrl = URI.create(a.getOrDefault("write-url", url.toString()));
        writeHost = writeUrl.getHost();
        writePort = writeUrl.getPort() < 0 ? 80 : writeUrl.getPort();
        topic = a.getOrDefault("topic", "fan");
        int watchers = Integer.parseInt(req(a, "watchers"));
        double rate = Double.parseDouble(req(a, "rate"));
        double duration = Double.parseDouble(req(a, "duration"));
        double warmup = Double.parseDouble(a.getOrDefault("warmup", "0"));
        long serverPid = Long.parseLong(a.getOrDefault("server-pid", "0"));
        String jcmd = a.getOrDefault("jcmd", Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        int ioThreads = Integer.parseInt(a.getOrDefault("io-threads", "1"));
        int parallel = Integer.parseInt(a.getOrDefault("connect-parallel", "200"));
        long heartbeatMs = Long.parseLong(a.getOrDefault("heartbeat-ms", "15000"));
        double grace = Double.parseDouble(a.getOrDefault("grace", "10"));
        double connectTimeout = Double.parseDouble(a.getOrDefault("connect-timeout", "300"));
        measuredWrites = (int) Math.round(rate * duration);
        int warmupWrites = (int) Math.round(rate * warmup);

        Writer writer = new Writer();
        String first = writer.post(-1_000_000_000L, System.nanoTime());
        long head = num(first, "head_seq");
        if (!writeUrl.equals(url)) {
            awaitHead(url, head);
        }
        log("topic %s head_seq %d; heap with 0 watchers…", topic, head);
        long heap0 = serverPid > 0 ? heapKiB(jcmd, serverPid) : -1;

        // --------------------------------------------------------- connect
        pending = new Semaphore(parallel);
        IoThread[] io = new IoThread[ioThreads];
        for (int k = 0; k < ioThreads; k++) {
            io[k] = new IoThread(k);
            io[k].start();
        }
        byte[] request = ("GET /v0/topics/" + topic + "/watch?from_seq=" + head + "&heartbeat_ms=" + heartbeatMs
                + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        InetSocketAddress addr = new InetSocketAddress(host, port);
        List<Conn> conns = new ArrayList<>(watchers);
        long c0 = System.nanoTime();
        long connectDeadline = c0 + (long) (connectTimeout * 1e9);
        String connectError = null;
        for (int i = 0; i < watchers; i++) {
            if (!pending.tryAcquire(Math.max(1, connectDeadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                connectError = "timed out waiting for caught-up events";
                break;
            }
            SocketChannel ch;
            try {
                ch = SocketChannel.open();
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.connect(addr);
                ByteBuffer b = ByteBuffer.wrap(request);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.configureBlocking(false);
            } catch (IOException e) {
                connectError = "connection " + (i + 1) + ": " + e;
                pending.release();
                break;
            }
            Conn c = new Conn(ch);
            conns.add(c);
            io[i % ioThreads].add(c);
            if ((i + 1) % 1000 == 0) {
                log("%d connected, %d caught up (%.1f s)", i + 1, caughtUp.get(), (System.nanoTime() - c0) / 1e9);
            }
        }
        while (caughtUp.get() + closed.get() < conns.size() && System.nanoTime() < connectDeadline) {
            Thread.sleep(10);
        }
        double connectS = (System.nanoTime() - c0) / 1e9;
        int connected = caughtUp.get();
        log("%d of %d watchers caught up in %.1f s (%d closed, %d bad status)%s", connected, watchers, connectS,
                closed.get(), badStatus.get(), connectError == null ? "" : "; stopped: " + connectError);
        if (connected == 0) {
            System.out.println("FANOUT watchers=" + watchers + " connected=0 error=" + q(connectError));
            System.exit(1);
        }
        long heapN = serverPid > 0 ? heapKiB(jcmd, serverPid) : -1;
        String histogram = a.get("histogram");
        if (serverPid > 0 && histogram != null) {
            Files.writeString(Path.of(histogram), run(jcmd, Long.toString(serverPid), "GC.class_histogram"));
        }
        if (serverPid > 0) {
            log("heap: %d KiB with 0 watchers, %d KiB with %d idle: %.2f KiB per watcher", heap0, heapN, connected,
                    (heapN - heap0) / (double) connected);
        }

        // --------------------------------------------------------- writes
        // Open loop: write k is sent at start + k/rate whatever the earlier ones are doing, each
        // on a keep-alive connection of a pool (a new one when all are busy), so a slow commit
        // or a server busy fanning out does not lower the offered rate.
        long period = (long) (1e9 / rate);
        Writers writers = new Writers(writer);
        if (warmupWrites > 0) {
            log("warm-up: %d writes at %.0f/s", warmupWrites, rate);
            writers.run(warmupWrites, period, null, null, true);
            Thread.sleep(1000);
        }
        long expected = (long) measuredWrites * connected;
        log("measuring: %d writes at %.0f/s to %d watchers (%d events expected)", measuredWrites, rate, connected,
                expected);
        long[] sendT = new long[measuredWrites];
        long[] ackT = new long[measuredWrites];
        Cpu cpu0 = Cpu.now(serverPid);
        long start = System.nanoTime();
        long late = writers.run(measuredWrites, period, sendT, ackT, false);
        long lastWrite = System.nanoTime();
        long graceEnd = lastWrite + (long) (grace * 1e9);
        while (received.sum() < expected && System.nanoTime() < graceEnd) {
            Thread.sleep(5);
        }
        long end = System.nanoTime();
        Cpu cpu1 = Cpu.now(serverPid);
        double wall = (end - start) / 1e9;
        long got = received.sum();
        log("received %d of %d events (%.1f s after the first write)", got, expected, wall);
        long heapLoaded = serverPid > 0 ? heapKiB(jcmd, serverPid) : -1;
        int stillOpen = conns.size() - closed.get();
        running = false;
        for (IoThread t : io) {
            t.selector.wakeup();
            t.join(5000);
        }
        for (Conn c : conns) {
            try {
                c.ch.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        // --------------------------------------------------------- statistics
        int total = 0;
        for (Conn c : conns) {
            total += c.n;
        }
        long[] lat = new long[total];
        long[] afterAck = new long[total];
        long[] firstRecv = new long[measuredWrites];
        long[] lastRecv = new long[measuredWrites];
        Arrays.fill(firstRecv, Long.MAX_VALUE);
        Arrays.fill(lastRecv, Long.MIN_VALUE);
        int j = 0;
        for (Conn c : conns) {
            for (int s = 0; s < c.n; s++) {
                int i = c.idx[s];
                long recv = sendT[i] + c.lat[s];
                lat[j] = c.lat[s];
                afterAck[j] = recv - ackT[i];
                firstRecv[i] = Math.min(firstRecv[i], recv);
                lastRecv[i] = Math.max(lastRecv[i], recv);
                j++;
            }
        }
        Arrays.sort(lat);
        Arrays.sort(afterAck);
        long[] spread = new long[measuredWrites];
        int ns = 0;
        for (int i = 0; i < measuredWrites; i++) {
            if (firstRecv[i] != Long.MAX_VALUE) {
                spread[ns++] = lastRecv[i] - firstRecv[i];
            }
        }
        spread = Arrays.copyOf(spread, ns);
        Arrays.sort(spread);
        long[] post = new long[measuredWrites];
        for (int i = 0; i < measuredWrites; i++) {
            post[i] = ackT[i] - sendT[i];
        }
        Arrays.sort(post);

        StringBuilder out = new StringBuilder("FANOUT");
        kv(out, "watchers", watchers);
        kv(out, "connected", connected);
        kv(out, "still_open", stillOpen);
        kv(out, "connect_s", f(connectS, 1));
        kv(out, "rate", f(rate, 1));
        kv(out, "writes", measuredWrites);
        kv(out, "achieved_rate", measuredWrites < 2 ? "nan"
                : f((measuredWrites - 1) / ((sendT[measuredWrites - 1] - sendT[0]) / 1e9), 2));
        kv(out, "late_writes", late);
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
        kv(out, "max_ms", ms(lat.length == 0 ? -1 : lat[lat.length - 1]));
        kv(out, "ack_p50_ms", ms(pct(afterAck, 50)));
        kv(out, "ack_p99_ms", ms(pct(afterAck, 99)));
        kv(out, "post_p50_ms", ms(pct(post, 50)));
        kv(out, "post_p99_ms", ms(pct(post, 99)));
        kv(out, "spread_p50_ms", ms(pct(spread, 50)));
        kv(out, "spread_p99_ms", ms(pct(spread, 99)));
        kv(out, "heap0_kib", heap0);
        kv(out, "heap_idle_kib", heapN);
        kv(out, "heap_loaded_kib", heapLoaded);
        kv(out, "kib_per_watcher_idle", serverPid > 0 ? f((heapN - heap0) / (double) connected, 2) : "nan");
        kv(out, "kib_per_watcher_loaded", serverPid > 0 ? f((heapLoaded - heap0) / (double) connected, 2) : "nan");
        kv(out, "server_cpu", serverPid > 0 ? f((cpu1.server - cpu0.server) / wall, 2) : "nan");
        kv(out, "client_cpu", f((cpu1.self - cpu0.self) / wall, 2));
        kv(out, "machine_busy", f(cpu1.busyFraction(cpu0), 2));
        double serverCores = serverPid > 0 ? (cpu1.server - cpu0.server) / wall : 0;
        kv(out, "other_cpu", f(Math.max(0, cpu1.busyFraction(cpu0) * Runtime.getRuntime().availableProcessors()
                - serverCores - (cpu1.self - cpu0.self) / wall), 2));
        kv(out, "record_events", recordEvents.sum());
        kv(out, "caught_up_events", caughtUpEvents.sum());
        kv(out, "heartbeats", heartbeats.sum());
        kv(out, "mb_in", f(bytesIn.sum() / 1e6, 1));
        kv(out, "parse_errors", parseErrors.sum());
        kv(out, "closed", closed.get());
        if (connectError != null) {
            kv(out, "connect_error", q(connectError));
        }
        System.out.println(out);
        System.exit(0);
    }

    // ------------------------------------------------------------------ one watcher

    /** One SSE connection: a push parser fed by its selector thread (HTTP head, chunks, SSE lines). */
    static final class Conn {
        static final int HEAD = 0, CHUNK_SIZE = 1, CHUNK_DATA = 2, CHUNK_END = 3, IDENTITY = 4, DONE = 5;
        final SocketChannel ch;
        int state = HEAD;
        boolean chunked;
        boolean statusSeen;
        long chunkLeft;
        int crlfLeft;
        byte[] line = new byte[128];
        int lineLen;
        byte[] hline = new byte[64]; // HTTP head and chunk-size lines (an SSE line may span chunks)
        int hlineLen;
        byte[] data = new byte[256];
        int dataLen = -1;
        String event;
        boolean ready;
        final java.util.BitSet seen = new java.util.BitSet(measuredWrites);
        long[] lat = new long[Math.max(16, measuredWrites + 8)];
        int[] idx = new int[lat.length];
        int n;

        Conn(SocketChannel ch) {
            this.ch = ch;
        }

        void feed(ByteBuffer b, long now) {
            byte[] a = b.array();
            int p = b.position(), end = b.limit();
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
                    System.err.println("FanOut: watch answered: " + s);
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
                fail(); // the server ended the stream
            } else {
                state = CHUNK_DATA;
            }
        }

        /** SSE lines: "event:", "data:", blank = dispatch; comments (": hb"), "id:", "retry:" ignored. */
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
                    heartbeats.increment();
                } else if (startsWith(line, l, "data:")) {
                    byte[] t = data; // keep this line as the event's data: swap buffers
                    data = line;
                    dataLen = l;
                    line = t.length >= 128 ? t : new byte[128];
                } else if (startsWith(line, l, "event:")) {
                    event = new String(line, 6, l - 6, StandardCharsets.US_ASCII).trim();
                }
            }
        }

        private void dispatch(long now) {
            String ev = event == null ? "message" : event;
            event = null;
            if (dataLen < 0) {
                return;
            }
            int dl = dataLen;
            dataLen = -1;
            switch (ev) {
                case "record" -> {
                    recordEvents.increment();
                    records(data, dl, now);
                }
                case "caught-up" -> {
                    caughtUpEvents.increment();
                    if (!ready) {
                        ready = true;
                        caughtUp.incrementAndGet();
                        pending.release();
                    }
                }
                case "tombstone" -> {
                    System.err.println("FanOut: tombstone: " + new String(data, 0, dl, StandardCharsets.UTF_8));
                    fail();
                }
                default -> {
                }
            }
        }

        private static final byte[] T = "{\"t\":".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] I = ",\"i\":".getBytes(StandardCharsets.US_ASCII);

        /** Each record's data is {"t":<nanoTime>,"i":<n>}: find every {"t": and read t and i. */
        private void records(byte[] d, int len, long now) {
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
                    continue; // set-up or warm-up write
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
                closed.incrementAndGet();
                if (!ready) {
                    ready = true;
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
            super("fanout-io-" + k);
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
                        c.ch.register(selector, SelectionKey.OP_READ, c);
                    }
                    var keys = selector.selectedKeys();
                    for (SelectionKey k : keys) {
                        Conn conn = (Conn) k.attachment();
                        try {
                            int r;
                            do {
                                buf.clear();
                                r = conn.ch.read(buf);
                                long now = System.nanoTime();
                                if (r < 0) {
                                    k.cancel();
                                    conn.fail();
                                    break;
                                }
                                bytesIn.add(r);
                                buf.flip();
                                conn.feed(buf, now);
                            } while (r == buf.capacity());
                        } catch (IOException e) {
                            k.cancel();
                            conn.fail();
                        } catch (RuntimeException e) {
                            parseErrors.increment();
                            System.err.println("FanOut: parser: " + e);
                            k.cancel();
                            conn.fail();
                        }
                    }
                    keys.clear();
                }
            } catch (IOException e) {
                System.err.println("FanOut: selector: " + e);
            }
        }
    }

    // ------------------------------------------------------------------ the writers

    /** The open-loop schedule over a pool of keep-alive connections. */
    static final class Writers {
        final ConcurrentLinkedQueue<Writer> idle = new ConcurrentLinkedQueue<>();
        final AtomicInteger made = new AtomicInteger(1);
        final LongAdder errors = new LongAdder();

        Writers(Writer first) {
            idle.add(first);
        }

        /** Sends {@code count} writes, one every {@code period} ns; returns how many were sent over a period late. */
        long run(int count, long period, long[] sendT, long[] ackT, boolean warmup) throws InterruptedException {
            long late = 0;
            long start = System.nanoTime();
            try (var exec = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (int k = 0; k < count; k++) {
                    long due = start + k * period;
                    waitUntil(due);
                    long t = System.nanoTime();
                    if (t - due > period) {
                        late++;
                    }
                    int i = warmup ? -(k + 1) : k;
                    if (sendT != null) {
                        sendT[k] = t;
                    }
                    Writer w = idle.poll();
                    if (w == null) {
                        w = new Writer();
                        made.incrementAndGet();
                    }
                    Writer use = w;
                    int slot = k;
                    exec.submit(() -> {
                        try {
                            use.post(i, t);
                            if (ackT != null) {
                                ackT[slot] = System.nanoTime();
                            }
                            idle.add(use);
                        } catch (IOException | RuntimeException e) {
                            errors.increment();
                            System.err.println("FanOut: write " + i + " failed: " + e);
                            use.close();
                            if (ackT != null) {
                                ackT[slot] = System.nanoTime();
                            }
                        }
                    });
                }
            }
            return late;
        }
    }

    /** One keep-alive HTTP/1.1 connection posting one record per request. */
    static final class Writer {
        Socket s;
        InputStream in;
        OutputStream out;
        final byte[] buf = new byte[8192];
        int have, pos;

        String post(long i, long t) throws IOException {
            return post(topic, i, t);
        }

        String post(String topic, long i, long t) throws IOException {
            if (s == null) {
                s = new Socket(writeHost, writePort);
                s.setTcpNoDelay(true);
                in = s.getInputStream();
                out = s.getOutputStream();
                have = pos = 0;
            }
            byte[] body = ("{\"records\":[{\"data\":{\"t\":" + t + ",\"i\":" + i + "}}]}").getBytes(StandardCharsets.US_ASCII);
            byte[] head = ("POST /v0/topics/" + topic + " HTTP/1.1\r\nHost: " + writeHost + ":" + writePort
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] req = Arrays.copyOf(head, head.length + body.length);
            System.arraycopy(body, 0, req, head.length, body.length);
            out.write(req);
            out.flush();
            String status = readLine();
            long length = -1;
            boolean chunked = false;
            String l;
            while (!(l = readLine()).isEmpty()) {
                String lower = l.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            ByteArrayOutputStream resp = new ByteArrayOutputStream();
            if (chunked) {
                long size;
                while ((size = Long.parseLong(readLine().split(";")[0].trim(), 16)) > 0) {
                    readN(resp, size);
                    readLine();
                }
                readLine();
            } else if (length >= 0) {
                readN(resp, length);
            } else {
                throw new IOException("response without a length: " + status);
            }
            String r = resp.toString(StandardCharsets.UTF_8);
            if (!status.startsWith("HTTP/1.1 200")) {
                throw new IOException("POST /v0/topics/" + topic + " answered " + status + ": " + r);
            }
            return r;
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

    /** Polls GET url/v0/topics/topic until its head_seq reaches {@code head} (another node's write applied), 60 s. */
    static void awaitHead(URI url, long head) throws IOException, InterruptedException {
        var client = java.net.http.HttpClient.newHttpClient();
        var get = java.net.http.HttpRequest.newBuilder(url.resolve("/v0/topics/" + topic)).build();
        long deadline = System.nanoTime() + 60_000_000_000L;
        String last = "";
        while (System.nanoTime() < deadline) {
            var r = client.send(get, java.net.http.HttpResponse.BodyHandlers.ofString());
            last = r.statusCode() + " " + r.body();
            if (r.statusCode() == 200 && num(r.body(), "head_seq") >= head) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IOException("the watched node did not reach head_seq " + head + " within 60 s: " + last);
    }

    /** The server's heap used after a full GC, in KiB (jcmd GC.run, then GC.heap_info). */
    static long heapKiB(String jcmd, long pid) throws IOException, InterruptedException {
        run(jcmd, Long.toString(pid), "GC.run");
        run(jcmd, Long.toString(pid), "GC.run");
        String info = run(jcmd, Long.toString(pid), "GC.heap_info");
        // G1 says "used 12345K"; ZGC says "used 60M" (to the MiB: 0.1 KiB per watcher at 10,000)
        Matcher m = Pattern.compile("used (\\d+)([KMG])").matcher(info);
        if (!m.find()) {
            throw new IOException("no 'used …K' in jcmd GC.heap_info output: " + info);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "G" -> n << 20;
            case "M" -> n << 10;
            default -> n;
        };
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    /** CPU seconds of the server and of this process, and the machine's /proc/stat counters. */
    record Cpu(double server, double self, long busy, long total) {
        static Cpu now(long pid) {
            return new Cpu(pid > 0 ? procSeconds("/proc/" + pid + "/stat") : 0, procSeconds("/proc/self/stat"),
                    machine()[0], machine()[1]);
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
        return ns == Long.MIN_VALUE ? "nan" : f(ns / 1e6, 3);
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

    static long num(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(\\d+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + key + " in " + json);
        }
        return Long.parseLong(m.group(1));
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

    static final String USAGE = "usage: java FanOut.java --url URL --watchers N --rate W --duration D "
            + "[--topic T] [--warmup S] [--server-pid PID] [--jcmd PATH] [--io-threads K] "
            + "[--connect-parallel P] [--heartbeat-ms MS] [--grace S] [--connect-timeout S] [--histogram FILE] "
            + "[--write-url URL]";

    static String req(Map<String, String> a, String k) {
        String v = a.get(k);
        if (v == null) {
            throw new IllegalArgumentException("--" + k + " is required");
        }
        return v;
    }

    static void log(String fmt, Object... args) {
        System.err.printf(Locale.ROOT, "FanOut: " + fmt + "%n", args);
    }
}
