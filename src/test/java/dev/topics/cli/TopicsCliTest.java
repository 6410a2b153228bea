package dev.topics.cli;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.ServerTest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code topics topics …}, {@code write}, {@code read} and {@code delete-records} against a
 * real dev-mode server (SPEC §2–§4, §6, §14): what the server holds afterwards, the text
 * for people, {@code --json} being the server's own answer, and the server's refusals
 * exiting 1 with its message.
 */
@Timeout(120)
@ServerTest.Setup(memory = true)
class TopicsCliTest extends ServerTest {
    static Cli cli;

    @BeforeAll
    static void cli() {
        cli = Cli.of(server);
    }

    private static Cli.Result ok(Cli.Result r) {
        assertThat(r.code()).as(r.toString()).isZero();
        return r;
    }

    private static Map<String, Object> withoutPerformance(Map<String, Object> m) {
        Map<String, Object> copy = new LinkedHashMap<>(m);
        copy.remove("performance");
        return copy;
    }

    private static Map<String, Object> config(String topic) {
        return http.get("/v0/topics/" + topic).ok().obj("config");
    }

    // ---- topics ------------------------------------------------------------------------

    @Test
    void createTakesEverySettingAndNegatableFlags() {
        String t = uniqueTopic("cli.create");
        Cli.Result r = ok(cli.run("topics", "create", "--name", t, "--public-read", "--no-public-publish", "--ttl-ms",
                "600000", "--cap-records", "100", "--cap-bytes", "65536", "--discard", "new", "--durability", "async",
                "--no-durable", "--no-dedupe-node"));
        assertThat(r.out()).contains("topic:", t, "created:", "config.discard:", "new");
        Map<String, Object> c = config(t);
        assertThat(c).containsEntry("public_read", true).containsEntry("public_publish", false)
                .containsEntry("ttl_ms", 600000L).containsEntry("cap_records", 100L).containsEntry("cap_bytes", 65536L)
                .containsEntry("discard", "new").containsEntry("durability", "async").containsEntry("durable", false)
                .containsEntry("dedupe_node", false);
    }

    @Test
    void updateChangesOnlyTheFlagsGiven() {
        String t = uniqueTopic("cli.update");
        ok(cli.run("topics", "create", "--name", t, "--no-public-read", "--public-publish", "--ttl-ms", "60000"));
        ok(cli.run("topics", "update", "--name", t, "--public-read", "--no-public-publish", "--cap-records", "5",
                "--no-dedupe-node"));
        Map<String, Object> c = config(t);
        assertThat(c).containsEntry("public_read", true).containsEntry("public_publish", false)
                .containsEntry("cap_records", 5L).containsEntry("dedupe_node", false)
                .as("not given: kept").containsEntry("ttl_ms", 60000L).containsEntry("durable", true);

        ok(cli.run("topics", "update", "--name", t, "--no-public-read", "--dedupe-node"));
        assertThat(config(t)).containsEntry("public_read", false).containsEntry("dedupe_node", true)
                .containsEntry("public_publish", false).containsEntry("cap_records", 5L);
    }

    @Test
    void jsonIsTheServersAnswer() {
        String t = uniqueTopic("cli.json");
        Cli.Result created = ok(cli.run("topics", "create", "--name", t, "--json", "--cap-records", "7"));
        Map<String, Object> answer = created.json();
        assertThat(answer).containsEntry("topic", t).containsEntry("created", true).containsKey("performance");
        assertThat(answer.get("config")).isEqualTo(config(t));

        Map<String, Object> viaCli = ok(cli.run("topics", "get", "--json", "--name", t)).json();
        assertThat(withoutPerformance(viaCli)).isEqualTo(withoutPerformance(http.get("/v0/topics/" + t).ok().map()));

        Map<String, Object> list = ok(cli.run("topics", "list", "--prefix", t, "--json")).json();
        assertThat(withoutPerformance(list))
                .isEqualTo(withoutPerformance(http.get("/v0/topics?prefix=" + t).ok().map()));
    }

