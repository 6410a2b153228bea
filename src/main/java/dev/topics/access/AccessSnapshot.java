package dev.topics.access;

import dev.topics.storage.ControlEntry;
import dev.topics.storage.Storage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of what the gate knows, loaded from the engine's control entries: principals
 * and an index from token hash to principal, share tokens and an index from token hash to
 * share, and the {@link Policy}. Immutable; {@link Credentials} swaps in a new one after
 * every change made through the gate. Entries the engine deletes by itself (share tokens
 * of a deleted topic) are checked against the engine at use, so a stale index never lets
 * one through.
 */
record AccessSnapshot(Map<String, Principal> principals, Map<String, String> principalByTokenHash,
                 Map<String, Share> shares, Map<String, String> shareByTokenHash, Policy policy) {

    static final AccessSnapshot EMPTY = new AccessSnapshot(Map.of(), Map.of(), Map.of(), Map.of(), Policy.EMPTY);

    static AccessSnapshot load(Storage s) {
        Map<String, Principal> principals = new HashMap<>();
        Map<String, String> byToken = new HashMap<>();
        for (ControlEntry e : s.controls(ControlEntry.Kind.PRINCIPAL)) {
            Principal p = Principal.of(e);
            principals.put(p.name(), p);
            for (Principal.Token t : p.tokens()) {
                byToken.put(t.sha256Hex(), p.name());
            }
        }
        Map<String, Share> shares = new HashMap<>();
        Map<String, String> byShareToken = new HashMap<>();
        for (ControlEntry e : s.controls(ControlEntry.Kind.SHARE)) {
            Share sh = Share.of(e);
            shares.put(sh.id(), sh);
            byShareToken.put(sh.sha256Hex(), sh.id());
        }
        List<Permission> perms = new ArrayList<>();
        for (ControlEntry e : s.controls(ControlEntry.Kind.PERMISSION)) {
            perms.add(Permission.of(e));
        }
        return new AccessSnapshot(principals, byToken, shares, byShareToken, new Policy(perms));
    }
}
