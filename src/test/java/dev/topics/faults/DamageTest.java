package dev.topics.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.topics.faults.Reads.Read;
import dev.topics.faults.Reads.Stored;
import dev.topics.testing.ChildServer;
import dev.topics.testing.Corruptor;
import dev.topics.testing.ProcessTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Damaged files (STYLE "Failure"): a data directory with sealed segments, WAL files after
 * a snapshot, indexes and Bloom filters is made once by a real server (written, stopped
 * with SIGTERM so a snapshot exists, written again, killed with SIGKILL); then for each
 * file kind one file gets a flipped bit, is deleted, or is cut, and the server is started
 * on a copy. The only acceptable results are a start with every acknowledged record
 * intact (derived files — index, Bloom filter — rebuilt), or a refusal (non-zero exit, a
 * message naming the file); where a record itself is damaged, reading it may answer a
 * clear error. Never a start that silently serves fewer or altered records.
 */
@Timeout(value = 90)
class DamageTest extends ProcessTest {
    /** Tiny segments and WAL files, no snapshot but the one at the clean stop. */
    static final String STORAGE = """
            storage:
              segment_bytes: 4096
              wal_file_bytes: 8192
              index_interval_bytes: 256
              tail_bytes: 4096
              snapshot_interval_ms: 3600000
              snapshot_wal_bytes: 1073741824
            """;
    static final List<String> TOPICS = List.of("damage.a", "damage.b", "damage.c");

    /** The file kinds damaged. */
    enum Kind {
        /** The first WAL file after the snapshot (not the newest: valid frames follow it). */
        WAL_MID,
        /** The newest WAL file; flips and cuts land in its last frame. */
        WAL_TAIL,
        /** The first segment of a topic (sealed before the snapshot). */
        SEGMENT_SEALED,
        /** The newest segment of the same topic. */
        SEGMENT_ACTIVE,
        /** The sealed segment's sparse index. */
        INDEX,
        /** The sealed segment's tag Bloom filter. */
        BLOOM,
        /** The snapshot. */
        SNAPSHOT
    }

    enum Damage { FLIP_BIT, DELETE, TRUNCATE }

    /** What is accepted. */
    enum Outcome {
        /** Starts; every acknowledged record intact; no read fails. */
        CLEAN,
        /** Refuses to start, naming the file. */
        REFUSAL,
        /** Starts, reports a cut torn tail; only the last write (in the cut frame) is gone. */
        TAIL_CUT,
        /** Starts with the damaged records answering a clear error and all others intact, or refuses naming the file. */
        ERROR_ON_READ
    }

