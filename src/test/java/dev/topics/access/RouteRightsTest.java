package dev.topics.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC §11 (with §0, §2, §5, §9, §10), black box, route by route: with {@code auth: required},
 * every route refuses a caller without credentials (401 {@code unauthorized}) unless it is
 * documented as anonymous, refuses a valid caller lacking the right (403 {@code forbidden}),
 * admits the callers that hold it (2xx), and changes nothing when it refuses. The callers are
 * {@link EndpointFixtures}'s.
 *
 * <pre>
 * | #  | route                                        | right needed                                  | anonymous      |
 * |----|----------------------------------------------|-----------------------------------------------|----------------|
 * | 1  | GET    /v0/topics                            | none (lists readable topics only)             | 200, filtered  |
 * | 2  | PUT    /v0/topics/{new}                      | create: any authenticated principal           | 401            |
 * | 3  | PUT    /v0/topics/{t} (exists)               | owner or admin                                | 401            |
 * | 4  | GET    /v0/topics/{t}                        | read                                          | 401            |
 * | 5  | PATCH  /v0/topics/{t}                        | owner or admin                                | 401            |
 * | 6  | DELETE /v0/topics/{t}                        | owner or admin                                | 401            |
 * | 7  | POST   /v0/topics/{t}           (write)      | publish                                       | 401            |
 * | 7b | POST   /v0/topics/{t} (write with origin)    | publish + mirror                              | 401            |
 * | 8  | POST   /v0/topics/{new}         (write)      | create: any authenticated principal           | 401            |
 * | 8b | POST   /v0/topics/{new} (write with origin)  | create: any principal (it will own the topic) | 401            |
 * | 9  | POST   /v0/topics/{t}/delete                 | owner or admin                                | 401            |
 * | 10 | POST   /v0/topics/{t}/diff                   | read                                          | 401            |
 * | 11 | GET    /v0/topics/{t}/diff                   | read                                          | 401            |
 * | 12 | GET    /v0/topics/{t}/watch      (SSE)       | read                                          | 401            |
 * | 13 | GET    /v0/topics/{t}/subscriptions          | read                                          | 401            |
 * | 14 | PUT    /v0/topics/{t}/subscriptions/{s}      | read                                          | 401            |
 * | 15 | GET    /v0/topics/{t}/subscriptions/{s}      | read                                          | 401            |
 * | 16 | DELETE /v0/topics/{t}/subscriptions/{s}      | read                                          | 401            |
 * | 17 | POST   /v0/topics/{t}/subscriptions/{s}/next | read                                          | 401            |
 * | 18 | POST   /v0/topics/{t}/subscriptions/{s}/ack  | read                                          | 401            |
 * | 19 | POST   /v0/topics/{t}/shares                 | owner or admin                                | 401            |
 * | 20 | GET    /v0/topics/{t}/shares                 | owner or admin                                | 401            |
 * | 21 | PATCH  /v0/topics/{t}/shares/{id}            | owner or admin                                | 401            |
 * | 22 | POST   /v0/topics/{t}/shares/{id}/rotate     | owner or admin                                | 401            |
 * | 23 | DELETE /v0/topics/{t}/shares/{id}            | owner or admin                                | 401            |
 * | 24 | POST   /v0/principals                        | admin                                         | 401            |
 * | 25 | GET    /v0/principals                        | admin                                         | 401            |
 * | 26 | POST   /v0/principals/{p}/tokens             | admin                                         | 401            |
 * | 27 | DELETE /v0/principals/{p}/tokens/{id}        | admin                                         | 401            |
 * | 28 | DELETE /v0/principals/{p}                    | admin                                         | 401            |
 * | 29 | POST   /v0/permissions                       | admin                                         | 401            |
 * | 30 | GET    /v0/permissions                       | admin                                         | 401            |
 * | 31 | DELETE /v0/permissions/{id}                  | admin                                         | 401            |
 * | 32 | GET    /v0/node                              | any valid credential                          | 401            |
 * | 33 | PUT    /v0/routers/{new} (existing dest)     | read on source + publish on dest              | 401            |
 * | 34 | PUT    /v0/routers/{new} (new dest)          | read on source + create right                 | 401            |
 * | 35 | PUT    /v0/routers/{r} (replace)             | read+publish, and admin, creator or src owner | 401            |
 * | 36 | GET    /v0/routers/{r}                       | read on source                                | 401            |
 * | 37 | GET    /v0/routers                           | none (routers whose source is readable)       | 200, filtered  |
 * | 38 | DELETE /v0/routers/{r}                       | admin, creator or source owner                | 401            |
 * | 39 | POST   /v0/watch                             | read on every topic named                     | 401            |
 * | 40 | GET    /v0/watch/{wid}           (SSE)       | none: the wid is the capability               | 200 (stream)   |
 * </pre>
 */
