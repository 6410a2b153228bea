package dev.topics.faults;

import dev.topics.testing.Await;
import dev.topics.testing.ChildServer;
import dev.topics.testing.SseClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Mixed load on a child server, every answer recorded in a {@link Ledger}: writers of
 * 1–20-record tagged batches that now and then delete one of their own acknowledged
 * batches by its tag, a control client (PATCHes, routers made and removed, a subscription
 * cursor moved), and a watcher reading an SSE stream. Runs until {@link #stop()}, which
 * the test calls after it killed the server; a request the kill cut off is simply left
 * in flight in the ledger. Every thread is a daemon with its own seeded generator.
 */
final class Load {
    /** The topics written; the first is watched, routed and subscribed. */
    static final List<String> TOPICS = List.of("orders.eu", "orders.us", "metrics.cpu");
    /** Router destinations (router {@code rN} copies TOPICS[0] to {@code copy.rN}). */
    static final List<String> COPIES = List.of("copy.r1", "copy.r2");
    static final String SUBSCRIPTION = TOPICS.get(0) + "/s1";

    private final ChildServer server;
    private final Ledger ledger;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong answered = new AtomicLong();
    private volatile boolean stop;
    private volatile SseClient watcher;

    Load(ChildServer server, Ledger ledger) {
        this.server = server;
        this.ledger = ledger;
    }

    /** Starts {@code writers} writer threads and, if {@code control}, the control client and the watcher. */
    Load start(long seed, int writers, boolean control) {
        for (int i = 1; i <= writers; i++) {
            int client = i;
            Random rnd = new Random(seed * 31 + i);
            spawn("writer-" + i, () -> write(client, rnd));
        }
        if (control) {
            Random rnd = new Random(seed * 31 + 100);
            spawn("control", () -> control(rnd));
            spawn("watcher", this::watch);
        }
        return this;
    }

    /** Requests answered so far (any status). */
    long answered() {
        return answered.get();
    }

    private void spawn(String name, Runnable r) {
        Thread t = new Thread(() -> {
            try {
                r.run();
            } catch (RuntimeException | Error e) {
                ledger.problem(name + " failed: " + e);
            }
        }, "load-" + name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    /** Stops every thread (waiting at most 20 s in all); call after the server is gone or stopped. */
    void stop() throws InterruptedException {
        stop = true;
        SseClient w = watcher;
        if (w != null) {
            try {
                w.close();
            } catch (Exception e) {
                // closing a dead stream
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        for (Thread t : threads) {
            t.join(Duration.ofNanos(Await.nanosLeft(deadline)));
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " still running 20 s after the stop");
            }
        }
        http.close();
    }

    private void write(int client, Random rnd) {
        List<Ledger.Batch> mine = new ArrayList<>();
        while (!stop) {
            String topic = TOPICS.get(rnd.nextInt(TOPICS.size()));
            Ledger.Batch b = ledger.newBatch(topic, client, 1 + rnd.nextInt(20), rnd);
            ledger.sending(b);
            Answer a = send("POST", "/v0/topics/" + topic, b.body);
            if (a == null) {
                continue;
            }
            if (a.status == 200) {
                Map<String, String> f = Reads.fields(a.body);
                ledger.acknowledged(b, Long.parseLong(f.get("first_seq")), Long.parseLong(f.get("last_seq")));
                mine.add(b);
            } else if (a.status >= 400 && a.status < 500) {
                ledger.refused(b, a.status, a.body);
            }
            if (rnd.nextInt(5) == 0 && mine.size() > 3) {
                Ledger.Batch old = mine.remove(rnd.nextInt(mine.size() - 1));
                ledger.deleting(old);
                Answer d = send("POST", "/v0/topics/" + old.topic + "/delete",
                        "{\"match\":[\"tag\",\"Eq\",\"" + old.tag + "\"]}");
                if (d != null && d.status == 200) {
                    ledger.deleteAcknowledged(old, Long.parseLong(Reads.fields(d.body).get("deleted")));
                } else if (d != null && d.status >= 400 && d.status < 500) {
                    ledger.problem("delete of tag " + old.tag + " refused: " + d.status + " " + d.body);
                }
            }
            Await.pause(2);
        }
    }

    private void control(Random rnd) {
        long window = 60_000 + rnd.nextInt(1_000_000);
        Long known = ledger.subscriptionCursor(SUBSCRIPTION);
        boolean subscribed = known != null;
        long cursor = known == null ? 0 : known;
        while (!stop) {
            Await.pause(40 + rnd.nextInt(120));
            int what = rnd.nextInt(3);
            if (what == 0) {
                String topic = TOPICS.get(rnd.nextInt(TOPICS.size()));
                long v = ++window;
                ledger.configSending(topic, v);
                Answer a = send("PATCH", "/v0/topics/" + topic, "{\"idempotency_window_ms\":" + v + "}");
                if (a != null && a.status == 200) {
                    ledger.configAcknowledged(topic, v);
                } else if (a != null && a.status == 404) {
                    ledger.configDropped(topic); // not created yet
                } else if (a != null && a.status != 200 && a.status < 500) {
                    ledger.problem("PATCH " + topic + ": " + a.status + " " + a.body);
                }
            } else if (what == 1) {
                String name = "r" + (1 + rnd.nextInt(COPIES.size()));
                boolean create = !ledger.routerExists(name);
                ledger.routerSending(name, create);
                Answer a = create
                        ? send("PUT", "/v0/routers/" + name, "{\"source\":\"" + TOPICS.get(0) + "\",\"dest\":\"copy." + name
                                + "\",\"from_seq\":0}")
                        : send("DELETE", "/v0/routers/" + name, null);
                if (a != null && (a.status == 200 || a.status == 201)) {
                    ledger.routerAcknowledged(name, create);
                } else if (a != null && a.status == 404 && create) {
                    ledger.routerDropped(name); // its source is not made yet
                } else if (a != null && a.status < 500) {
                    ledger.problem((create ? "PUT" : "DELETE") + " router " + name + ": " + a.status + " " + a.body);
                }
            } else {
                String[] ts = SUBSCRIPTION.split("/");
                String path = "/v0/topics/" + ts[0] + "/subscriptions/" + ts[1];
                if (!subscribed) {
                    ledger.subscriptionSending(SUBSCRIPTION, 0);
                    Answer a = send("PUT", path, "{\"from_seq\":0}");
                    if (a != null && (a.status == 200 || a.status == 201)) {
                        ledger.subscriptionAcknowledged(SUBSCRIPTION, 0);
                        subscribed = true;
                    } else if (a != null && a.status == 404) {
                        continue; // the topic is not there yet
                    } else if (a != null && a.status < 500) {
                        ledger.problem("PUT subscription: " + a.status + " " + a.body);
                    }
                    continue;
                }
                long seq = ledger.someAckedSeq(ts[0], rnd);
                if (seq <= cursor) {
                    continue;
                }
                ledger.subscriptionSending(SUBSCRIPTION, seq);
                Answer a = send("POST", path + "/ack", "{\"seq\":" + seq + "}");
                if (a != null && a.status == 200) {
                    ledger.subscriptionAcknowledged(SUBSCRIPTION, seq);
                    cursor = seq;
                } else if (a != null && a.status < 500) {
                    ledger.problem("ack subscription at " + seq + ": " + a.status + " " + a.body);
                }
            }
        }
    }

    private void watch() {
        String topic = TOPICS.get(0);
        long from = 0;
        while (!stop) {
            try {
                SseClient w = SseClient.open(server.uri("/v0/topics/" + topic + "/watch?from_seq=" + from), null);
                watcher = w;
                if (w.status() != 200) {
                    w.close();
                    Await.pause(100); // the topic may not exist yet
                    continue;
                }
                while (!stop) {
                    List<SseClient.Event> events = w.drainNow();
                    if (events.isEmpty()) {
                        Await.pause(20);
                        continue;
                    }
                    for (SseClient.Event e : events) {
                        if (e == null || e.data() == null) {
                            continue;
                        }
                        if ("record".equals(e.name())) {
                            for (Reads.Stored s : Reads.eventRecords(e.data())) {
                                ledger.watched(topic, s);
                                from = Math.max(from, s.seq());
                            }
                        }
                    }
                }
                w.close();
            } catch (IOException e) {
                Await.pause(50); // the server is gone; the test stops us soon
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (!stop) {
                    Await.pause(50);
                }
            }
        }
    }

    /** One answer; null when the request got none (the server went away: the outcome is unknown). */
    private record Answer(int status, String body) {
    }

    private Answer send(String method, String path, String body) {
        URI uri = server.uri(path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            answered.incrementAndGet();
            if (r.statusCode() >= 500) {
                return null; // outcome unknown, like no answer
            }
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            if (!stop) {
                Await.pause(20);
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop = true;
            return null;
        }
    }
}
