package dev.topics.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * SPEC §11 through HTTP with {@code auth: required}: named cases of the first-match-wins
 * decision. A deny overrides the public flags for all but the owner and the admin, a share
 * token for another topic is a credential (403, not 401), and permissions for {@code *} apply
 * to anonymous callers.
 *
 * <p>Permissions are global, so every permission here names a pattern that only this
 * test's uniquely named topics can match.
 */
@ServerTest.Setup(auth = true, yaml = "auth:\n  failures_per_minute: 1000000\n")
class DecisionOrderCasesTest extends DecisionFixtures {
    @Test
    void aDenyOverridesThePublicFlagsForNonOwnersButNeverForTheOwnerOrAdmin() {
        String t = TestServer.uniqueTopic("acc.denypub");
        create(owner, t, true, true);
        String rw = share(owner, t, "rw");
        read(http, t).ok();
        publish(http, t).ok();
        read(bob, t).ok();

        String id = permission(admin, "*", t, "rp", "deny");
        permission(admin, "root", t, "rp", "deny");
        read(http, t).assertError(401, "unauthorized");
        publish(http, t).assertError(401, "unauthorized");
        read(bob, t).assertError(403, "forbidden");
        publish(carol, t).assertError(403, "forbidden");
        http.get("/v0/topics/" + t).assertError(401, "unauthorized");
        // the owner, the admin and a share token for the topic come before any deny
        read(owner, t).ok();
        publish(owner, t).ok();
        read(admin, t).ok();
        publish(admin, t).ok();
        read(root, t).ok();
        read(topicToken(http, rw), t).ok();
        publish(topicToken(http, rw), t).ok();

        // a deny for the owner by name changes nothing for the owner either
        String own = permission(admin, "owner", t, "rp", "deny");
        read(owner, t).ok();
        publish(owner, t).ok();
        owner.patch("/v0/topics/" + t, "{\"public_read\": true}").ok();

        // removing the denies gives the public flags back at once
        admin.delete("/v0/permissions/" + id).ok();
        admin.delete("/v0/permissions/" + own).ok();
        read(http, t).ok();
        publish(http, t).ok();
        assertThat(read(bob, t).list("records")).hasSize(6);
    }

    @Test
    void aShareTokenForAnotherTopicIsACredential() {
        String t = TestServer.uniqueTopic("acc.other");
        String u = TestServer.uniqueTopic("acc.other");
        create(owner, t, false, false);
        create(owner, u, false, false);
        Http holder = topicToken(http, share(owner, u, "rw"));
        read(holder, u).ok();
        publish(holder, u).ok();

        read(holder, t).assertError(403, "forbidden");
        publish(holder, t).assertError(403, "forbidden");
        holder.post("/v0/topics/" + t + "/diff", "{}").assertError(403, "forbidden");
        holder.get("/v0/topics/" + t).assertError(403, "forbidden");
        read(http, t).assertError(401, "unauthorized");
        publish(http, t).assertError(401, "unauthorized");
        // not even the owner's share-granting right comes with it
        holder.post("/v0/topics/" + t + "/shares", "{\"access\": \"rw\"}").assertError(403, "forbidden");
        assertThat(admin.get("/v0/topics/" + t).ok().num("head_seq")).isZero();
    }

    @Test
    void starPermissionsApplyToAnonymousCallers() {
        String base = TestServer.uniqueTopic("acc.star");
        String closed = base + ".closed";
        String open = base + ".open";
        create(owner, closed, false, false);
        create(owner, open, true, true);
        read(http, closed).assertError(401, "unauthorized");

        permission(admin, "*", closed, "r", "allow");
        read(http, closed).ok();
        http.get("/v0/topics/" + closed).ok();
        publish(http, closed).assertError(401, "unauthorized");
        permission(admin, "*", base + ".>", "p", "allow");
        publish(http, closed).ok();

        publish(http, open).ok();
        permission(admin, "*", "*." + base.substring("acc.".length()) + ".open", "p", "deny");
        publish(http, open).assertError(401, "unauthorized");
        read(http, open).ok();
        // a permission for a principal is not one for http callers
        String t = TestServer.uniqueTopic("acc.star");
        create(owner, t, false, false);
        permission(admin, "bob", t, "rp", "allow");
        read(http, t).assertError(401, "unauthorized");
        read(bob, t).ok();
    }
}
