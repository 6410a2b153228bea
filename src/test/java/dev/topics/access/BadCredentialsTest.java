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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §11 (with §0), black box, route by route: with {@code auth: required}, every route
 * answers 401 to a bad credential of any shape (never an anonymous fallback), and changes
 * nothing when it refuses. The callers are {@link EndpointFixtures}'s; the bad credentials
 * include tokens that once were valid (the graveyard, made once for the class).
 */
@Timeout(600)
@ServerTest.Setup(auth = true, memory = true)
class BadCredentialsTest extends EndpointFixtures {
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
