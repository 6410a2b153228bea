package dev.topics.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * SPEC §11 through HTTP with {@code auth: required}: topic creation. Any principal may create
 * a topic and owns it, unless a deny on the pattern refuses it; an anonymous caller may not,
 * unless {@code TOPICS_DEFAULT_PUBLIC_PUBLISH=true}.
 *
 * <p>Permissions are global, so every permission here names a pattern that only this
 * test's uniquely named topics can match.
 */
@ServerTest.Setup(auth = true, yaml = "auth:\n  failures_per_minute: 1000000\n")
class TopicCreationRightTest extends DecisionFixtures {
    /** Auth required, {@code TOPICS_DEFAULT_PUBLIC_PUBLISH=true}. */
    static TestServer openPublish;

    @AfterAll
    static void stop() {
        if (openPublish != null) {
            openPublish.close();
        }
    }

    @Test
    void anyPrincipalMayCreateATopicAndOwnsIt() {
        String byWrite = TestServer.uniqueTopic("acc.create");
        Response w = publish(bob, byWrite).ok();
        assertThat(w.bool("created")).isTrue();
        assertThat(admin.get("/v0/topics/" + byWrite).ok().str("owner")).isEqualTo("bob");
        assertThat(bob.get("/v0/topics/" + byWrite).ok().str("owner")).isEqualTo("bob");
        read(bob, byWrite).ok();
        read(carol, byWrite).assertError(403, "forbidden");
        publish(carol, byWrite).assertError(403, "forbidden");
        read(http, byWrite).assertError(401, "unauthorized");
        // the creator may manage it: flags and shares
        bob.patch("/v0/topics/" + byWrite, "{\"public_read\": true}").ok();
        read(carol, byWrite).ok();
        share(bob, byWrite, "ro");

        String byPut = TestServer.uniqueTopic("acc.create");
        assertThat(carol.put("/v0/topics/" + byPut, "{}").ok(201).bool("created")).isTrue();
        assertThat(admin.get("/v0/topics/" + byPut).ok().str("owner")).isEqualTo("carol");
        bob.put("/v0/topics/" + byPut, "{}").assertError(403, "forbidden"); // exists now: only owner or admin

        // the admin creates too (and owns it under its principal name)
        String byAdmin = TestServer.uniqueTopic("acc.create");
        publish(admin, byAdmin).ok();
        assertThat(admin.get("/v0/topics/" + byAdmin).ok().str("owner")).isEqualTo("admin");
    }

    @Test
    void anonymousMayNotCreateWhenPublicPublishDefaultsOff() {
        String t = TestServer.uniqueTopic("acc.anoncreate");
        publish(http, t).assertError(401, "unauthorized");
        http.put("/v0/topics/" + t, "{}").assertError(401, "unauthorized");
        // a share token alone is a credential, but names no principal to own the topic
        String u = TestServer.uniqueTopic("acc.anoncreate");
        create(owner, u, false, false);
        publish(topicToken(http, share(owner, u, "rw")), t).assertError(403, "forbidden");
        admin.get("/v0/topics/" + t).assertError(404, "topic_not_found");
    }

    @Test
    void aDenyPermissionOnThePatternRefusesCreation() {
        String p = TestServer.uniqueTopic("acc.nocreate");
        permission(admin, "bob", p + ".>", "p", "deny");
        publish(bob, p + ".x").assertError(403, "forbidden");
        bob.put("/v0/topics/" + p + ".x", "{}").assertError(403, "forbidden");
        admin.get("/v0/topics/" + p + ".x").assertError(404, "topic_not_found");
        // others may; and the deny on publish keeps bob out of it afterwards
        assertThat(publish(carol, p + ".y").ok().bool("created")).isTrue();
        owner.put("/v0/topics/" + p + ".z", "{\"public_publish\": true}").ok(201);
        publish(bob, p + ".z").assertError(403, "forbidden");

        // a deny for everyone: principals 403, http 401, the admin still creates
        String q = TestServer.uniqueTopic("acc.nocreate");
        permission(admin, "*", q + ".*", "p", "deny");
        publish(carol, q + ".x").assertError(403, "forbidden");
        carol.put("/v0/topics/" + q + ".x", "{}").assertError(403, "forbidden");
        publish(http, q + ".x").assertError(401, "unauthorized");
        admin.get("/v0/topics/" + q + ".x").assertError(404, "topic_not_found");
        admin.put("/v0/topics/" + q + ".x", "{}").ok(201);
        assertThat(admin.get("/v0/topics/" + q + ".x").ok().str("owner")).isEqualTo("admin");

        // a deny on read only does not stop creation, and the creator then owns (and reads) it
        String r = TestServer.uniqueTopic("acc.nocreate");
        permission(admin, "bob", r + ".>", "r", "deny");
        assertThat(publish(bob, r + ".x").ok().bool("created")).isTrue();
        read(bob, r + ".x").ok();
        // a deny on another pattern does not either
        permission(admin, "bob", r + ".y.>", "p", "deny");
        publish(bob, r + ".y").ok();
    }

