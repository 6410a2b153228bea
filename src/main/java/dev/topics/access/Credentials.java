package dev.topics.access;

import dev.topics.http.StorageRef;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.Storage;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The stored credentials as they are now: the {@link AccessSnapshot} of principals, share
 * tokens and permissions (loaded at first use after recovery, reloaded after every change),
 * the lookups from a token's hash to its principal or share, and the checks that a
 * credential a caller came with is still there. Share tokens the engine deletes by itself
 * (those of a deleted topic) are checked against the engine, so a stale snapshot never
 * lets one through.
 */
final class Credentials {
    /** A principal and the one of its tokens a request presented. */
    record PrincipalToken(Principal principal, Principal.Token token) {
    }

    private volatile AccessSnapshot snapshot = AccessSnapshot.EMPTY;
    /** The engine the snapshot was loaded from (null until recovery is done). */
    private volatile Storage loadedFrom;
    /** The engine's control version when the snapshot was loaded: a change by anyone (another cluster node too) reloads it. */
    private volatile long loadedVersion;
    private volatile StorageRef ref = new StorageRef();

    void attach(StorageRef storage) {
        ref = storage;
    }

    /** Reads principals, permissions and shares again (after a change). */
    synchronized void reload() {
        Storage s = ref.get();
        long version = accessVersion(s); // before loading: a change during the load reloads again
        snapshot = AccessSnapshot.load(s);
        loadedVersion = version;
        loadedFrom = s;
    }

    /** What is known, loaded at first use after recovery and again after any change to control entries. */
    AccessSnapshot snapshot() {
        Storage s = loadedFrom;
        if (s == null ? ref.recovered() : accessVersion(s) != loadedVersion) {
            reload();
        }
        return snapshot;
    }

    /** Changes to what the snapshot holds: principals, permissions and shares. */
    private static long accessVersion(Storage s) {
        return s.controlVersion(ControlEntry.Kind.PRINCIPAL) + s.controlVersion(ControlEntry.Kind.PERMISSION)
                + s.controlVersion(ControlEntry.Kind.SHARE);
    }

    Storage storage() {
        return ref.get();
    }

    /** The engine, or null while it is recovering. */
    private Storage storageOrNull() {
        return ref.recovered() ? ref.get() : null;
    }

    /** The principal token whose hash is {@code hash}, or null. */
    PrincipalToken principalFor(byte[] hash) {
        String hex = HexFormat.of().formatHex(hash);
        AccessSnapshot d = snapshot();
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

    /** The valid (not revoked, not expired) share whose token's hash is {@code hash}, or null. */
    Share shareFor(byte[] hash) {
        AccessSnapshot d = snapshot();
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

    /** True while the caller's share token is still valid (not revoked, rotated or expired). */
    boolean stillValid(Share s) {
        Share now = snapshot().shares().get(s.id());
        return now != null && now.sha256Hex().equals(s.sha256Hex()) && !now.expired(System.currentTimeMillis())
                && storageOrNull() instanceof Storage st && st.control(new ControlEntry.Key(ControlEntry.Kind.SHARE, s.id())) != null;
    }

    /** The principal exists and, when {@code tokenId} is given, still has that token. */
    boolean principalStillThere(String name, String tokenId) {
        if (name.equals("admin") && tokenId == null) {
            return true;
        }
        Principal p = snapshot().principals().get(name);
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
     * The caller a stored identity stands for now, or null when a credential it was made
     * with is gone: a deleted principal, a revoked, rotated or expired share token.
     */
    Caller restore(Identity id) {
        AccessSnapshot d = snapshot();
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
}
