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
 * <p>Immutable: built from the permissions and replaced whole when they change. The
 * permissions are indexed by principal ({@code *} apart) and by the literal first level of
 * their pattern, so one decision looks at the few that can match rather than all.
 */
public final class Policy {
    /** The outcome of a decision. */
    public enum Verdict { ALLOW, UNAUTHENTICATED, FORBIDDEN }

    /** One principal's permissions, by the first level of their pattern. */
    private static final class Bucket {
        final Map<String, List<Permission>> byFirst = new HashMap<>();
        final List<Permission> wildFirst = new ArrayList<>();

        void add(Permission p) {
            String first = Patterns.firstLiteral(p.pattern());
            if (first == null) {
                wildFirst.add(p);
            } else {
                byFirst.computeIfAbsent(first, k -> new ArrayList<>()).add(p);
            }
        }
    }

    public static final Policy EMPTY = new Policy(List.of());
    private final Map<String, Bucket> byPrincipal = new HashMap<>();
    private final int size;

    public Policy(Collection<Permission> permissions) {
        for (Permission p : permissions) {
            byPrincipal.computeIfAbsent(p.principal(), k -> new Bucket()).add(p);
        }
        size = permissions.size();
    }

    public int size() {
        return size;
    }

    /**
     * @param owner      the topic's owner, or null
     * @param publicFlag the topic's public flag for the action
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
            String first = Patterns.firstLevel(topic);
            Bucket mine = c.principal() == null ? null : byPrincipal.get(c.principal());
            Bucket everyone = byPrincipal.get("*");
            if (any(mine, first, topic, a, false) || any(everyone, first, topic, a, false)) {
                return c.credentialed() ? Verdict.FORBIDDEN : Verdict.UNAUTHENTICATED;
            }
            if (any(mine, first, topic, a, true) || any(everyone, first, topic, a, true)) {
                return Verdict.ALLOW;
            }
        }
        if (publicFlag) {
            return Verdict.ALLOW;
        }
        return c.credentialed() ? Verdict.FORBIDDEN : Verdict.UNAUTHENTICATED;
    }

    private static boolean any(Bucket b, String first, String topic, Action a, boolean allow) {
        if (b == null) {
            return false;
        }
        List<Permission> literal = b.byFirst.get(first);
        return matchIn(literal, topic, a, allow) || matchIn(b.wildFirst, topic, a, allow);
    }

    private static boolean matchIn(List<Permission> ps, String topic, Action a, boolean allow) {
        if (ps == null) {
            return false;
        }
        for (Permission p : ps) {
            if (p.allow() == allow && p.covers(a) && Patterns.matches(p.pattern(), topic)) {
                return true;
            }
        }
        return false;
    }
}
