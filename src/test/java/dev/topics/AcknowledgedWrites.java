package dev.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.topics.json.JsonReader;
import dev.topics.testing.Await;
import dev.topics.testing.ChildServer;
import dev.topics.testing.DiffPages;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * How the process tests ({@link ProcessCrashTest}, {@link ProcessLifecycleTest}) prove that
 * nothing acknowledged is lost across a stop of the real server: a ledger of every write sent
 * and the server's answer to it, client threads that write until the server is stopped, and
 * the check after each restart on the same data directory — every acknowledged record back
 * at its seq with byte-identical {@code data}, {@code $tag} and {@code $node}; seqs from 1 to
 * the head without a gap; a batch that was in flight at the stop there whole or not at all;
 * acknowledged idempotency keys still deduping; and new writes continuing after the
 * recovered head.
 */
final class AcknowledgedWrites {
    private AcknowledgedWrites() {
    }

    /** Readiness, the full check of every topic, idempotency keys, and seqs continuing after the head. */
    static Verified verifyAfterRestart(ChildServer server, Ledger ledger, List<String> topics) {
        assertThat(server.get("/readyz").status()).as("/readyz after the start line").isEqualTo(200);
        Verified v = ledger.verify(server, topics);
        ledger.checkKeysStillDedupe(server, 12);
        for (String t : topics) {
            long head = v.heads().get(t);
            Batch b = ledger.newBatch(t, 0, 1, new Random(head), null);
            long first = ledger.writeAndRecord(server, b);
            assertThat(first).as("first seq written to " + t + " after recovering head " + head).isEqualTo(head + 1);
        }
        return v;
    }

    // ---- what was sent and what was acknowledged -----------------------------------------

    /** One record as sent: its canonical {@code data} text, tag and node as stored. */
    record Rec(String data, String tag, String node, Batch batch, int index) {
    }

    /** One write request. */
    static final class Batch {
        final long id;
        final String topic;
        final String body;
        final String key;
        final boolean keyInHeader;
        final List<Rec> records = new ArrayList<>();

        Batch(long id, String topic, String body, String key, boolean keyInHeader) {
            this.id = id;
            this.topic = topic;
            this.body = body;
            this.key = key;
            this.keyInHeader = keyInHeader;
        }
    }

    /** An acknowledged write with an idempotency key: repeating it must answer the same seqs. */
    record Keyed(Batch batch, long firstSeq, long lastSeq) {
    }

    /** Results of one check. */
    record Verified(Map<String, Long> heads, int promoted) {
        @Override
        public String toString() {
            return "heads " + heads + ", in-flight records found whole " + promoted;
        }
    }

    /**
     * Every write sent, and the server's answer to it. Records acknowledged (200) are kept
     * by seq for the life of the test; records of writes without an answer (in flight at a
     * kill) are kept by their unique data text until the next check, which either finds
     * their batch whole (then they count as acknowledged from then on) or not at all.
     * Thread-safe.
     */
    static final class Ledger {
        final Map<String, NavigableMap<Long, Rec>> acknowledged = new ConcurrentHashMap<>();
        final Map<String, Rec> inFlight = new ConcurrentHashMap<>();
        final Map<String, Rec> rejected = new ConcurrentHashMap<>();
        final List<Keyed> keyed = Collections.synchronizedList(new ArrayList<>());
        final List<String> problems = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger clients = new AtomicInteger();
        private final AtomicLong batches = new AtomicLong();
        private final AtomicLong records = new AtomicLong();

        int newClient() {
            return clients.incrementAndGet();
        }

        NavigableMap<Long, Rec> acked(String topic) {
            return acknowledged.computeIfAbsent(topic, t -> new ConcurrentSkipListMap<>());
        }

