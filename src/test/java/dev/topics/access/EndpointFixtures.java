package dev.topics.access;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;

/**
 * The fixture of the endpoint access tests ({@link RouteRightsTest}, {@link BadCredentialsTest},
 * {@link FilteredListsAndCreationTest}): with {@code auth: required} (a subclass says so with
 * {@code @ServerTest.Setup(auth = true, memory = true)}), the callers, a fresh {@link Fx} per test,
 * the route table {@link #ROWS} (one row per route of {@link RouteRightsTest}'s table), how to call
 * a route, and the {@link #state} a refused request must leave unchanged.
 *
 * <p>Callers (principals made once for the class; share tokens made per fixture topic):
 * {@code admin} (the admin token), {@code boss} (a principal with {@code admin: true}),
 * {@code owner} (creates the fixture topics), {@code stranger} (no permission), {@code reader}
 * (allow read {@code ep.>}), {@code writer} (allow publish {@code ep.>}), {@code member} and
 * {@code member2} (allow read+publish {@code ep.>}; {@code member} creates the fixture router),
 * {@code mirrorer} (allow read+publish+mirror {@code ep.>}), {@code denied} (deny read+publish
 * {@code ep.>}), {@code share-ro|wo|rw} (share tokens of the fixture topic {@code t}).
 */
abstract class EndpointFixtures extends ServerTest {
    static final String ADMIN_TOKEN = "secret";
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final HttpClient SSE_CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** Principal name → its token. */
    static final Map<String, String> TOKENS = new HashMap<>();

    @BeforeAll
    static void callers() {
        for (String p : List.of("owner", "stranger", "reader", "writer", "member", "member2", "mirrorer", "denied")) {
            principal(p, false);
        }
        principal("boss", true);
        permission("reader", "ep.>", "[\"read\"]", "allow");
        permission("writer", "ep.>", "[\"publish\"]", "allow");
        permission("member", "ep.>", "[\"read\", \"publish\"]", "allow");
        permission("member2", "ep.>", "[\"read\", \"publish\"]", "allow");
        permission("mirrorer", "ep.>", "[\"read\", \"publish\", \"mirror\"]", "allow");
        permission("denied", "ep.>", "[\"read\", \"publish\"]", "deny");
    }

    // ------------------------------------------------------------------ helpers

    static String topic(String name) {
        return "/v0/topics/" + name;
    }

    static void principal(String name, boolean isAdmin) {
        Response r = admin.post("/v0/principals", "{\"name\": \"" + name + "\", \"admin\": " + isAdmin + "}").ok(201);
        TOKENS.put(name, r.str("token"));
    }

    static void permission(String principal, String pattern, String actions, String effect) {
        admin.post("/v0/permissions", "{\"principal\": \"" + principal + "\", \"pattern\": \"" + pattern
                + "\", \"actions\": " + actions + ", \"effect\": \"" + effect + "\"}").ok(201);
    }

    static Http as(String principal) {
        return http.withHeader("Authorization", "Bearer " + TOKENS.get(principal));
    }

    /** What one test works on: fresh topics, shares, a subscription, a router, a watch session, a principal. */
    static final class Fx {
        final int n = SEQ.incrementAndGet();
        final String t = uniqueTopic("ep.t");
        final String dest = uniqueTopic("ep.d");
        final String priv = uniqueTopic("pv.t");
        final String fresh = uniqueTopic("ep.new");
        final String freshDest = uniqueTopic("ep.nd");
        final String router = "rt-" + n;
        final String newRouter = "rn-" + n;
        final String victim = "victim-" + n;
        final String newPrincipal = "np-" + n;
        String roId;
        String roTok;
        String woId;
        String woTok;
        String rwId;
        String rwTok;
        String wid;
        String victimTok;
        String victimTokId;
        String permId;
    }