    /** The target behaviour for each case (docs/ARCHITECTURE.md "Snapshots and recovery"; the reliability issue). */
    static Set<Outcome> expected(Kind kind, Damage damage) {
        return switch (kind) {
            case WAL_MID, SNAPSHOT -> EnumSet.of(Outcome.REFUSAL);
            case WAL_TAIL -> damage == Damage.DELETE ? EnumSet.of(Outcome.REFUSAL) : EnumSet.of(Outcome.TAIL_CUT);
            case SEGMENT_SEALED -> damage == Damage.DELETE ? EnumSet.of(Outcome.REFUSAL)
                    : EnumSet.of(Outcome.ERROR_ON_READ, Outcome.REFUSAL);
            case SEGMENT_ACTIVE -> EnumSet.of(Outcome.CLEAN, Outcome.ERROR_ON_READ, Outcome.REFUSAL);
            case INDEX, BLOOM -> EnumSet.of(Outcome.CLEAN);
        };
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Kind k : Kind.values()) {
            for (Damage d : Damage.values()) {
                out.add(Arguments.of(k, d));
            }
        }
        return out.stream();
    }

    @TempDir
    static Path shared;
    static Path golden;
    static Path config;
    /** topic → seq → record, as acknowledged. */
    static final Map<String, TreeMap<Long, Stored>> acked = new LinkedHashMap<>();
    /** The last write acknowledged before the kill: its topic and seqs. */
    static String lastTopic;
    static long lastFirst;
    static long lastLast;
    /** The topic whose directory is damaged, its directory, and the tag of its first write (in its first segment). */
    static String segTopic;
    static Path segDir;
    static String firstTag;
    static int firstTagCount;

    @BeforeAll
    static void writeTheDataDirectory() throws Exception {
        golden = shared.resolve("golden");
        config = Files.writeString(shared.resolve("topics.yaml"), STORAGE);
        Random rnd = new Random(0xDA_4A6EL);
        try (ChildServer s = ChildServer.start(golden, Map.of(), "--config", config.toString())) {
            for (String t : TOPICS) {
                assertThat(s.put("/v0/topics/" + t, "{}").status()).isEqualTo(201);
            }
            writeSome(s, rnd, 40);
            s.sigterm();
            assertThat(s.waitFor(Duration.ofSeconds(30))).as("clean stop; output:\n" + s.output()).isZero();
        }
        try (ChildServer s = ChildServer.start(golden, Map.of(), "--config", config.toString())) {
            writeSome(s, rnd, 25);
            s.sigkill();
            s.waitFor(Duration.ofSeconds(20));
        }
        List<Path> wal = Corruptor.walFiles(golden);
        assertThat(wal).as("WAL files after the snapshot").hasSizeGreaterThanOrEqualTo(3);
        assertThat(snapshot()).as("the snapshot").exists();
        // The lowest topic directory; which topic it is, from its first record's bytes.
        try (Stream<Path> dirs = Files.list(golden.resolve("topics"))) {
            segDir = dirs.sorted().findFirst().orElseThrow();
        }
        List<Path> segs = files(segDir, ".seg");
        assertThat(segs).as("segments in " + segDir).hasSizeGreaterThanOrEqualTo(4);
        String first = new String(Files.readAllBytes(segs.get(0)), StandardCharsets.UTF_8);
        for (var e : acked.entrySet()) {
            if (first.contains(e.getValue().firstEntry().getValue().data())) {
                segTopic = e.getKey();
            }
        }
        assertThat(segTopic).as("the topic of " + segDir).isNotNull();
        firstTag = acked.get(segTopic).firstEntry().getValue().tag();
        firstTagCount = (int) acked.get(segTopic).values().stream().filter(r -> firstTag.equals(r.tag())).count();
        assertThat(Files.exists(segDir.resolve(idxOf(segs.get(0))))).as("index of the first segment").isTrue();
        assertThat(Files.exists(segDir.resolve(bloomOf(segs.get(0))))).as("Bloom filter of the first segment").isTrue();
    }

    /** {@code rounds} writes of 1–8 records to each topic, each write with its own tag; the last to TOPICS[0]. */
    private static void writeSome(ChildServer s, Random rnd, int rounds) {
        for (int i = 0; i < rounds; i++) {
            for (String t : TOPICS) {
                int n = 1 + rnd.nextInt(8);
                String tag = t + "-w" + i + "-" + rnd.nextInt(1_000_000);
                StringBuilder body = new StringBuilder("{\"records\":[");
                List<String> datas = new ArrayList<>();
                for (int k = 0; k < n; k++) {
                    String d = "{\"t\":\"" + t + "\",\"i\":" + i + ",\"k\":" + k + ",\"r\":" + rnd.nextLong()
                            + ",\"s\":\"é" + "y".repeat(rnd.nextInt(120)) + "\"}";
                    datas.add(d);
                    body.append(k == 0 ? "" : ",").append("{\"data\":").append(d).append(",\"tag\":\"").append(tag)
                            .append("\"}");
                }
                ChildServer.Response r = s.post("/v0/topics/" + t, body.append("]}").toString());
                assertThat(r.status()).as("write: " + r.body()).isEqualTo(200);
                Map<String, String> f = Reads.fields(r.body());
                long firstSeq = Long.parseLong(f.get("first_seq"));
                TreeMap<Long, Stored> m = acked.computeIfAbsent(t, x -> new TreeMap<>());
                for (int k = 0; k < n; k++) {
                    m.put(firstSeq + k, new Stored(firstSeq + k, datas.get(k), tag));
                }
                lastTopic = t;
                lastFirst = firstSeq;
                lastLast = firstSeq + n - 1;
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void damageIsRefusedOrRepairedNeverServedSilently(Kind kind, Damage damage) throws Exception {
        Path data = Corruptor.freshCopy(golden, tmp.resolve("data"));
        Path file = damage(data, kind, damage);
        String what = kind + " " + damage + " of " + data.relativize(file);
        Set<Outcome> want = expected(kind, damage);

        ChildServer s = ChildServer.launch(data, Map.of(), "--config", config.toString());
        keep(s);
        String started = s.awaitLine(l -> l.contains("listening on http://"), ChildServer.START_TIMEOUT);
        if (started == null) {
            int code = s.waitFor(Duration.ofSeconds(20));
            String out = s.output();
            System.out.printf("%s: refused, exit %d: %s%n", what, code, out.replace('\n', ' '));
            assertThat(code).as("%s: exit code of a refusal; output:%n%s", what, out).isNotZero();
            // A deleted file cannot always be named (a snapshot nobody refers to): then what is missing must be.
            assertThat(out.contains(file.getFileName().toString()) || damage == Damage.DELETE && out.contains("missing"))
                    .as("%s: the refusal names the file %s (or, deleted, what is missing); output:%n%s", what,
                            file.getFileName(), out).isTrue();
            assertThat(want).as("%s: the server refused to start (%s); expected %s", what, out.strip(), want)
                    .contains(Outcome.REFUSAL);
            return;
        }
        s.awaitStarted(Duration.ofSeconds(5));
        assertThat(s.get("/readyz").status()).as(what + ": /readyz").isEqualTo(200);
        List<String> altered = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String t : TOPICS) {
            Read read = Reads.all(s, t);
            read.errors().forEach(e -> errors.add(t + " " + e));
            TreeMap<Long, Stored> want2 = acked.get(t);
            Map<Long, Stored> got = new TreeMap<>();
            read.records().forEach(r -> got.put(r.seq(), r));
            for (Stored r : read.records()) {
                Stored a = want2.get(r.seq());
                if (a == null || !a.data().equals(r.data()) || !a.tag().equals(r.tag())) {
                    altered.add(t + " seq " + r.seq() + ": served " + r.data() + " tag " + r.tag()
                            + (a == null ? " (never acknowledged)" : "; acknowledged " + a.data() + " tag " + a.tag()));
                }
            }
            for (long seq : want2.keySet()) {
                if (!got.containsKey(seq)) {
                    missing.add(t + " seq " + seq);
                }
            }
        }
        String report = what + " — started (" + s.startLine() + "); " + altered.size() + " altered, " + missing.size()
                + " missing, " + errors.size() + " read errors";
        System.out.println(report);
        assertThat(altered).as("%s: records served altered with 200 (never acceptable)", report).isEmpty();
        for (String e : errors) {
            assertThat(e).as("%s: a failed read must answer a clear error", report).contains("\"error\"");
        }
        // Records that fail to read are not missing silently; without read errors, only a
        // reported torn tail may take anything, and only the last write.
        List<String> silentlyMissing = new ArrayList<>(missing);
        silentlyMissing.removeIf(m -> errors.stream().anyMatch(e -> e.startsWith(m + ":")));
        Outcome got = !errors.isEmpty() ? Outcome.ERROR_ON_READ : missing.isEmpty() ? Outcome.CLEAN : Outcome.TAIL_CUT;
        if (got == Outcome.TAIL_CUT) {
            List<String> lastWrite = new ArrayList<>();
            for (long q = lastFirst; q <= lastLast; q++) {
                lastWrite.add(lastTopic + " seq " + q);
            }
            assertThat(s.tornBytesCut()).as("%s: acknowledged records are gone without a refusal or an error, and no"
                    + " torn tail was reported: %s", report, missing).isPositive();
            assertThat(lastWrite).as("%s: a cut torn tail may only take the last write, but these are gone: %s", report,
                    missing).containsAll(missing);
        } else {
            assertThat(silentlyMissing).as("%s: acknowledged records missing without a refusal or an error", report)
                    .isEmpty();
        }
        assertThat(want).as("%s: outcome %s, expected %s", report, got, want).contains(got);
        if (got == Outcome.CLEAN) {
            // Tag lookups go through the Bloom filters: a delete by the first write's tag finds all of it.
            ChildServer.Response d = s.post("/v0/topics/" + segTopic + "/delete",
                    "{\"match\":[\"tag\",\"Eq\",\"" + firstTag + "\"]}");
            assertThat(d.status()).as(what + ": tag delete " + d.body()).isEqualTo(200);
            assertThat(Reads.fields(d.body()).get("deleted")).as("%s: records deleted by tag %s (Bloom filter)", what, firstTag)
                    .isEqualTo(Integer.toString(firstTagCount));
        }
        s.sigterm();
        assertThat(s.waitFor(Duration.ofSeconds(30))).as(what + ": clean stop; output:\n" + s.output()).isZero();
    }

    /** Damages the chosen file in {@code data}; returns it. */
    static Path damage(Path data, Kind kind, Damage damage) {
        Path dir = data.resolve(golden.relativize(segDir).toString());
        List<Path> segs = files(dir, ".seg");
        Path file = switch (kind) {
            case WAL_MID -> firstWalWithFrames(data);
            case WAL_TAIL -> Corruptor.lastWalFile(data);
            case SEGMENT_SEALED -> segs.get(0);
            case SEGMENT_ACTIVE -> segs.get(segs.size() - 1);
            case INDEX -> dir.resolve(idxOf(segs.get(0)));
            case BLOOM -> dir.resolve(bloomOf(segs.get(0)));
            case SNAPSHOT -> data.resolve("snapshots").resolve(snapshot().getFileName().toString());
        };
        long size = Corruptor.size(file);
        long at = size / 2;
        if (kind == Kind.SEGMENT_SEALED && damage == Damage.FLIP_BIT) {
            at = insideData(file, acked.get(segTopic).get(3L).data()); // in a record's data, not its header
        }
        if (kind == Kind.WAL_TAIL) {
            Corruptor.Frame last = Corruptor.lastFrame(file);
            at = last.start() + last.length() / 2;
        } else if (kind == Kind.WAL_MID) {
            List<Corruptor.Frame> frames = Corruptor.frames(file);
            Corruptor.Frame mid = frames.get(frames.size() / 2);
            at = mid.start() + mid.length() / 2;
        }
        switch (damage) {
            case FLIP_BIT -> Corruptor.flipBit(file, at, 3);
            case TRUNCATE -> Corruptor.truncate(file, at);
            case DELETE -> {
                try {
                    Files.delete(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return file;
    }

    /** The position of the middle byte of {@code data}'s UTF-8 bytes in {@code file}. */
    static long insideData(Path file, String data) {
        try {
            byte[] all = Files.readAllBytes(file);
            byte[] d = data.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i + d.length <= all.length; i++) {
                if (Arrays.equals(all, i, i + d.length, d, 0, d.length)) {
                    return i + d.length / 2;
                }
            }
            throw new AssertionError(data + " is not in " + file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first WAL file holding a few frames that is not the newest. */
    static Path firstWalWithFrames(Path data) {
        List<Path> wal = Corruptor.walFiles(data);
        for (Path p : wal.subList(0, wal.size() - 1)) {
            if (Corruptor.frames(p).size() >= 3) {
                return p;
            }
        }
        throw new AssertionError("no WAL file with frames before the newest: " + wal);
    }

    static Path snapshot() {
        List<Path> snaps = files(golden.resolve("snapshots"), ".snap");
        if (snaps.size() != 1) {
            fail("expected one snapshot in " + golden + ", found " + snaps);
        }
        return snaps.get(0);
    }

    static String idxOf(Path seg) {
        return seg.getFileName().toString().replace(".seg", ".idx");
    }

    static String bloomOf(Path seg) {
        return seg.getFileName().toString().replace(".seg", ".bloom");
    }

    static List<Path> files(Path dir, String suffix) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
