// RouterCopy.java — R1: how fast a router copies a large backlog (SPEC §9).
//
//   java RouterCopy.java prefill --url http://127.0.0.1:PORT --topic r1-src --records 2000000 \
//        [--batch 1000] [--data-bytes 100] [--conc 4]
//   java RouterCopy.java copy --url http://127.0.0.1:PORT --source r1-src --router NAME
//        (--dest TOPIC | --dest-url http://127.0.0.1:PORT2 --dest-topic TOPIC) [--timeout 600] [--poll-ms 20] [--keep]
//
// JDK only, no dependencies (run by benchmarks/run).
// prefill: writes --records records whose "data" is {"n":1,"s":"xxx…"} padded to --data-bytes,
//   in writes of --batch records, --conc at a time (every write must answer 200). Prints
//   PREFILL records=… seconds=… records_per_s=… head_seq=…
// copy: PUT /v0/routers/NAME {"source", "dest" | "dest_url"+"dest_topic", "from_seq": 0}, then
//   GET /v0/routers/NAME every --poll-ms until its cursor has reached the source's head_seq
//   (lag 0); the time from just before the PUT to that answer is the copy time. Then checks the
//   destination topic's count (on the destination server) equals the source's, deletes the
//   router and (unless --keep) the destination topic. Prints
//   ROUTER kind=local|remote records=… seconds=… records_per_s=… copied=… dest_count=… state=…
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class RouterCopy {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] argv) throws Exception {
        if (argv.length < 1) {
            usage("a mode (prefill or copy)");
        }
        Map<String, String> a = args(argv);
        switch (argv[0]) {
            case "prefill" -> prefill(a);
            case "copy" -> copy(a);
            default -> usage("mode prefill or copy, not " + argv[0]);
        }
    }

    static void prefill(Map<String, String> a) throws Exception {
        String url = req(a, "url");
        String topic = req(a, "topic");
        long records = Long.parseLong(req(a, "records"));
        int batch = Integer.parseInt(a.getOrDefault("batch", "1000"));
        int dataBytes = Integer.parseInt(a.getOrDefault("data-bytes", "100"));
        int conc = Integer.parseInt(a.getOrDefault("conc", "4"));
        if (dataBytes < 14) {
            usage("--data-bytes of at least 14");
        }
        String data = "{\"n\":1,\"s\":\"" + "x".repeat(dataBytes - 14) + "\"}";
        int writes = (int) ((records + batch - 1) / batch);
        byte[] full = body(data, batch);
        byte[] last = body(data, (int) (records - (long) (writes - 1) * batch));
        URI uri = URI.create(url + "/v0/topics/" + topic);
        AtomicInteger next = new AtomicInteger();
        long t0 = System.nanoTime();
        try (ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < conc; c++) {
                fs.add(exec.submit(() -> {
                    int k;
                    while ((k = next.getAndIncrement()) < writes) {
                        byte[] b = k == writes - 1 ? last : full;
                        HttpResponse<String> r = send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(b)));
                        if (r.statusCode() != 200) {
                            throw new IOException("POST " + uri + " answered " + r.statusCode() + ": " + r.body());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        String info = get(url + "/v0/topics/" + topic);
        System.out.printf(Locale.ROOT, "PREFILL records=%d seconds=%.2f records_per_s=%.0f head_seq=%d count=%d%n",
                records, s, records / s, num(info, "head_seq"), num(info, "count"));
    }

    static byte[] body(String data, int n) {
        StringBuilder b = new StringBuilder(32 + n * (data.length() + 12)).append("{\"records\":[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"data\":").append(data).append('}');
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    static void copy(Map<String, String> a) throws Exception {
        String url = req(a, "url");
        String source = req(a, "source");
        String router = req(a, "router");
        String dest = a.get("dest");
        String destUrl = a.get("dest-url");
        String destTopic = a.get("dest-topic");
        double timeout = Double.parseDouble(a.getOrDefault("timeout", "600"));
        long pollMs = Long.parseLong(a.getOrDefault("poll-ms", "20"));
        boolean keep = a.containsKey("keep");
        boolean remote = destUrl != null;
        if (remote == (dest != null) || (remote && destTopic == null)) {
            usage("either --dest TOPIC or --dest-url URL --dest-topic TOPIC");
        }
        String srcInfo = get(url + "/v0/topics/" + source);
        long head = num(srcInfo, "head_seq");
        long count = num(srcInfo, "count");
        String spec = remote
                ? "{\"source\":\"" + source + "\",\"dest_url\":\"" + destUrl + "\",\"dest_topic\":\"" + destTopic + "\",\"from_seq\":0}"
                : "{\"source\":\"" + source + "\",\"dest\":\"" + dest + "\",\"from_seq\":0}";
        URI r = URI.create(url + "/v0/routers/" + router);
        long t0 = System.nanoTime();
        HttpResponse<String> put = send(HttpRequest.newBuilder(r).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(spec)));
        if (put.statusCode() / 100 != 2) {
            throw new IOException("PUT " + r + " answered " + put.statusCode() + ": " + put.body());
        }
        long deadline = t0 + (long) (timeout * 1e9);
        String status;
        long t1;
        while (true) {
            status = get(r.toString());
            t1 = System.nanoTime();
            if (num(status, "cursor") >= head && num(status, "lag") == 0) {
                break;
            }
            if (t1 > deadline) {
                throw new IOException("router " + router + " not caught up after " + timeout + " s: " + status);
            }
            Thread.sleep(pollMs);
        }
        double s = (t1 - t0) / 1e9;
        String destBase = remote ? destUrl : url;
        String destName = remote ? destTopic : dest;
        long destCount = num(get(destBase + "/v0/topics/" + destName), "count");
        Matcher st = Pattern.compile("\"state\":\"([a-z]+)\"").matcher(status);
        String state = st.find() ? st.group(1) : "?";
        send(HttpRequest.newBuilder(r).DELETE());
        if (!keep) {
            send(HttpRequest.newBuilder(URI.create(destBase + "/v0/topics/" + destName)).DELETE());
        }
        System.out.printf(Locale.ROOT,
                "ROUTER kind=%s records=%d seconds=%.3f records_per_s=%.0f copied=%d dest_count=%d state=%s source_head=%d%n",
                remote ? "remote" : "local", count, s, count / s, num(status, "copied"), destCount, state, head);
        if (destCount != count) {
            System.err.println("RouterCopy: the destination holds " + destCount + " records, the source " + count);
            System.exit(1);
        }
    }

    static HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        return HTTP.send(b.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url)).GET());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    static long num(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(\\d+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + key + " in " + json);
        }
        return Long.parseLong(m.group(1));
    }

    static Map<String, String> args(String[] argv) {
        Map<String, String> m = new HashMap<>();
        for (int k = 1; k < argv.length; k++) {
            if (!argv[k].startsWith("--")) {
                usage("--name value pairs, not " + argv[k]);
            }
            String name = argv[k].substring(2);
            if (name.equals("keep")) {
                m.put(name, "true");
            } else if (k + 1 < argv.length) {
                m.put(name, argv[++k]);
            } else {
                usage("a value after " + argv[k]);
            }
        }
        return m;
    }

    static String req(Map<String, String> a, String k) {
        String v = a.get(k);
        if (v == null) {
            usage("--" + k);
        }
        return v;
    }

    static void usage(String needed) {
        System.err.println("RouterCopy: needs " + needed + "\nusage: java RouterCopy.java prefill --url URL --topic T"
                + " --records N [--batch 1000] [--data-bytes 100] [--conc 4]\n"
                + "       java RouterCopy.java copy --url URL --source T --router NAME (--dest T | --dest-url URL"
                + " --dest-topic T) [--timeout 600] [--poll-ms 20] [--keep]");
        System.exit(2);
    }
}
