package dev.topics.access;

import dev.topics.config.AuthMode;
import dev.topics.http.ApiError;
import dev.topics.http.StorageRef;
import dev.topics.storage.Storage;
import dev.topics.storage.StorageException;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicInfo;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * The one gate every handler passes (SPEC §11): it authenticates a request into a
 * {@link Caller} and decides, with the {@link Policy}, what that caller may do.
 *
 * <p>Modes: in dev mode ({@code auth: auto} on a loopback bind) and with
 * {@code disabled}, every caller acts as admin. When auth is required, the
 * {@link Authenticator} reads the request's tokens ({@code Authorization: Bearer}, the
 * admin's or a principal's; {@code X-Topic-Token}, a share's), failed attempts are limited
 * by the {@link FailureThrottle}, and the {@link AdminToken} is configured or generated on
 * first start. Tokens are kept and compared as SHA-256 hashes ({@link Tokens}); what is
 * stored is read through {@link Credentials}. Sessions and routers store a caller as an
 * {@link Identity} and get it back with {@link #restore}.
 */
public final class Gate {
    private static final Logger LOG = Logger.getLogger(Gate.class.getName());

    private final boolean required;
    private final String effective;
    /** Null unless auth is required. */
    private final Authenticator authenticator;
    private final Credentials credentials;
    private volatile TopicConfig defaults = TopicConfig.DEFAULTS;

    private Gate(boolean required, String effective, Authenticator authenticator, Credentials credentials) {
        this.required = required;
        this.effective = effective;
        this.authenticator = authenticator;
        this.credentials = credentials;
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
        Credentials credentials = new Credentials();
        if (!required) {
            return new Gate(false, mode == AuthMode.DISABLED ? "disabled" : "dev", null, credentials);
        }
        Authenticator authenticator = new Authenticator(AdminToken.resolve(adminToken, dataDir), credentials,
                new FailureThrottle(failuresPerMinute, failuresPerMinuteTotal));
        return new Gate(true, "required", authenticator, credentials);
    }

    /**
     * Connects the gate to the engine (usable once recovery is done: until then requests
     * that need it are 503 {@code not_ready}); {@code topicDefaults} decide for topics not yet made.
     */
    public void attach(StorageRef storage, TopicConfig topicDefaults) {
        credentials.attach(storage);
        defaults = topicDefaults;
    }

    /** Reads principals, permissions and shares again (after a change). */
    void reload() {
        credentials.reload();
    }

    Storage storage() {
        return credentials.storage();
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

    /** Who the request is from; 401 for a token that is not valid, 429 for one from an address failing too often. */
    public Caller authenticate(ServerRequest req) {
        return required ? authenticator.authenticate(req) : Caller.ADMIN;
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
        Policy.Verdict v = credentials.snapshot().policy().decide(caller, topic, null, defaults.publicPublish()
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
        if (caller.principal() != null && !credentials.principalStillThere(caller.principal(), caller.tokenId())) {
            return false; // a deleted principal's (or revoked token's) streams stop, admin or not
        }
        if (caller.admin()) {
            return true;
        }
        if (caller.share() != null) {
            // the share as it is now: revoked, rotated, expired or narrowed since the caller came
            Share now = credentials.snapshot().shares().get(caller.share().id());
            if (now == null || !now.sha256Hex().equals(caller.share().sha256Hex()) || !credentials.stillValid(now)) {
                return false;
            }
            caller = new Caller(caller.principal(), caller.admin(), now, caller.tokenId());
        }
        return credentials.snapshot().policy().decide(caller, t.name(), t.owner(), publicFlag(t.config(), a), a)
                == Policy.Verdict.ALLOW;
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
        refuseUnless(credentials.snapshot().policy().decide(caller, topic, t == null ? null : t.owner(), flag, a), caller, topic, a);
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

    /** The identity to store for {@code c} (sessions, routers). */
    public static Identity identity(Caller c) {
        return Identity.of(c);
    }

    /**
     * The caller a stored identity stands for now, or null when a credential it was made
     * with is gone: a deleted principal, a revoked, rotated or expired share token. In dev
     * mode every caller is the admin.
     */
    public Caller restore(Identity id) {
        return required ? credentials.restore(id) : Caller.ADMIN;
    }
}
