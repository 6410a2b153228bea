package dev.topics.access;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §11 (with §0, §2, §5, §9, §10), black box, route by route: with {@code auth: required},
 * every route refuses a caller without credentials (401 {@code unauthorized}) unless it is
 * documented as anonymous, refuses a valid caller lacking the right (403 {@code forbidden}),
 * admits the callers that hold it (2xx), answers 401 to a bad credential of any shape (never
 * an anonymous fallback), and changes nothing when it refuses.
 *
 * <p>Callers (principals made once for the class; share tokens made per fixture topic):
 * {@code admin} (the admin token), {@code boss} (a principal with {@code admin: true}),
 * {@code owner} (creates the fixture topics), {@code stranger} (no permission), {@code reader}
 * (allow read {@code ep.>}), {@code writer} (allow publish {@code ep.>}), {@code member} and
 * {@code member2} (allow read+publish {@code ep.>}; {@code member} creates the fixture router),
 * {@code mirrorer} (allow read+publish+mirror {@code ep.>}), {@code denied} (deny read+publish
 * {@code ep.>}), {@code share-ro|wo|rw} (share tokens of the fixture topic {@code t}).
 *
 * <pre>
 * | #  | route                                        | right needed                                  | anonymous      |
 * |----|----------------------------------------------|-----------------------------------------------|----------------|
 * | 1  | GET    /v0/topics                            | none (lists readable topics only)             | 200, filtered  |
 * | 2  | PUT    /v0/topics/{new}                      | create: any authenticated principal           | 401            |
 * | 3  | PUT    /v0/topics/{t} (exists)               | owner or admin                                | 401            |
 * | 4  | GET    /v0/topics/{t}                        | read                                          | 401            |
 * | 5  | PATCH  /v0/topics/{t}                        | owner or admin                                | 401            |
 * | 6  | DELETE /v0/topics/{t}                        | owner or admin                                | 401            |
 * | 7  | POST   /v0/topics/{t}           (write)      | publish                                       | 401            |
 * | 7b | POST   /v0/topics/{t} (write with origin)    | publish + mirror                              | 401            |
 * | 8  | POST   /v0/topics/{new}         (write)      | create: any authenticated principal           | 401            |
 * | 8b | POST   /v0/topics/{new} (write with origin)  | create: any principal (it will own the topic) | 401            |
 * | 9  | POST   /v0/topics/{t}/delete                 | owner or admin                                | 401            |
 * | 10 | POST   /v0/topics/{t}/diff                   | read                                          | 401            |
 * | 11 | GET    /v0/topics/{t}/diff                   | read                                          | 401            |
 * | 12 | GET    /v0/topics/{t}/watch      (SSE)       | read                                          | 401            |
 * | 13 | GET    /v0/topics/{t}/subscriptions          | read                                          | 401            |
 * | 14 | PUT    /v0/topics/{t}/subscriptions/{s}      | read                                          | 401            |
 * | 15 | GET    /v0/topics/{t}/subscriptions/{s}      | read                                          | 401            |
 * | 16 | DELETE /v0/topics/{t}/subscriptions/{s}      | read                                          | 401            |
 * | 17 | POST   /v0/topics/{t}/subscriptions/{s}/next | read                                          | 401            |
 * | 18 | POST   /v0/topics/{t}/subscriptions/{s}/ack  | read                                          | 401            |
 * | 19 | POST   /v0/topics/{t}/shares                 | owner or admin                                | 401            |
 * | 20 | GET    /v0/topics/{t}/shares                 | owner or admin                                | 401            |
 * | 21 | PATCH  /v0/topics/{t}/shares/{id}            | owner or admin                                | 401            |
 * | 22 | POST   /v0/topics/{t}/shares/{id}/rotate     | owner or admin                                | 401            |
 * | 23 | DELETE /v0/topics/{t}/shares/{id}            | owner or admin                                | 401            |
 * | 24 | POST   /v0/principals                        | admin                                         | 401            |
 * | 25 | GET    /v0/principals                        | admin                                         | 401            |
 * | 26 | POST   /v0/principals/{p}/tokens             | admin                                         | 401            |
 * | 27 | DELETE /v0/principals/{p}/tokens/{id}        | admin                                         | 401            |
 * | 28 | DELETE /v0/principals/{p}                    | admin                                         | 401            |
 * | 29 | POST   /v0/permissions                       | admin                                         | 401            |
 * | 30 | GET    /v0/permissions                       | admin                                         | 401            |
 * | 31 | DELETE /v0/permissions/{id}                  | admin                                         | 401            |
 * | 32 | GET    /v0/node                              | any valid credential                          | 401            |
 * | 33 | PUT    /v0/routers/{new} (existing dest)     | read on source + publish on dest              | 401            |
 * | 34 | PUT    /v0/routers/{new} (new dest)          | read on source + create right                 | 401            |
 * | 35 | PUT    /v0/routers/{r} (replace)             | read+publish, and admin, creator or src owner | 401            |
 * | 36 | GET    /v0/routers/{r}                       | read on source                                | 401            |
 * | 37 | GET    /v0/routers                           | none (routers whose source is readable)       | 200, filtered  |
 * | 38 | DELETE /v0/routers/{r}                       | admin, creator or source owner                | 401            |
 * | 39 | POST   /v0/watch                             | read on every topic named                     | 401            |
 * | 40 | GET    /v0/watch/{wid}           (SSE)       | none: the wid is the capability               | 200 (stream)   |
 * </pre>
 */
