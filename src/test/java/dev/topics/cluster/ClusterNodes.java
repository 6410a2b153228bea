package dev.topics.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.ChildServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Helpers for tests of nodes of one cluster: each node is the real server in a child JVM,
 * pointed at real Kafka brokers ({@code testing.KafkaBrokers}) through the environment, as a
 * user would configure it.
 */
final class ClusterNodes {
    static final String ADMIN = "admin-token-for-the-cluster-tests-0123456789";
    /** Timings that vary between nodes and runs: never compared. */
    private static final Pattern PERFORMANCE = Pattern.compile(",?\"performance\":\\{[^}]*\\}");

    private ClusterNodes() {
    }

    /** The environment of a node of the cluster on {@code bootstrap} with log topic {@code logTopic}. */
    static Map<String, String> env(String bootstrap, String logTopic, String nodeId) {
        Map<String, String> env = new HashMap<>();
        env.put("TOPICS_CLUSTER_KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("TOPICS_CLUSTER_KAFKA_LOG_TOPIC", logTopic);
        env.put("TOPICS_NODE_ID", nodeId);
        env.put("TOPICS_AUTH", "required");
        env.put("TOPICS_ADMIN_TOKEN", ADMIN);
        return env;
    }

    static ChildServer start(Path dataDir, String bootstrap, String logTopic, String nodeId, String... args) {
        return ChildServer.start(dataDir, env(bootstrap, logTopic, nodeId), args);
    }

    static Map<String, String> admin() {
        return Map.of("Authorization", "Bearer " + ADMIN);
    }

    static ChildServer.Response send(ChildServer s, String method, String path, String body) {
        return s.send(method, path, body, admin());
    }

    static ChildServer.Response ok(ChildServer s, String method, String path, String body) {
        ChildServer.Response r = send(s, method, path, body);
        assertThat(r.status()).as("%s %s → %s", method, path, r.body()).isBetween(200, 201);
        return r;
    }

    /** A JSON answer without its {@code performance} timings. */
    static String stable(String body) {
        return PERFORMANCE.matcher(body).replaceAll("");
    }

    /** Waits until {@code path} answers on {@code b} exactly what it answers on {@code a} (timings aside). */
    static String awaitSame(ChildServer a, ChildServer b, String path) {
        String[] last = new String[2];
        try {
            Await.until("GET " + path + " the same on both nodes", Duration.ofSeconds(20), () -> {
                last[0] = stable(send(a, "GET", path, null).body());
                last[1] = stable(send(b, "GET", path, null).body());
                return last[0].equals(last[1]);
            });
        } catch (AssertionError e) {
            throw new AssertionError("GET " + path + " differs:\n  A: " + last[0] + "\n  B: " + last[1], e);
        }
        return last[0];
    }

    /**
     * Eight writers of one record per request to {@code topic}, alternating between two nodes,
     * until {@link #stop}: what each acknowledged answer said (seq → data). A write that is not
     * acknowledged (a killed node, 503) promises nothing; any other answer, or a seq
     * acknowledged twice, is kept as a problem for {@link #stop} to report.
     */
    static final class Writers {
        private static final Pattern FIRST_SEQ = Pattern.compile("\"first_seq\":(\\d+)");
        final Map<Long, String> acknowledged = new java.util.concurrent.ConcurrentHashMap<>();
        private final List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        private final List<Thread> threads = new java.util.ArrayList<>();

        Writers(ChildServer a, ChildServer b, String topic) {
            for (int w = 0; w < 8; w++) {
                int id = w;
                threads.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        write((i + id) % 2 == 0 ? a : b, topic, "\"w" + id + "-" + i + "\"");
                    }
                }));
            }
        }

        private void write(ChildServer to, String topic, String data) {
            ChildServer.Response r;
            try {
                r = send(to, "POST", "/v0/topics/" + topic, "{\"records\": [{\"data\": " + data + "}]}");
            } catch (java.io.UncheckedIOException e) {
                return; // a killed node or a timeout: not acknowledged
            }
            if (r.status() == 503) {
                return;
            }
            Matcher m = FIRST_SEQ.matcher(r.body());
            if (r.status() != 200 || !m.find()) {
                problems.add(r.status() + " " + r.body());
            } else if (acknowledged.put(Long.parseLong(m.group(1)), data) != null) {
                problems.add("seq " + m.group(1) + " acknowledged twice");
            }
        }

        /** Stops the writers and fails on any problem they met. */
        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
            assertThat(problems).as("answers to the writers").isEmpty();
        }
    }

    /**
     * Checks that {@code diff} (a diff from 0) holds every acknowledged record with its data,
     * and that {@code topic} on {@code node} has contiguous seqs from 1.
     */
    static void assertHoldsEverything(ChildServer node, String topic, String diff, Map<Long, String> acknowledged) {
        for (var e : acknowledged.entrySet()) {
            Matcher m = Pattern.compile("\\{\"\\$seq\":" + e.getKey() + ",\"\\$ts\":\\d+,\"data\":([^}]*)}")
                    .matcher(diff);
            assertThat(m.find()).as("acknowledged seq %d is there", e.getKey()).isTrue();
            assertThat(m.group(1)).isEqualTo(e.getValue());
        }
        String head = send(node, "GET", "/v0/topics/" + topic, null).body();
        Matcher h = Pattern.compile("\"head_seq\":(\\d+),\"earliest_seq\":1,\"count\":(\\d+)").matcher(head);
        assertThat(h.find()).as(head).isTrue();
        assertThat(h.group(1)).as("contiguous seqs from 1").isEqualTo(h.group(2));
        assertThat(Long.parseLong(h.group(2))).isGreaterThanOrEqualTo(acknowledged.size());
    }
}