    @Test
    void getListAndStatsForPeople() {
        String t = uniqueTopic("cli.people");
        ok(cli.run("write", t, "{\"n\": 1}", "{\"n\": 2}"));
        List<String> get = ok(cli.run("topics", "get", "--name", t)).lines();
        assertThat(get).anySatisfy(l -> assertThat(l).matches("topic: +" + t.replace(".", "\\.")))
                .anySatisfy(l -> assertThat(l).matches("head_seq: +2"))
                .anySatisfy(l -> assertThat(l).matches("config\\.durable: +true"))
                .noneSatisfy(l -> assertThat(l).contains("performance"));

        List<String> list = ok(cli.run("topics", "list", "--prefix", t)).lines();
        assertThat(list).hasSize(2);
        assertThat(list.get(0)).matches("TOPIC +HEAD +COUNT +BYTES +OWNER");
        assertThat(list.get(1)).matches(t.replace(".", "\\.") + " +2 +2 +\\d+ +\\S+");
        assertThat(list.get(1).indexOf(" 2 ")).as("columns line up").isEqualTo(list.get(0).indexOf("HEAD") - 1);

        List<String> stats = ok(cli.run("topics", "stats", "--name", t)).lines();
        assertThat(stats).anySatisfy(l -> assertThat(l).matches("records: +2"))
                .anySatisfy(l -> assertThat(l).matches("activity\\.writes_1m: +\\d+"));
    }

    @Test
    void deleteRemovesTheTopicAndAMissingTopicExitsOneWithTheServersMessage() {
        String t = uniqueTopic("cli.delete");
        ok(cli.run("topics", "create", "--name", t));
        assertThat(ok(cli.run("topics", "delete", "--name", t)).out()).isEqualTo("deleted topic " + t + "\n");
        http.get("/v0/topics/" + t).assertError(404, "topic_not_found");

        Cli.Result r = cli.run("topics", "get", "--name", t);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("topics: topic_not_found: topic '" + t + "' does not exist\n");
        assertThat(cli.run("read", t).code()).isEqualTo(1);
    }

    @Test
    void theTopicIsTheFirstArgumentOrNameAndBothAgreeing() {
        String t = uniqueTopic("cli.positional");
        ok(cli.run("topics", "create", t, "--cap-records", "9"));
        assertThat(config(t)).containsEntry("cap_records", 9L);
        ok(cli.run("topics", "update", "--no-public-read", t, "--cap-records", "8"));
        assertThat(config(t)).containsEntry("cap_records", 8L);
        Map<String, Object> byArgument = ok(cli.run("topics", "get", t, "--json")).json();
        Map<String, Object> byName = ok(cli.run("topics", "get", "--json", "--name", t)).json();
        Map<String, Object> byBoth = ok(cli.run("topics", "get", t, "--name", t, "--json")).json();
        assertThat(withoutPerformance(byArgument)).containsEntry("topic", t).isEqualTo(withoutPerformance(byName))
                .isEqualTo(withoutPerformance(byBoth));
        assertThat(ok(cli.run("topics", "stats", t)).lines()).anySatisfy(l -> assertThat(l).matches("records: +0"));

        Cli.Result differ = cli.run("topics", "delete", t, "--name", t + ".other");
        assertThat(differ.code()).isEqualTo(2);
        assertThat(differ.err()).contains("The topic is given twice and differs");
        http.get("/v0/topics/" + t).ok();
        assertThat(ok(cli.run("topics", "delete", t)).out()).isEqualTo("deleted topic " + t + "\n");
        http.get("/v0/topics/" + t).assertError(404, "topic_not_found");
    }

    // ---- write -------------------------------------------------------------------------

    @Test
    void writeFromArgumentsWithOptionsBeforeOrAfter() {
        String t = uniqueTopic("cli.args");
        Cli.Result r = ok(cli.run("write", "--tag", "order-1", t, "{\"sku\": \"A\", \"qty\": 1.50}", "\"text\"", "3",
                "--node", "eu-1"));
        assertThat(r.out()).isEqualTo("wrote 3 records to " + t + " (seqs 1–3)\n");
        List<Object> records = http.get("/v0/topics/" + t + "/diff?from_seq=0").ok().list("records");
        assertThat(records).hasSize(3);
        assertThat(Http.Json.at(records, "0.data")).isEqualTo(Map.of("sku", "A", "qty", new java.math.BigDecimal("1.50")));
        assertThat(Http.Json.at(records, "1.data")).isEqualTo("text");
        assertThat(Http.Json.at(records, "2.data")).isEqualTo(3L);
        assertThat(records).allSatisfy(rec -> assertThat(Http.Json.obj(rec)).containsEntry("$tag", "order-1")
                .containsEntry("$node", "eu-1"));

        assertThat(ok(cli.run("write", t, "null")).out()).isEqualTo("wrote 1 record to " + t + " (seq 4)\n");
        Map<String, Object> json = ok(cli.run("write", t, "[]", "{}", "--json")).json();
        assertThat(json).containsEntry("topic", t).containsEntry("first_seq", 5L).containsEntry("last_seq", 6L)
                .containsEntry("head_seq", 6L);
    }