        /**
         * A write of {@code size} records with distinct data. With {@code key} non-null the
         * write carries it, in the body or the header. Records mix tags, per-record nodes, a
         * batch-level node, escapes, non-ASCII text, exact-digit numbers and (sometimes)
         * insignificant whitespace the server must drop.
         */
        Batch newBatch(String topic, int client, int size, Random rnd, String key) {
            long id = batches.incrementAndGet();
            String sep = rnd.nextInt(4) == 0 ? " " : "";
            String batchNode = rnd.nextInt(5) == 0 ? "bn-" + client : null;
            boolean keyInHeader = key != null && rnd.nextBoolean();
            List<String[]> parts = new ArrayList<>(size);
            StringBuilder body = new StringBuilder(size * 160);
            body.append('{').append(sep).append("\"records\":").append(sep).append('[');
            for (int i = 0; i < size; i++) {
                long n = records.incrementAndGet();
                String canonical = Json.data(client, n, id, i, new Random(n), "");
                String sent = sep.isEmpty() ? canonical : Json.data(client, n, id, i, new Random(n), sep);
                String tag = rnd.nextInt(3) == 0 ? "t-" + client + "-" + n + (rnd.nextBoolean() ? "-ü\"€" : "") : null;
                String node = rnd.nextInt(4) == 0 ? "n-" + client + ":" + (n % 7) : null;
                if (i > 0) {
                    body.append(',').append(sep);
                }
                body.append('{').append("\"data\":").append(sep).append(sent);
                if (tag != null) {
                    body.append(',').append(sep).append("\"tag\":").append(Json.string(tag));
                }
                if (node != null) {
                    body.append(',').append("\"node\":").append(sep).append(Json.string(node));
                }
                body.append('}');
                parts.add(new String[] {canonical, tag, node != null ? node : batchNode});
            }
            body.append(']');
            if (batchNode != null) {
                body.append(',').append("\"node\":").append(Json.string(batchNode));
            }
            if (key != null && !keyInHeader) {
                body.append(',').append(sep).append("\"idempotency_key\":").append(Json.string(key));
            }
            body.append(sep).append('}');
            Batch b = new Batch(id, topic, body.toString(), key, keyInHeader);
            for (int i = 0; i < size; i++) {
                String[] p = parts.get(i);
                b.records.add(new Rec(p[0], p[1], p[2], b, i));
            }
            return b;
        }

        /** Before sending: the batch's records are in flight until answered. */
        void sending(Batch b) {
            for (Rec r : b.records) {
                if (inFlight.putIfAbsent(r.data(), r) != null) {
                    throw new IllegalStateException("test bug: data not unique: " + r.data());
                }
            }
        }

        /** A 200: the records are acknowledged at first..last. */
        void acknowledged(Batch b, WriteAnswer a) {
            if (a.deduped()) {
                problems.add(b.topic + ": fresh key " + b.key + " answered deduped: " + a);
            }
            if (a.lastSeq() - a.firstSeq() + 1 != b.records.size()) {
                problems.add(b.topic + ": a write of " + b.records.size() + " records was answered with seqs "
                        + a.firstSeq() + ".." + a.lastSeq());
            }
            NavigableMap<Long, Rec> acked = acked(b.topic);
            for (Rec r : b.records) {
                Rec earlier = acked.put(a.firstSeq() + r.index(), r);
                if (earlier != null) {
                    problems.add(b.topic + ": seq " + (a.firstSeq() + r.index()) + " acknowledged twice: "
                            + earlier.data() + " and " + r.data());
                }
                inFlight.remove(r.data());
            }
            if (b.key != null) {
                keyed.add(new Keyed(b, a.firstSeq(), a.lastSeq()));
            }
        }

        /** A 4xx: the write was refused, so none of it may ever appear. */
        void refused(Batch b, int status, String body) {
            problems.add(b.topic + ": write refused with " + status + ": " + body);
            for (Rec r : b.records) {
                inFlight.remove(r.data());
                rejected.put(r.data(), r);
            }
        }

        /** Writes {@code b} with the ledger's client (no concurrency); returns its first seq. */
        long writeAndRecord(ChildServer server, Batch b) {
            sending(b);
            ChildServer.Response r = server.send("POST", "/v0/topics/" + b.topic, b.body,
                    b.keyInHeader ? Map.of("Idempotency-Key", b.key) : Map.of());
            assertThat(r.status()).as("write to " + b.topic + ": " + r.body()).isEqualTo(200);
            WriteAnswer a = WriteAnswer.parse(r.body());
            acknowledged(b, a);
            return a.firstSeq();
        }

