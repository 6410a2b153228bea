package dev.topics.access;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The decision of SPEC §11 for (caller, topic, action), first match wins:
 * admin → owner → a share token for this topic covering the action → a matching deny
 * permission → a matching allow permission → the topic's public flag → refused (401
 * without credentials, 403 with).
 *
 * <p>Immutable: built from the permissions and replaced whole when they change. Each
 * principal's permissions ({@code *} apart) form a trie over pattern levels (literal
 * children, a {@code *} child, and {@code >} tails), so one decision walks the topic's
 * levels rather than the permissions: its cost does not grow with their number.
 *
 * <p>{@link Action#MIRROR} has no public flag and no share token covers it
 * ({@link Share#covers}): only the admin, the owner and an allow permission grant it.
 *
 * <p>A hot path (every request that is not the admin's decides here): its benchmark is
 * {@code PolicyBench} in {@code benchmarks/jmh}; run it after changing how a decision is made.
 */
public final class Policy {
    /** The outcome of a decision. */
    public enum Verdict { ALLOW, UNAUTHENTICATED, FORBIDDEN }

    /** One level of a principal's patterns. */
    private static final class Node {
        final Map<String, Node> children = new HashMap<>();
        Node star;
        /** Patterns ending here with {@code >}: they match when one or more levels remain. */
        final List<Permission> rest = new ArrayList<>();
        /** Patterns ending exactly at this level. */
        final List<Permission> here = new ArrayList<>();

        void add(Permission p) {
            Node n = this;
            for (String level : p.pattern().split("\\.")) {
                if (level.equals(">")) {
                    n.rest.add(p);
                    return;
                }
                n = level.equals("*") ? (n.star == null ? (n.star = new Node()) : n.star)
                        : n.children.computeIfAbsent(level, k -> new Node());
            }
            n.here.add(p);
        }

        /** True when a permission with this effect, covering {@code a}, matches levels[i..]. */
        boolean any(String[] levels, int i, Action a, boolean allow) {
            if (i == levels.length) {
                return hit(here, a, allow);
            }
            if (hit(rest, a, allow)) {
                return true;
            }
            Node c = children.get(levels[i]);
            if (c != null && c.any(levels, i + 1, a, allow)) {
                return true;
            }
            return star != null && star.any(levels, i + 1, a, allow);
        }

        private static boolean hit(List<Permission> ps, Action a, boolean allow) {
            for (Permission p : ps) {
                if (p.allow() == allow && p.covers(a)) {
                    return true;
                }
            }
            return false;
        }
    }

    public static final Policy EMPTY = new Policy(List.of());
    private final Map<String, Node> byPrincipal = new HashMap<>();
    private final int size;

    public Policy(Collection<Permission> permissions) {
        for (Permission p : permissions) {
            byPrincipal.computeIfAbsent(p.principal(), k -> new Node()).add(p);
        }
        size = permissions.size();
    }

    public int size() {
        return size;
    }

    /**
     * @param owner      the topic's owner, or null
     * @param publicFlag the topic's public flag for the action (ignored for {@code MIRROR}, which has none)
     */
    public Verdict decide(Caller c, String topic, String owner, boolean publicFlag, Action a) {
        if (c.admin()) {
            return Verdict.ALLOW;
        }
        if (c.principal() != null && c.principal().equals(owner)) {
            return Verdict.ALLOW;
        }
        Share s = c.share();
        if (s != null && s.topic().equals(topic) && s.covers(a)) {
            return Verdict.ALLOW;
        }
        if (size > 0) {
            Node mine = c.principal() == null ? null : byPrincipal.get(c.principal());
            Node everyone = byPrincipal.get("*");
            if (mine != null || everyone != null) {
                String[] levels = topic.split("\\.");
                if ((mine != null && mine.any(levels, 0, a, false)) || (everyone != null && everyone.any(levels, 0, a, false))) {
                    return c.credentialed() ? Verdict.FORBIDDEN : Verdict.UNAUTHENTICATED;
                }
                if ((mine != null && mine.any(levels, 0, a, true)) || (everyone != null && everyone.any(levels, 0, a, true))) {
                    return Verdict.ALLOW;
                }
            }
        }
        if (publicFlag && a != Action.MIRROR) {
            return Verdict.ALLOW;
        }
        return c.credentialed() ? Verdict.FORBIDDEN : Verdict.UNAUTHENTICATED;
    }
}
