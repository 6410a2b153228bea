package dev.topics.access;

import dev.topics.http.ApiError;

/**
 * Permission patterns (SPEC §11): dot-separated levels; {@code *} is exactly one level,
 * {@code >} (last only) one or more levels. Other levels are literal topic-name text
 * ({@code A–Z a–z 0–9 - _}); {@code alerts.>} matches {@code alerts.disk} and
 * {@code alerts.disk.full}, not {@code alerts}.
 *
 * <p>On the decision's hot path: a pattern's levels are what the {@link Policy} trie walks
 * for every decision that reaches the permissions; {@link #matches} is the plain,
 * allocation-free form of the same rule. The benchmark is {@code PolicyBench} in
 * {@code benchmarks/jmh}.
 */
public final class Patterns {
    private Patterns() {
    }

    /** The pattern if it is well formed; 400 {@code invalid_field} otherwise. */
    public static String check(String pattern) {
        if (pattern == null || pattern.isEmpty() || pattern.length() > 255) {
            throw ApiError.invalidField("pattern must be 1 to 255 characters");
        }
        String[] levels = pattern.split("\\.", -1);
        for (int i = 0; i < levels.length; i++) {
            String l = levels[i];
            if (l.isEmpty()) {
                throw ApiError.invalidField("pattern '" + pattern + "' has an empty level");
            }
            if (l.equals(">")) {
                if (i != levels.length - 1) {
                    throw ApiError.invalidField("pattern '" + pattern + "': '>' may only be the last level");
                }
                continue;
            }
            if (l.equals("*")) {
                continue;
            }
            for (int c = 0; c < l.length(); c++) {
                char ch = l.charAt(c);
                boolean ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-'
                        || ch == '_';
                if (!ok) {
                    throw ApiError.invalidField("pattern '" + pattern + "': a level is '*', '>' or letters, digits, '-' and '_'");
                }
            }
        }
        return pattern;
    }

    /** True when {@code topic} matches the (well-formed) pattern. Allocation-free. */
    public static boolean matches(String pattern, String topic) {
        int p = 0;
        int t = 0;
        int pn = pattern.length();
        int tn = topic.length();
        while (true) {
            int pe = pattern.indexOf('.', p);
            if (pe < 0) {
                pe = pn;
            }
            if (t > tn) {
                return false; // the topic has fewer levels than the pattern
            }
            int te = topic.indexOf('.', t);
            if (te < 0) {
                te = tn;
            }
            if (pe - p == 1 && pattern.charAt(p) == '>') {
                return true; // one or more levels remain (t ≤ tn guarantees one)
            }
            if (!(pe - p == 1 && pattern.charAt(p) == '*')
                    && (pe - p != te - t || !pattern.regionMatches(p, topic, t, pe - p))) {
                return false;
            }
            if (pe == pn) {
                return te == tn;
            }
            if (te == tn) {
                return false; // the pattern has more levels
            }
            p = pe + 1;
            t = te + 1;
        }
    }

    /** The literal first level of a pattern, or null when it is {@code *} or {@code >}. */
    static String firstLiteral(String pattern) {
        int e = pattern.indexOf('.');
        String first = e < 0 ? pattern : pattern.substring(0, e);
        return first.equals("*") || first.equals(">") ? null : first;
    }

    static String firstLevel(String topic) {
        int e = topic.indexOf('.');
        return e < 0 ? topic : topic.substring(0, e);
    }
}