        /**
         * Reads every topic from seq 0 and checks it against the ledger: every acknowledged
         * record at its seq with identical data, tag and node; seqs 1..head without a gap;
         * every other record belongs to a batch in flight at the stop and that batch is whole
         * and in order (then it counts as acknowledged from here on); nothing refused appears.
         * Clears the in-flight set: a batch not found now must never appear later.
         */
        Verified verify(ChildServer server, List<String> topics) {
            List<String> found = new ArrayList<>(problems);
            problems.clear();
            Map<String, Long> heads = new LinkedHashMap<>();
            int promoted = 0;
            for (String topic : topics) {
                Read read = Read.all(server, topic);
                List<Stored> got = read.records();
                heads.put(topic, read.headSeq());
                NavigableMap<Long, Rec> acked = acked(topic);
                if (read.headSeq() != got.size()) {
                    found.add(topic + ": head_seq " + read.headSeq() + " but " + got.size() + " records read");
                }
                for (int i = 0; i < got.size(); i++) {
                    if (got.get(i).seq() != i + 1) {
                        found.add(topic + ": record #" + (i + 1) + " has seq " + got.get(i).seq() + " (a gap or disorder)");
                        break;
                    }
                }
                Map<Long, Stored> bySeq = new HashMap<>();
                got.forEach(s -> bySeq.put(s.seq(), s));
                int missing = 0;
                for (var e : acked.entrySet()) {
                    Stored s = bySeq.get(e.getKey());
                    Rec want = e.getValue();
                    if (s == null) {
                        if (missing++ < 5) {
                            found.add(topic + ": acknowledged seq " + e.getKey() + " is missing (head " + read.headSeq()
                                    + "): " + want.data());
                        }
                    } else if (!matches(s, want)) {
                        found.add(topic + ": seq " + e.getKey() + " differs from what was acknowledged:\n  want data="
                                + want.data() + " tag=" + want.tag() + " node=" + want.node() + "\n  got  data=" + s.data()
                                + " tag=" + s.tag() + " node=" + s.node());
                    }
                }
                if (missing > 5) {
                    found.add(topic + ": ... " + missing + " acknowledged records missing in all (of " + acked.size() + ")");
                }
                // Records nobody acknowledged: whole in-flight batches only.
                for (int i = 0; i < got.size(); ) {
                    Stored s = got.get(i);
                    if (acked.containsKey(s.seq())) {
                        i++;
                        continue;
                    }
                    Rec r = inFlight.get(s.data());
                    if (r == null || !r.batch().topic.equals(topic)) {
                        String what = rejected.containsKey(s.data()) ? "a record of a refused write"
                                : "a record never sent, sent to another topic, or lost earlier and back now";
                        found.add(topic + ": seq " + s.seq() + " holds " + what + ": " + s.data());
                        i++;
                        continue;
                    }
                    Batch b = r.batch();
                    int whole = 0;
                    while (whole < b.records.size() && i + whole < got.size()
                            && matches(got.get(i + whole), b.records.get(whole))
                            && !acked.containsKey(got.get(i + whole).seq())) {
                        whole++;
                    }
                    if (r.index() != 0 || whole != b.records.size()) {
                        found.add(topic + ": a batch of " + b.records.size() + " records that was in flight appears"
                                + " partially: record #" + r.index() + " at seq " + s.seq() + ", " + whole
                                + " matching records in order from there");
                        i++;
                        continue;
                    }
                    for (int k = 0; k < whole; k++) {
                        acked.put(got.get(i + k).seq(), b.records.get(k));
                        inFlight.remove(b.records.get(k).data());
                    }
                    promoted += whole;
                    i += whole;
                }
                // What the topic says about itself agrees with what was read.
                long bytes = got.stream().mapToLong(x -> x.data().getBytes(StandardCharsets.UTF_8).length).sum();
                Map<String, Long> want = Map.of("head_seq", read.headSeq(), "earliest_seq", got.isEmpty() ? read.headSeq() + 1 : 1,
                        "count", (long) got.size(), "bytes", bytes);
                Map<String, Long> said = TopicState.get(server, topic);
                if (!said.equals(want)) {
                    found.add(topic + ": GET /v0/topics/" + topic + " says " + new TreeMap<>(said)
                            + " but the records read give " + new TreeMap<>(want));
                }
            }
            inFlight.clear();
            if (!found.isEmpty()) {
                fail("after restart (" + server.startLine() + "), " + found.size() + " problems:\n" + String.join("\n", found));
            }
            return new Verified(heads, promoted);
        }

        private static boolean matches(Stored s, Rec r) {
            return s.data().equals(r.data()) && Objects.equals(s.tag(), r.tag())
                    && Objects.equals(s.node(), r.node());
        }

        /** Repeats up to {@code max} acknowledged keyed writes: each must answer deduped with its first seqs. */
        void checkKeysStillDedupe(ChildServer server, int max) {
            List<Keyed> sample;
            synchronized (keyed) {
                sample = new ArrayList<>(keyed);
            }
            Collections.shuffle(sample, new Random(sample.size()));
            for (Keyed k : sample.subList(0, Math.min(max, sample.size()))) {
                ChildServer.Response r = server.send("POST", "/v0/topics/" + k.batch().topic, k.batch().body,
                        k.batch().keyInHeader ? Map.of("Idempotency-Key", k.batch().key) : Map.of());
                assertThat(r.status()).as("repeat of keyed write " + k.batch().key + ": " + r.body()).isEqualTo(200);
                WriteAnswer a = WriteAnswer.parse(r.body());
                assertThat(a).as("repeat of keyed write %s (acknowledged as %d..%d) after restart: %s", k.batch().key,
                        k.firstSeq(), k.lastSeq(), r.body())
                        .extracting(WriteAnswer::deduped, WriteAnswer::firstSeq, WriteAnswer::lastSeq)
                        .containsExactly(true, k.firstSeq(), k.lastSeq());
            }
        }
    }

