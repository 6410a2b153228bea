package dev.topics.manage;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §13, the {@code /topics} management surface (camelCase), black box, with auth
 * required: messages ({@code payload} stored byte for byte, ids = seqs,
 * {@code since}/{@code limit}).
 */
@Timeout(300)
@ServerTest.Setup(auth = true, memory = true)
class ManagementMessagesTest extends ManagementFixtures {
    static long headSeq(String topic) {
        return admin.get("/v0/topics/" + topic).ok().num("head_seq");
    }

    @Test
    void messagesKeepTheirPayloadByteForByteAndGetConsecutiveIds() {
        String t = newTopic(alice, false, false);
        List<String> payloads = List.of(
                "{\"order\":{\"sku\":\"AEROPRESS-GO\",\"lines\":[1,2,{\"deep\":[[[null]]]}],\"ok\":true}}",
                "12345678901234567890123456789.000000000000000000010",
                "1E+400",
                "-0",
                "2.50",
                "\"h\u00e9llo w\u00f6rld \u2713 \uD83D\uDE00 \u65e5\u672c\"",
                "\"escapes kept: \\u00e9 \\n \\\" \\\\ \\/\"",
                "[true,false,null,\"\",{},[]]",
                "{\"payload\":{\"payload\":1}}",
                "null",
                "0.1e-7");
        List<String> createdAts = new ArrayList<>();
        for (int i = 0; i < payloads.size(); i++) {
            Response r = post(alice, t, payloads.get(i)).ok(201);
            assertThat(r.map().keySet()).containsExactlyInAnyOrder("id", "topic", "createdAt");
            assertThat(r.num("id")).as("id of message %d", i).isEqualTo(i + 1L);
            assertThat(r.str("topic")).isEqualTo(t);
            Instant.parse(r.str("createdAt"));
            createdAts.add(r.str("createdAt"));
        }
        // insignificant whitespace is the only thing dropped
        Response spaced = alice.post(msgs(t), "{ \"payload\" :  { \"a\" : [ 1 , 2.0 ] ,\n \"b\" : \"x y\" } }").ok(201);
        assertThat(spaced.num("id")).isEqualTo(payloads.size() + 1L);

        Response got = alice.get(msgs(t)).ok();
        assertThat(got.map().keySet()).containsExactlyInAnyOrder("messages", "next");
        assertCamel(got.json(), "GET messages");
        List<Object> messages = got.list("messages");
        assertThat(messages).hasSize(payloads.size() + 1);
        List<String> raw = rawPayloads(got.text());
        for (int i = 0; i < payloads.size(); i++) {
            Map<String, Object> m = Http.Json.obj(messages.get(i));
            assertThat(m.keySet()).containsExactlyInAnyOrder("id", "payload", "createdAt");
            assertThat(m.get("id")).isEqualTo(i + 1L);
            assertThat(m.get("createdAt")).as("createdAt of %d", i + 1).isEqualTo(createdAts.get(i));
            assertThat(raw.get(i)).as("payload %d byte for byte", i + 1).isEqualTo(payloads.get(i));
        }
        assertThat(raw.get(payloads.size())).isEqualTo("{\"a\":[1,2.0],\"b\":\"x y\"}");
        assertThat(got.num("next")).isEqualTo(payloads.size() + 1L);

        // the same bytes on /v0: a message is a record, its payload the data, its createdAt the $ts
        Response diff = alice.get("/v0/topics/" + t + "/diff?from_seq=0").ok();
        for (String p : payloads) {
            assertThat(diff.text()).contains("\"data\":" + p);
        }
        for (int i = 0; i < payloads.size(); i++) {
            assertThat(Instant.parse(createdAts.get(i)).toEpochMilli()).as("createdAt of %d", i + 1)
                    .isEqualTo(diff.num("records." + i + ".$ts"));
        }
        assertThat(diff.num("head_seq")).isEqualTo(payloads.size() + 1L);
        // and a record written on /v0 is a message here
        alice.post("/v0/topics/" + t, "{\"records\": [{\"data\": {\"from\": \"v0\"}}]}").ok();
        Response after = alice.get(msgs(t) + "?since=" + (payloads.size() + 1)).ok();
        assertThat(rawPayloads(after.text())).containsExactly("{\"from\":\"v0\"}");
        assertThat(after.num("messages.0.id")).isEqualTo(payloads.size() + 2L);
    }

