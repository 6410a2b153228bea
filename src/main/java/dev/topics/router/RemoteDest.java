package dev.topics.router;

import dev.topics.http.JsonFields;
import dev.topics.json.JsonOut;
import dev.topics.json.JsonReader;
import dev.topics.storage.Origin;
import dev.topics.storage.RecordFilter;
import dev.topics.storage.RecordView;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Another topics server a router writes to (SPEC §9): {@code POST {dest_url}/v0/topics/{dest_topic}}
 * with the records and their origins, authenticated with {@code dest_token}. Learns the
 * destination's node id from {@code GET /v0/node} before the first copy, so the router can
 * skip what came from there. Uses the JDK's HTTP client with a 5 s connect and a 10 s
 * request timeout.
 */
final class RemoteDest {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** The destination did not take the batch; the message says why, for {@code last_error}. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    private final HttpClient client;
    private final URI base;
    private final String topic;
    private final String token;
    private volatile byte[] destNode;
    private volatile String destNodeId;

    RemoteDest(HttpClient client, String baseUrl, String topic, String token) {
        this.client = client;
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.topic = topic;
        this.token = token;
    }

    /** The destination's node id, asked once (until it answers). */
    String destNode() throws Failure, InterruptedException {
        String id = destNodeId;
        if (id != null) {
            return id;
        }
        HttpResponse<byte[]> res = call(HttpRequest.newBuilder(base.resolve("v0/node")).GET());
        if (res.statusCode() != 200) {
            throw failure("GET /v0/node", res);
        }
        byte[] body = res.body();
        String[] node = {null};
        try {
            JsonReader r = new JsonReader(body, 0, body.length, 16);
            JsonFields.object(r, "body", (f, at, rr) -> {
                if (f.equals("node_id")) {
                    node[0] = rr.nextString(at);
                } else {
                    rr.skipValue();
                }
            });
        } catch (RuntimeException e) {
            throw new Failure("GET /v0/node at " + base + " did not answer a topics node: " + e.getMessage());
        }
        if (node[0] == null) {
            throw new Failure("GET /v0/node at " + base + " answered no node_id");
        }
        destNode = node[0].getBytes(StandardCharsets.UTF_8);
        destNodeId = node[0];
        return node[0];
    }

    /** Accepts records that did not come from the destination (neither {@code $node} nor {@code $origin.node}). */
    RecordFilter notFromDest() throws Failure, InterruptedException {
        String id = destNode();
        byte[] utf8 = destNode;
        return r -> !r.nodeEquals(utf8) && !(r.origin() instanceof Origin o && o.node().equals(id));
    }

    void send(List<RecordView> records, String source, String ownNode) throws Failure, InterruptedException {
        long size = 64;
        for (RecordView v : records) {
            size += v.dataLength() + 160;
        }
        JsonOut out = new JsonOut((int) Math.min(Integer.MAX_VALUE - 16, size)).beginObject().name("records").beginArray();
        for (RecordView v : records) {
            if (v.raw()) {
                // the write API takes JSON: bytes would arrive as something else, so the router stops and says so
                throw new Failure("record " + v.seq() + " of " + source + " is raw bytes (" + v.contentType()
                        + ", a Durable Streams byte stream): a router to another server copies JSON records only");
            }
        }
        for (RecordView v : records) {
            byte[] b = v.buffer();
            out.beginObject().name("data").rawValue(b, v.dataOffset(), v.dataLength());
            if (v.hasTag()) {
                out.name("tag").stringUtf8(b, v.tagOffset(), v.tagLength());
            }
            if (v.hasNode()) {
                out.name("node").stringUtf8(b, v.nodeOffset(), v.nodeLength());
            }
            Origin o = v.origin();
            if (o == null) {
                o = new Origin(ownNode, source, v.seq());
            }
            out.name("origin").beginObject().field("node", o.node()).field("topic", o.topic()).name("seq")
                    .valueUnsigned(o.seq()).endObject().endObject();
        }
        out.endArray().endObject();
        HttpResponse<byte[]> res = call(HttpRequest.newBuilder(base.resolve("v0/topics/" + topic))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.buffer(), 0, out.size())));
        if (res.statusCode() / 100 != 2) {
            throw failure("POST /v0/topics/" + topic, res);
        }
    }

    private HttpResponse<byte[]> call(HttpRequest.Builder b) throws Failure, InterruptedException {
        b.timeout(REQUEST_TIMEOUT);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new Failure(base + " unreachable: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    private Failure failure(String what, HttpResponse<byte[]> res) {
        String body = new String(res.body(), StandardCharsets.UTF_8);
        if (body.length() > 300) {
            body = body.substring(0, 300) + "…";
        }
        return new Failure(what + " at " + base + " answered " + res.statusCode() + ": " + body);
    }
}