    // ---- the writing clients ---------------------------------------------------------------

    /** Client threads writing until stopped, each with its own connection pool. */
    static final class Writers {
        /** What the clients saw. */
        record Summary(long acknowledgedWrites, long acknowledgedRecords, long failedWrites, int inFlightAtStop) {
            @Override
            public String toString() {
                return acknowledgedWrites + " writes (" + acknowledgedRecords + " records) acknowledged, " + failedWrites
                        + " without an answer, " + inFlightAtStop + " in flight at the stop";
            }
        }

        private final ChildServer server;
        private final Ledger ledger;
        private final List<String> topics;
        private final List<Thread> threads = new ArrayList<>();
        private final AtomicLong acknowledgedWrites = new AtomicLong();
        private final AtomicLong acknowledgedRecords = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private final AtomicInteger inFlight = new AtomicInteger();
        private volatile boolean stop;

        Writers(ChildServer server, Ledger ledger, List<String> topics) {
            this.server = server;
            this.ledger = ledger;
            this.topics = topics;
        }

        /**
         * Writes with {@code n} clients for {@code time} (and at least until some writes are
         * acknowledged), then calls {@code stop} on the server while they still write, then
         * lets the clients finish.
         */
        static Summary runThenKill(ChildServer server, Ledger ledger, List<String> topics, int n, Duration time,
                long seed, Consumer<ChildServer> stop) throws InterruptedException {
            Writers w = new Writers(server, ledger, topics);
            w.start(n, seed);
            long deadline = System.nanoTime() + time.toNanos();
            long atLeastUntil = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < deadline
                    || (w.acknowledgedWrites.get() < 100 && System.nanoTime() < atLeastUntil)) {
                Thread.sleep(20);
            }
            int inFlightNow = w.inFlight.get();
            stop.accept(server);
            Thread.sleep(100); // let the clients run into the stop
            w.stop = true;
            w.join();
            return new Summary(w.acknowledgedWrites.get(), w.acknowledgedRecords.get(), w.failed.get(), inFlightNow);
        }

        void start(int n, long seed) {
            for (int i = 0; i < n; i++) {
                int client = ledger.newClient();
                Random rnd = new Random(seed * 1000 + client);
                Thread t = new Thread(() -> run(client, rnd), "writer-" + client);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        void join() throws InterruptedException {
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(20));
                assertThat(t.isAlive()).as(t.getName() + " still writing 20 s after the stop").isFalse();
            }
        }