    static Fx fixture() {
        Fx fx = new Fx();
        Http owner = as("owner");
        owner.put(topic(fx.t), "{}").ok(201);
        owner.put(topic(fx.dest), "{}").ok(201);
        owner.put(topic(fx.priv), "{}").ok(201);
        owner.post(topic(fx.t), "{\"records\": [{\"data\": 1}, {\"data\": 2}]}").ok();
        owner.put(topic(fx.t) + "/subscriptions/s1", "{\"from_seq\": 0}").ok(201);
        Response ro = owner.post(topic(fx.t) + "/shares", "{\"access\": \"ro\"}").ok(201);
        fx.roId = ro.str("id");
        fx.roTok = ro.str("token");
        Response wo = owner.post(topic(fx.t) + "/shares", "{\"access\": \"wo\"}").ok(201);
        fx.woId = wo.str("id");
        fx.woTok = wo.str("token");
        Response rw = owner.post(topic(fx.t) + "/shares", "{\"access\": \"rw\"}").ok(201);
        fx.rwId = rw.str("id");
        fx.rwTok = rw.str("token");
        as("member").put("/v0/routers/" + fx.router, "{\"source\": \"" + fx.t + "\", \"dest\": \"" + fx.dest + "\"}")
                .ok(201);
        fx.wid = as("reader").post("/v0/watch", "{\"topics\": {\"" + fx.t + "\": {}}, \"heartbeat_ms\": 200}").ok(201)
                .str("wid");
        Response v = admin.post("/v0/principals", "{\"name\": \"" + fx.victim + "\"}").ok(201);
        fx.victimTok = v.str("token");
        fx.victimTokId = v.str("token_id");
        fx.permId = admin.post("/v0/permissions", "{\"principal\": \"" + fx.victim
                + "\", \"pattern\": \"zz.>\", \"actions\": [\"read\"], \"effect\": \"allow\"}").ok(201).str("id");
        return fx;
    }

    /** The credential headers of a caller, by its key (see the class comment). */
    static String[] creds(String who, Fx fx) {
        return switch (who) {
            case "anon" -> new String[0];
            case "admin" -> new String[] {"Authorization", "Bearer " + ADMIN_TOKEN};
            case "share-ro" -> new String[] {"X-Topic-Token", fx.roTok};
            case "share-wo" -> new String[] {"X-Topic-Token", fx.woTok};
            case "share-rw" -> new String[] {"X-Topic-Token", fx.rwTok};
            default -> {
                String tok = TOKENS.get(who);
                if (tok == null) {
                    throw new IllegalArgumentException("no caller " + who);
                }
                yield new String[] {"Authorization", "Bearer " + tok};
            }
        };
    }

    record Holder(String who, int status) {
    }

    static Holder ok(String who, int status) {
        return new Holder(who, status);
    }

    /** One route: how to call it, and who may. */
    record Row(String name, String method, Function<Fx, String> path, Function<Fx, String> body, boolean anonymousOk,
               boolean sse, List<String> lacking, List<Holder> holders) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Row row(String name, String method, Function<Fx, String> path, Function<Fx, String> body, List<String> lacking,
                   Holder... holders) {
        return new Row(name, method, path, body, false, false, lacking, List.of(holders));
    }

    static final List<String> NOT_OWNER = List.of("stranger", "reader", "writer", "member", "share-rw", "denied");
    static final List<String> NO_READ = List.of("stranger", "writer", "share-wo", "denied");
    static final List<String> NOT_ADMIN = List.of("owner", "stranger", "member", "share-rw", "denied");

    static final String WITH_ORIGIN = "{\"records\": [{\"data\": 3, \"origin\": {\"node\": \"far\", "
            + "\"topic\": \"far.src\", \"seq\": 1}}]}";

    static String json(String s) {
        return "\"" + s + "\"";
    }

