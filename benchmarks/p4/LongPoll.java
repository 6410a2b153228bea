// LongPoll.java — P4c of DESIGN.md "Figures to reach": many long-poll diffs on many topics.
//
//   java [-Xmx2g] LongPoll.java --url http://127.0.0.1:PORT --pollers 10000 --topics 1000 --rate 100 \
//        --duration 20 [--warmup 5] [--wait-ms 30000] [--server-pid PID] [--jcmd PATH] [--io-threads 1] [--grace 10]
//
// JDK only (run by benchmarks/run; uses FanOut.java's writer and helpers, in the same directory).
//  1. makes --topics topics bench-p4c-0000 … by writing one record to each (16 at a time) and
//     learns each one's head_seq;
//  2. (with --server-pid) the server's heap with no poller (jcmd GC.run, GC.heap_info);
//  3. opens --pollers raw keep-alive TCP connections; poller p reads topic p mod --topics:
//     GET /v0/topics/<topic>/diff?from_seq=<cursor>&wait_ms=<wait>&limit=1000 HTTP/1.1, and
//     each answer's next_from_seq is the next request's from_seq, sent as soon as the answer
//     is read (non-blocking NIO on --io-threads selector threads);
//  4. a sync round: one write to every topic, then waits until every poller has had an
//     answer (every connection is in and served), then the heap again: per poller;
//  5. --warmup s of writes (unrecorded), then --duration s at --rate writes/s, write k to
//     topic k mod --topics, one record per POST, open loop from a pool of keep-alive
//     connections: {"records":[{"data":{"t":<System.nanoTime()>,"i":k}}]};
//  6. each answer stamps System.nanoTime() when its last byte is read and records answer - t
//     for each measured record in it; waits until every poller of each written topic has each
//     of its records, or --grace s after the last write;
//  7. "every poll answered": one more write to every topic, then every poller must have an
//     answer to a request sent after that write was acknowledged (within --grace s).
//
// One result line on stdout:
//   LONGPOLL pollers=… topics=… writes=… expected=… received=… missing=… p50_ms=… p99_ms=… …
//   unanswered=… bad_status=… closed=… polls=… answers=… empty_answers=… kib_per_poller=…
// Latencies include the write's own commit (fsync) and HTTP round trip, as in FanOut.java.
// server_cpu, client_cpu, other_cpu, machine_busy: as in FanOut.java, over the measured writes.
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

public class LongPoll {
    static String host;
    static int port;
    static int waitMs;
    static int measured;
    static volatile boolean running = true;
    static final AtomicInteger closed = new AtomicInteger();
    static final AtomicInteger badStatus = new AtomicInteger();
    static final LongAdder polls = new LongAdder();
    static final LongAdder answers = new LongAdder();
    static final LongAdder emptyAnswers = new LongAdder();
    static final LongAdder received = new LongAdder();
    static final LongAdder duplicates = new LongAdder();
    static final LongAdder parseErrors = new LongAdder();

