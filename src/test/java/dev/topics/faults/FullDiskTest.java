package dev.topics.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.faults.Reads.Stored;
import dev.topics.testing.ChildServer;
import dev.topics.testing.ProcessTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk (the contract the reliability issue sets): the server runs on a 64 MiB
 * tmpfs this test mounts; writes fill it. Then a write answers 507
 * {@code insufficient_storage} and is not applied (absent after a restart); reads keep
 * working; deleting records and topics stays possible and frees space; writes resume by
 * themselves once space is free, without a restart; a restart on the nearly full disk works.
 *
 * <p>Mounting needs root (CI runs as root); where it is not permitted the test is skipped
 * and says why. The mount is undone in {@code @AfterEach}.
 */
class FullDiskTest extends ProcessTest {
    static final String STORAGE = """
            storage:
              segment_bytes: 1048576
              wal_file_bytes: 4194304
              snapshot_interval_ms: 500
              snapshot_wal_bytes: 8388608
              compaction_interval_ms: 500
            """;
    private static final int RECORD_BYTES = 16_000;
    private static final int PER_WRITE = 20;

    @TempDir
    Path tmp;
    private Path mount;

    @AfterEach
    void cleanUp() throws Exception {
        killLeftovers();
        if (mount != null) {
            String failed = run("umount", mount.toString());
            if (failed != null) {
                System.err.println("FullDiskTest: " + failed);
            }
        }
    }

    @Test
    @Timeout(240)
    void aFullDiskRefusesWritesWith507ReadsAndDeletesWorkAndWritesResume() throws Exception {
        Path disk = Files.createDirectories(tmp.resolve("disk"));
        String mounted = run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", disk.toString());
        Assumptions.assumeTrue(mounted == null, () -> "a full disk needs a small file system, and mounting a tmpfs"
                + " is not permitted here (needs root): " + mounted);
        mount = disk;
        Path data = disk.resolve("data");
        Path config = Files.writeString(tmp.resolve("topics.yaml"), STORAGE);
        ChildServer s = start(data, config);

        Map<String, TreeMap<Long, String>> acked = new java.util.HashMap<>();
        Set<String> refused = new HashSet<>();
        // Something to read and to delete whole later, then fill the disk.
        writeOk(s, "disk.small", 0, 1, 100, acked);
        writeOk(s, "disk.doomed", 0, PER_WRITE, RECORD_BYTES, acked);
        ChildServer.Response full = null;
        int n = 1;
        for (; n < 400; n++) {
            Write w = write("disk.big", n, PER_WRITE, RECORD_BYTES);
            ChildServer.Response r = s.post("/v0/topics/disk.big", w.body);
            if (r.status() != 200) {
                full = r;
                refused.addAll(w.datas);
                break;
            }
            record(acked, "disk.big", r, w.datas);
        }
        assertThat(full).as("64 MiB filled without a refusal after %d writes", n).isNotNull();
        assertThat(full.status()).as("a write to a full disk: " + full.body()).isEqualTo(507);
        assertThat(full.body()).contains("\"insufficient_storage\"");
        // Still refused, and small writes too.
        Write small = write("disk.small", 10_000, 1, 100);
        ChildServer.Response again = s.post("/v0/topics/disk.small", small.body);
        if (again.status() == 200) {
            record(acked, "disk.small", again, small.datas);
        } else {
            assertThat(again.status()).as("a small write on the full disk: " + again.body()).isEqualTo(507);
            refused.addAll(small.datas);
        }

        // Reads keep working.
        checkAll(s, acked, refused, "on the full disk");

        // Deleting records and topics stays possible.
        long half = acked.get("disk.big").firstKey() + acked.get("disk.big").size() / 2;
        ChildServer.Response del = s.post("/v0/topics/disk.big/delete", "{\"from_seq\":1,\"to_seq\":" + half + "}");
        assertThat(del.status()).as("delete of records on the full disk: " + del.body()).isEqualTo(200);
        acked.get("disk.big").headMap(half, true).clear();
        ChildServer.Response drop = s.send("DELETE", "/v0/topics/disk.doomed", null);
        assertThat(drop.status()).as("delete of a topic on the full disk: " + drop.body()).isEqualTo(200);
        acked.remove("disk.doomed");

        // Writes resume by themselves once compaction has freed the space.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        ChildServer.Response resumed = null;
        for (int k = 0; System.nanoTime() < deadline; k++) {
            Write w = write("disk.big", 20_000 + k, PER_WRITE, RECORD_BYTES);
            ChildServer.Response r = s.post("/v0/topics/disk.big", w.body);
            if (r.status() == 200) {
                record(acked, "disk.big", r, w.datas);
                resumed = r;
                break;
            }
            assertThat(r.status()).as("a write while space is being freed: " + r.body()).isEqualTo(507);
            refused.addAll(w.datas);
            Thread.sleep(250);
        }
        assertThat(resumed).as("writes did not resume within 30 s of deleting half the data and a topic").isNotNull();

        // Nearly full again, then a restart on it.
        for (int k = 0; k < 400; k++) {
            Write w = write("disk.big", 30_000 + k, PER_WRITE, RECORD_BYTES);
            ChildServer.Response r = s.post("/v0/topics/disk.big", w.body);
            if (r.status() != 200) {
                assertThat(r.status()).as("refill: " + r.body()).isEqualTo(507);
                refused.addAll(w.datas);
                break;
            }
            record(acked, "disk.big", r, w.datas);
        }
        s.sigterm();
        assertThat(s.waitFor(Duration.ofSeconds(30))).as("clean stop on the nearly full disk; output:%n%s", s.output())
                .isZero();
        ChildServer again2 = start(data, config);
        assertThat(again2.get("/readyz").status()).isEqualTo(200);
        checkAll(again2, acked, refused, "after a restart on the nearly full disk");
        assertThat(again2.get("/v0/topics/disk.doomed").status()).as("the deleted topic").isEqualTo(404);
    }

