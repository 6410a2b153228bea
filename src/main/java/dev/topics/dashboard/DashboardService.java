package dev.topics.dashboard;

import dev.topics.http.Responses;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * SPEC §15: the dashboard, a single page served from the jar. {@code GET /} is the page;
 * {@code GET /dashboard/{file}} serves its assets (the page, its stylesheet and its ES
 * modules: app.js imports the others). Only the files of a fixed allow-list
 * are served (a name is never turned into a path), so nothing outside the dashboard folder
 * can be reached; anything else is SPEC §0's 404. The files are read once at start and
 * sent with a strong ETag and {@code Cache-Control: no-cache} (revalidated every load, a
 * 304 when unchanged). The page needs no credentials: it asks for a token and sends it on
 * its own API calls.
 */
public final class DashboardService implements HttpService {
    private static final String FOLDER = "/dashboard/";
    /** The allow-list: file name → content type. */
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "api.js", "text/javascript; charset=utf-8",
            "dom.js", "text/javascript; charset=utf-8",
            "records.js", "text/javascript; charset=utf-8",
            "panels.js", "text/javascript; charset=utf-8",
            "charts.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8");
    /** Only our own files, no inline script; API calls and streams to this origin only. */
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private record Asset(byte[] bytes, String contentType, String etag) {
    }

    private final Map<String, Asset> assets;

    public DashboardService() {
        Map<String, Asset> loaded = new HashMap<>();
        FILES.forEach((name, type) -> {
            byte[] bytes = load(name);
            loaded.put(name, new Asset(bytes, type, etag(bytes)));
        });
        this.assets = Map.copyOf(loaded);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", (req, res) -> send(req, res, "index.html"))
                .head("/", (req, res) -> send(req, res, "index.html"))
                .get("/dashboard/{file}", (req, res) -> send(req, res, req.path().pathParameters().get("file")))
                .head("/dashboard/{file}", (req, res) -> send(req, res, req.path().pathParameters().get("file")));
    }

    private void send(ServerRequest req, ServerResponse res, String file) {
        Asset a = file == null ? null : assets.get(file);
        if (a == null) {
            // never echo the raw name back beyond a short, safe form
            Responses.error(res, 404, "not_found", "no dashboard file named " + safe(file));
            return;
        }
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(HeaderNames.ETAG, a.etag());
        res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        if (a.contentType().startsWith("text/html")) {
            res.header(HeaderNames.create("Content-Security-Policy"), CSP);
            res.header(HeaderNames.create("X-Frame-Options"), "DENY");
        }
        String inm = req.headers().first(HeaderNames.IF_NONE_MATCH).orElse(null);
        if (inm != null && matches(inm, a.etag())) {
            res.status(Status.NOT_MODIFIED_304);
            res.send();
            return;
        }
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, a.contentType());
        if (req.prologue().method().text().equals("HEAD")) {
            res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(a.bytes().length));
            res.send();
            return;
        }
        res.send(a.bytes());
    }

    private static boolean matches(String ifNoneMatch, String etag) {
        for (String part : ifNoneMatch.split(",")) {
            String t = part.strip();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals("*") || t.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private static String safe(String name) {
        if (name == null) {
            return "\"\"";
        }
        String s = name.length() > 64 ? name.substring(0, 64) + "…" : name;
        return "\"" + s.replaceAll("[^A-Za-z0-9._-]", "?") + "\"";
    }

    private static byte[] load(String name) {
        try (InputStream in = DashboardService.class.getResourceAsStream(FOLDER + name)) {
            if (in == null) {
                throw new IllegalStateException("dashboard resource missing from the build: " + FOLDER + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(d, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