    @Test
    void writeTextMakesEachArgumentOrLineOneStringRecord() {
        String t = uniqueTopic("cli.text");
        ok(cli.run("write", t, "--text", "disk full", "{\"not\": \"json\"}", "--tag", "alert"));
        ok(cli.stdin("line \"one\"\n\nline ✓ two\n").run("write", "--text", t));
        List<Object> records = http.get("/v0/topics/" + t + "/diff?from_seq=0").ok().list("records");
        assertThat(records).extracting(rec -> Http.Json.at(rec, "data"))
                .containsExactly("disk full", "{\"not\": \"json\"}", "line \"one\"", "line ✓ two");
        assertThat(Http.Json.at(records, "0.$tag")).isEqualTo("alert");
    }

    @Test
    void writeFromStdinSendsBatchesAndEveryLineArrivesInOrder() {
        String t = uniqueTopic("cli.stdin");
        int n = 10_500;
        StringBuilder in = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            in.append("{\"i\": ").append(i).append(", \"pad\": \"").append("x".repeat(i % 50)).append("\"}\n");
            if (i % 1000 == 0) {
                in.append("\n   \n"); // blank lines are skipped
            }
        }
        Cli.Result r = ok(cli.interactive().stdin(in.toString()).run("write", t));
        assertThat(r.out()).isEqualTo("wrote " + n + " records to " + t + " (seqs 1–" + n + ")\n");
        assertThat(r.err()).as("progress on a terminal, one line per batch sent before the last")
                .contains("\rtopics: wrote 1000 records to " + t, "\rtopics: wrote 10000 records to " + t);