    static final List<Row> ROWS = List.of(
            new Row("01 GET /v0/topics", "GET", fx -> "/v0/topics?prefix=ep.", fx -> null, true, false, List.of(),
                    List.of(ok("stranger", 200), ok("share-ro", 200), ok("reader", 200))),
            row("02 PUT /v0/topics/{new} (create)", "PUT", fx -> topic(fx.fresh), fx -> "{}",
                    List.of("share-rw", "denied"), ok("stranger", 201)),
            row("03 PUT /v0/topics/{t} (update)", "PUT", fx -> topic(fx.t), fx -> "{\"ttl_ms\": 5000}", NOT_OWNER,
                    ok("owner", 200), ok("admin", 200), ok("boss", 200)),
            row("04 GET /v0/topics/{t}", "GET", fx -> topic(fx.t), fx -> null, NO_READ,
                    ok("reader", 200), ok("member", 200), ok("owner", 200), ok("admin", 200), ok("boss", 200),
                    ok("share-ro", 200), ok("share-rw", 200)),
            row("05 PATCH /v0/topics/{t}", "PATCH", fx -> topic(fx.t), fx -> "{\"ttl_ms\": 5000}", NOT_OWNER,
                    ok("owner", 200), ok("admin", 200), ok("boss", 200)),
            row("06 DELETE /v0/topics/{t}", "DELETE", fx -> topic(fx.t), fx -> null, NOT_OWNER, ok("owner", 200)),
            row("06b DELETE /v0/topics/{t} by an admin principal", "DELETE", fx -> topic(fx.t), fx -> null, NOT_OWNER,
                    ok("boss", 200)),
            row("07 POST /v0/topics/{t} (write)", "POST", fx -> topic(fx.t), fx -> "{\"records\": [{\"data\": 3}]}",
                    List.of("stranger", "reader", "share-ro", "denied"),
                    ok("writer", 200), ok("member", 200), ok("share-wo", 200), ok("share-rw", 200), ok("owner", 200),
                    ok("admin", 200)),
            row("07b POST /v0/topics/{t} (write with origin)", "POST", fx -> topic(fx.t), fx -> WITH_ORIGIN,
                    List.of("stranger", "reader", "writer", "member", "share-ro", "share-wo", "share-rw", "denied"),
                    ok("mirrorer", 200), ok("owner", 200), ok("admin", 200), ok("boss", 200)),
            row("08 POST /v0/topics/{new} (write creates)", "POST", fx -> topic(fx.fresh),
                    fx -> "{\"records\": [{\"data\": 3}]}", List.of("share-rw", "denied"), ok("stranger", 200)),
            row("08b POST /v0/topics/{new} (write with origin creates)", "POST", fx -> topic(fx.fresh),
                    fx -> WITH_ORIGIN, List.of("share-rw", "denied"), ok("stranger", 200)),
            row("09 POST /v0/topics/{t}/delete", "POST", fx -> topic(fx.t) + "/delete",
                    fx -> "{\"from_seq\": 1, \"to_seq\": 1}", NOT_OWNER, ok("owner", 200), ok("admin", 200)),
            row("10 POST /v0/topics/{t}/diff", "POST", fx -> topic(fx.t) + "/diff", fx -> "{\"from_seq\": 0}", NO_READ,
                    ok("reader", 200), ok("share-ro", 200), ok("share-rw", 200), ok("owner", 200), ok("admin", 200)),
            row("11 GET /v0/topics/{t}/diff", "GET", fx -> topic(fx.t) + "/diff?from_seq=0", fx -> null, NO_READ,
                    ok("reader", 200), ok("share-ro", 200), ok("owner", 200), ok("admin", 200)),
            new Row("12 GET /v0/topics/{t}/watch (SSE)", "GET", fx -> topic(fx.t) + "/watch?heartbeat_ms=200",
                    fx -> null, false, true, NO_READ,
                    List.of(ok("reader", 200), ok("share-ro", 200), ok("owner", 200), ok("admin", 200))),
            row("13 GET /v0/topics/{t}/subscriptions", "GET", fx -> topic(fx.t) + "/subscriptions", fx -> null, NO_READ,
                    ok("reader", 200), ok("share-ro", 200), ok("owner", 200)),
            row("14 PUT /v0/topics/{t}/subscriptions/{s}", "PUT", fx -> topic(fx.t) + "/subscriptions/s2",
                    fx -> "{\"from_seq\": 1}", NO_READ, ok("reader", 201), ok("share-ro", 200)),
            row("15 GET /v0/topics/{t}/subscriptions/{s}", "GET", fx -> topic(fx.t) + "/subscriptions/s1", fx -> null,
                    NO_READ, ok("reader", 200), ok("share-ro", 200), ok("owner", 200)),
            row("16 DELETE /v0/topics/{t}/subscriptions/{s}", "DELETE", fx -> topic(fx.t) + "/subscriptions/s1",
                    fx -> null, NO_READ, ok("share-ro", 200)),
            row("17 POST /v0/topics/{t}/subscriptions/{s}/next", "POST", fx -> topic(fx.t) + "/subscriptions/s1/next",
                    fx -> "{}", NO_READ, ok("reader", 200), ok("share-ro", 200)),
            row("18 POST /v0/topics/{t}/subscriptions/{s}/ack", "POST", fx -> topic(fx.t) + "/subscriptions/s1/ack",
                    fx -> "{\"seq\": 1}", NO_READ, ok("reader", 200), ok("share-ro", 200)),
            row("19 POST /v0/topics/{t}/shares", "POST", fx -> topic(fx.t) + "/shares", fx -> "{\"access\": \"ro\"}",
                    NOT_OWNER, ok("owner", 201), ok("admin", 201), ok("boss", 201)),
            row("20 GET /v0/topics/{t}/shares", "GET", fx -> topic(fx.t) + "/shares", fx -> null, NOT_OWNER,
                    ok("owner", 200), ok("admin", 200), ok("boss", 200)),
            row("21 PATCH /v0/topics/{t}/shares/{id}", "PATCH", fx -> topic(fx.t) + "/shares/" + fx.rwId,
                    fx -> "{\"label\": \"changed\"}", NOT_OWNER, ok("owner", 200), ok("admin", 200)),
            row("22 POST /v0/topics/{t}/shares/{id}/rotate", "POST", fx -> topic(fx.t) + "/shares/" + fx.rwId + "/rotate",
                    fx -> "", NOT_OWNER, ok("owner", 200), ok("boss", 200)),
            row("23 DELETE /v0/topics/{t}/shares/{id}", "DELETE", fx -> topic(fx.t) + "/shares/" + fx.rwId, fx -> null,
                    NOT_OWNER, ok("owner", 200)),
            row("24 POST /v0/principals", "POST", fx -> "/v0/principals", fx -> "{\"name\": " + json(fx.newPrincipal) + "}",
                    NOT_ADMIN, ok("admin", 201)),
            row("25 GET /v0/principals", "GET", fx -> "/v0/principals", fx -> null, NOT_ADMIN,
                    ok("admin", 200), ok("boss", 200)),
            row("26 POST /v0/principals/{p}/tokens", "POST", fx -> "/v0/principals/" + fx.victim + "/tokens", fx -> "",
                    NOT_ADMIN, ok("boss", 201)),
            row("27 DELETE /v0/principals/{p}/tokens/{id}", "DELETE",
                    fx -> "/v0/principals/" + fx.victim + "/tokens/" + fx.victimTokId, fx -> null, NOT_ADMIN,
                    ok("admin", 200)),
            row("28 DELETE /v0/principals/{p}", "DELETE", fx -> "/v0/principals/" + fx.victim, fx -> null, NOT_ADMIN,
                    ok("boss", 200)),
            row("29 POST /v0/permissions", "POST", fx -> "/v0/permissions",
                    fx -> "{\"principal\": " + json(fx.victim) + ", \"pattern\": \"yy.*\", \"actions\": [\"publish\"], "
                            + "\"effect\": \"deny\"}", NOT_ADMIN, ok("admin", 201), ok("boss", 201)),
            row("30 GET /v0/permissions", "GET", fx -> "/v0/permissions", fx -> null, NOT_ADMIN,
                    ok("admin", 200), ok("boss", 200)),
            row("31 DELETE /v0/permissions/{id}", "DELETE", fx -> "/v0/permissions/" + fx.permId, fx -> null, NOT_ADMIN,
                    ok("admin", 200)),
            row("32 GET /v0/node", "GET", fx -> "/v0/node", fx -> null, List.of(),
                    ok("stranger", 200), ok("share-ro", 200), ok("share-wo", 200), ok("denied", 200), ok("admin", 200)),
            row("33 PUT /v0/routers/{new} (existing dest)", "PUT", fx -> "/v0/routers/" + fx.newRouter,
                    fx -> "{\"source\": " + json(fx.t) + ", \"dest\": " + json(fx.dest) + "}",
                    List.of("stranger", "reader", "writer", "share-rw", "denied"), ok("member", 201)),
            row("34 PUT /v0/routers/{new} (new dest)", "PUT", fx -> "/v0/routers/" + fx.newRouter,
                    fx -> "{\"source\": " + json(fx.t) + ", \"dest\": " + json(fx.freshDest) + "}",
                    List.of("stranger", "writer", "share-rw", "denied"), ok("reader", 201)),
            row("35 PUT /v0/routers/{r} (replace)", "PUT", fx -> "/v0/routers/" + fx.router,
                    fx -> "{\"source\": " + json(fx.t) + ", \"dest\": " + json(fx.dest) + ", \"from_seq\": 1}",
                    List.of("stranger", "reader", "writer", "member2", "share-rw", "denied"),
                    ok("member", 200), ok("owner", 200), ok("admin", 200)),
            row("36 GET /v0/routers/{r}", "GET", fx -> "/v0/routers/" + fx.router, fx -> null, NO_READ,
                    ok("reader", 200), ok("member", 200), ok("owner", 200), ok("share-ro", 200), ok("admin", 200)),
            new Row("37 GET /v0/routers", "GET", fx -> "/v0/routers", fx -> null, true, false, List.of(),
                    List.of(ok("stranger", 200), ok("reader", 200), ok("admin", 200))),
            row("38 DELETE /v0/routers/{r} by the source's owner", "DELETE", fx -> "/v0/routers/" + fx.router, fx -> null,
                    List.of("stranger", "reader", "writer", "member2", "share-rw", "denied"), ok("owner", 200)),
            row("38b DELETE /v0/routers/{r} by its creator", "DELETE", fx -> "/v0/routers/" + fx.router, fx -> null,
                    List.of("stranger", "reader", "writer", "member2", "share-rw", "denied"), ok("member", 200)),
            row("39 POST /v0/watch", "POST", fx -> "/v0/watch", fx -> "{\"topics\": {" + json(fx.t) + ": {}}}", NO_READ,
                    ok("reader", 201), ok("share-ro", 201), ok("owner", 201), ok("admin", 201)),
            row("39b POST /v0/watch naming one unreadable topic", "POST", fx -> "/v0/watch",
                    fx -> "{\"topics\": {" + json(fx.t) + ": {}, " + json(fx.priv) + ": {}}}",
                    List.of("reader", "member", "share-ro", "stranger"), ok("owner", 201), ok("boss", 201)),
            new Row("40 GET /v0/watch/{wid} (SSE)", "GET", fx -> "/v0/watch/" + fx.wid, fx -> null, true, true, List.of(),
                    List.of(ok("anon", 200), ok("stranger", 200))));

