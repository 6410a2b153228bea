package dev.topics.access;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * Turns a request's credentials into a {@link Caller} when auth is required:
 * {@code Authorization: Bearer} carries the admin token or a principal's token, and
 * {@code X-Topic-Token} a topic share token; a request may carry neither (anonymous: public
 * topics only). A token that is not valid is 401 — never a fallback to anonymous — or 429
 * from the {@link FailureThrottle}.
 */
final class Authenticator {
    private static final HeaderName TOPIC_TOKEN = HeaderNames.create("X-Topic-Token");

    private final AdminToken adminToken;
    private final Credentials credentials;
    private final FailureThrottle throttle;

    Authenticator(AdminToken adminToken, Credentials credentials, FailureThrottle throttle) {
        this.adminToken = adminToken;
        this.credentials = credentials;
        this.throttle = throttle;
    }

    /** Who the request is from; 401 for a token that is not valid, 429 for one from an address failing too often. */
    Caller authenticate(ServerRequest req) {
        var bearer = req.headers().first(HeaderNames.AUTHORIZATION);
        var topicToken = req.headers().first(TOPIC_TOKEN);
        if (bearer.isEmpty() && topicToken.isEmpty()) {
            return Caller.ANONYMOUS;
        }
        String address = FailureThrottle.address(req);
        String principal = null;
        boolean admin = false;
        String tokenId = null;
        if (bearer.isPresent()) {
            String v = bearer.get();
            if (!v.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw throttle.failed(address, "Authorization must be 'Bearer <token>'");
            }
            byte[] hash = Tokens.sha256(v.substring(7).trim());
            if (adminToken.matches(hash)) {
                principal = "admin";
                admin = true;
            } else {
                Credentials.PrincipalToken pt = credentials.principalFor(hash);
                if (pt == null) {
                    throw throttle.failed(address, "the bearer token is not valid");
                }
                principal = pt.principal().name();
                admin = pt.principal().admin();
                tokenId = pt.token().id();
            }
        }
        Share share = null;
        if (topicToken.isPresent()) {
            share = credentials.shareFor(Tokens.sha256(topicToken.get().trim()));
            if (share == null) {
                throw throttle.failed(address, "the topic token is not valid (unknown, revoked or expired)");
            }
        }
        return new Caller(principal, admin, share, tokenId);
    }
}