@Timeout(600)
@ServerTest.Setup(auth = true, memory = true)
class EndpointAccessTest extends ServerTest {
    static final String ADMIN_TOKEN = "secret";
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final HttpClient SSE_CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** Principal name → its token. */
    static final Map<String, String> TOKENS = new HashMap<>();

    // tokens that once were valid, or look like valid ones (the graveyard)
    static String ghostToken;          // a deleted principal's token
    static String revokedPrincipalToken; // a principal's token deleted by id (the principal lives on)
    static String deletedTopicShare;   // a share token of a topic since deleted
    static String rotatedShare;        // a share token replaced by a rotation
    static String revokedShare;        // a revoked share token
    static String expiredShare;        // a share token past its expires_at
    static String liveShare;           // a valid rw share token of another topic

    @BeforeAll
    static void graveyard() {
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

        ghostToken = admin.post("/v0/principals", "{\"name\": \"ghost\"}").ok(201).str("token");
        admin.delete("/v0/principals/ghost").ok();
        Response rotor = admin.post("/v0/principals", "{\"name\": \"rotor\"}").ok(201);
        revokedPrincipalToken = rotor.str("token");
        admin.post("/v0/principals/rotor/tokens", "").ok(201);
        admin.delete("/v0/principals/rotor/tokens/" + rotor.str("token_id")).ok();

        Http owner = as("owner");
        String gone = uniqueTopic("ep.gone");
        owner.put(topic(gone), "{}").ok(201);
        deletedTopicShare = owner.post(topic(gone) + "/shares", "{\"access\": \"rw\"}").ok(201).str("token");
        owner.delete(topic(gone)).ok();
        String keep = uniqueTopic("ep.keep");
        owner.put(topic(keep), "{}").ok(201);
        Response rot = owner.post(topic(keep) + "/shares", "{\"access\": \"rw\"}").ok(201);
        rotatedShare = rot.str("token");
        owner.post(topic(keep) + "/shares/" + rot.str("id") + "/rotate", "").ok();
        Response rev = owner.post(topic(keep) + "/shares", "{\"access\": \"rw\"}").ok(201);
        revokedShare = rev.str("token");
        owner.delete(topic(keep) + "/shares/" + rev.str("id")).ok();
        liveShare = owner.post(topic(keep) + "/shares", "{\"access\": \"rw\"}").ok(201).str("token");
        String soon = Instant.ofEpochMilli(System.currentTimeMillis() + 1_000).toString();
        expiredShare = owner.post(topic(keep) + "/shares", "{\"access\": \"rw\", \"expires_at\": \"" + soon + "\"}")
                .ok(201).str("token");
        Await.until("the share token expires", Duration.ofSeconds(20),
                () -> http.get(topic(keep), "X-Topic-Token", expiredShare).status() == 401);
        // the graveyard really is dead, and its living neighbours really live
        http.get("/v0/node", "Authorization", "Bearer " + ghostToken).assertError(401, "unauthorized");
        http.get("/v0/node", "Authorization", "Bearer " + revokedPrincipalToken).assertError(401, "unauthorized");
        http.get(topic(keep), "X-Topic-Token", liveShare).ok();
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

    static Stream<Row> rows() {
        return ROWS.stream();
    }

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

    // ------------------------------------------------------------------ every route, every caller

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void eachRouteRefusesCallersWithoutTheRightAndAdmitsThoseWithIt(Row row) {
        Fx fx = fixture();
        String before = state(fx);

        Response a = call(row, fx);
        if (row.anonymousOk()) {
            assertThat(a.status()).as("%s without credentials (a documented anonymous route): %s", row, a).isEqualTo(200);
        } else {
            a.assertError(401, "unauthorized");
        }
        for (String who : row.lacking()) {
            Response r = call(row, fx, creds(who, fx));
            assertThat(r.status()).as("%s as %s (lacks the right): %s", row, who, r).isEqualTo(403);
            r.assertError(403, "forbidden");
        }
        assertThat(state(fx)).as("%s: refused requests change nothing", row).isEqualTo(before);

        for (Holder h : row.holders()) {
            Response r = call(row, fx, creds(h.who(), fx));
            assertThat(r.status()).as("%s as %s (holds the right): %s", row, h.who(), r).isEqualTo(h.status());
        }
    }

    @Test
    void theTableCoversEveryRoute() {
        // the table has a row for each route of SPEC §2, §3, §4, §5, §6, §9, §10, §11 and /v0/node
        List<String> routes = ROWS.stream().map(r -> r.method() + " " + r.name().replaceAll("^[0-9b]+ [A-Z]+ ", "")
                .replaceAll(" .*", "")).distinct().toList();
        assertThat(routes).contains("GET /v0/topics", "PUT /v0/topics/{new}", "PUT /v0/topics/{t}",
                "GET /v0/topics/{t}", "PATCH /v0/topics/{t}", "DELETE /v0/topics/{t}", "POST /v0/topics/{t}",
                "POST /v0/topics/{new}", "POST /v0/topics/{t}/delete", "POST /v0/topics/{t}/diff",
                "GET /v0/topics/{t}/diff", "GET /v0/topics/{t}/watch", "GET /v0/topics/{t}/subscriptions",
                "PUT /v0/topics/{t}/subscriptions/{s}", "GET /v0/topics/{t}/subscriptions/{s}",
                "DELETE /v0/topics/{t}/subscriptions/{s}", "POST /v0/topics/{t}/subscriptions/{s}/next",
                "POST /v0/topics/{t}/subscriptions/{s}/ack", "POST /v0/topics/{t}/shares", "GET /v0/topics/{t}/shares",
                "PATCH /v0/topics/{t}/shares/{id}", "POST /v0/topics/{t}/shares/{id}/rotate",
                "DELETE /v0/topics/{t}/shares/{id}", "POST /v0/principals", "GET /v0/principals",
                "POST /v0/principals/{p}/tokens", "DELETE /v0/principals/{p}/tokens/{id}", "DELETE /v0/principals/{p}",
                "POST /v0/permissions", "GET /v0/permissions", "DELETE /v0/permissions/{id}", "GET /v0/node",
                "PUT /v0/routers/{new}", "PUT /v0/routers/{r}", "GET /v0/routers/{r}", "GET /v0/routers",
                "DELETE /v0/routers/{r}", "POST /v0/watch", "GET /v0/watch/{wid}");
    }

    // ------------------------------------------------------------------ effects of the admitted calls

    @Test
    void aTopicCreatedByAnyPrincipalIsOwnedByItAndItsOwnerManagesIt() {
        Fx fx = new Fx();
        as("stranger").put(topic(fx.fresh), "{}").ok(201);
        assertThat(admin.get(topic(fx.fresh)).ok().str("owner")).isEqualTo("stranger");
        as("stranger").patch(topic(fx.fresh), "{\"ttl_ms\": 7}").ok();
        as("stranger").post(topic(fx.fresh) + "/shares", "{\"access\": \"ro\"}").ok(201);
        as("reader").patch(topic(fx.fresh), "{\"ttl_ms\": 8}").assertError(403, "forbidden");
        assertThat(admin.get(topic(fx.fresh)).ok().num("config.ttl_ms")).isEqualTo(7);

        // first write creates, owned by the writer
        as("writer").post(topic(fx.freshDest), "{\"records\": [{\"data\": 1}]}").ok();
        assertThat(admin.get(topic(fx.freshDest)).ok().str("owner")).isEqualTo("writer");
        as("writer").delete(topic(fx.freshDest)).ok();
    }

    @Test
    void theTopicListShowsEachCallerOnlyWhatItCanRead() {
        Fx fx = fixture();
        String pub = uniqueTopic("ep.pub");
        as("owner").put(topic(pub), "{\"public_read\": true}").ok(201);
        Map<String, List<String>> seen = new HashMap<>();
        for (String who : List.of("anon", "stranger", "reader", "writer", "denied", "share-ro", "share-wo", "owner",
                "admin")) {
            List<String> names = new ArrayList<>();
            for (String name : List.of(pub, fx.t, fx.dest, fx.priv)) {
                // each name is its own prefix: the answer holds it exactly when the caller may read it
                names.addAll(http.send("GET", "/v0/topics?prefix=" + name, BodyPublishers.noBody(), creds(who, fx)).ok()
                        .list("topics").stream().map(o -> String.valueOf(((Map<?, ?>) o).get("topic")))
                        .filter(name::equals).toList());
            }
            seen.put(who, names);
        }
        assertThat(seen.get("anon")).as("anonymous").contains(pub).doesNotContain(fx.t, fx.dest, fx.priv);
        assertThat(seen.get("stranger")).as("stranger").contains(pub).doesNotContain(fx.t, fx.dest, fx.priv);
        assertThat(seen.get("writer")).as("writer (publish only)").contains(pub).doesNotContain(fx.t, fx.dest, fx.priv);
        assertThat(seen.get("reader")).as("reader").contains(pub, fx.t, fx.dest).doesNotContain(fx.priv);
        assertThat(seen.get("denied")).as("denied (deny beats public_read)").doesNotContain(pub, fx.t, fx.dest, fx.priv);
        assertThat(seen.get("share-ro")).as("ro share of t").contains(pub, fx.t).doesNotContain(fx.dest, fx.priv);
        assertThat(seen.get("share-wo")).as("wo share of t").contains(pub).doesNotContain(fx.t, fx.dest, fx.priv);
        assertThat(seen.get("owner")).as("owner").contains(pub, fx.t, fx.dest, fx.priv);
        assertThat(seen.get("admin")).as("admin").contains(pub, fx.t, fx.dest, fx.priv);
    }

    @Test
    void theRouterListShowsOnlyRoutersWhoseSourceTheCallerCanRead() {
        Fx fx = fixture();
        String pub = uniqueTopic("ep.pubsrc");
        as("owner").put(topic(pub), "{\"public_read\": true}").ok(201);
        String pubRouter = "rpub-" + fx.n;
        as("owner").put("/v0/routers/" + pubRouter, "{\"source\": " + json(pub) + ", \"dest\": " + json(fx.priv) + "}")
                .ok(201);
        String privRouter = "rpriv-" + fx.n;
        as("owner").put("/v0/routers/" + privRouter, "{\"source\": " + json(fx.priv) + ", \"dest\": " + json(fx.dest)
                + "}").ok(201);
        Map<String, List<String>> seen = new HashMap<>();
        for (String who : List.of("anon", "stranger", "reader", "share-ro", "denied", "owner", "admin")) {
            seen.put(who, http.send("GET", "/v0/routers", BodyPublishers.noBody(), creds(who, fx)).ok().list("routers")
                    .stream().map(o -> String.valueOf(((Map<?, ?>) o).get("router"))).toList());
        }
        assertThat(seen.get("anon")).contains(pubRouter).doesNotContain(fx.router, privRouter);
        assertThat(seen.get("stranger")).contains(pubRouter).doesNotContain(fx.router, privRouter);
        assertThat(seen.get("reader")).contains(pubRouter, fx.router).doesNotContain(privRouter);
        assertThat(seen.get("share-ro")).contains(pubRouter, fx.router).doesNotContain(privRouter);
        assertThat(seen.get("denied")).doesNotContain(pubRouter, fx.router, privRouter);
        assertThat(seen.get("owner")).contains(pubRouter, fx.router, privRouter);
        assertThat(seen.get("admin")).contains(pubRouter, fx.router, privRouter);
        // a router the caller cannot see is refused, not described
        as("stranger").get("/v0/routers/" + privRouter).assertError(403, "forbidden");
        http.get("/v0/routers/" + privRouter).assertError(401, "unauthorized");
        http.get("/v0/routers/no-such-router").assertError(401, "unauthorized");
    }

    @Test
    void aRefusedCreationLeavesNoTopicBehind() {
        Fx fx = new Fx();
        http.put(topic(fx.fresh), "{}").assertError(401, "unauthorized");
        http.post(topic(fx.fresh), "{\"records\": [{\"data\": 1}]}").assertError(401, "unauthorized");
        as("denied").post(topic(fx.fresh), "{\"records\": [{\"data\": 1}]}").assertError(403, "forbidden");
        http.withHeader("Authorization", "Bearer nope").post(topic(fx.fresh), "{\"records\": [{\"data\": 1}]}")
                .assertError(401, "unauthorized");
        admin.get(topic(fx.fresh)).assertError(404, "topic_not_found");
    }

    // ------------------------------------------------------------------ bad credentials

    /** The headers of one shape of bad credential. */
    static String[] garbage(String kind, Fx fx) {
        String owner = TOKENS.get("owner");
        String auth = "Authorization";
        String tt = "X-Topic-Token";
        return switch (kind) {
            case "Bearer <empty>" -> new String[] {auth, "Bearer "};
            case "Bearer" -> new String[] {auth, "Bearer"};
            case "Bearer x" -> new String[] {auth, "Bearer x"};
            case "Bearer <admin>x" -> new String[] {auth, "Bearer " + ADMIN_TOKEN + "x"};
            case "Bearer <admin minus a char>" -> new String[] {auth, "Bearer " + ADMIN_TOKEN.substring(1)};
            case "Bearer <ADMIN upper case>" -> new String[] {auth, "Bearer " + ADMIN_TOKEN.toUpperCase(Locale.ROOT)};
            case "Bearer <principal>x" -> new String[] {auth, "Bearer " + owner + "x"};
            case "Bearer <principal> junk" -> new String[] {auth, "Bearer " + owner + " junk"};
            case "Bearer <principal>;" -> new String[] {auth, "Bearer " + owner + ";"};
            case "Bearer <principal minus its last char>" ->
                    new String[] {auth, "Bearer " + owner.substring(0, owner.length() - 1)};
            case "Bearer <principal>,Bearer <principal>" -> new String[] {auth, "Bearer " + owner + ",Bearer " + owner};
            case "Basic owner:<principal>" -> new String[] {auth, "Basic " + Base64.getEncoder().encodeToString(
                    ("owner:" + owner).getBytes(StandardCharsets.UTF_8))};
            case "Basic admin:<admin>" -> new String[] {auth, "Basic " + Base64.getEncoder().encodeToString(
                    ("admin:" + ADMIN_TOKEN).getBytes(StandardCharsets.UTF_8))};
            case "Token <admin>" -> new String[] {auth, "Token " + ADMIN_TOKEN};
            case "<admin> without a scheme" -> new String[] {auth, ADMIN_TOKEN};
            case "<principal> without a scheme" -> new String[] {auth, owner};
            case "Bearer <share token>" -> new String[] {auth, "Bearer " + fx.rwTok};
            case "X-Topic-Token <principal token>" -> new String[] {tt, owner};
            case "X-Topic-Token <admin token>" -> new String[] {tt, ADMIN_TOKEN};
            case "X-Topic-Token <empty>" -> new String[] {tt, ""};
            case "X-Topic-Token tk_x" -> new String[] {tt, "tk_x"};
            case "X-Topic-Token <share>x" -> new String[] {tt, fx.rwTok + "x"};
            case "X-Topic-Token Bearer <share>" -> new String[] {tt, "Bearer " + fx.rwTok};
            case "Bearer <deleted principal>" -> new String[] {auth, "Bearer " + ghostToken};
            case "Bearer <revoked principal token>" -> new String[] {auth, "Bearer " + revokedPrincipalToken};
            case "X-Topic-Token <share of a deleted topic>" -> new String[] {tt, deletedTopicShare};
            case "X-Topic-Token <rotated-away share>" -> new String[] {tt, rotatedShare};
            case "X-Topic-Token <revoked share>" -> new String[] {tt, revokedShare};
            case "X-Topic-Token <expired share>" -> new String[] {tt, expiredShare};
            case "Bearer <4 KiB>" -> new String[] {auth, "Bearer " + "A".repeat(4096)};
            case "X-Topic-Token <4 KiB>" -> new String[] {tt, "tk_" + "A".repeat(4096)};
            case "Bearer <Latin-1 non-ASCII>" -> new String[] {auth, "Bearer s\u00e9cr\u00eat"};
            case "X-Topic-Token <Latin-1 non-ASCII>" -> new String[] {tt, "tk_\u00fc\u00df"};
            case "admin Bearer + bad X-Topic-Token" -> new String[] {auth, "Bearer " + ADMIN_TOKEN, tt, "tk_nope"};
            case "admin Bearer + revoked share" -> new String[] {auth, "Bearer " + ADMIN_TOKEN, tt, revokedShare};
            case "bad Bearer + valid share" -> new String[] {auth, "Bearer nope", tt, fx.rwTok};
            case "principal Bearer + share of a deleted topic" ->
                    new String[] {auth, "Bearer " + owner, tt, deletedTopicShare};
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Bearer <empty>", "Bearer", "Bearer x", "Bearer <admin>x", "Bearer <admin minus a char>",
            "Bearer <ADMIN upper case>", "Bearer <principal>x", "Bearer <principal> junk", "Bearer <principal>;",
            "Bearer <principal minus its last char>", "Bearer <principal>,Bearer <principal>", "Basic owner:<principal>",
            "Basic admin:<admin>", "Token <admin>", "<admin> without a scheme", "<principal> without a scheme",
            "Bearer <share token>", "X-Topic-Token <principal token>", "X-Topic-Token <admin token>",
            "X-Topic-Token <empty>", "X-Topic-Token tk_x", "X-Topic-Token <share>x", "X-Topic-Token Bearer <share>",
            "Bearer <deleted principal>", "Bearer <revoked principal token>", "X-Topic-Token <share of a deleted topic>",
            "X-Topic-Token <rotated-away share>", "X-Topic-Token <revoked share>", "X-Topic-Token <expired share>",
            "Bearer <4 KiB>", "X-Topic-Token <4 KiB>", "Bearer <Latin-1 non-ASCII>", "X-Topic-Token <Latin-1 non-ASCII>",
            "admin Bearer + bad X-Topic-Token", "admin Bearer + revoked share", "bad Bearer + valid share",
            "principal Bearer + share of a deleted topic"})
    void aBadCredentialIs401OnEveryRouteAndChangesNothing(String kind) {
        Fx fx = fixture();
        String before = state(fx);
        String[] headers = garbage(kind, fx);
        List<String> wrong = new ArrayList<>();
        for (Row row : ROWS) {
            if (row.name().contains("/v0/watch/{wid}")) {
                continue; // takes no credentials at all: see aBadCredentialOnAWatchSessionStreamIs401
            }
            Response r = call(row, fx, headers);
            if (r.status() != 401 || !"unauthorized".equals(r.get("error.code"))) {
                wrong.add(row.name() + " -> " + r.status() + " " + r.text());
            }
        }
        assertThat(wrong).as("routes that did not answer 401 unauthorized to %s", kind).isEmpty();
        assertThat(state(fx)).as("refused requests change nothing").isEqualTo(before);
    }

    /** Raw UTF-8 bytes in a credential header (java.net.http refuses to send them). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Authorization: Bearer t\u00f6k\u20ac\uD83D\uDD11", "X-Topic-Token: tk_\u00fc\u20ac",
            "Authorization: Bearer secret\u00a0", "Authorization: \u00dfearer secret"})
    void aCredentialWithUtf8BytesIs401OnEveryRoute(String headerLine) {
        Fx fx = fixture();
        String before = state(fx);
        List<String> wrong = new ArrayList<>();
        for (Row row : ROWS) {
            if (row.name().contains("/v0/watch/{wid}")) {
                continue;
            }
            Response r = raw(row, fx, headerLine);
            if (r.status() != 401 || !"unauthorized".equals(r.get("error.code"))) {
                wrong.add(row.name() + " -> " + r.status() + " " + r.text());
            }
        }
        assertThat(wrong).as("routes that did not answer 401 unauthorized to %s", headerLine).isEmpty();
        assertThat(state(fx)).as("refused requests change nothing").isEqualTo(before);
    }

    /**
     * SPEC §11: "a bad token is 401" — on every route but {@code /healthz} and {@code /readyz}
     * (§0). {@code GET /v0/watch/{wid}} needs no credential (the wid is the capability), but a
     * request that does present one presents a bad one here.
     */
    @Test
    void aBadCredentialOnAWatchSessionStreamIs401() {
        Fx fx = fixture();
        openStream("/v0/watch/" + fx.wid).expect(200);
        for (String kind : List.of("Bearer x", "Bearer <deleted principal>", "X-Topic-Token <revoked share>")) {
            Response r = openStream("/v0/watch/" + fx.wid, garbage(kind, fx));
            assertThat(r.status()).as("GET /v0/watch/{wid} with %s: %s", kind, r).isEqualTo(401);
            r.assertError(401, "unauthorized");
        }
    }

    @Test
    void aValidCredentialOnAWatchSessionStreamChangesNothingAndAnUnknownWidIs404() {
        Fx fx = fixture();
        openStream("/v0/watch/" + fx.wid, creds("stranger", fx)).expect(200);
        openStream("/v0/watch/" + fx.wid, creds("share-wo", fx)).expect(200);
        openStream("/v0/watch/wid_AAAAAAAAAAAAAAAAAAAAAA").assertError(404, "watch_not_found");
    }

    /** One request written to a socket, with {@code headerLine} as UTF-8 bytes. */
    static Response raw(Row row, Fx fx, String headerLine) {
        String path = row.path().apply(fx);
        String body = row.sse() ? null : row.body().apply(fx);
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        URI u = http.base();
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        String head = row.method() + " " + path + " HTTP/1.1\r\nHost: " + u.getHost() + ":" + u.getPort()
                + "\r\nConnection: close\r\n" + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: "
                + b.length + "\r\n");
        req.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        req.writeBytes(headerLine.getBytes(StandardCharsets.UTF_8));
        req.writeBytes("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        req.writeBytes(b);
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(req.toByteArray());
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int c = in.read();
                if (c < 0) {
                    throw new AssertionError(row + ": connection closed before a response head: " + headBytes);
                }
                headBytes.write(c);
                matched = (c == "\r\n\r\n".charAt(matched)) ? matched + 1 : (c == '\r' ? 1 : 0);
            }
            String[] lines = headBytes.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, List<String>> h = new TreeMap<>();
            for (int i = 1; i < lines.length; i++) {
                int c = lines[i].indexOf(':');
                if (c > 0) {
                    h.computeIfAbsent(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                            .add(lines[i].substring(c + 1).trim());
                }
            }
            byte[] rest = new byte[0];
            if (h.containsKey("content-length")) {
                rest = in.readNBytes(Integer.parseInt(h.get("content-length").get(0)));
            } else if (status != 200) {
                rest = in.readAllBytes();
            }
            Response r = new Response(row.method() + " " + path, status, h, rest);
            if (status >= 400) {
                Http.assertErrorShape(r);
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(row.toString(), e);
        }
    }
}
