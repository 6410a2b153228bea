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
import org.junit.jupiter.api.BeforeAll;

/**
 * The server, principals and helpers of the SPEC §13 management surface tests: auth
 * required (a subclass says so with {@code @ServerTest.Setup(auth = true, memory = true)}),
 * {@code alice} and {@code bob} made once for the class, the checks of the topic object's shape
 * and of camelCase, and the raw text of message payloads.
 */
abstract class ManagementFixtures extends ServerTest {
    static final List<String> TOPIC_KEYS = List.of("name", "publicRead", "publicPublish", "owner", "createdAt");

    static Http alice;
    static Http bob;

    @BeforeAll
    static void principals() {
        alice = bearer(principal("alice"));
        bob = bearer(principal("bob"));
    }

    static String path(String topic) {
        return "/topics/" + topic;
    }

    static String msgs(String topic) {
        return "/topics/" + topic + "/messages";
    }

    static String createBody(String name, boolean publicRead, boolean publicPublish) {
        return "{\"name\": \"" + name + "\", \"publicRead\": " + publicRead + ", \"publicPublish\": " + publicPublish + "}";
    }

    /** A new topic owned by {@code as}'s principal, with these flags. */
    static String newTopic(Http as, boolean publicRead, boolean publicPublish) {
        String t = uniqueTopic("mg.t");
        as.post("/topics", createBody(t, publicRead, publicPublish)).ok(201);
        return t;
    }

    static Response post(Http as, String topic, String payload) {
        return as.post(msgs(topic), "{\"payload\": " + payload + "}");
    }

    /** Asserts the topic object's exact shape and values. */
    static Map<String, Object> assertTopic(Map<String, Object> m, String name, boolean publicRead, boolean publicPublish,
                                           String owner) {
        assertThat(m.keySet()).as("topic object %s", m).containsExactlyInAnyOrderElementsOf(TOPIC_KEYS);
        if (name != null) {
            assertThat(m.get("name")).isEqualTo(name);
        }
        assertThat(m.get("publicRead")).as("publicRead of %s", m).isEqualTo(publicRead);
        assertThat(m.get("publicPublish")).as("publicPublish of %s", m).isEqualTo(publicPublish);
        assertThat(m.get("owner")).isEqualTo(owner);
        assertThat(m.get("createdAt")).isInstanceOf(String.class);
        Instant.parse((String) m.get("createdAt"));
        return m;
    }

    /** No JSON key of the answer (outside message payloads) is snake_case, and no performance block. */
    static void assertCamel(Object json, String what) {
        if (json instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String k = (String) e.getKey();
                assertThat(k).as("%s: key %s", what, k).doesNotContain("_").isNotEqualTo("performance");
                if (!k.equals("payload")) {
                    assertCamel(e.getValue(), what);
                }
            }
        } else if (json instanceof List<?> l) {
            l.forEach(v -> assertCamel(v, what));
        }
    }

    static List<String> listedNames(Http as) {
        Response r = as.get("/topics").ok();
        assertThat(r.map().keySet()).containsExactly("topics");
        assertCamel(r.json(), "GET /topics");
        List<String> names = new ArrayList<>();
        for (Object o : r.list("topics")) {
            Map<String, Object> m = Http.Json.obj(o);
            assertThat(m.keySet()).containsExactlyInAnyOrderElementsOf(TOPIC_KEYS);
            names.add((String) m.get("name"));
        }
        return names;
    }

    static Map<String, Object> listed(Http as, String topic) {
        for (Object o : as.get("/topics").ok().list("topics")) {
            Map<String, Object> m = Http.Json.obj(o);
            if (topic.equals(m.get("name"))) {
                return m;
            }
        }
        return null;
    }

    /** The raw text of each message's {@code payload} in a {@code GET …/messages} answer. */
    static List<String> rawPayloads(String json) {
        RawScanner s = new RawScanner(json);
        s.value(0);
        return s.payloads;
    }

    /** Walks JSON text and keeps the exact text of {@code payload} members of the messages (depth 2). */
    static final class RawScanner {
        final String s;
        int p;
        final List<String> payloads = new ArrayList<>();

        RawScanner(String s) {
            this.s = s;
        }

        void ws() {
            while (p < s.length() && " \t\r\n".indexOf(s.charAt(p)) >= 0) {
                p++;
            }
        }

        String string() {
            int start = ++p;
            while (s.charAt(p) != '"') {
                p += s.charAt(p) == '\\' ? 2 : 1;
            }
            return s.substring(start, p++);
        }

        void value(int depth) {
            ws();
            char c = s.charAt(p);
            if (c == '{' || c == '[') {
                p++;
                ws();
                char close = c == '{' ? '}' : ']';
                if (s.charAt(p) == close) {
                    p++;
                    return;
                }
                while (true) {
                    ws();
                    String key = null;
                    if (c == '{') {
                        key = string();
                        ws();
                        p++; // ':'
                        ws();
                    }
                    int start = p;
                    value(depth + 1);
                    if (depth == 2 && "payload".equals(key)) {
                        payloads.add(s.substring(start, p));
                    }
                    ws();
                    if (s.charAt(p++) == close) {
                        return;
                    }
                }
            } else if (c == '"') {
                string();
            } else {
                while (p < s.length() && ",}] \t\r\n".indexOf(s.charAt(p)) < 0) {
                    p++;
                }
            }
        }
    }

    static List<Long> ids(Response r) {
        return r.list("messages").stream().map(o -> (Long) Http.Json.obj(o).get("id")).toList();
    }
}
