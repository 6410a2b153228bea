package dev.topics.topic;

import dev.topics.http.ApiError;

/** The node id rule (SPEC §0): 1–64 bytes of {@code [A-Za-z0-9._:-]}; used by writes, reads and watches. */
public final class NodeId {
    private NodeId() {
    }

    /** Returns {@code v} (null stays null) or throws 400 {@code invalid_field} naming {@code at}. */
    public static String check(String v, String at) {
        if (v == null) {
            return null;
        }
        boolean ok = !v.isEmpty() && v.length() <= 64;
        for (int i = 0; ok && i < v.length(); i++) {
            char c = v.charAt(i);
            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
        }
        if (!ok) {
            throw ApiError.invalidField(at + " must be 1 to 64 characters of A-Z a-z 0-9 . _ : -");
        }
        return v;
    }
}
