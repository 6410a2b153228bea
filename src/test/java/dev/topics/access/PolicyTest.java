package dev.topics.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.access.Policy.Verdict;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC §11's decision for (caller, topic, action), first match wins:
 * 1 admin → allow; 2 owner → allow; 3 a share token for this topic covering the action →
 * allow; 4 a matching deny permission → refused; 5 a matching allow permission → allow;
 * 6 the public flag for the action → allow; 7 refused — 401 without credentials, 403 with
 * (a valid share token counts as a credential). The {@code mirror} action (writing records
 * that carry origin) has no public flag and no share token covers it, whatever its access.
 *
 * <p>Expected verdicts come from {@link #reference}, a plain re-statement of those seven
 * rules over a list (and {@link PatternsTest#reference} for patterns), never from {@link Policy}.
 */
class PolicyTest {
    static final String TOPIC = "alerts.disk.full";
    static final String OTHER_TOPIC = "orders.eu";
    private static int ids;

    // ------------------------------------------------------------------ the reference

    /** What decided: the verdict and the number (1–7) of the rule that gave it. */
    record Outcome(Verdict verdict, int rule) {
    }

    static Outcome reference(List<Permission> perms, Caller c, String topic, String owner, boolean publicFlag, Action a) {
        // 1. admin
        if (c.admin()) {
            return new Outcome(Verdict.ALLOW, 1);
        }
        // 2. owner (a topic nobody owns has no owner to match; an anonymous caller owns nothing)
        if (owner != null && c.principal() != null && owner.equals(c.principal())) {
            return new Outcome(Verdict.ALLOW, 2);
        }
        // 3. a share token for this very topic whose access covers the action (never mirror)
        Share s = c.share();
        if (s != null && s.topic().equals(topic)) {
            boolean covers = switch (s.access()) {
                case "rw" -> a == Action.READ || a == Action.PUBLISH;
                case "ro" -> a == Action.READ;
                case "wo" -> a == Action.PUBLISH;
                default -> throw new IllegalArgumentException(s.access());
            };
            if (covers) {
                return new Outcome(Verdict.ALLOW, 3);
            }
        }
        Verdict refused = c.principal() != null || c.share() != null ? Verdict.FORBIDDEN : Verdict.UNAUTHENTICATED;
        // 4. a matching deny permission (for the caller's principal, or for "*": every caller, anonymous too)
        for (Permission p : perms) {
            if (!p.allow() && applies(p, c, topic, a)) {
                return new Outcome(refused, 4);
            }
        }
        // 5. a matching allow permission
        for (Permission p : perms) {
            if (p.allow() && applies(p, c, topic, a)) {
                return new Outcome(Verdict.ALLOW, 5);
            }
        }
        // 6. the public flag for the action (mirror has none)
        if (publicFlag && a != Action.MIRROR) {
            return new Outcome(Verdict.ALLOW, 6);
        }
        // 7. refused
        return new Outcome(refused, 7);
    }

    private static boolean applies(Permission p, Caller c, String topic, Action a) {
        boolean who = p.principal().equals("*") || (c.principal() != null && p.principal().equals(c.principal()));
        boolean what = a == Action.READ ? p.read() : a == Action.PUBLISH ? p.publish() : p.mirror();
        return who && what && PatternsTest.reference(p.pattern(), topic);
    }

    // ------------------------------------------------------------------ building blocks

    /** {@code actions}: any of r (read), p (publish), m (mirror). */
    static Permission perm(String principal, String pattern, String actions, boolean allow) {
        return new Permission("perm_" + (++ids), principal, pattern, actions.contains("r"), actions.contains("p"),
                actions.contains("m"), allow, 1_700_000_000_000L);
    }

    static Permission allow(String principal, String pattern, String actions) {
        return perm(principal, pattern, actions, true);
    }

    static Permission deny(String principal, String pattern, String actions) {
        return perm(principal, pattern, actions, false);
    }

    static Share share(String topic, String access) {
        return new Share("sh_" + (++ids), topic, access, 0, null, "00", 1_700_000_000_000L);
    }

    static Caller principal(String name) {
        return new Caller(name, false, null);
    }

    static Caller shareOnly(String topic, String access) {
        return new Caller(null, false, share(topic, access));
    }

    static Caller withShare(String name, String topic, String access) {
        return new Caller(name, false, share(topic, access));
    }

    // ------------------------------------------------------------------ anchors

    /** Hand-computed cases, so that the reference itself is checked against SPEC §11's words. */
    static Stream<Arguments> anchors() {
        String t = TOPIC;
        return Stream.of(
                Arguments.of("admin despite a deny for *", Caller.ADMIN, List.of(deny("*", ">", "rp")), "alice", false,
                        Action.READ, Verdict.ALLOW),
                Arguments.of("an admin principal despite a deny naming it", new Caller("root", true, null),
                        List.of(deny("root", ">", "rp")), "alice", false, Action.PUBLISH, Verdict.ALLOW),
                Arguments.of("owner despite a deny naming the owner", principal("alice"),
                        List.of(deny("alice", "alerts.>", "rp")), "alice", false, Action.PUBLISH, Verdict.ALLOW),
                Arguments.of("owner despite a deny for *", principal("alice"), List.of(deny("*", ">", "rp")), "alice",
                        false, Action.READ, Verdict.ALLOW),
                Arguments.of("rw share beats a deny for *", shareOnly(t, "rw"), List.of(deny("*", ">", "rp")), "alice",
                        false, Action.PUBLISH, Verdict.ALLOW),
                Arguments.of("ro share does not cover publish; deny for * → 403 (share is a credential)",
                        shareOnly(t, "ro"), List.of(deny("*", ">", "rp")), "alice", false, Action.PUBLISH,
                        Verdict.FORBIDDEN),
                Arguments.of("wo share does not cover read, public read → allow", shareOnly(t, "wo"), List.of(),
                        "alice", true, Action.READ, Verdict.ALLOW),
                Arguments.of("wo share does not cover read, not public → 403", shareOnly(t, "wo"), List.of(), "alice",
                        false, Action.READ, Verdict.FORBIDDEN),
                Arguments.of("share for another topic is a credential → 403", shareOnly(OTHER_TOPIC, "rw"), List.of(),
                        "alice", false, Action.READ, Verdict.FORBIDDEN),
                Arguments.of("share for another topic, public read → allow", shareOnly(OTHER_TOPIC, "rw"), List.of(),
                        "alice", true, Action.READ, Verdict.ALLOW),
                Arguments.of("anonymous, deny for * overrides public → 401", Caller.ANONYMOUS,
                        List.of(deny("*", "*.disk.*", "r")), "alice", true, Action.READ, Verdict.UNAUTHENTICATED),
                Arguments.of("anonymous, allow for * → allow", Caller.ANONYMOUS, List.of(allow("*", "alerts.>", "r")),
                        "alice", false, Action.READ, Verdict.ALLOW),
                Arguments.of("anonymous is not a principal's permission", Caller.ANONYMOUS,
                        List.of(allow("bob", ">", "rp")), "alice", false, Action.READ, Verdict.UNAUTHENTICATED),
                Arguments.of("anonymous, nothing, not public → 401", Caller.ANONYMOUS, List.of(), "alice", false,
                        Action.PUBLISH, Verdict.UNAUTHENTICATED),
                Arguments.of("anonymous never owns an ownerless topic", Caller.ANONYMOUS, List.of(), null, false,
                        Action.READ, Verdict.UNAUTHENTICATED),
                Arguments.of("share-only caller never owns an ownerless topic", shareOnly(OTHER_TOPIC, "rw"), List.of(),
                        null, false, Action.READ, Verdict.FORBIDDEN),
                Arguments.of("deny beats allow for the same principal", principal("bob"),
                        List.of(allow("bob", "alerts.>", "rp"), deny("bob", "alerts.disk.full", "rp")), "alice", false,
                        Action.READ, Verdict.FORBIDDEN),
                Arguments.of("deny for * beats allow for the principal", principal("bob"),
                        List.of(allow("bob", ">", "r"), deny("*", "*.*.*", "r")), "alice", true, Action.READ,
                        Verdict.FORBIDDEN),
                Arguments.of("deny for publish leaves read to the public flag", principal("bob"),
                        List.of(deny("bob", ">", "p")), "alice", true, Action.READ, Verdict.ALLOW),
                Arguments.of("deny for another principal does not apply", principal("bob"),
                        List.of(deny("carol", ">", "rp")), "alice", true, Action.READ, Verdict.ALLOW),
                Arguments.of("deny on a pattern that does not match does not apply", principal("bob"),
                        List.of(deny("bob", "alerts", "rp"), deny("bob", "alerts.*", "rp"),
                                deny("bob", "alerts.disk.full.>", "rp")),
                        "alice", true, Action.PUBLISH, Verdict.ALLOW),
                Arguments.of("allow for read does not allow publish", principal("bob"), List.of(allow("bob", ">", "r")),
                        "alice", false, Action.PUBLISH, Verdict.FORBIDDEN),
                Arguments.of("allow beats a closed topic", principal("bob"), List.of(allow("bob", "*.disk.>", "p")),
                        "alice", false, Action.PUBLISH, Verdict.ALLOW),
                Arguments.of("principal + ro share: share covers read despite a deny", withShare("bob", t, "ro"),
                        List.of(deny("bob", ">", "rp")), "alice", false, Action.READ, Verdict.ALLOW),
                Arguments.of("principal + ro share: publish falls to the deny", withShare("bob", t, "ro"),
                        List.of(deny("bob", ">", "rp"), allow("bob", ">", "rp")), "alice", true, Action.PUBLISH,
                        Verdict.FORBIDDEN),
                Arguments.of("another principal, nothing, not public → 403", principal("bob"), List.of(), "alice", false,
                        Action.READ, Verdict.FORBIDDEN),
                // mirror: the owner and admin hold it; a share token or a public flag never grants it
                Arguments.of("owner mirrors despite a deny", principal("alice"), List.of(deny("*", ">", "rpm")), "alice",
                        false, Action.MIRROR, Verdict.ALLOW),
                Arguments.of("admin mirrors", Caller.ADMIN, List.of(deny("*", ">", "m")), null, false, Action.MIRROR,
                        Verdict.ALLOW),
                Arguments.of("rw share does not cover mirror", shareOnly(t, "rw"), List.of(), "alice", false,
                        Action.MIRROR, Verdict.FORBIDDEN),
                Arguments.of("public flag does not grant mirror (anonymous → 401)", Caller.ANONYMOUS, List.of(),
                        "alice", true, Action.MIRROR, Verdict.UNAUTHENTICATED),
                Arguments.of("public flag does not grant mirror (principal → 403)", principal("bob"), List.of(),
                        "alice", true, Action.MIRROR, Verdict.FORBIDDEN),
                Arguments.of("allow publish is not mirror", principal("bob"), List.of(allow("bob", ">", "rp")), "alice",
                        true, Action.MIRROR, Verdict.FORBIDDEN),
                Arguments.of("allow mirror grants it", principal("bob"), List.of(allow("bob", "alerts.>", "m")),
                        "alice", false, Action.MIRROR, Verdict.ALLOW),
                Arguments.of("allow mirror for * grants it to anonymous", Caller.ANONYMOUS,
                        List.of(allow("*", "*.disk.*", "m")), "alice", false, Action.MIRROR, Verdict.ALLOW),
                Arguments.of("rw share + allow mirror for the principal", withShare("bob", t, "rw"),
                        List.of(allow("bob", ">", "m")), "alice", false, Action.MIRROR, Verdict.ALLOW),
                Arguments.of("deny mirror beats allow mirror", principal("bob"),
                        List.of(allow("bob", ">", "pm"), deny("bob", t, "m")), "alice", false, Action.MIRROR,
                        Verdict.FORBIDDEN),
                Arguments.of("deny mirror leaves publish to the allow", principal("bob"),
                        List.of(allow("bob", ">", "pm"), deny("bob", t, "m")), "alice", false, Action.PUBLISH,
                        Verdict.ALLOW),
                Arguments.of("allow mirror is not publish", principal("bob"), List.of(allow("bob", ">", "m")), "alice",
                        false, Action.PUBLISH, Verdict.FORBIDDEN));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("anchors")
    void anchor(String what, Caller c, List<Permission> perms, String owner, boolean publicFlag, Action a,
            Verdict expected) {
        assertThat(reference(perms, c, TOPIC, owner, publicFlag, a).verdict()).as("reference: %s", what)
                .isEqualTo(expected);
        assertThat(new Policy(perms).decide(c, TOPIC, owner, publicFlag, a)).as("Policy: %s", what)
                .isEqualTo(expected);
    }

    // ------------------------------------------------------------------ the exhaustive table

    /** Permissions for others, for other topics, for nothing near: present in every case, they must never matter. */
    static List<Permission> noise() {
        return List.of(
                allow("dave", ">", "rpm"),
                deny("dave", "alerts.>", "rpm"),
                deny("*", "orders.>", "rpm"),
                deny("*", "alerts", "rpm"),
                deny("bob", "alerts.disk.full.x", "rp"),
                deny("bob", "alerts.disk", "rp"),
                deny("*", "*.disk", "rp"),
                deny("*", "Alerts.>", "rp"),
                deny("bob", "alerts.disk.fu", "rp"),
                allow("*", "alerts.cpu.>", "rpm"),
                allow("bob", "alert.>", "rpm"));
    }

    @Test
    void everyCombinationDecidesAsTheSevenRulesSay() {
        Map<String, Caller> callers = new LinkedHashMap<>();
        callers.put("admin token", Caller.ADMIN);
        callers.put("admin principal", new Caller("root", true, null));
        callers.put("alice (owner when owned)", principal("alice"));
        callers.put("bob", principal("bob"));
        callers.put("carol", principal("carol"));
        callers.put("anonymous", Caller.ANONYMOUS);
        for (String acc : List.of("ro", "wo", "rw")) {
            callers.put("share " + acc + " this topic", shareOnly(TOPIC, acc));
            callers.put("share " + acc + " other topic", shareOnly(OTHER_TOPIC, acc));
            callers.put("bob + share " + acc + " this topic", withShare("bob", TOPIC, acc));
        }
        callers.put("bob + share rw other topic", withShare("bob", OTHER_TOPIC, "rw"));
        callers.put("alice + share ro this topic", withShare("alice", TOPIC, "ro"));

        Map<String, List<Permission>> denies = new LinkedHashMap<>();
        denies.put("no deny", List.of());
        denies.put("deny bob rp alerts.>", List.of(deny("bob", "alerts.>", "rp")));
        denies.put("deny * rp *.disk.*", List.of(deny("*", "*.disk.*", "rp")));
        denies.put("deny alice rp >", List.of(deny("alice", ">", "rp")));
        denies.put("deny bob r exact", List.of(deny("bob", TOPIC, "r")));
        denies.put("deny * p alerts.*.full", List.of(deny("*", "alerts.*.full", "p")));
        denies.put("deny bob rp alerts.* (no match)", List.of(deny("bob", "alerts.*", "rp")));
        denies.put("deny carol rp >", List.of(deny("carol", ">", "rp")));
        denies.put("deny root rp >", List.of(deny("root", ">", "rp")));
        denies.put("deny bob m alerts.>", List.of(deny("bob", "alerts.>", "m")));
        denies.put("deny * m *.disk.*", List.of(deny("*", "*.disk.*", "m")));
        denies.put("deny alice rpm >", List.of(deny("alice", ">", "rpm")));

        Map<String, List<Permission>> allows = new LinkedHashMap<>();
        allows.put("no allow", List.of());
        allows.put("allow bob rp alerts.disk.>", List.of(allow("bob", "alerts.disk.>", "rp")));
        allows.put("allow * rp >", List.of(allow("*", ">", "rp")));
        allows.put("allow bob r *.*.full", List.of(allow("bob", "*.*.full", "r")));
        allows.put("allow * p exact", List.of(allow("*", TOPIC, "p")));
        allows.put("allow bob rp alerts.disk (no match)", List.of(allow("bob", "alerts.disk", "rp")));
        allows.put("allow carol rp >", List.of(allow("carol", ">", "rp")));
        allows.put("allow bob pm alerts.disk.>", List.of(allow("bob", "alerts.disk.>", "pm")));
        allows.put("allow * m >", List.of(allow("*", ">", "m")));
        allows.put("allow bob rpm exact", List.of(allow("bob", TOPIC, "rpm")));

        List<String> mismatches = new ArrayList<>();
        Map<Verdict, Integer> seen = new EnumMap<>(Verdict.class);
        int[] rules = new int[8];
        int[] mirrorRules = new int[8];
        int cases = 0;
        for (var d : denies.entrySet()) {
            for (var al : allows.entrySet()) {
                for (boolean noisy : new boolean[] {false, true}) {
                    List<Permission> perms = new ArrayList<>();
                    if (noisy) {
                        perms.addAll(noise());
                    }
                    // order in the list must not matter: the allow first, then the deny
                    perms.addAll(al.getValue());
                    perms.addAll(d.getValue());
                    Policy policy = new Policy(perms);
                    for (String owner : new String[] {"alice", null}) {
                        for (var c : callers.entrySet()) {
                            for (boolean pub : new boolean[] {false, true}) {
                                for (Action a : Action.values()) {
                                    cases++;
                                    Outcome want = reference(perms, c.getValue(), TOPIC, owner, pub, a);
                                    Verdict got = policy.decide(c.getValue(), TOPIC, owner, pub, a);
                                    seen.merge(want.verdict(), 1, Integer::sum);
                                    rules[want.rule()]++;
                                    if (a == Action.MIRROR) {
                                        mirrorRules[want.rule()]++;
                                    }
                                    if (got != want.verdict()) {
                                        mismatches.add(String.format(
                                                "%s | %s | %s | noise=%s | owner=%s | public=%s | %s: expected %s (rule %d), got %s",
                                                c.getKey(), d.getKey(), al.getKey(), noisy, owner, pub, a, want.verdict(),
                                                want.rule(), got));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assertThat(mismatches).as("%d of %d cases", mismatches.size(), cases).isEmpty();
        assertThat(seen).containsOnlyKeys(Verdict.values());
        for (int r = 1; r <= 7; r++) {
            assertThat(rules[r]).as("cases decided by rule %d", r).isPositive();
        }
        // mirror is decided by the admin, the owner, the permissions and the final refusal only
        for (int r : new int[] {1, 2, 4, 5, 7}) {
            assertThat(mirrorRules[r]).as("mirror cases decided by rule %d", r).isPositive();
        }
        assertThat(mirrorRules[3]).as("mirror granted by a share token").isZero();
        assertThat(mirrorRules[6]).as("mirror granted by a public flag").isZero();
    }

    // ------------------------------------------------------------------ small properties

    @Test
    void noPermissionsAtAll() {
        Policy p = Policy.EMPTY;
        assertThat(p.size()).isZero();
        assertThat(p.decide(Caller.ANONYMOUS, TOPIC, "alice", false, Action.READ)).isEqualTo(Verdict.UNAUTHENTICATED);
        assertThat(p.decide(Caller.ANONYMOUS, TOPIC, "alice", true, Action.READ)).isEqualTo(Verdict.ALLOW);
        assertThat(p.decide(principal("bob"), TOPIC, "alice", false, Action.PUBLISH)).isEqualTo(Verdict.FORBIDDEN);
        assertThat(p.decide(principal("alice"), TOPIC, "alice", false, Action.PUBLISH)).isEqualTo(Verdict.ALLOW);
        assertThat(p.decide(Caller.ADMIN, TOPIC, null, false, Action.PUBLISH)).isEqualTo(Verdict.ALLOW);
        assertThat(new Policy(List.of()).decide(shareOnly(TOPIC, "ro"), TOPIC, "alice", false, Action.READ))
                .isEqualTo(Verdict.ALLOW);
    }

    @Test
    void aPolicyDoesNotChangeWhenItsSourceListDoes() {
        List<Permission> perms = new ArrayList<>(List.of(allow("bob", ">", "rp")));
        Policy p = new Policy(perms);
        perms.add(deny("bob", ">", "rp"));
        perms.clear();
        assertThat(p.size()).isEqualTo(1);
        assertThat(p.decide(principal("bob"), TOPIC, "alice", false, Action.READ)).isEqualTo(Verdict.ALLOW);
    }

    @Test
    void singleLevelTopicsAndWildcardsAtEveryPosition() {
        List<Permission> perms = List.of(allow("bob", "*", "r"), allow("carol", ">", "r"), allow("dave", "orders", "r"),
                allow("erin", "orders.>", "r"), allow("frank", "*.>", "r"));
        Policy p = new Policy(perms);
        for (String topic : List.of("orders", "orders.eu", "orders.eu.paris", "ord", "ordersx")) {
            for (String who : List.of("bob", "carol", "dave", "erin", "frank", "gina")) {
                Caller c = principal(who);
                assertThat(p.decide(c, topic, null, false, Action.READ)).as("%s reads %s", who, topic)
                        .isEqualTo(reference(perms, c, topic, null, false, Action.READ).verdict());
            }
        }
        assertThat(p.decide(principal("bob"), "orders", null, false, Action.READ)).isEqualTo(Verdict.ALLOW);
        assertThat(p.decide(principal("bob"), "orders.eu", null, false, Action.READ)).isEqualTo(Verdict.FORBIDDEN);
        assertThat(p.decide(principal("erin"), "orders", null, false, Action.READ)).isEqualTo(Verdict.FORBIDDEN);
        assertThat(p.decide(principal("frank"), "orders", null, false, Action.READ)).isEqualTo(Verdict.FORBIDDEN);
        assertThat(p.decide(principal("frank"), "orders.eu", null, false, Action.READ)).isEqualTo(Verdict.ALLOW);
    }

    // ------------------------------------------------------------------ the index

    /**
     * 10,000 permissions for 300 principals and "*", with 40 literal first levels and
     * wildcard first levels: the indexed Policy decides exactly as a linear scan of the list.
     */
    @Test
    void tenThousandPermissionsDecideAsABruteForceScan() {
        long seed = 0xACCE55L;
        Random rnd = new Random(seed);
        String[] firsts = new String[40];
        for (int i = 0; i < firsts.length; i++) {
            firsts[i] = "l" + i;
        }
        String[] words = {"a", "b", "c"};
        String[] principals = new String[300];
        for (int i = 0; i < principals.length; i++) {
            principals[i] = "p" + i;
        }
        List<Permission> perms = new ArrayList<>(10_000);
        for (int i = 0; i < 10_000; i++) {
            String who = rnd.nextInt(100) < 1 ? "*" : principals[rnd.nextInt(principals.length)];
            // "*" applies to every caller: keep its patterns narrow (a literal first level, two levels or more)
            int levels = who.equals("*") ? 2 + rnd.nextInt(3) : 1 + rnd.nextInt(4);
            StringBuilder pat = new StringBuilder();
            for (int l = 0; l < levels; l++) {
                if (l > 0) {
                    pat.append('.');
                }
                int k = rnd.nextInt(100);
                if (l == levels - 1 && k < 25) {
                    pat.append('>');
                } else if (k < 40 && !(l == 0 && who.equals("*"))) {
                    pat.append('*');
                } else {
                    pat.append(l == 0 ? firsts[rnd.nextInt(firsts.length)] : words[rnd.nextInt(words.length)]);
                }
            }
            int actions = 1 + rnd.nextInt(7);
            boolean allowIt = rnd.nextInt(100) < 70;
            perms.add(new Permission("perm_" + i, who, Patterns.check(pat.toString()), (actions & 1) != 0,
                    (actions & 2) != 0, (actions & 4) != 0, allowIt, 0));
        }
        Policy policy = new Policy(perms);
        assertThat(policy.size()).isEqualTo(10_000);

        List<String> mismatches = new ArrayList<>();
        int[] rules = new int[8];
        Map<Verdict, Integer> seen = new EnumMap<>(Verdict.class);
        for (int i = 0; i < 20_000; i++) {
            int levels = 1 + rnd.nextInt(4);
            StringBuilder t = new StringBuilder(firsts[rnd.nextInt(firsts.length)]);
            for (int l = 1; l < levels; l++) {
                t.append('.').append(words[rnd.nextInt(words.length)]);
            }
            String topic = t.toString();
            String owner = rnd.nextInt(4) == 0 ? null : principals[rnd.nextInt(principals.length)];
            int kind = rnd.nextInt(20);
            String name = principals[rnd.nextInt(principals.length)];
            String acc = new String[] {"ro", "wo", "rw"}[rnd.nextInt(3)];
            Caller c = switch (kind) {
                case 0 -> Caller.ADMIN;
                case 1 -> principal(owner == null ? name : owner);
                case 2, 3, 4 -> Caller.ANONYMOUS;
                case 5 -> shareOnly(topic, acc);
                case 6 -> shareOnly(firsts[rnd.nextInt(firsts.length)] + ".zz", acc);
                case 7 -> withShare(name, rnd.nextBoolean() ? topic : "zz.zz", acc);
                default -> principal(name);
            };
            boolean pub = rnd.nextInt(3) == 0;
            Action a = Action.values()[rnd.nextInt(Action.values().length)];
            Outcome want = reference(perms, c, topic, owner, pub, a);
            Verdict got = policy.decide(c, topic, owner, pub, a);
            rules[want.rule()]++;
            seen.merge(want.verdict(), 1, Integer::sum);
            if (got != want.verdict()) {
                mismatches.add(String.format("seed %x #%d: %s on %s (owner %s, public %s) %s: expected %s (rule %d), got %s",
                        seed, i, c, topic, owner, pub, a, want.verdict(), want.rule(), got));
            }
        }
        assertThat(mismatches).as("%d mismatches", mismatches.size()).isEmpty();
        String spread = java.util.Arrays.toString(rules);
        assertThat(seen).as("verdicts seen").containsOnlyKeys(Verdict.values());
        // the sample must exercise the permission rules, not only the flags
        assertThat(rules[4]).as("decided by a deny permission; by rule: %s", spread).isGreaterThan(500);
        assertThat(rules[5]).as("decided by an allow permission; by rule: %s", spread).isGreaterThan(500);
        assertThat(rules[6] + rules[7]).as("decided by the flags; by rule: %s", spread).isGreaterThan(500);
    }
}
