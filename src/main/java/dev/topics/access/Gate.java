package dev.topics.access;

import dev.topics.config.AuthMode;
import dev.topics.http.ApiError;
import dev.topics.http.JsonFields;
import dev.topics.http.StorageRef;
import dev.topics.json.JsonOut;
import dev.topics.json.JsonReader;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.Storage;
import dev.topics.storage.StorageException;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicInfo;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The one gate every handler passes (SPEC §11): it authenticates a request into a
 * {@link Caller} and decides, with the {@link Policy}, what that caller may do.
 *
 * <p>Modes: in dev mode ({@code auth: auto} on a loopback bind) and with
 * {@code disabled}, every caller acts as admin. When auth is required,
 * {@code Authorization: Bearer} carries the admin token or a principal's token, and
 * {@code X-Topic-Token} a topic share token; a request may carry neither (anonymous: public
 * topics only). A token that is not valid is 401 — never a fallback to anonymous. Failed
 * attempts are throttled: past {@code auth.failures_per_minute} in a minute from one client
 * address (IPv6: one /64), or {@code auth.failures_per_minute_total} from all addresses
 * together, a failed attempt is 429 instead of 401 until the minute is over. A valid
 * credential is never refused by the throttle (see docs/DECISIONS.md, "HTTP hardening").
 *
 * <p>Tokens are kept and compared as SHA-256 hashes ({@link MessageDigest#isEqual}, constant
 * time). When auth is required and no admin token is configured, one is generated on first
 * start, printed once, and only its hash kept ({@code admin_token.sha256} in the data dir).
 */
public final class Gate {
    private static final Logger LOG = Logger.getLogger(Gate.class.getName());
    private static final String HASH_FILE = "admin_token.sha256";
    private static final HeaderName TOPIC_TOKEN = HeaderNames.create("X-Topic-Token");
    static final SecureRandom RANDOM = new SecureRandom();

    private final boolean required;
    private final String effective;
    private final byte[] adminHash;
    private final int failuresPerMinute;
    private final int failuresPerMinuteTotal;
    /** Per throttle key (address or IPv6 /64): {window start ms, failures in it}. */
    private final ConcurrentHashMap<String, long[]> failures = new ConcurrentHashMap<>();
    /** Over all addresses: {window start ms, failures in it}; guarded by itself. */
    private final long[] allFailures = {0, 0};
    private volatile Directory directory = Directory.EMPTY;
    /** The engine the directory was loaded from (null until recovery is done). */
    private volatile Storage loadedFrom;
    private volatile StorageRef ref = new StorageRef();
    private volatile TopicConfig defaults = TopicConfig.DEFAULTS;

    private Gate(boolean required, String effective, byte[] adminHash, int failuresPerMinute,
                 int failuresPerMinuteTotal) {
        this.required = required;
        this.effective = effective;
        this.adminHash = adminHash;
        this.failuresPerMinute = failuresPerMinute;
        this.failuresPerMinuteTotal = failuresPerMinuteTotal;
    }

    public static Gate create(AuthMode mode, String bind, String adminToken, Path dataDir) throws IOException {
        return create(mode, bind, adminToken, dataDir, 20);
    }

    public static Gate create(AuthMode mode, String bind, String adminToken, Path dataDir, int failuresPerMinute)
            throws IOException {
        return create(mode, bind, adminToken, dataDir, failuresPerMinute, 1000);
    }

    public static Gate create(AuthMode mode, String bind, String adminToken, Path dataDir, int failuresPerMinute,
                              int failuresPerMinuteTotal) throws IOException {
        boolean loopback = isLoopback(bind);
        boolean required = mode == AuthMode.REQUIRED || (mode == AuthMode.AUTO && !loopback);
        if (mode == AuthMode.DISABLED && !loopback) {
            LOG.warning("auth is disabled on a non-loopback bind (" + bind + "): anyone who can reach it acts as admin");
        }
        if (!required) {
            return new Gate(false, mode == AuthMode.DISABLED ? "disabled" : "dev", null, failuresPerMinute,
                    failuresPerMinuteTotal);
        }
        byte[] hash;
        if (adminToken != null) {
            if (adminToken.length() < 16) {
                // the throttle never refuses a valid token, so it does not protect a guessable one
                LOG.warning("auth.admin_token is shorter than 16 characters: use a long random value");
            }
            hash = sha256(adminToken);
        } else {
            Path file = dataDir.resolve(HASH_FILE);
            if (Files.exists(file)) {
                hash = HexFormat.of().parseHex(Files.readString(file).trim());
            } else {
                String token = newToken("tpk_");
                hash = sha256(token);
                Files.createDirectories(dataDir);
                Files.writeString(file, HexFormat.of().formatHex(hash) + "\n");
                System.out.println("generated admin token (shown once, keep it): " + token);
            }
        }
        return new Gate(true, "required", hash, failuresPerMinute, failuresPerMinuteTotal);
    }

    /**
     * Connects the gate to the engine (usable once recovery is done: until then requests
     * that need it are 503 {@code not_ready}); {@code topicDefaults} decide for topics not yet made.
     */
    public void attach(StorageRef storage, TopicConfig topicDefaults) {
        ref = storage;
        defaults = topicDefaults;
    }

    /** Reads principals, permissions and shares again (after a change). */
    synchronized void reload() {
        Storage s = ref.get();
        directory = Directory.load(s);
        loadedFrom = s;
    }

    /** What the gate knows, loaded at first use after recovery. */
    private Directory directory() {
        if (loadedFrom == null && ref.recovered()) {
            reload();
        }
        return directory;
    }

    Storage storage() {
        return ref.get();
    }

    /** The engine, or null while it is recovering. */
    private Storage storageOrNull() {
        return ref.recovered() ? ref.get() : null;
    }

    private static boolean isLoopback(String bind) {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The mode in effect: {@code dev}, {@code required} or {@code disabled}. */
    public String mode() {
        return effective;
    }

    /** True when every caller acts as admin (dev mode or {@code disabled}). */
    public boolean open() {
        return !required;
    }

    // ------------------------------------------------------------------ authentication

    /** Who the request is from; 401 for a token that is not valid, 429 for one from an address failing too often. */
    public Caller authenticate(ServerRequest req) {
        if (!required) {
            return Caller.ADMIN;
        }
        var bearer = req.headers().first(HeaderNames.AUTHORIZATION);
        var topicToken = req.headers().first(TOPIC_TOKEN);
        if (bearer.isEmpty() && topicToken.isEmpty()) {
            return Caller.ANONYMOUS;
        }
        String address = address(req);
        String principal = null;
        boolean admin = false;
        String tokenId = null;
        if (bearer.isPresent()) {
            String v = bearer.get();
            if (!v.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw failed(address, "Authorization must be 'Bearer <token>'");
            }
            byte[] hash = sha256(v.substring(7).trim());
            if (MessageDigest.isEqual(hash, adminHash)) {
                principal = "admin";
                admin = true;
            } else {
                PrincipalToken pt = principalFor(hash);
                if (pt == null) {
                    throw failed(address, "the bearer token is not valid");
                }
                principal = pt.principal().name();
                admin = pt.principal().admin();
                tokenId = pt.token().id();
            }
        }
        Share share = null;
        if (topicToken.isPresent()) {
            share = shareFor(sha256(topicToken.get().trim()));
            if (share == null) {
                throw failed(address, "the topic token is not valid (unknown, revoked or expired)");
            }
        }
        return new Caller(principal, admin, share, tokenId);
    }

    /** A principal and the one of its tokens a request presented. */
    private record PrincipalToken(Principal principal, Principal.Token token) {
    }

    private PrincipalToken principalFor(byte[] hash) {
        String hex = HexFormat.of().formatHex(hash);
        Directory d = directory();
        String name = d.principalByTokenHash().get(hex);
        Principal p = name == null ? null : d.principals().get(name);
        if (p == null) {
            return null;
        }
        for (Principal.Token t : p.tokens()) {
            if (MessageDigest.isEqual(HexFormat.of().parseHex(t.sha256Hex()), hash)) {
                return new PrincipalToken(p, t);
            }
        }
        return null;
    }

    private Share shareFor(byte[] hash) {
        Directory d = directory();
        String id = d.shareByTokenHash().get(HexFormat.of().formatHex(hash));
        Share s = id == null ? null : d.shares().get(id);
        if (s == null || !MessageDigest.isEqual(HexFormat.of().parseHex(s.sha256Hex()), hash)
                || s.expired(System.currentTimeMillis())) {
            return null;
        }
        // deleting a topic deletes its shares in the engine: check that this one is still there
        Storage st = storageOrNull();
        if (st == null || st.control(new ControlEntry.Key(ControlEntry.Kind.SHARE, id)) == null) {
            return null;
        }
        return s;
    }

    /**
     * The throttle's key for the client: its IPv4 address, or the /64 of an IPv6 address
     * (one host usually has a whole /64 to pick source addresses from).
     */
    private static String address(ServerRequest req) {
        if (!(req.remotePeer().address() instanceof InetSocketAddress a) || a.getAddress() == null) {
            return String.valueOf(req.remotePeer().address());
        }
        if (a.getAddress() instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            return HexFormat.of().formatHex(b, 0, 8).replaceAll("(.{4})(?!$)", "$1:") + "::/64";
        }
        return a.getAddress().getHostAddress();
    }

    /**
     * Counts a failed authentication: 401, or 429 once the address (or all addresses
     * together) failed too often this minute. Only failures are ever refused: tokens are
     * 192 random bits, so the throttle guards against noise and cost, not guessing, and must
     * not let anyone lock out a valid credential.
     */
    private ApiError failed(String address, String why) {
        long now = System.currentTimeMillis();
        long total;
        long totalSince;
        synchronized (allFailures) {
            if (now - allFailures[0] >= 60_000) {
                allFailures[0] = now;
                allFailures[1] = 0;
            }
            total = ++allFailures[1];
            totalSince = allFailures[0];
        }
        if (total > failuresPerMinuteTotal) {
            // no per-address entry past the global budget: the map stays bounded however many addresses try
            return tooManyFailures("on this server", now - totalSince);
        }
        if (failures.size() > 10_000) {
            failures.values().removeIf(w -> now - w[0] >= 60_000);
        }
        long[] w = failures.computeIfAbsent(address, k -> new long[] {now, 0});
        long n;
        long since;
        synchronized (w) {
            if (now - w[0] >= 60_000) {
                w[0] = now;
                w[1] = 0;
            }
            n = ++w[1];
            since = w[0];
        }
        if (n > failuresPerMinute) {
            return tooManyFailures("from " + address, now - since);
        }
        return new ApiError(401, "unauthorized", why);
    }

    private static ApiError tooManyFailures(String where, long windowAgeMs) {
        long wait = Math.max(1, (60_000 - windowAgeMs + 999) / 1000);
        return new ApiError(429, "too_many_failures", "too many failed authentications " + where
                + "; try again in " + wait + " s (valid credentials are still accepted)");
    }

    // ------------------------------------------------------------------ authorization

    /**
     * The topic if {@code caller} may do {@code a} with it; otherwise 401 (no credentials) or
     * 403. A topic that does not exist is 404 only to callers who would be allowed were it
     * made with the defaults, so refusals do not tell which names exist.
     */
    public TopicInfo require(Caller caller, String topic, Action a) {
        TopicInfo t = find(topic);
        decide(caller, topic, t, a);
        if (t == null) {
            throw new StorageException.TopicNotFound(topic);
        }
        return t;
    }

    /**
     * For a write, which may create its topic: the publish decision on the topic, or for a
     * name not yet made, {@link #mayCreate}.
     */
    public void requirePublish(Caller caller, String topic) {
        TopicInfo t = find(topic);
        if (t != null) {
            decide(caller, topic, t, Action.PUBLISH);
        } else {
            mayCreate(caller, topic);
        }
    }

    /**
     * For a write whose records carry {@code origin} (SPEC §8, §11), after
     * {@link #requirePublish}: the mirror right on the topic. Origin marks decide what dedupe
     * drops, so a plain publisher may not set them. A name not yet made is created by the
     * write with the writer as owner, and an owner holds the right: a principal may (its
     * creating the topic was checked by {@link #requirePublish}). A writer who would own
     * nothing (anonymous, a share token alone) is decided as for a topic without an owner:
     * only an allow permission for mirror lets it.
     */
    public void requireMirror(Caller caller, String topic) {
        if (caller.admin()) {
            return;
        }
        TopicInfo t = find(topic);
        if (t != null) {
            decide(caller, topic, t, Action.MIRROR);
        } else if (caller.principal() == null) {
            decide(caller, topic, null, Action.MIRROR);
        }
    }

    /**
     * Creating a topic (SPEC §11): any authenticated caller, or anyone when {@code public_publish}
     * defaults on; a matching deny permission refuses it.
     */
    public void mayCreate(Caller caller, String topic) {
        if (caller.admin()) {
            return;
        }
        Policy.Verdict v = directory().policy().decide(caller, topic, null, defaults.publicPublish()
                || caller.principal() != null, Action.PUBLISH);
        refuseUnless(v, caller, topic, Action.PUBLISH);
    }

    /** The topic's owner or the admin only (config, deletion, shares, webhooks); else 401/403. */
    public TopicInfo requireOwner(Caller caller, String topic) {
        TopicInfo t = find(topic);
        if (caller.admin() || (t != null && caller.principal() != null && caller.principal().equals(t.owner()))) {
            if (t == null) {
                throw new StorageException.TopicNotFound(topic);
            }
            return t;
        }
        if (!caller.credentialed()) {
            throw unauthenticated();
        }
        throw new ApiError(403, "forbidden", "only the owner of topic '" + topic + "' or an admin may do this");
    }

    /** The admin only; else 401/403. */
    public void requireAdmin(Caller caller) {
        if (caller.admin()) {
            return;
        }
        if (!caller.credentialed()) {
            throw unauthenticated();
        }
        throw new ApiError(403, "forbidden", "only an admin may do this");
    }

    /** Any valid credential (when auth is required); else 401. */
    public void requireCredential(Caller caller) {
        if (!caller.credentialed() && !caller.admin()) {
            throw unauthenticated();
        }
    }

    /** True when the caller may do {@code a} with the topic as it is now (lists; streams re-checking). */
    public boolean allowed(Caller caller, TopicInfo t, Action a) {
        if (caller.principal() != null && !principalStillThere(caller.principal(), caller.tokenId())) {
            return false; // a deleted principal's (or revoked token's) streams stop, admin or not
        }
        if (caller.admin()) {
            return true;
        }
        if (caller.share() != null) {
            // the share as it is now: revoked, rotated, expired or narrowed since the caller came
            Share now = directory().shares().get(caller.share().id());
            if (now == null || !now.sha256Hex().equals(caller.share().sha256Hex()) || !stillValid(now)) {
                return false;
            }
            caller = new Caller(caller.principal(), caller.admin(), now, caller.tokenId());
        }
        return directory().policy().decide(caller, t.name(), t.owner(), publicFlag(t.config(), a), a)
                == Policy.Verdict.ALLOW;
    }

    /** True while the caller's share token is still valid (not revoked, rotated or expired). */
    private boolean stillValid(Share s) {
        Share now = directory().shares().get(s.id());
        return now != null && now.sha256Hex().equals(s.sha256Hex()) && !now.expired(System.currentTimeMillis())
                && storageOrNull() instanceof Storage st && st.control(new ControlEntry.Key(ControlEntry.Kind.SHARE, s.id())) != null;
    }

    /** The principal exists and, when {@code tokenId} is given, still has that token. */
    private boolean principalStillThere(String name, String tokenId) {
        if (name.equals("admin") && tokenId == null) {
            return true;
        }
        Principal p = directory().principals().get(name);
        if (p == null) {
            return false;
        }
        if (tokenId == null) {
            return true;
        }
        for (Principal.Token t : p.tokens()) {
            if (t.id().equals(tokenId)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A stream's or router's re-check: may this caller, as authenticated then, still do
     * {@code a} with the topic? (A revoked token or permission ends what it authorised.)
     */
    public boolean stillAllowed(Caller caller, String topic, Action a) {
        TopicInfo t = find(topic);
        return t == null || allowed(caller, t, a); // a deleted topic ends streams by itself
    }

    private void decide(Caller caller, String topic, TopicInfo t, Action a) {
        if (caller.admin()) {
            return;
        }
        boolean flag = publicFlag(t == null ? defaults : t.config(), a);
        refuseUnless(directory().policy().decide(caller, topic, t == null ? null : t.owner(), flag, a), caller, topic, a);
    }

    /** The topic's public flag for the action; there is none for mirror (SPEC §11). */
    private static boolean publicFlag(TopicConfig c, Action a) {
        return switch (a) {
            case READ -> c.publicRead();
            case PUBLISH -> c.publicPublish();
            case MIRROR -> false;
        };
    }

    private static void refuseUnless(Policy.Verdict v, Caller caller, String topic, Action a) {
        switch (v) {
            case ALLOW -> {
            }
            case UNAUTHENTICATED -> throw unauthenticated();
            case FORBIDDEN -> throw new ApiError(403, "forbidden", "no right to " + a.json() + " topic '" + topic + "'"
                    + (a == Action.MIRROR ? ": records that carry origin need the mirror right beside publish" : ""));
        }
    }

    private static ApiError unauthenticated() {
        return new ApiError(401, "unauthorized",
                "credentials are required: send Authorization: Bearer <token> or X-Topic-Token");
    }

    private TopicInfo find(String topic) {
        try {
            return storage().topic(topic);
        } catch (StorageException.TopicNotFound e) {
            return null;
        }
    }

    // ------------------------------------------------------------------ stored callers

    /**
     * A caller as sessions and routers store it, to act later with the rights it had:
     * the principal (and whether it was the admin), the share token's id and hash.
     */
    public record Identity(String principal, boolean admin, String shareId, String shareSha256, String tokenId) {
        public JsonOut write(JsonOut out) {
            return out.beginObject().field("principal", principal).field("admin", admin).field("share_id", shareId)
                    .field("share_sha256", shareSha256).field("token_id", tokenId).endObject();
        }

        /** The same caller, whichever of its principal's tokens is used (routers act as the principal). */
        public Identity withoutToken() {
            return new Identity(principal, admin, shareId, shareSha256, null);
        }

        public static Identity read(JsonReader r, String path) {
            String[] s = new String[4];
            boolean[] admin = {false};
            JsonFields.object(r, path, (f, at, rr) -> {
                switch (f) {
                    case "principal" -> s[0] = rr.nextStringOrNull(at);
                    case "admin" -> admin[0] = rr.nextBoolean(at);
                    case "share_id" -> s[1] = rr.nextStringOrNull(at);
                    case "share_sha256" -> s[2] = rr.nextStringOrNull(at);
                    case "token_id" -> s[3] = rr.nextStringOrNull(at);
                    default -> rr.skipValue();
                }
            });
            return new Identity(s[0], admin[0], s[1], s[2], s[3]);
        }
    }

    public static Identity identity(Caller c) {
        Share s = c.share();
        return new Identity(c.principal(), c.admin(), s == null ? null : s.id(), s == null ? null : s.sha256Hex(),
                c.tokenId());
    }

    /**
     * The caller a stored identity stands for now, or null when a credential it was made
     * with is gone: a deleted principal, a revoked, rotated or expired share token. In dev
     * mode every caller is the admin.
     */
    public Caller restore(Identity id) {
        if (!required) {
            return Caller.ADMIN;
        }
        Directory d = directory();
        boolean admin = false;
        if (id.principal() != null) {
            if (id.principal().equals("admin") && id.admin()) {
                admin = true;
            } else {
                Principal p = d.principals().get(id.principal());
                if (p == null || !principalStillThere(id.principal(), id.tokenId())) {
                    return null;
                }
                admin = p.admin();
            }
        }
        Share share = null;
        if (id.shareId() != null) {
            share = d.shares().get(id.shareId());
            if (share == null || !share.sha256Hex().equals(id.shareSha256()) || !stillValid(share)) {
                return null;
            }
        }
        return new Caller(id.principal(), admin, share, id.tokenId());
    }

    // ------------------------------------------------------------------ tokens

    /** A new random token with a prefix ({@code tpk_}, {@code tk_}): 192 random bits, base64url. */
    static String newToken(String prefix) {
        byte[] r = new byte[24];
        RANDOM.nextBytes(r);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(r);
    }

    /** A new id with a prefix ({@code perm_}, {@code sh_}, {@code tok_}): 96 random bits. */
    static String newId(String prefix) {
        byte[] r = new byte[12];
        RANDOM.nextBytes(r);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(r);
    }

    static String sha256Hex(String s) {
        return HexFormat.of().formatHex(sha256(s));
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