        private void run(int client, Random rnd) {
            try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2)).build()) {
                URI base = server.uri("/v0/topics/");
                while (!stop) {
                    String topic = topics.get(rnd.nextInt(topics.size()));
                    int roll = rnd.nextInt(10);
                    int size = roll < 4 ? 1 : roll < 8 ? 2 + rnd.nextInt(19) : 21 + rnd.nextInt(180);
                    String key = rnd.nextInt(8) == 0 ? "k-" + client + "-" + rnd.nextLong(Long.MAX_VALUE) : null;
                    Batch b = ledger.newBatch(topic, client, size, rnd, key);
                    HttpRequest.Builder rb = HttpRequest.newBuilder(base.resolve(topic)).timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(b.body, StandardCharsets.UTF_8));
                    if (b.keyInHeader) {
                        rb.header("Idempotency-Key", b.key);
                    }
                    ledger.sending(b);
                    inFlight.incrementAndGet();
                    try {
                        HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                        if (r.statusCode() == 200) {
                            ledger.acknowledged(b, WriteAnswer.parse(r.body()));
                            acknowledgedWrites.incrementAndGet();
                            acknowledgedRecords.addAndGet(b.records.size());
                        } else if (r.statusCode() >= 400 && r.statusCode() < 500) {
                            ledger.refused(b, r.statusCode(), r.body());
                        } else {
                            failed.incrementAndGet(); // 5xx: the outcome is unknown, like no answer
                        }
                    } catch (IOException e) {
                        failed.incrementAndGet(); // the server went away: the write may or may not be there
                        if (!stop) {
                            Await.pause(20);
                        }
                    } finally {
                        inFlight.decrementAndGet();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException | Error e) {
                ledger.problems.add("writer " + client + " failed: " + e);
            }
        }
    }

    // ---- reading answers ---------------------------------------------------------------------

    /** The fields of a write's 200 answer this test needs. */
    record WriteAnswer(long firstSeq, long lastSeq, boolean deduped) {
        static WriteAnswer parse(String body) {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            JsonReader r = new JsonReader(b, 0, b.length, 64);
            long first = -1;
            long last = -1;
            Boolean deduped = null;
            r.beginObject("answer");
            while (r.nextField()) {
                switch (r.name()) {
                    case "first_seq" -> first = r.nextU64("first_seq");
                    case "last_seq" -> last = r.nextU64("last_seq");
                    case "deduped" -> deduped = r.nextBoolean("deduped");
                    default -> r.skipValue();
                }
            }
            if (first < 1 || last < first || deduped == null) {
                throw new AssertionError("not a write answer: " + body);
            }
            return new WriteAnswer(first, last, deduped);
        }
    }

    /** The counters of GET /v0/topics/{name}. */
    static final class TopicState {
        static Map<String, Long> get(ChildServer server, String topic) {
            ChildServer.Response res = server.get("/v0/topics/" + topic);
            assertThat(res.status()).as("GET /v0/topics/" + topic + ": " + res.body()).isEqualTo(200);
            byte[] b = res.bytes();
            JsonReader r = new JsonReader(b, 0, b.length, 64);
            Map<String, Long> out = new HashMap<>();
            r.beginObject("topic");
            while (r.nextField()) {
                String f = r.name();
                switch (f) {
                    case "head_seq", "earliest_seq", "count", "bytes" -> out.put(f, r.nextU64(f));
                    default -> r.skipValue();
                }
            }
            return out;
        }
    }

    /** One record as read back: {@code data} as its exact (canonical) JSON text. */
    record Stored(long seq, String data, String tag, String node) {
    }

    /** A topic read in full with GET diff pages. */
    record Read(List<Stored> records, long headSeq) {
        static Read all(ChildServer server, String topic) {
            DiffPages.Page all = DiffPages.readAll(server, topic);
            List<Stored> out = new ArrayList<>();
            for (DiffPages.Rec r : all.records()) {
                out.add(new Stored(r.seq(), r.data(), r.tag(), r.node()));
            }
            return new Read(out, all.head());
        }
    }

    // ---- payloads ----------------------------------------------------------------------------

    /** Record payloads: unique by (client, n), varied in shape, written with a chosen separator. */
    static final class Json {
        private static final String[] WORDS = {"plain", "ü-ö-ä", "emoji 🚀", "quote \\\" inside", "back\\\\slash",
            "line\\nbreak", "tab\\t", "escaped \\u00e9\\u0041", "colon: and, comma", "  spaced  out  "};

        /** The data text; with {@code sep} "" it is canonical (the server must store exactly that). */
        static String data(int client, long n, long batch, int index, Random rnd, String sep) {
            String s = sep;
            StringBuilder b = new StringBuilder(128);
            b.append('{').append(s).append("\"c\":").append(s).append(client)
                    .append(',').append(s).append("\"n\":").append(s).append(n)
                    .append(',').append(s).append("\"b\":").append(batch)
                    .append(',').append("\"i\":").append(s).append(index);
            switch (rnd.nextInt(4)) {
                case 0 -> b.append(',').append(s).append("\"w\":").append(s).append('"').append(WORDS[rnd.nextInt(WORDS.length)])
                        .append('"');
                case 1 -> b.append(',').append("\"x\":").append(s).append('[').append(s).append("1.50,").append(s)
                        .append("-0,1e3").append(s).append(',').append("true,").append(s).append("null,")
                        .append('{').append(s).append('}').append(',').append('[').append(s).append(']').append(s).append(']');
                case 2 -> b.append(',').append(s).append("\"o\":{\"deep\":").append(s).append("{\"er\":[").append(s)
                        .append(rnd.nextInt()).append(",\"").append(WORDS[rnd.nextInt(WORDS.length)]).append("\"]}}");
                default -> {
                    if (rnd.nextInt(40) == 0) {
                        b.append(',').append("\"big\":").append(s).append('"').append("x".repeat(2000 + rnd.nextInt(3000)))
                                .append('"');
                    }
                }
            }
            return b.append(s).append('}').toString();
        }

        static String string(String s) {
            StringBuilder b = new StringBuilder(s.length() + 2).append('"');
            for (char c : s.toCharArray()) {
                if (c == '"' || c == '\\') {
                    b.append('\\');
                }
                b.append(c);
            }
            return b.append('"').toString();
        }
    }
}