    @Test
    void sinceAndLimitPage() {
        String t = newTopic(alice, false, false);
        for (int i = 1; i <= 5; i++) {
            assertThat(post(alice, t, "{\"n\": " + i + "}").ok(201).num("id")).isEqualTo(i);
        }
        Response p1 = alice.get(msgs(t) + "?since=0&limit=2").ok();
        assertThat(ids(p1)).containsExactly(1L, 2L);
        assertThat(p1.num("next")).isEqualTo(2);
        Response p2 = alice.get(msgs(t) + "?since=" + p1.num("next") + "&limit=2").ok();
        assertThat(ids(p2)).containsExactly(3L, 4L);
        assertThat(p2.num("messages.0.payload.n")).isEqualTo(3);
        Response p3 = alice.get(msgs(t) + "?since=" + p2.num("next") + "&limit=2").ok();
        assertThat(ids(p3)).containsExactly(5L);
        assertThat(p3.num("next")).isEqualTo(5);
        Response p4 = alice.get(msgs(t) + "?since=5").ok();
        assertThat(ids(p4)).isEmpty();
        assertThat(p4.num("next")).isEqualTo(5);
        assertThat(ids(alice.get(msgs(t) + "?limit=3").ok())).containsExactly(1L, 2L, 3L);
        assertThat(ids(alice.get(msgs(t) + "?since=3").ok())).containsExactly(4L, 5L);

        // past the head: nothing, and (as a reset in SPEC §4: the cursor is from an earlier
        // life of the name) next starts over at 0
        Response past = alice.get(msgs(t) + "?since=99").ok();
        assertThat(ids(past)).isEmpty();
        assertThat(past.num("next")).isZero();
        assertThat(ids(alice.get(msgs(t) + "?since=18446744073709551615").ok())).isEmpty();

        // deleted seqs are skipped, and next passes them
        alice.post("/v0/topics/" + t + "/delete", "{\"from_seq\": 2, \"to_seq\": 3}").ok();
        Response holes = alice.get(msgs(t) + "?since=1&limit=1").ok();
        assertThat(ids(holes)).containsExactly(4L);
        assertThat(holes.num("next")).isEqualTo(4);

        // bounds are refused, never clamped
        alice.get(msgs(t) + "?limit=10000").ok();
        alice.get(msgs(t) + "?limit=1").ok();
        alice.get(msgs(t) + "?limit=0").assertError(400, "invalid_field");
        alice.get(msgs(t) + "?limit=10001").assertError(400, "invalid_field");
        alice.get(msgs(t) + "?limit=-1").assertError(400, "invalid_field");
        alice.get(msgs(t) + "?limit=abc").assertError(400, "invalid_field");
        alice.get(msgs(t) + "?since=-1").assertError(400, "invalid_field");
        alice.get(msgs(t) + "?since=1.5").assertError(400, "invalid_field");
        alice.get(msgs(t) + "?since=18446744073709551616").assertError(400, "invalid_field");
        alice.get(msgs(t) + "?from_seq=0").assertError(400, "unknown_field");
        alice.get(msgs(t) + "?since=1&since=2").assertError(400, "invalid_field");
    }

    @Test
    void theDefaultLimitIs100() {
        String t = newTopic(alice, false, false);
        StringBuilder b = new StringBuilder("{\"records\": [");
        for (int i = 1; i <= 150; i++) {
            b.append(i == 1 ? "" : ",").append("{\"data\": ").append(i).append('}');
        }
        alice.post("/v0/topics/" + t, b.append("]}").toString()).ok();
        Response r = alice.get(msgs(t)).ok();
        assertThat(ids(r)).hasSize(100).startsWith(1L).endsWith(100L);
        assertThat(r.num("next")).isEqualTo(100);
        Response rest = alice.get(msgs(t) + "?since=100").ok();
        assertThat(ids(rest)).hasSize(50).startsWith(101L).endsWith(150L);
        assertThat(rest.num("next")).isEqualTo(150);
    }

    @Test
    void aPageStopsAtTheByteCapAndNextResumesIt() {
        String t = newTopic(alice, false, false);
        String big = "\"" + "y".repeat(1_000_000) + "\"";
        for (int i = 1; i <= 6; i++) {
            post(alice, t, big).ok(201);
        }
        List<Long> seen = new ArrayList<>();
        long since = 0;
        for (int pages = 0; seen.size() < 6; pages++) {
            assertThat(pages).as("pages needed for 6 messages of 1 MB").isLessThan(6);
            Response r = alice.get(msgs(t) + "?since=" + since + "&limit=10").ok();
            List<Long> page = ids(r);
            assertThat(page).as("a page holds at least one message").isNotEmpty();
            assertThat(rawPayloads(r.text())).allMatch(big::equals);
            assertThat(r.num("next")).isEqualTo(page.get(page.size() - 1));
            seen.addAll(page);
            since = r.num("next");
        }
        assertThat(seen).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(ids(alice.get(msgs(t) + "?since=" + since).ok())).isEmpty();
    }

    @Test
    void aMessageNeedsExactlyAPayload() {
        String t = newTopic(alice, false, false);
        post(alice, t, "1").ok(201);
        alice.post(msgs(t), "{}").assertError(400, "invalid_field");
        alice.post(msgs(t), "{\"payload\": 1, \"tag\": \"x\"}").assertError(400, "unknown_field");
        alice.post(msgs(t), "{\"records\": [{\"data\": 1}]}").assertError(400, "unknown_field");
        alice.post(msgs(t), "{\"payload\": 1, \"payload\": 2}").assertError(400, "invalid_field");
        alice.post(msgs(t), "{\"payload\": }").assertError(400, "invalid_json");
        alice.post(msgs(t), "{\"payload\": [1, 2}").assertError(400, "invalid_json");
        alice.post(msgs(t), "").expect(400);
        alice.post(msgs(t), "[1]").expect(400);
        assertThat(headSeq(t)).isEqualTo(1);
        assertThat(post(alice, t, "2").ok(201).num("id")).isEqualTo(2);

        // a payload is a record's data: at most 1 MiB serialized (SPEC §0), 413 past it, nothing written
        String atLimit = "\"" + "x".repeat(1024 * 1024 - 2) + "\"";
        assertThat(post(alice, t, atLimit).ok(201).num("id")).isEqualTo(3);
        alice.post(msgs(t), "{\"payload\": \"" + "x".repeat(1024 * 1024 - 1) + "\"}").assertError(413, "record_too_large");
        assertThat(headSeq(t)).isEqualTo(3);
    }

    @Test
    void postingToANewNameCreatesItAsPOSTDoesOnV0() {
        // SPEC §2: a first write creates its topic (owner = the writer) unless auto_create is off
        String t = uniqueTopic("mg.lazy");
        post(http, t, "1").assertError(401, "unauthorized");
        assertThat(post(bob, t, "1").ok(201).num("id")).isEqualTo(1);
        assertTopic(bob.get(path(t)).ok().map(), t, false, false, "bob");
    }
}
