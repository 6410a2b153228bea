package dev.topics.faults;

import dev.topics.faults.Reads.Read;
import dev.topics.faults.Reads.Stored;
import dev.topics.testing.ChildServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the server acknowledged, and the check that a restarted server still holds all of
 * it (STYLE "Tests": exactly the acknowledged prefix survives). Kept across kill cycles.
 *
 * <ul>
 *   <li>records: every acknowledged record at its seq with identical data and tag; a
 *       write without an answer (in flight at the kill) is there whole, at contiguous
 *       seqs, or not at all — and once found absent, it never appears later;</li>
 *   <li>deletes: the records of an acknowledged delete never come back; a delete in
 *       flight may have happened or not;</li>
 *   <li>what a watcher was sent was committed: it is there after the restart unless deleted;</li>
 *   <li>nothing appears twice, nothing never sent appears, seqs are never reused;</li>
 *   <li>config changes (PATCH), routers and subscription cursors: the acknowledged value,
 *       or the one in flight at the kill.</li>
 * </ul>
 * Thread-safe (every method synchronized; the load is light).
 */
final class Ledger {
    /** One record as sent: its canonical data text (unique in the test) and tag. */
    record Rec(String topic, String data, String tag, Batch batch, int index) {
    }

    /** One write request of {@code records} sharing one tag. */
    static final class Batch {
        final long id;
        final String topic;
        final String tag;
        final String body;
        final List<Rec> records = new ArrayList<>();
        long firstSeq = -1;

        Batch(long id, String topic, String tag, String body) {
            this.id = id;
            this.topic = topic;
            this.tag = tag;
            this.body = body;
        }
    }

    private long batches;
    private long records;
    private final Map<String, NavigableMap<Long, Rec>> acked = new HashMap<>();
    private final Map<String, Rec> inFlight = new HashMap<>();
    /** Records of writes found absent after a restart: they may never appear. */
    private final Set<String> abandoned = new HashSet<>();
    private final Set<String> sent = new HashSet<>();
    private final Map<String, Set<Long>> deleted = new HashMap<>();
    private final Map<String, Set<Long>> maybeDeleted = new HashMap<>();
    private final Map<String, Long> highestSeq = new HashMap<>();
    private final Map<String, Map<Long, String>> watched = new HashMap<>();
    /** topic → acknowledged idempotency_window_ms; and a value in flight. */
    private final Map<String, Long> config = new HashMap<>();
    private final Map<String, Long> configInFlight = new HashMap<>();
    /** router name → true (exists) / false (deleted), acknowledged; and a change in flight. */
    private final Map<String, Boolean> routers = new TreeMap<>();
    private final Map<String, Boolean> routersInFlight = new HashMap<>();
    /** "topic/sub" → acknowledged cursor; and one in flight. */
    private final Map<String, Long> subs = new TreeMap<>();
    private final Map<String, Long> subsInFlight = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private long acknowledgedWrites;
    private long acknowledgedDeletes;
    private long acknowledgedControl;