@Timeout(600)
@ServerTest.Setup(auth = true, memory = true)
class RouteRightsTest extends EndpointFixtures {
    static Stream<Row> rows() {
        return ROWS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void eachRouteRefusesCallersWithoutTheRightAndAdmitsThoseWithIt(Row row) {
        Fx fx = fixture();
        String before = state(fx);

        Response a = call(row, fx);
        if (row.anonymousOk()) {
            assertThat(a.status()).as("%s without credentials (a documented anonymous route): %s", row, a).isEqualTo(200);
        } else {
            a.assertError(401, "unauthorized");
        }
        for (String who : row.lacking()) {
            Response r = call(row, fx, creds(who, fx));
            assertThat(r.status()).as("%s as %s (lacks the right): %s", row, who, r).isEqualTo(403);
            r.assertError(403, "forbidden");
        }
        assertThat(state(fx)).as("%s: refused requests change nothing", row).isEqualTo(before);

        for (Holder h : row.holders()) {
            Response r = call(row, fx, creds(h.who(), fx));
            assertThat(r.status()).as("%s as %s (holds the right): %s", row, h.who(), r).isEqualTo(h.status());
        }
    }

    @Test
    void theTableCoversEveryRoute() {
        // the table has a row for each route of SPEC §2, §3, §4, §5, §6, §9, §10, §11 and /v0/node
        List<String> routes = ROWS.stream().map(r -> r.method() + " " + r.name().replaceAll("^[0-9b]+ [A-Z]+ ", "")
                .replaceAll(" .*", "")).distinct().toList();
        assertThat(routes).contains("GET /v0/topics", "PUT /v0/topics/{new}", "PUT /v0/topics/{t}",
                "GET /v0/topics/{t}", "PATCH /v0/topics/{t}", "DELETE /v0/topics/{t}", "POST /v0/topics/{t}",
                "POST /v0/topics/{new}", "POST /v0/topics/{t}/delete", "POST /v0/topics/{t}/diff",
                "GET /v0/topics/{t}/diff", "GET /v0/topics/{t}/watch", "GET /v0/topics/{t}/subscriptions",
                "PUT /v0/topics/{t}/subscriptions/{s}", "GET /v0/topics/{t}/subscriptions/{s}",
                "DELETE /v0/topics/{t}/subscriptions/{s}", "POST /v0/topics/{t}/subscriptions/{s}/next",
                "POST /v0/topics/{t}/subscriptions/{s}/ack", "POST /v0/topics/{t}/shares", "GET /v0/topics/{t}/shares",
                "PATCH /v0/topics/{t}/shares/{id}", "POST /v0/topics/{t}/shares/{id}/rotate",
                "DELETE /v0/topics/{t}/shares/{id}", "POST /v0/principals", "GET /v0/principals",
                "POST /v0/principals/{p}/tokens", "DELETE /v0/principals/{p}/tokens/{id}", "DELETE /v0/principals/{p}",
                "POST /v0/permissions", "GET /v0/permissions", "DELETE /v0/permissions/{id}", "GET /v0/node",
                "PUT /v0/routers/{new}", "PUT /v0/routers/{r}", "GET /v0/routers/{r}", "GET /v0/routers",
                "DELETE /v0/routers/{r}", "POST /v0/watch", "GET /v0/watch/{wid}");
    }
}