    private ChildServer start(Path data, Path config) {
        return keep(ChildServer.start(data, Map.of(), "--config", config.toString()));
    }

    private record Write(String body, List<String> datas) {
    }

    private static Write write(String topic, int n, int records, int bytes) {
        StringBuilder b = new StringBuilder(records * (bytes + 40)).append("{\"records\":[");
        List<String> datas = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            String d = "{\"w\":" + n + ",\"i\":" + i + ",\"t\":\"" + topic + "\",\"s\":\"" + "z".repeat(bytes) + "\"}";
            datas.add(d);
            b.append(i == 0 ? "" : ",").append("{\"data\":").append(d).append('}');
        }
        return new Write(b.append("]}").toString(), datas);
    }

    private static void writeOk(ChildServer s, String topic, int n, int records, int bytes,
            Map<String, TreeMap<Long, String>> acked) {
        Write w = write(topic, n, records, bytes);
        ChildServer.Response r = s.post("/v0/topics/" + topic, w.body);
        assertThat(r.status()).as("write to " + topic + ": " + r.body()).isEqualTo(200);
        record(acked, topic, r, w.datas);
    }

    private static void record(Map<String, TreeMap<Long, String>> acked, String topic, ChildServer.Response r,
            List<String> datas) {
        long first = Long.parseLong(Reads.fields(r.body()).get("first_seq"));
        TreeMap<Long, String> m = acked.computeIfAbsent(topic, t -> new TreeMap<>());
        for (int i = 0; i < datas.size(); i++) {
            m.put(first + i, datas.get(i));
        }
    }

    /** Every acknowledged record at its seq, nothing refused, nothing else. */
    private static void checkAll(ChildServer s, Map<String, TreeMap<Long, String>> acked, Set<String> refused, String when) {
        for (var e : acked.entrySet()) {
            Reads.Read read = Reads.all(s, e.getKey());
            assertThat(read.errors()).as("%s: reads of %s", when, e.getKey()).isEmpty();
            Map<Long, String> got = new TreeMap<>();
            for (Stored st : read.records()) {
                got.put(st.seq(), st.data());
                assertThat(refused).as("%s: %s seq %d holds a write refused with 507", when, e.getKey(), st.seq())
                        .doesNotContain(st.data());
            }
            List<String> wrong = new ArrayList<>();
            for (var w : e.getValue().entrySet()) {
                String g = got.remove(w.getKey());
                if (!w.getValue().equals(g)) {
                    wrong.add("seq " + w.getKey() + (g == null ? " missing" : " altered"));
                }
            }
            got.keySet().forEach(q -> wrong.add("seq " + q + " never acknowledged"));
            assertThat(wrong).as("%s: %s differs from what was acknowledged", when, e.getKey()).isEmpty();
        }
    }

    /** Runs a command (30 s at most); null on success, else its output and exit code. */
    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return String.join(" ", cmd) + ": no answer within 30 s";
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return p.exitValue() == 0 ? null : String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out;
    }
}
