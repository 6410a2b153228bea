// benchmarks/p7/ManyTopics.java — P7's second load: TOPICS topics of RECORDS records each,
// one POST per topic (the topic is made by its first write), CONC at a time, over HTTP/1.1
// keep-alive connections of the JDK's client. Every answer must be 200.
//
//   java benchmarks/p7/ManyTopics.java URL PREFIX TOPICS RECORDS DATA_BYTES CONC
//
// Prints one line: "MANYTOPICS topics=… records=… seconds=… writes_per_s=… failed=…",
// and exits 1 if any write failed. A load tool, not part of the server.

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

public class ManyTopics {
    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: ManyTopics URL PREFIX TOPICS RECORDS DATA_BYTES CONC");
            System.exit(2);
        }
        String url = args[0];
        String prefix = args[1];
        int topics = Integer.parseInt(args[2]);
        int records = Integer.parseInt(args[3]);
        int dataBytes = Integer.parseInt(args[4]);
        int conc = Integer.parseInt(args[5]);
        String pad = "x".repeat(Math.max(0, dataBytes - 14));
        StringBuilder b = new StringBuilder("{\"records\":[");
        for (int i = 0; i < records; i++) {
            b.append(i > 0 ? "," : "").append("{\"data\":{\"n\":1,\"s\":\"").append(pad).append("\"}}");
        }
        byte[] body = b.append("]}").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        Semaphore slots = new Semaphore(conc);
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < topics; i++) {
            slots.acquire();
            HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/v0/topics/" + prefix + i))
                    .timeout(Duration.ofSeconds(120))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            client.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((res, err) -> {
                if (err != null || res.statusCode() != 200) {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, err != null ? err.toString() : res.statusCode() + " " + res.body());
                }
                slots.release();
            });
        }
        slots.acquire(conc);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "MANYTOPICS topics=%d records=%d seconds=%.1f writes_per_s=%.0f failed=%d%s%n",
                topics, (long) topics * records, s, topics / s, failed.get(),
                firstFailure.get() == null ? "" : " first_failure=\"" + firstFailure.get() + "\"");
        System.exit(failed.get() == 0 ? 0 : 1);
    }
}
