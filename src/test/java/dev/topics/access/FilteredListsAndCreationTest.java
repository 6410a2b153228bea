package dev.topics.access;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.ServerTest;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §11 (with §2, §9), black box, with {@code auth: required}: the effects of the admitted
 * calls. A topic created by any principal is owned by it and managed by its owner; the topic and
 * router lists show each caller only what it can read; a refused creation leaves no topic behind.
 * The callers are {@link EndpointFixtures}'s.
 */
@Timeout(600)
@ServerTest.Setup(auth = true, memory = true)
class FilteredListsAndCreationTest extends EndpointFixtures {
    @Test
    void aTopicCreatedByAnyPrincipalIsOwnedByItAndItsOwnerManagesIt() {
        Fx fx = new Fx();
        as("stranger").put(topic(fx.fresh), "{}").ok(201);
        assertThat(admin.get(topic(fx.fresh)).ok().str("owner")).isEqualTo("stranger");
        as("stranger").patch(topic(fx.fresh), "{\"ttl_ms\": 7}").ok();
        as("stranger").post(topic(fx.fresh) + "/shares", "{\"access\": \"ro\"}").ok(201);
        as("reader").patch(topic(fx.fresh), "{\"ttl_ms\": 8}").assertError(403, "forbidden");
        assertThat(admin.get(topic(fx.fresh)).ok().num("config.ttl_ms")).isEqualTo(7);

        // first write creates, owned by the writer
        as("writer").post(topic(fx.freshDest), "{\"records\": [{\"data\": 1}]}").ok();
        assertThat(admin.get(topic(fx.freshDest)).ok().str("owner")).isEqualTo("writer");
        as("writer").delete(topic(fx.freshDest)).ok();
    }

    @Test
    void theTopicListShowsEachCallerOnlyWhatItCanRead() {
        Fx fx = fixture();
        String pub = uniqueTopic("ep.pub");
        as("owner").put(topic(pub), "{\"public_read\": true}").ok(201);
        Map<String, List<String>> seen = new HashMap<>();
        for (String who : List.of("anon", "stranger", "reader", "writer", "denied", "share-ro", "share-wo", "owner",
                "admin")) {
            List<String> names = new ArrayList<>();
            for (String name : List.of(pub, fx.t, fx.dest, fx.priv)) {
                // each name is its own prefix: the answer holds it exactly when the caller may read it
                names.addAll(http.send("GET", "/v0/topics?prefix=" + name, BodyPublishers.noBody(), creds(who, fx)).ok()
                        .list("topics").stream().map(o -> String.valueOf(((Map<?, ?>) o).get("topic")))
                        .filter(name::equals).toList());
            }
            seen.put(who, names);
        }
        assertThat(seen.get("anon")).as("anonymous").contains(pub).doesNotContain(fx.t, fx.dest, fx.priv);
        assertThat(seen.get("stranger")).as("stranger").contains(pub).doesNotContain(fx.t, fx.dest, fx.priv);
        assertThat(seen.get("writer")).as("writer (publish only)").contains(pub).doesNotContain(fx.t, fx.dest, fx.priv);
        assertThat(seen.get("reader")).as("reader").contains(pub, fx.t, fx.dest).doesNotContain(fx.priv);
        assertThat(seen.get("denied")).as("denied (deny beats public_read)").doesNotContain(pub, fx.t, fx.dest, fx.priv);
        assertThat(seen.get("share-ro")).as("ro share of t").contains(pub, fx.t).doesNotContain(fx.dest, fx.priv);
        assertThat(seen.get("share-wo")).as("wo share of t").contains(pub).doesNotContain(fx.t, fx.dest, fx.priv);
        assertThat(seen.get("owner")).as("owner").contains(pub, fx.t, fx.dest, fx.priv);
        assertThat(seen.get("admin")).as("admin").contains(pub, fx.t, fx.dest, fx.priv);
    }

    @Test
    void theRouterListShowsOnlyRoutersWhoseSourceTheCallerCanRead() {
        Fx fx = fixture();
        String pub = uniqueTopic("ep.pubsrc");
        as("owner").put(topic(pub), "{\"public_read\": true}").ok(201);
        String pubRouter = "rpub-" + fx.n;
        as("owner").put("/v0/routers/" + pubRouter, "{\"source\": " + json(pub) + ", \"dest\": " + json(fx.priv) + "}")
                .ok(201);
        String privRouter = "rpriv-" + fx.n;
        as("owner").put("/v0/routers/" + privRouter, "{\"source\": " + json(fx.priv) + ", \"dest\": " + json(fx.dest)
                + "}").ok(201);
        Map<String, List<String>> seen = new HashMap<>();
        for (String who : List.of("anon", "stranger", "reader", "share-ro", "denied", "owner", "admin")) {
            seen.put(who, http.send("GET", "/v0/routers", BodyPublishers.noBody(), creds(who, fx)).ok().list("routers")
                    .stream().map(o -> String.valueOf(((Map<?, ?>) o).get("router"))).toList());
        }
        assertThat(seen.get("anon")).contains(pubRouter).doesNotContain(fx.router, privRouter);
        assertThat(seen.get("stranger")).contains(pubRouter).doesNotContain(fx.router, privRouter);
        assertThat(seen.get("reader")).contains(pubRouter, fx.router).doesNotContain(privRouter);
        assertThat(seen.get("share-ro")).contains(pubRouter, fx.router).doesNotContain(privRouter);
        assertThat(seen.get("denied")).doesNotContain(pubRouter, fx.router, privRouter);
        assertThat(seen.get("owner")).contains(pubRouter, fx.router, privRouter);
        assertThat(seen.get("admin")).contains(pubRouter, fx.router, privRouter);
        // a router the caller cannot see is refused, not described
        as("stranger").get("/v0/routers/" + privRouter).assertError(403, "forbidden");
        http.get("/v0/routers/" + privRouter).assertError(401, "unauthorized");
        http.get("/v0/routers/no-such-router").assertError(401, "unauthorized");
    }

    @Test
    void aRefusedCreationLeavesNoTopicBehind() {
        Fx fx = new Fx();
        http.put(topic(fx.fresh), "{}").assertError(401, "unauthorized");
        http.post(topic(fx.fresh), "{\"records\": [{\"data\": 1}]}").assertError(401, "unauthorized");
        as("denied").post(topic(fx.fresh), "{\"records\": [{\"data\": 1}]}").assertError(403, "forbidden");
        http.withHeader("Authorization", "Bearer nope").post(topic(fx.fresh), "{\"records\": [{\"data\": 1}]}")
                .assertError(401, "unauthorized");
        admin.get(topic(fx.fresh)).assertError(404, "topic_not_found");
    }
}