    static String topicName(int k) {
        return String.format("bench-p4c-%04d", k);
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = FanOut.args(argv);
        URI url = URI.create(FanOut.req(a, "url"));
        host = url.getHost();
        port = url.getPort() < 0 ? 80 : url.getPort();
        FanOut.writeHost = host;
        FanOut.writePort = port;
        int pollers = Integer.parseInt(FanOut.req(a, "pollers"));
        int topics = Integer.parseInt(FanOut.req(a, "topics"));
        double rate = Double.parseDouble(FanOut.req(a, "rate"));
        double duration = Double.parseDouble(FanOut.req(a, "duration"));
        double warmup = Double.parseDouble(a.getOrDefault("warmup", "0"));
        waitMs = Integer.parseInt(a.getOrDefault("wait-ms", "30000"));
        long serverPid = Long.parseLong(a.getOrDefault("server-pid", "0"));
        String jcmd = a.getOrDefault("jcmd", Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        int ioThreads = Integer.parseInt(a.getOrDefault("io-threads", "1"));
        double grace = Double.parseDouble(a.getOrDefault("grace", "10"));
        measured = (int) Math.round(rate * duration);
        int warmupWrites = (int) Math.round(rate * warmup);
        if (pollers < topics) {
            throw new IllegalArgumentException("--pollers must be at least --topics");
        }

        // --------------------------------------------------------- topics
        Writers writers = new Writers();
        long[] head = new long[topics];
        long t0 = System.nanoTime();
        writers.all(topics, -2_000_000_000L, (k, body) -> head[k] = FanOut.num(body, "head_seq"));
        log("%d topics made in %.1f s", topics, (System.nanoTime() - t0) / 1e9);
        long heap0 = serverPid > 0 ? FanOut.heapKiB(jcmd, serverPid) : -1;

        // --------------------------------------------------------- pollers
        IoThread[] io = new IoThread[ioThreads];
        for (int k = 0; k < ioThreads; k++) {
            io[k] = new IoThread(k);
            io[k].start();
        }
        int[] perTopic = new int[topics];
        List<Poller> all = new ArrayList<>(pollers);
        InetSocketAddress addr = new InetSocketAddress(host, port);
        long c0 = System.nanoTime();
        for (int p = 0; p < pollers; p++) {
            int topic = p % topics;
            perTopic[topic]++;
            SocketChannel ch = SocketChannel.open();
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.connect(addr);
            ch.configureBlocking(false);
            Poller poller = new Poller(ch, topic, head[topic]);
            all.add(poller);
            poller.send();
            io[p % ioThreads].add(poller);
            if ((p + 1) % 2000 == 0) {
                log("%d pollers connected (%.1f s)", p + 1, (System.nanoTime() - c0) / 1e9);
            }
        }
        log("sync round: one write to each topic; every poller must answer");
        long sync = System.nanoTime();
        writers.all(topics, -1_000_000_000L, null);
        if (!awaitAnswered(all, sync, 120)) {
            log("only %d of %d pollers answered the sync round", countAnswered(all, sync), pollers);
        }
        double connectS = (System.nanoTime() - c0) / 1e9;
        Thread.sleep(1000); // the answered pollers' next requests reach the server and wait
        long heapN = serverPid > 0 ? FanOut.heapKiB(jcmd, serverPid) : -1;
        log("heap: %d KiB with no poller, %d KiB with %d waiting: %.2f KiB per poller", heap0, heapN, pollers,
                (heapN - heap0) / (double) pollers);

        // --------------------------------------------------------- writes
        long period = (long) (1e9 / rate);
        if (warmupWrites > 0) {
            log("warm-up: %d writes at %.0f/s", warmupWrites, rate);
            writers.schedule(warmupWrites, period, topics, null, null, true);
            Thread.sleep(1000);
        }
        long expected = 0;
        for (int k = 0; k < measured; k++) {
            expected += perTopic[k % topics];
        }
        log("measuring: %d writes at %.0f/s over %d topics (%d answers with a record expected)", measured, rate,
                topics, expected);
        long[] sendT = new long[measured];
        long[] ackT = new long[measured];
        FanOut.Cpu cpu0 = FanOut.Cpu.now(serverPid);
        long start = System.nanoTime();
        long late = writers.schedule(measured, period, topics, sendT, ackT, false);
        long graceEnd = System.nanoTime() + (long) (grace * 1e9);
        while (received.sum() < expected && System.nanoTime() < graceEnd) {
            Thread.sleep(5);
        }
        long end = System.nanoTime();
        FanOut.Cpu cpu1 = FanOut.Cpu.now(serverPid);
        double wall = (end - start) / 1e9;
        long got = received.sum();
        log("received %d of %d (%.1f s after the first write)", got, expected, wall);

        // --------------------------------------------------------- every poll answered
        long fin = System.nanoTime();
        writers.all(topics, -3_000_000_000L, null);
        boolean allAnswered = awaitAnswered(all, fin, grace);
        int unanswered = pollers - countAnswered(all, fin);
        log("final round: %s", allAnswered ? "every poller answered" : unanswered + " pollers not answered");
        running = false;
        for (IoThread t : io) {
            t.selector.wakeup();
            t.join(5000);
        }
        for (Poller p : all) {
            try {
                p.ch.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        // --------------------------------------------------------- statistics
        int total = 0;
        for (Poller p : all) {
            total += p.n;
        }
        long[] lat = new long[total];
        int j = 0;
        for (Poller p : all) {
            System.arraycopy(p.lat, 0, lat, j, p.n);
            j += p.n;
        }
        Arrays.sort(lat);
        long[] post = new long[measured];
        for (int i = 0; i < measured; i++) {
            post[i] = ackT[i] - sendT[i];
        }
        Arrays.sort(post);
        StringBuilder out = new StringBuilder("LONGPOLL");
        FanOut.kv(out, "pollers", pollers);
        FanOut.kv(out, "topics", topics);
        FanOut.kv(out, "wait_ms", waitMs);
        FanOut.kv(out, "connect_s", FanOut.f(connectS, 1));
        FanOut.kv(out, "rate", FanOut.f(rate, 1));
        FanOut.kv(out, "writes", measured);
        FanOut.kv(out, "achieved_rate", measured < 2 ? "nan"
                : FanOut.f((measured - 1) / ((sendT[measured - 1] - sendT[0]) / 1e9), 2));
        FanOut.kv(out, "late_writes", late);
        FanOut.kv(out, "write_errors", writers.errors.sum());
        FanOut.kv(out, "expected", expected);
        FanOut.kv(out, "received", got);
        FanOut.kv(out, "missing", expected - got);
        FanOut.kv(out, "duplicates", duplicates.sum());
        FanOut.kv(out, "p50_ms", FanOut.ms(FanOut.pct(lat, 50)));
        FanOut.kv(out, "p90_ms", FanOut.ms(FanOut.pct(lat, 90)));
        FanOut.kv(out, "p99_ms", FanOut.ms(FanOut.pct(lat, 99)));
        FanOut.kv(out, "p999_ms", FanOut.ms(FanOut.pct(lat, 99.9)));
        FanOut.kv(out, "max_ms", FanOut.ms(lat.length == 0 ? -1 : lat[lat.length - 1]));
        FanOut.kv(out, "post_p50_ms", FanOut.ms(FanOut.pct(post, 50)));
        FanOut.kv(out, "post_p99_ms", FanOut.ms(FanOut.pct(post, 99)));
        FanOut.kv(out, "unanswered", unanswered);
        FanOut.kv(out, "bad_status", badStatus.get());
        FanOut.kv(out, "closed", closed.get());
        FanOut.kv(out, "parse_errors", parseErrors.sum());
        FanOut.kv(out, "polls", polls.sum());
        FanOut.kv(out, "answers", answers.sum());
        FanOut.kv(out, "empty_answers", emptyAnswers.sum());
        FanOut.kv(out, "heap0_kib", heap0);
        FanOut.kv(out, "heap_waiting_kib", heapN);
        FanOut.kv(out, "kib_per_poller", serverPid > 0 ? FanOut.f((heapN - heap0) / (double) pollers, 2) : "nan");
        FanOut.kv(out, "server_cpu", serverPid > 0 ? FanOut.f((cpu1.server() - cpu0.server()) / wall, 2) : "nan");
        FanOut.kv(out, "client_cpu", FanOut.f((cpu1.self() - cpu0.self()) / wall, 2));
        FanOut.kv(out, "machine_busy", FanOut.f(cpu1.busyFraction(cpu0), 2));
        double serverCores = serverPid > 0 ? (cpu1.server() - cpu0.server()) / wall : 0;
        FanOut.kv(out, "other_cpu", FanOut.f(Math.max(0, cpu1.busyFraction(cpu0)
                * Runtime.getRuntime().availableProcessors() - serverCores - (cpu1.self() - cpu0.self()) / wall), 2));
        System.out.println(out);
        System.exit(0);
    }

    /** Waits up to {@code seconds} until every poller has an answer to a request sent after {@code since}. */
    static boolean awaitAnswered(List<Poller> all, long since, double seconds) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (countAnswered(all, since) < all.size()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /**
     * Pollers with an answer that came after {@code since}. A request waiting in the server
     * since before the write is answered by that write; so is one sent after it, at once.
     */
    static int countAnswered(List<Poller> all, long since) {
        int n = 0;
        for (Poller p : all) {
            if (p.lastAnswer - since > 0) {
                n++;
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ one poller

    /** One keep-alive connection with one diff in flight at a time. */
    static final class Poller {
        private static final byte[] T = "{\"t\":".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] I = ",\"i\":".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] NEXT = "\"next_from_seq\":".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] CRLF2 = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        final SocketChannel ch;
        final String topic;
        long cursor;
        byte[] buf = new byte[1024];
        int len;
        int bodyAt = -1;
        int bodyLen;
        volatile long lastAnswer;
        final java.util.BitSet seen = new java.util.BitSet(measured);
        long[] lat = new long[16];
        int n;
        private final long[] num = new long[1];

        Poller(SocketChannel ch, int topic, long cursor) {
            this.ch = ch;
            this.topic = topicName(topic);
            this.cursor = cursor;
        }

        void send() throws IOException {
            ByteBuffer b = ByteBuffer.wrap(("GET /v0/topics/" + topic + "/diff?from_seq=" + cursor + "&wait_ms="
                    + waitMs + "&limit=1000 HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                if (ch.write(b) == 0) {
                    Thread.onSpinWait(); // a few dozen bytes into an empty socket buffer: at once
                }
            }
            polls.increment();
        }

        /** Bytes read from the socket; answers each complete response. */
        void feed(ByteBuffer b, long now) throws IOException {
            int r = b.remaining();
            if (len + r > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + r));
            }
            b.get(buf, len, r);
            len += r;
            if (bodyAt < 0) {
                int h = FanOut.find(buf, 0, len, CRLF2);
                if (h < 0) {
                    return;
                }
                String head = new String(buf, 0, h, StandardCharsets.ISO_8859_1);
                if (!head.startsWith("HTTP/1.1 200")) {
                    badStatus.incrementAndGet();
                    System.err.println("LongPoll: diff answered: " + head.lines().findFirst().orElse(head));
                    throw new IOException("bad status");
                }
                int cl = head.toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
                if (cl < 0) {
                    throw new IOException("an answer without Content-Length: " + head);
                }
                int eol = head.indexOf('\r', cl);
                bodyLen = Integer.parseInt(head.substring(cl + 15, eol < 0 ? head.length() : eol).trim());
                bodyAt = h + 4;
            }
            if (len < bodyAt + bodyLen) {
                return;
            }
            answer(bodyAt, bodyAt + bodyLen, now);
            int rest = len - (bodyAt + bodyLen);
            if (rest > 0) {
                throw new IOException(rest + " bytes after an answer nobody asked for");
            }
            len = 0;
            bodyAt = -1;
            lastAnswer = now;
            answers.increment();
            if (running) {
                send();
            }
        }

        private void answer(int from, int to, long now) {
            int p = FanOut.find(buf, from, to, NEXT);
            if (p < 0 || FanOut.number(buf, p + NEXT.length, to, num, 0) < 0) {
                throw new IllegalStateException("no next_from_seq in " + new String(buf, from, to - from,
                        StandardCharsets.UTF_8));
            }
            cursor = num[0];
            boolean any = false;
            p = from;
            while ((p = FanOut.find(buf, p, to, T)) >= 0) {
                any = true;
                p = FanOut.number(buf, p + T.length, to, num, 0);
                long t = num[0];
                int q = FanOut.find(buf, p, to, I);
                if (p < 0 || q != p || (p = FanOut.number(buf, q + I.length, to, num, 0)) < 0) {
                    throw new IllegalStateException("a record without t and i");
                }
                long i = num[0];
                if (i < 0 || i >= measured) {
                    continue; // set-up, warm-up and final writes
                }
                if (seen.get((int) i)) {
                    duplicates.increment();
                    continue;
                }
                seen.set((int) i);
                if (n == lat.length) {
                    lat = Arrays.copyOf(lat, n * 2);
                }
                lat[n++] = now - t;
                received.increment();
            }
            if (!any) {
                emptyAnswers.increment();
            }
        }
    }

    /** A selector thread: registers new pollers, reads what is ready, answers complete responses. */
    static final class IoThread extends Thread {
        final Selector selector;
        final ConcurrentLinkedQueue<Poller> incoming = new ConcurrentLinkedQueue<>();
        final ByteBuffer buf = ByteBuffer.allocate(1 << 16);

        IoThread(int k) throws IOException {
            super("longpoll-io-" + k);
            setDaemon(true);
            selector = Selector.open();
        }

        void add(Poller p) {
            incoming.add(p);
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                while (running) {
                    selector.select(100);
                    Poller p;
                    while ((p = incoming.poll()) != null) {
                        p.ch.register(selector, SelectionKey.OP_READ, p);
                    }
                    var keys = selector.selectedKeys();
                    for (SelectionKey k : keys) {
                        Poller poller = (Poller) k.attachment();
                        try {
                            buf.clear();
                            int r = poller.ch.read(buf);
                            if (r < 0) {
                                k.cancel();
                                closed.incrementAndGet();
                                continue;
                            }
                            buf.flip();
                            poller.feed(buf, System.nanoTime());
                        } catch (IOException | RuntimeException e) {
                            if (e instanceof RuntimeException) {
                                parseErrors.increment();
                                System.err.println("LongPoll: parser: " + e);
                            }
                            k.cancel();
                            closed.incrementAndGet();
                        }
                    }
                    keys.clear();
                }
            } catch (IOException e) {
                System.err.println("LongPoll: selector: " + e);
            }
        }
    }

    // ------------------------------------------------------------------ the writers

    /** Keep-alive writer connections (FanOut.Writer), each used by one write at a time. */
    static final class Writers {
        final ConcurrentLinkedQueue<FanOut.Writer> idle = new ConcurrentLinkedQueue<>();
        final LongAdder errors = new LongAdder();

        interface Answer {
            void accept(int topic, String body);
        }

        /** One write to each of {@code topics} topics, 16 at a time; waits for all. */
        void all(int topics, long i, Answer answer) throws InterruptedException {
            AtomicInteger next = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int k = 0; k < 16; k++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    int t;
                    while ((t = next.getAndIncrement()) < topics) {
                        String body = post(t, i, System.nanoTime());
                        if (body != null && answer != null) {
                            answer.accept(t, body);
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            if (errors.sum() > 0) {
                throw new IllegalStateException(errors.sum() + " writes failed");
            }
        }

        /** {@code count} writes, one every {@code period} ns, write k to topic k mod topics; returns how many went out late. */
        long schedule(int count, long period, int topics, long[] sendT, long[] ackT, boolean warmup)
                throws InterruptedException {
            long late = 0;
            long start = System.nanoTime();
            try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int k = 0; k < count; k++) {
                    long due = start + k * period;
                    FanOut.waitUntil(due);
                    long t = System.nanoTime();
                    if (t - due > period) {
                        late++;
                    }
                    int slot = k;
                    long i = warmup ? -(k + 1) : k;
                    if (sendT != null) {
                        sendT[k] = t;
                    }
                    exec.submit(() -> {
                        post(slot % topics, i, t);
                        if (ackT != null) {
                            ackT[slot] = System.nanoTime();
                        }
                    });
                }
            }
            return late;
        }

        /** The answer's body, or null when the write failed (counted). */
        String post(int topic, long i, long t) {
            FanOut.Writer w = idle.poll();
            if (w == null) {
                w = new FanOut.Writer();
            }
            try {
                String body = w.post(topicName(topic), i, t);
                idle.add(w);
                return body;
            } catch (IOException | RuntimeException e) {
                errors.increment();
                System.err.println("LongPoll: write " + i + " to " + topicName(topic) + " failed: " + e);
                w.close();
                return null;
            }
        }
    }

    static void log(String fmt, Object... args) {
        System.err.printf(java.util.Locale.ROOT, "LongPoll: " + fmt + "%n", args);
    }
}
