package dev.topics.access;

/**
 * Who is asking (SPEC §11), as the gate authenticated them.
 *
 * @param principal the principal's name, {@code "admin"} for the admin token and in dev
 *                  mode, or null for an anonymous caller or one with only a share token
 * @param admin     acts as admin
 * @param share     the valid share token the request carried, or null
 * @param tokenId   the id of the principal token used ({@code tok_…}), or null (the admin
 *                  token, dev mode, no bearer token): revoking that token ends what it opened
 */
public record Caller(String principal, boolean admin, Share share, String tokenId) {

    public Caller(String principal, boolean admin, Share share) {
        this(principal, admin, share, null);
    }

    public static final Caller ADMIN = new Caller("admin", true, null);
    public static final Caller ANONYMOUS = new Caller(null, false, null);

    /** A caller with a valid credential of any kind (SPEC §11: 403 rather than 401 when refused). */
    public boolean credentialed() {
        return principal != null || share != null;
    }
}