    /** A write of {@code size} records to {@code topic}, all tagged with one new tag; data unique. */
    synchronized Batch newBatch(String topic, int client, int size, Random rnd) {
        long id = ++batches;
        String tag = "c" + client + "-b" + id;
        StringBuilder body = new StringBuilder(size * 80).append("{\"records\":[");
        List<String> datas = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            long n = ++records;
            String pad = "x".repeat(rnd.nextInt(rnd.nextInt(8) == 0 ? 900 : 60));
            String data = "{\"c\":" + client + ",\"n\":" + n + ",\"s\":\"ü€\\\"" + pad + "\",\"v\":[1.50,-0,1e3,null]}";
            datas.add(data);
            if (i > 0) {
                body.append(',');
            }
            body.append("{\"data\":").append(data).append(",\"tag\":\"").append(tag).append("\"}");
        }
        body.append("]}");
        Batch out = new Batch(id, topic, tag, body.toString());
        for (int i = 0; i < size; i++) {
            out.records.add(new Rec(topic, datas.get(i), tag, out, i));
        }
        return out;
    }

    synchronized void sending(Batch b) {
        for (Rec r : b.records) {
            sent.add(r.data());
            inFlight.put(r.data(), r);
        }
    }

    /** A 200 with first_seq..last_seq. */
    synchronized void acknowledged(Batch b, long first, long last) {
        acknowledgedWrites++;
        if (last - first + 1 != b.records.size()) {
            problems.add(b.topic + ": a write of " + b.records.size() + " records answered seqs " + first + ".." + last);
        }
        b.firstSeq = first;
        NavigableMap<Long, Rec> m = acked(b.topic);
        for (Rec r : b.records) {
            long seq = first + r.index();
            Rec earlier = m.put(seq, r);
            if (earlier != null) {
                problems.add(b.topic + ": seq " + seq + " acknowledged twice: " + earlier.data() + " and " + r.data());
            }
            inFlight.remove(r.data());
        }
        highestSeq.merge(b.topic, last, Math::max);
    }

    /** A 4xx: refused, so it must never appear (and the test did not expect a refusal). */
    synchronized void refused(Batch b, int status, String body) {
        problems.add(b.topic + ": write refused with " + status + ": " + body);
        for (Rec r : b.records) {
            inFlight.remove(r.data());
            abandoned.add(r.data());
        }
    }

    /** Before a tag delete of an acknowledged batch: its records may go from now on. */
    synchronized void deleting(Batch b) {
        Set<Long> m = maybeDeleted.computeIfAbsent(b.topic, t -> new TreeSet<>());
        for (Rec r : b.records) {
            m.add(b.firstSeq + r.index());
        }
    }

    /** The delete of {@code b}'s tag answered 200 with {@code count} deleted: they must never return. */
    synchronized void deleteAcknowledged(Batch b, long count) {
        acknowledgedDeletes++;
        if (count != b.records.size()) {
            problems.add(b.topic + ": delete of tag " + b.tag + " (" + b.records.size() + " records) deleted " + count);
        }
        for (Rec r : b.records) {
            long seq = b.firstSeq + r.index();
            maybeDeleted.get(b.topic).remove(seq);
            deleted.computeIfAbsent(b.topic, t -> new TreeSet<>()).add(seq);
            acked(b.topic).remove(seq);
        }
    }

    /** A watcher was sent this record: it was committed. */
    synchronized void watched(String topic, Stored s) {
        String earlier = watched.computeIfAbsent(topic, t -> new HashMap<>()).put(s.seq(), s.data());
        if (earlier != null && !earlier.equals(s.data())) {
            problems.add(topic + ": a watcher was sent two records at seq " + s.seq() + ": " + earlier + " and " + s.data());
        }
        if (!sent.contains(s.data())) {
            problems.add(topic + ": a watcher was sent a record never written, at seq " + s.seq() + ": " + s.data());
        }
    }

    synchronized void configSending(String topic, long value) {
        configInFlight.put(topic, value);
    }

    synchronized void configAcknowledged(String topic, long value) {
        acknowledgedControl++;
        config.put(topic, value);
        configInFlight.remove(topic);
    }

    synchronized void routerSending(String name, boolean exists) {
        routersInFlight.put(name, exists);
    }

    synchronized void routerAcknowledged(String name, boolean exists) {
        acknowledgedControl++;
        routers.put(name, exists);
        routersInFlight.remove(name);
    }

    synchronized void subscriptionSending(String key, long cursor) {
        subsInFlight.put(key, cursor);
    }

    synchronized void subscriptionAcknowledged(String key, long cursor) {
        acknowledgedControl++;
        subs.merge(key, cursor, Math::max);
        subsInFlight.remove(key);
    }

    synchronized void problem(String p) {
        problems.add(p);
    }

    /** A PATCH answered 404 (the topic was not made yet): nothing changed. */
    synchronized void configDropped(String topic) {
        configInFlight.remove(topic);
    }

    /** A router PUT answered 404 (its source was not made yet): nothing changed. */
    synchronized void routerDropped(String name) {
        routersInFlight.remove(name);
    }

    /** Whether the router exists as far as the ledger knows. */
    synchronized boolean routerExists(String name) {
        return routers.getOrDefault(name, false);
    }

    /** The subscription's acknowledged cursor, or null if it was never made. */
    synchronized Long subscriptionCursor(String key) {
        return subs.get(key);
    }

    /** Some acknowledged seq of {@code topic} that is not deleted (0 if none), for subscription acks. */
    synchronized long someAckedSeq(String topic, Random rnd) {
        NavigableMap<Long, Rec> m = acked(topic);
        if (m.isEmpty()) {
            return 0;
        }
        long hi = m.lastKey();
        Long k = m.floorKey(1 + (long) (rnd.nextDouble() * hi));
        return k == null ? hi : k;
    }

    synchronized String summary() {
        return acknowledgedWrites + " writes, " + acknowledgedDeletes + " tag deletes, " + acknowledgedControl
                + " config/control changes acknowledged; " + acked.values().stream().mapToInt(Map::size).sum()
                + " live records expected";
    }

    private NavigableMap<Long, Rec> acked(String topic) {
        return acked.computeIfAbsent(topic, t -> new TreeMap<>());
    }

    /**
     * Reads back everything and returns the problems (empty when all holds). Resolves what
     * was in flight: writes and deletes found applied count as acknowledged from here on,
     * the others as never applied. {@code copies} are router destinations: checked only for
     * records appearing twice or never written.
     */
    synchronized List<String> verify(ChildServer server, List<String> topics, List<String> copies) {
        List<String> found = new ArrayList<>(problems);
        problems.clear();
        for (String topic : topics) {
            verifyTopic(server, topic, found);
        }
        for (String copy : copies) {
            ChildServer.Response r = server.get("/v0/topics/" + copy);
            if (r.status() == 404) {
                continue;
            }
            Read read = Reads.all(server, copy);
            Set<String> seen = new HashSet<>();
            for (Stored s : read.records()) {
                if (!seen.add(s.data())) {
                    found.add(copy + " (router copy): record copied twice, at seq " + s.seq() + ": " + s.data());
                } else if (!sent.contains(s.data())) {
                    found.add(copy + " (router copy): seq " + s.seq() + " holds a record never written: " + s.data());
                }
            }
            read.errors().forEach(e -> found.add(copy + ": read failed: " + e));
        }
        verifyControl(server, found);
        for (Rec r : inFlight.values()) {
            abandoned.add(r.data());
        }
        inFlight.clear();
        return found;
    }

    private void verifyTopic(ChildServer server, String topic, List<String> found) {
        Read read = Reads.all(server, topic);
        read.errors().forEach(e -> found.add(topic + ": read failed: " + e));
        NavigableMap<Long, Rec> want = acked(topic);
        Set<Long> gone = deleted.getOrDefault(topic, Set.of());
        Set<Long> maybe = maybeDeleted.getOrDefault(topic, new TreeSet<>());
        long highest = highestSeq.getOrDefault(topic, 0L);
        if (read.headSeq() < highest) {
            found.add(topic + ": head_seq " + read.headSeq() + " is below the highest acknowledged seq " + highest);
        }
        Map<Long, Stored> bySeq = new HashMap<>();
        Set<String> datas = new HashSet<>();
        List<Stored> got = read.records();
        for (int i = 0; i < got.size(); ) {
            Stored s = got.get(i);
            if (bySeq.put(s.seq(), s) != null) {
                found.add(topic + ": seq " + s.seq() + " served twice");
            }
            if (!datas.add(s.data())) {
                found.add(topic + ": a record appears twice (again at seq " + s.seq() + "): " + s.data());
            }
            if (gone.contains(s.seq())) {
                found.add(topic + ": seq " + s.seq() + " was deleted (acknowledged) and is back: " + s.data());
            }
            Rec a = want.get(s.seq());
            if (a != null) {
                if (!a.data().equals(s.data()) || !Objects.equals(a.tag(), s.tag())) {
                    found.add(topic + ": seq " + s.seq() + " differs from what was acknowledged:\n  want " + a.data()
                            + " tag " + a.tag() + "\n  got  " + s.data() + " tag " + s.tag());
                }
                i++;
                continue;
            }
            Rec f = inFlight.get(s.data());
            if (f == null || !f.topic().equals(topic)) {
                String what = abandoned.contains(s.data()) ? "a write found absent after an earlier restart (or refused)"
                        : sent.contains(s.data()) ? "a record acknowledged elsewhere or in another topic"
                        : "a record never written";
                if (!gone.contains(s.seq())) {
                    found.add(topic + ": seq " + s.seq() + " holds " + what + ": " + s.data());
                }
                i++;
                continue;
            }
            Batch b = f.batch();
            int whole = 0;
            while (whole < b.records.size() && i + whole < got.size()
                    && got.get(i + whole).data().equals(b.records.get(whole).data())
                    && got.get(i + whole).seq() == s.seq() + whole) {
                whole++;
            }
            if (f.index() != 0 || whole != b.records.size()) {
                found.add(topic + ": a write of " + b.records.size() + " records in flight at the kill appears partially:"
                        + " record #" + f.index() + " at seq " + s.seq() + ", " + whole + " in order from there");
                i++;
                continue;
            }
            for (int k = 0; k < whole; k++) {
                Stored g = got.get(i + k);
                bySeq.put(g.seq(), g);
                datas.add(g.data());
                want.put(g.seq(), b.records.get(k));
                inFlight.remove(b.records.get(k).data());
            }
            b.firstSeq = s.seq();
            highestSeq.merge(topic, s.seq() + whole - 1, Math::max);
            i += whole;
        }
        int missing = 0;
        for (var e : want.entrySet()) {
            if (!bySeq.containsKey(e.getKey()) && !maybe.contains(e.getKey())) {
                if (missing++ < 5) {
                    found.add(topic + ": acknowledged seq " + e.getKey() + " is missing (head " + read.headSeq() + "): "
                            + e.getValue().data());
                }
            }
        }
        if (missing > 5) {
            found.add(topic + ": " + missing + " acknowledged records missing in all (of " + want.size() + ")");
        }
        // A delete in flight at the kill: applied (all gone) or not (all there).
        for (Long seq : new ArrayList<>(maybe)) {
            if (bySeq.containsKey(seq)) {
                maybe.remove(seq);
            } else {
                maybe.remove(seq);
                want.remove(seq);
                deleted.computeIfAbsent(topic, t -> new TreeSet<>()).add(seq);
            }
        }
        for (var e : watched.getOrDefault(topic, Map.of()).entrySet()) {
            Stored s = bySeq.get(e.getKey());
            boolean deletedSince = deleted.getOrDefault(topic, Set.of()).contains(e.getKey());
            if (s == null && !deletedSince) {
                found.add(topic + ": seq " + e.getKey() + " was sent to a watcher (so committed) and is gone: " + e.getValue());
            } else if (s != null && !s.data().equals(e.getValue())) {
                found.add(topic + ": seq " + e.getKey() + " was sent to a watcher as " + e.getValue() + " and now reads "
                        + s.data());
            }
        }
    }

    private void verifyControl(ChildServer server, List<String> found) {
        for (String topic : new TreeSet<>(config.keySet())) {
            Map<String, String> f = Reads.topicFields(server, topic);
            long now = Long.parseLong(f.get("config.idempotency_window_ms"));
            Long inflight = configInFlight.remove(topic);
            if (now != config.get(topic) && (inflight == null || now != inflight)) {
                found.add(topic + ": idempotency_window_ms is " + now + " after the restart; acknowledged "
                        + config.get(topic) + (inflight == null ? "" : ", in flight " + inflight));
            }
            config.put(topic, now);
        }
        for (var e : new LinkedHashMap<>(routers).entrySet()) {
            ChildServer.Response r = server.get("/v0/routers/" + e.getKey());
            boolean exists = r.status() == 200;
            Boolean inflight = routersInFlight.remove(e.getKey());
            if (r.status() != 200 && r.status() != 404) {
                found.add("router " + e.getKey() + ": GET answered " + r.status() + ": " + r.body());
            } else if (exists != e.getValue() && (inflight == null || exists != inflight)) {
                found.add("router " + e.getKey() + (exists ? " exists" : " is gone") + " after the restart; acknowledged "
                        + (e.getValue() ? "created" : "deleted"));
            }
            routers.put(e.getKey(), exists);
        }
        for (var e : new LinkedHashMap<>(subs).entrySet()) {
            String[] ts = e.getKey().split("/");
            ChildServer.Response r = server.get("/v0/topics/" + ts[0] + "/subscriptions/" + ts[1]);
            Long inflight = subsInFlight.remove(e.getKey());
            if (r.status() != 200) {
                found.add("subscription " + e.getKey() + ": GET answered " + r.status() + ": " + r.body());
                continue;
            }
            long cursor = Long.parseLong(Reads.fields(r.body()).get("cursor"));
            if (cursor != e.getValue() && (inflight == null || cursor != Math.max(inflight, e.getValue()))) {
                found.add("subscription " + e.getKey() + ": cursor " + cursor + " after the restart; acknowledged "
                        + e.getValue() + (inflight == null ? "" : ", in flight " + inflight));
            }
            subs.put(e.getKey(), cursor);
        }
    }
}