    // ------------------------------------------------------------------ TOPICS_DEFAULT_PUBLIC_PUBLISH=true

    static synchronized Http openPublish() throws IOException {
        if (openPublish == null) {
            openPublish = TestServer.builder(Files.createDirectories(tmp.resolve("open")))
                    .env("TOPICS_AUTH", "required").env("TOPICS_ADMIN_TOKEN", "secret2")
                    .env("TOPICS_DEFAULT_PUBLIC_PUBLISH", "true")
                    .yaml("auth:\n  failures_per_minute: 1000000\n").start();
        }
        return openPublish.http();
    }

    @Test
    void withPublicPublishByDefaultAnonymousWritesCreateTopicsUnlessDenied() throws IOException {
        Http anon = openPublish();
        Http root = anon.withHeader("Authorization", "Bearer secret2");
        Http dan = bearer(anon, principal(root, "dan"));

        String t = TestServer.uniqueTopic("acc.open");
        Response w = publish(anon, t).ok();
        assertThat(w.bool("created")).isTrue();
        Response g = root.get("/v0/topics/" + t).ok();
        assertThat(g.get("owner")).as("an http writer owns nothing").isNull();
        assertThat(g.bool("config.public_publish")).isTrue();
        assertThat(g.bool("config.public_read")).isFalse();
        publish(anon, t).ok();
        read(anon, t).assertError(401, "unauthorized"); // public_read still defaults off
        read(dan, t).assertError(403, "forbidden");
        read(root, t).ok();
        // nobody owns it: no one but the admin manages it
        dan.patch("/v0/topics/" + t, "{\"public_read\": true}").assertError(403, "forbidden");
        anon.patch("/v0/topics/" + t, "{\"public_read\": true}").assertError(401, "unauthorized");

        // a principal's first write still makes it the owner
        String mine = TestServer.uniqueTopic("acc.open");
        publish(dan, mine).ok();
        assertThat(root.get("/v0/topics/" + mine).ok().str("owner")).isEqualTo("dan");

        // a deny for everyone on the pattern refuses creation: http 401, principals 403
        String p = TestServer.uniqueTopic("acc.open");
        permission(root, "*", p + ".>", "p", "deny");
        publish(anon, p + ".x").assertError(401, "unauthorized");
        publish(dan, p + ".x").assertError(403, "forbidden");
        root.get("/v0/topics/" + p + ".x").assertError(404, "topic_not_found");
        publish(anon, p).ok(); // not matched by p.>

        // a deny for one principal leaves http writers free
        String q = TestServer.uniqueTopic("acc.open");
        permission(root, "dan", q + ".*", "p", "deny");
        publish(dan, q + ".x").assertError(403, "forbidden");
        assertThat(publish(anon, q + ".x").ok().bool("created")).isTrue();
        publish(dan, q + ".x").assertError(403, "forbidden"); // public_publish, but the deny comes first

        // reading a name that does not exist: still 401 / 403 / 404 by the read defaults
        String ghost = TestServer.uniqueTopic("acc.open");
        read(anon, ghost).assertError(401, "unauthorized");
        read(dan, ghost).assertError(403, "forbidden");
        read(root, ghost).assertError(404, "topic_not_found");
    }
}