        long seq = 0;
        while (seq < n) {
            Http.Response page = http.get("/v0/topics/" + t + "/diff?limit=10000&from_seq=" + seq).ok();
            for (Object rec : page.list("records")) {
                seq++;
                assertThat(Http.Json.at(rec, "$seq")).isEqualTo(seq);
                assertThat(Http.Json.at(rec, "data.i")).isEqualTo(seq);
            }
        }
        assertThat(http.get("/v0/topics/" + t).ok().num("count")).isEqualTo(n);
    }

    @Test
    void writeWithoutATerminalOrWithJsonShowsNoProgress() {
        String t = uniqueTopic("cli.quiet");
        String in = "1\n".repeat(2500);
        Cli.Result r = ok(cli.stdin(in).run("write", t));
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("wrote 2500 records to " + t + " (seqs 1–2500)\n");
        Cli.Result json = ok(cli.interactive().stdin(in).run("write", t, "--json"));
        assertThat(json.err()).as("--json is for scripts: no progress even on a terminal").isEmpty();
        assertThat(json.json()).containsEntry("last_seq", 5000L);
    }

    @Test
    void writeRefusedByTheServerExitsOne() {
        String t = uniqueTopic("cli.full");
        ok(cli.run("topics", "create", "--name", t, "--cap-records", "1", "--discard", "new"));
        ok(cli.run("write", t, "1"));
        Cli.Result r = cli.run("write", t, "2");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("topics: topic_full: ");
    }

    @Test
    void writeWithAnIdempotencyKeyTwiceWritesEveryRecordOnce() {
        String t = uniqueTopic("cli.idem");
        Cli.Result first = ok(cli.run("write", t, "1", "2", "--idempotency-key", "order-7731"));
        assertThat(first.out()).isEqualTo("wrote 2 records to " + t + " (seqs 1–2)\n");
        Cli.Result again = ok(cli.run("write", t, "1", "2", "--idempotency-key", "order-7731"));
        assertThat(again.out()).isEqualTo("wrote 0 records to " + t
                + ", skipped 2 already written with idempotency key order-7731 (seqs 1–2)\n");
        assertThat(http.get("/v0/topics/" + t).ok().num("count")).isEqualTo(2);
        // one batch is sent with the key itself, as curl would send it
        assertThat(http.post("/v0/topics/" + t, "{\"records\": [{\"data\": 3}], \"idempotency_key\": \"order-7731\"}")
                .ok().bool("deduped")).isTrue();
        assertThat(http.get("/v0/topics/" + t).ok().num("count")).isEqualTo(2);
    }

    @Test
    void anImportThatFailedHalfWayRunAgainWithTheSameKeyWritesEachLineOnce() {
        String t = uniqueTopic("cli.import");
        int n = 2500;
        StringBuilder good = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            good.append("{\"i\": ").append(i).append("}\n");
        }
        String bad = good.toString().replace("{\"i\": 2200}", "{\"i\": 2200");

        Cli.Result failed = cli.stdin(bad).run("write", t, "--idempotency-key", "import-1");
        assertThat(failed.code()).as(failed.toString()).isEqualTo(1);
        assertThat(failed.err()).startsWith("topics: stdin line 2200 is not valid JSON (")
                .endsWith("; the 2000 records before it were written (run the same write again with"
                        + " --idempotency-key import-1 to write the rest once)\n")
                .doesNotContain("Usage:");
        assertThat(http.get("/v0/topics/" + t).ok().num("count")).isEqualTo(2000);

        Cli.Result rerun = ok(cli.stdin(good.toString()).run("write", t, "--idempotency-key", "import-1"));
        assertThat(rerun.out()).isEqualTo("wrote 500 records to " + t
                + ", skipped 2000 already written with idempotency key import-1 (seqs 1–2500)\n");
        Cli.Result third = ok(cli.stdin(good.toString()).run("write", "--idempotency-key", "import-1", t));
        assertThat(third.out()).startsWith("wrote 0 records to " + t + ", skipped 2500 ");

        assertThat(http.get("/v0/topics/" + t).ok().num("count")).isEqualTo(n);
        List<Object> records = new java.util.ArrayList<>();
        for (long seq = 0; seq < n; seq += 1000) {
            records.addAll(http.get("/v0/topics/" + t + "/diff?limit=1000&from_seq=" + seq).ok().list("records"));
        }
        assertThat(records).extracting(rec -> Http.Json.at(rec, "data.i"))
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, n).boxed().toList());

        Cli.Result without = ok(cli.stdin(good.toString()).run("write", t));
        assertThat(without.out()).as("without a key the same lines are written again").startsWith("wrote 2500 records");
        assertThat(http.get("/v0/topics/" + t).ok().num("count")).isEqualTo(2 * n);
    }

    // ---- read --------------------------------------------------------------------------

    @Test
    void readPrintsOneRecordPerLineAsTheServerReturnsThem() {
        String t = uniqueTopic("cli.read");
        ok(cli.run("write", t, "{\"a\": 1}", "{\"b\": \"é\\u00e9\"}", "[1, 2.0]", "4", "5"));
        Cli.Result r = ok(cli.run("read", t, "--from-seq", "1", "--limit", "3"));
        List<Object> expected = http.get("/v0/topics/" + t + "/diff?from_seq=1&limit=3").ok().list("records");
        assertThat(r.lines()).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(Http.Json.parse(r.lines().get(i))).isEqualTo(expected.get(i));
        }
        assertThat(r.lines().get(0)).as("byte-exact data").contains("\"data\":{\"b\":\"é\\u00e9\"}");
        assertThat(r.lines().get(1)).contains("\"data\":[1,2.0]");
        assertThat(r.err()).isEqualTo("topics: more records follow: --from-seq 4\n");

        Cli.Result all = ok(cli.run("read", t));
        assertThat(all.lines()).hasSize(5);
        assertThat(all.err()).isEmpty();
    }

    @Test
    void readJsonPrintsTheWholeDiffAnswer() {
        String t = uniqueTopic("cli.readjson");
        ok(cli.run("write", t, "1", "2", "3"));
        Map<String, Object> viaCli = ok(cli.run("read", "--json", t, "--from-seq", "1")).json();
        assertThat(withoutPerformance(viaCli))
                .isEqualTo(withoutPerformance(http.get("/v0/topics/" + t + "/diff?from_seq=1").ok().map()));
        assertThat(viaCli).containsEntry("next_from_seq", 3L).containsEntry("caught_up", true);
    }

    @Test
    void readAllGoesPageByPageWithProgressOnlyOnATerminal() {
        String t = uniqueTopic("cli.readall");
        int n = 23_000;
        ok(cli.stdin("7\n".repeat(n)).run("write", t));

        Cli.Result all = ok(cli.interactive().run("read", t, "--all"));
        assertThat(all.lines()).hasSize(n);
        assertThat(all.lines().get(n - 1)).startsWith("{\"$seq\":" + n + ",");
        assertThat(all.err()).as("progress between pages, wiped at the end")
                .contains("\rtopics: read 10000 records of " + t + " (seq 10000 of 23000)…",
                        "\rtopics: read 20000 records of " + t + " (seq 20000 of 23000)…")
                .endsWith("\r").doesNotContain("\n");

        Cli.Result piped = ok(cli.run("read", t, "--from-seq", "1000", "--limit", "15000"));
        assertThat(piped.lines()).hasSize(15_000);
        assertThat(piped.lines().get(0)).startsWith("{\"$seq\":1001,");
        assertThat(piped.err()).as("no terminal: no progress").isEqualTo("topics: more records follow: --from-seq 16000\n");
    }

    // ---- delete-records ----------------------------------------------------------------

    @Test
    void deleteRecordsByTagRangeAndMatch() {
        String t = uniqueTopic("cli.delrec");
        ok(cli.run("write", t, "1", "2", "--tag", "a"));
        ok(cli.run("write", t, "3", "--tag", "b"));
        ok(cli.run("write", t, "4", "5", "6", "--tag", "c"));

        assertThat(ok(cli.run("delete-records", t, "--tag", "a")).out())
                .isEqualTo("deleted 2 records from " + t + " (4 left)\n");
        Map<String, Object> json = ok(cli.run("delete-records", t, "--from", "4", "--to", "5", "--json")).json();
        assertThat(json).containsEntry("topic", t).containsEntry("deleted", 2L).containsEntry("count", 2L);
        ok(cli.run("delete-records", t, "--match", "[\"tag\", \"In\", [\"b\", \"c\"]]", "--tag", "c"));

        List<Object> left = http.get("/v0/topics/" + t + "/diff?from_seq=0").ok().list("records");
        assertThat(left).extracting(rec -> Http.Json.at(rec, "data")).containsExactly(3L);

        Cli.Result bad = cli.run("delete-records", t, "--match", "[\"tag\", \"Like\", \"x\"]");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).startsWith("topics: invalid_filter: ");
    }

    @Test
    void deleteRecordsRangeIsInclusiveAndTheOldFlagsStillWorkWithAWarning() {
        String t = uniqueTopic("cli.delrange");
        ok(cli.run("write", t, "1", "2", "3", "4", "5", "6", "7", "8"));
        Cli.Result r = ok(cli.run("delete-records", t, "--from", "2", "--to", "3"));
        assertThat(r.out()).isEqualTo("deleted 2 records from " + t + " (6 left)\n");
        assertThat(r.err()).isEmpty();

        Cli.Result old = ok(cli.run("delete-records", t, "--from-seq", "5", "--to-seq", "6"));
        assertThat(old.out()).as("the same inclusive range as before").isEqualTo("deleted 2 records from " + t
                + " (4 left)\n");
        assertThat(old.err()).isEqualTo("topics: delete-records --from-seq is deprecated (here it includes seq N;"
                + " in read and tail it means after N): use --from 5, the same records\n"
                + "topics: delete-records --to-seq is deprecated: use --to 6, the same records\n");

        ok(cli.run("delete-records", t, "--from", "8"));
        List<Object> left = http.get("/v0/topics/" + t + "/diff?from_seq=0").ok().list("records");
        assertThat(left).extracting(rec -> Http.Json.at(rec, "$seq")).containsExactly(1L, 4L, 7L);
    }
}
