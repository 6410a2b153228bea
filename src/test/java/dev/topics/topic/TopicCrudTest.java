package dev.topics.topic;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** SPEC §2: PUT, GET, PATCH, DELETE of one topic, and the paginated list. */
class TopicCrudTest extends ServerTest {
    /** SPEC §2's table with its defaults (both public flags default off in the server config). */
    static final Map<String, Object> DEFAULT_CONFIG = defaults();


    private static Map<String, Object> defaults() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ttl_ms", 0L);
        m.put("cap_records", 0L);
        m.put("cap_bytes", 0L);
        m.put("discard", "old");
        m.put("durable", true);
        m.put("durability", "fsync");
        m.put("auto_create", true);
        m.put("idempotency_window_ms", 120000L);
        m.put("dedupe_node", true);
        m.put("public_read", false);
        m.put("public_publish", false);
        return m;
    }

    static Map<String, Object> defaultsWith(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>(DEFAULT_CONFIG);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static void assertPerformance(Response r, boolean withFsync) {
        Map<String, Object> perf = r.obj("performance");
        if (withFsync) {
            assertThat(perf.keySet()).as("%s: performance", r).containsExactlyInAnyOrder("server_total_ms", "fsync_ms");
        } else {
            assertThat(perf.keySet()).as("%s: performance", r).contains("server_total_ms");
        }
        for (Object v : perf.values()) {
            assertThat(v).as("%s: performance values are numbers", r).isInstanceOf(Number.class);
            assertThat(((Number) v).doubleValue()).isGreaterThanOrEqualTo(0);
        }
    }

    private static String path(String topic) {
        return "/v0/topics/" + topic;
    }

    // ---- PUT ---------------------------------------------------------------------------

    @Test
    void putCreatesTheTopicWith201AndEchoesEveryConfigFieldWithItsDefault() {
        String t = uniqueTopic("put.create");
        Response r = http.put(path(t), "{}").ok(201);

        assertThat(r.map().keySet()).containsExactlyInAnyOrder("topic", "created", "config", "performance");
        assertThat(r.str("topic")).isEqualTo(t);
        assertThat(r.bool("created")).isTrue();
        assertThat(r.get("config")).isEqualTo(DEFAULT_CONFIG);
        assertPerformance(r, true);
    }

    @Test
    void putWithoutABodyCreatesWithTheDefaults() {
        String t = uniqueTopic("put.nobody");
        Response r = http.send("PUT", path(t), java.net.http.HttpRequest.BodyPublishers.noBody()).ok(201);
        assertThat(r.get("config")).isEqualTo(DEFAULT_CONFIG);
    }

    @Test
    void putWithEveryFieldCreatesWithExactlyThatConfig() {
        String t = uniqueTopic("put.all");
        String body = """
                {"ttl_ms": 60000, "cap_records": 10, "cap_bytes": 4096, "discard": "new", "durable": false,
                 "durability": "async", "auto_create": false, "idempotency_window_ms": 5000,
                 "dedupe_node": false, "public_read": true, "public_publish": true}""";
        Response r = http.put(path(t), body).ok(201);
        assertThat(r.get("config")).isEqualTo(Map.ofEntries(
                Map.entry("ttl_ms", 60000L), Map.entry("cap_records", 10L), Map.entry("cap_bytes", 4096L),
                Map.entry("discard", "new"), Map.entry("durable", false), Map.entry("durability", "async"),
                Map.entry("auto_create", false), Map.entry("idempotency_window_ms", 5000L),
                Map.entry("dedupe_node", false), Map.entry("public_read", true), Map.entry("public_publish", true)));
        assertThat(http.get(path(t)).ok().get("config")).isEqualTo(r.get("config"));
    }

    @Test
    void putAgainUpdatesTheGivenFieldsWith200AndCreatedFalse() {
        String t = uniqueTopic("put.again");
        http.put(path(t), "{\"cap_records\": 7}").ok(201);

        Response r = http.put(path(t), "{\"ttl_ms\": 5000}").ok(200);

        assertThat(r.map().keySet()).containsExactlyInAnyOrder("topic", "created", "config", "performance");
        assertThat(r.bool("created")).isFalse();
        assertThat(r.get("config")).isEqualTo(defaultsWith("ttl_ms", 5000L, "cap_records", 7L));
        assertPerformance(r, true);
    }

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                arguments("{\"bogus\": 1}", "unknown_field"),
                arguments("{\"ttl_ms\": 0, \"ttlms\": 5}", "unknown_field"),
                arguments("{\"ttl_ms\": -1}", "invalid_field"),
                arguments("{\"ttl_ms\": 1.5}", "invalid_field"),
                arguments("{\"ttl_ms\": \"5\"}", "invalid_field"),
                arguments("{\"cap_records\": null}", "invalid_field"),
                arguments("{\"discard\": \"oldest\"}", "invalid_field"),
                arguments("{\"durability\": \"sync\"}", "invalid_field"),
                arguments("{\"durable\": \"yes\"}", "invalid_field"),
                arguments("{\"public_read\": 1}", "invalid_field"),
                arguments("{\"ttl_ms\": " + WriteTest.nested(64, "1") + "}", "json_too_deep"),
                arguments("[]", "invalid_field"),
                arguments("{", "invalid_json"),
                arguments("{} x", "invalid_json"));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @MethodSource("badConfigs")
    void putWithABadConfigIsRefusedAndCreatesNothing(String body, String code) {
        String t = uniqueTopic("put.bad");
        http.put(path(t), body).assertError(400, code);
        http.get(path(t)).assertError(404, "topic_not_found");
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @MethodSource("badConfigs")
    void patchWithABadConfigIsRefusedAndChangesNothing(String body, String code) {
        String t = uniqueTopic("patch.bad");
        http.put(path(t), "{\"ttl_ms\": 9}").ok(201);
        http.patch(path(t), body).assertError(400, code);
        assertThat(http.get(path(t)).ok().get("config")).isEqualTo(defaultsWith("ttl_ms", 9L));
    }

    // ---- GET ---------------------------------------------------------------------------

    @Test
    void getDescribesTheTopicWithExactlyTheContractFields() {
        String t = uniqueTopic("get.shape");
        Instant before = Instant.now().minusSeconds(2);
        http.put(path(t), "{}").ok(201);

        Response r = http.get(path(t)).ok();

        assertThat(r.map().keySet()).containsExactlyInAnyOrder("topic", "config", "owner", "created_at", "head_seq",
                "earliest_seq", "count", "bytes", "performance");
        assertThat(r.str("topic")).isEqualTo(t);
        assertThat(r.get("config")).isEqualTo(DEFAULT_CONFIG);
        assertThat(r.map().get("owner")).as("owner").isInstanceOf(String.class);
        Instant created = OffsetDateTime.parse(r.str("created_at")).toInstant(); // RFC 3339
        assertThat(created).isBetween(before, Instant.now().plusSeconds(2));
        assertThat(r.num("head_seq")).isZero();
        assertThat(r.num("earliest_seq")).as("head_seq + 1 when empty").isEqualTo(1);
        assertThat(r.num("count")).isZero();
        assertThat(r.num("bytes")).isZero();
        assertPerformance(r, false);
    }

    @Test
    void getCountsRecordsAfterAWrite() {
        String t = uniqueTopic("get.count");
        http.post(path(t), "{\"records\": [{\"data\": {\"a\": 1}}, {\"data\": [1, 2, 3]}]}").ok();

        Response r = http.get(path(t)).ok();

        assertThat(r.num("head_seq")).isEqualTo(2);
        assertThat(r.num("earliest_seq")).isEqualTo(1);
        assertThat(r.num("count")).isEqualTo(2);
        assertThat(r.num("bytes")).as("bytes of canonical data: {\"a\":1} and [1,2,3]").isEqualTo(14);
    }

    @Test
    void getOfAMissingTopicIs404TopicNotFound() {
        http.get(path(uniqueTopic("get.missing"))).assertError(404, "topic_not_found");
    }

    @Test
    void namesAreCaseSensitiveAndMayBe255Characters() {
        String lower = uniqueTopic("case.topic");
        String upper = lower.toUpperCase(java.util.Locale.ROOT);
        http.put(path(lower), "{}").ok(201);
        http.put(path(upper), "{\"ttl_ms\": 1}").ok(201);
        assertThat(http.get(path(lower)).ok().num("config.ttl_ms")).isZero();
        assertThat(http.get(path(upper)).ok().num("config.ttl_ms")).isEqualTo(1);

        String longest = (uniqueTopic("long") + ".").repeat(40).substring(0, 254) + "z";
        assertThat(longest).hasSize(255);
        assertThat(http.put(path(longest), "{}").ok(201).str("topic")).isEqualTo(longest);
        assertThat(http.post(path(longest), "{\"records\": [{\"data\": 1}]}").ok().str("topic")).isEqualTo(longest);
        assertThat(http.get(path(longest)).ok().num("head_seq")).isEqualTo(1);
    }

    // ---- PATCH -------------------------------------------------------------------------

    @Test
    void patchChangesOnlyTheGivenFields() {
        String t = uniqueTopic("patch.some");
        http.put(path(t), "{\"ttl_ms\": 1000, \"cap_records\": 5, \"discard\": \"new\"}").ok(201);

        Response r = http.patch(path(t), "{\"cap_bytes\": 100, \"dedupe_node\": false}").ok();

        Map<String, Object> expected = defaultsWith("ttl_ms", 1000L, "cap_records", 5L, "discard", "new",
                "cap_bytes", 100L, "dedupe_node", false);
        assertThat(r.get("config")).isEqualTo(expected);
        assertThat(http.get(path(t)).ok().get("config")).isEqualTo(expected);
    }

    @Test
    void anEmptyPatchChangesNothing() {
        String t = uniqueTopic("patch.empty");
        http.put(path(t), "{\"ttl_ms\": 1000}").ok(201);
        assertThat(http.patch(path(t), "{}").ok().get("config")).isEqualTo(defaultsWith("ttl_ms", 1000L));
    }

    @Test
    void patchOfAMissingTopicIs404AndCreatesNothing() {
        String t = uniqueTopic("patch.missing");
        http.patch(path(t), "{\"ttl_ms\": 1}").assertError(404, "topic_not_found");
        http.get(path(t)).assertError(404, "topic_not_found");
    }

    @ParameterizedTest(name = "created durable={0}")
    @ValueSource(booleans = {true, false})
    void durableCannotChangeAfterCreation(boolean durable) {
        String t = uniqueTopic("patch.durable");
        http.put(path(t), "{\"durable\": " + durable + "}").ok(201);

        http.patch(path(t), "{\"durable\": " + !durable + "}").assertError(400, "invalid_field");
        http.put(path(t), "{\"durable\": " + !durable + ", \"ttl_ms\": 5}").assertError(400, "invalid_field");

        // Restating the same value is fine, and the refused PUT changed nothing else.
        Response same = http.patch(path(t), "{\"durable\": " + durable + "}").ok();
        assertThat(same.get("config")).isEqualTo(defaultsWith("durable", durable));
    }

    // ---- DELETE ------------------------------------------------------------------------

    @Test
    void deleteAnswersDeletedTrueAndTheTopicIsGone() {
        String t = uniqueTopic("delete.one");
        http.post(path(t), "{\"records\": [{\"data\": 1}]}").ok();

        Response r = http.delete(path(t)).ok();

        assertThat(r.map().keySet()).containsExactlyInAnyOrder("topic", "deleted", "performance");
        assertThat(r.str("topic")).isEqualTo(t);
        assertThat(r.bool("deleted")).isTrue();
        assertPerformance(r, true);
        http.get(path(t)).assertError(404, "topic_not_found");
        http.delete(path(t)).assertError(404, "topic_not_found");
    }

    @Test
    void aDeletedTopicCanBeCreatedAgainEmpty() {
        String t = uniqueTopic("delete.again");
        http.post(path(t), "{\"records\": [{\"data\": 1}, {\"data\": 2}]}").ok();
        http.delete(path(t)).ok();

        assertThat(http.put(path(t), "{}").ok(201).bool("created")).isTrue();
        Response g = http.get(path(t)).ok();
        assertThat(g.num("head_seq")).isZero();
        assertThat(g.num("count")).isZero();
    }

    // ---- list --------------------------------------------------------------------------

    @Test
    void listPagesThroughAPrefixInNameOrderWithNextAfter() {
        String prefix = uniqueTopic("list") + ".";
        List<String> names = List.of(prefix + "a", prefix + "b", prefix + "c", prefix + "d", prefix + "e");
        for (String n : List.of(names.get(3), names.get(0), names.get(4), names.get(2), names.get(1))) {
            http.put(path(n), "{}").ok(201);
        }
        http.post(path(names.get(1)), "{\"records\": [{\"data\": \"x\"}]}").ok();
        http.put(path(uniqueTopic("list")), "{}").ok(201); // a neighbour outside the prefix

        Response p1 = http.get("/v0/topics?prefix=" + prefix + "&limit=2").ok();
        assertThat(p1.map().keySet()).containsExactlyInAnyOrder("topics", "next_after", "performance");
        assertThat(topicNames(p1)).containsExactly(names.get(0), names.get(1));
        assertThat(p1.str("next_after")).isEqualTo(names.get(1));

        Response p2 = http.get("/v0/topics?prefix=" + prefix + "&limit=2&after=" + p1.str("next_after")).ok();
        assertThat(topicNames(p2)).containsExactly(names.get(2), names.get(3));
        assertThat(p2.str("next_after")).isEqualTo(names.get(3));

        Response p3 = http.get("/v0/topics?prefix=" + prefix + "&limit=2&after=" + p2.str("next_after")).ok();
        assertThat(topicNames(p3)).containsExactly(names.get(4));
        assertThat(p3.map()).containsEntry("next_after", null);

        Response all = http.get("/v0/topics?prefix=" + prefix).ok();
        assertThat(topicNames(all)).isEqualTo(names);
        assertThat(all.map()).containsEntry("next_after", null);
    }

    @Test
    void aPageThatEndsExactlyAtTheLastTopicHasNoNextAfter() {
        String prefix = uniqueTopic("listexact") + ".";
        http.put(path(prefix + "a"), "{}").ok(201);
        http.put(path(prefix + "b"), "{}").ok(201);

        Response r = http.get("/v0/topics?prefix=" + prefix + "&limit=2").ok();

        assertThat(topicNames(r)).containsExactly(prefix + "a", prefix + "b");
        assertThat(r.map()).containsEntry("next_after", null);
    }

    @Test
    void listEntriesHaveExactlyTheContractFields() {
        String prefix = uniqueTopic("listshape") + ".";
        String t = prefix + "one";
        http.put(path(t), "{\"public_read\": true}").ok(201);
        http.post(path(t), "{\"records\": [{\"data\": {\"k\": \"v\"}}, {\"data\": 2}]}").ok();

        Response r = http.get("/v0/topics?prefix=" + prefix).ok();

        assertThat(r.list("topics")).hasSize(1);
        Map<String, Object> e = r.obj("topics.0");
        assertThat(e.keySet()).containsExactlyInAnyOrder("topic", "head_seq", "count", "bytes", "owner",
                "public_read", "public_publish");
        assertThat(e.get("topic")).isEqualTo(t);
        assertThat(e.get("head_seq")).isEqualTo(2L);
        assertThat(e.get("count")).isEqualTo(2L);
        assertThat((Long) e.get("bytes")).isPositive();
        assertThat(e.get("public_read")).isEqualTo(true);
        assertThat(e.get("public_publish")).isEqualTo(false);
    }

    @Test
    void aPrefixMatchingNothingListsNothing() {
        Response r = http.get("/v0/topics?prefix=" + uniqueTopic("nothing-here")).ok();
        assertThat(r.list("topics")).isEmpty();
        assertThat(r.map()).containsEntry("next_after", null);
    }

    @Test
    void listLimitOf1000IsAccepted() {
        http.get("/v0/topics?limit=1000").ok();
        http.get("/v0/topics?limit=1").ok();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"limit=0", "limit=1001", "limit=-1", "limit=abc", "limit=1.5", "limit=", "limit=1&limit=2"})
    void listRefusesALimitOutOfRange(String query) {
        http.get("/v0/topics?" + query).assertError(400, "invalid_field");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"limits=5", "prefix=a&offset=3", "Prefix=a"})
    void listRefusesAnUnknownQueryParameter(String query) {
        http.get("/v0/topics?" + query).assertError(400, "unknown_field");
    }

    private static List<Object> topicNames(Response r) {
        return r.list("topics").stream().map(e -> ((Map<?, ?>) e).get("topic")).map(Object.class::cast).toList();
    }
}