    /** Calls a route with these headers (name, value pairs). SSE routes: status and first line only. */
    static Response call(Row row, Fx fx, String... headers) {
        String path = row.path().apply(fx);
        if (row.sse()) {
            return openStream(path, headers);
        }
        String body = row.body().apply(fx);
        String[] h = headers;
        if (body != null) {
            h = Arrays.copyOf(headers, headers.length + 2);
            h[headers.length] = "Content-Type";
            h[headers.length + 1] = "application/json";
        }
        return http.send(row.method(), path,
                body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body.getBytes(StandardCharsets.UTF_8)),
                h);
    }

    /**
     * Opens an event stream; answers its status. A 200 must be {@code text/event-stream} and
     * start with {@code retry:}; the stream is then closed. An error is read whole and checked
     * against SPEC §0's shape.
     */
    static Response openStream(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(http.base() + path)).timeout(Duration.ofSeconds(30))
                .GET().header("Accept", "text/event-stream");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<InputStream> r = SSE_CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            Map<String, List<String>> h = new TreeMap<>();
            r.headers().map().forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), v));
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200) {
                    Response err = new Response("GET " + path, r.statusCode(), h, in.readAllBytes());
                    Http.assertErrorShape(err);
                    return err;
                }
                assertThat(r.headers().firstValue("content-type").orElse("")).as("GET %s", path)
                        .startsWith("text/event-stream");
                String first = readLine(in);
                assertThat(first).as("GET %s: first line of the stream", path).startsWith("retry:");
                return new Response("GET " + path, 200, h, new byte[0]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
            b.write(c);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    /** What the fixture looks like to the admin: every part a route could change. */
    static String state(Fx fx) {
        List<String> s = new ArrayList<>();
        for (String name : List.of(fx.t, fx.dest, fx.priv, fx.fresh, fx.freshDest)) {
            Response r = admin.get(topic(name));
            s.add(name + ": " + (r.status() != 200 ? r.status()
                    : r.get("owner") + " head=" + r.get("head_seq") + " earliest=" + r.get("earliest_seq") + " count="
                            + r.get("count") + " config=" + r.get("config")));
        }
        Response d = admin.get(topic(fx.t) + "/diff?from_seq=0&limit=100");
        s.add("records: " + (d.status() != 200 ? d.status() : d.get("records")));
        Response subs = admin.get(topic(fx.t) + "/subscriptions");
        s.add("subscriptions: " + (subs.status() != 200 ? subs.status()
                : subs.list("subscriptions").stream().map(o -> {
                    Map<?, ?> m = (Map<?, ?>) o;
                    return m.get("subscription") + "@" + m.get("cursor");
                }).sorted().toList()));
        Response shares = admin.get(topic(fx.t) + "/shares");
        s.add("shares: " + (shares.status() != 200 ? shares.status()
                : shares.list("shares").stream().map(o -> {
                    Map<?, ?> m = (Map<?, ?>) o;
                    return m.get("id") + "/" + m.get("access") + "/" + m.get("label") + "/" + m.get("expires_at");
                }).sorted().toList()));
        for (String tok : List.of(fx.roTok, fx.woTok, fx.rwTok)) {
            s.add("share token: " + http.get(topic(fx.t), "X-Topic-Token", tok).status());
        }
        for (String r : List.of(fx.router, fx.newRouter)) {
            Response g = admin.get("/v0/routers/" + r);
            s.add("router " + r + ": " + (g.status() != 200 ? g.status()
                    : g.get("source") + "→" + g.get("dest") + " filter=" + g.get("filter") + " cursor=" + g.get("cursor")
                            + " at " + g.get("created_at")));
        }
        s.add("principals: " + admin.get("/v0/principals").ok().list("principals").stream().map(o -> {
            Map<?, ?> m = (Map<?, ?>) o;
            List<String> ids = ((List<?>) m.get("tokens")).stream().map(t -> String.valueOf(((Map<?, ?>) t).get("id")))
                    .sorted().toList();
            return m.get("name") + "(admin=" + m.get("admin") + ")" + ids;
        }).sorted().toList());
        s.add("permissions: " + admin.get("/v0/permissions").ok().list("permissions").stream().map(o -> {
            Map<?, ?> m = (Map<?, ?>) o;
            return m.get("id") + ":" + m.get("principal") + ":" + m.get("pattern") + ":" + m.get("actions") + ":"
                    + m.get("effect");
        }).sorted().toList());
        s.add("victim token: " + http.get("/v0/node", "Authorization", "Bearer " + fx.victimTok).status());
        return String.join("\n", s);
    }
}
