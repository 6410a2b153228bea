package dev.topics.http;

/**
 * The topic naming rule (SPEC §2): 3–255 characters of {@code A–Z a–z 0–9 . - _}, not
 * starting or ending with {@code .}, no empty segment. Names never become file paths
 * (storage names directories by numeric id), so this rule is about a clean namespace,
 * not about safety — but {@code ..} and {@code /} are refused all the same.
 */
public final class TopicName {
    private TopicName() {
    }

    public static boolean valid(String name) {
        int n = name.length();
        if (n < 3 || n > 255 || name.charAt(0) == '.' || name.charAt(n - 1) == '.') {
            return false;
        }
        char prev = 0;
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-' || c == '_';
            if (!ok || (c == '.' && prev == '.')) {
                return false;
            }
            prev = c;
        }
        return true;
    }

    /** Returns {@code name} or throws 400 {@code invalid_topic_name}. */
    public static String check(String name) {
        if (name == null || !valid(name)) {
            String shown = name == null ? "" : name.length() > 300 ? name.substring(0, 300) + "…" : name;
            throw ApiError.badRequest("invalid_topic_name", "'" + shown + "' is not a valid topic name: use 3-255 characters"
                    + " of A-Z a-z 0-9 . - _, not starting or ending with '.', without '..'");
        }
        return name;
    }
}
