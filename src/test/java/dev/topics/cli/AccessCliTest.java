package dev.topics.cli;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client against a server with auth required (SPEC §11, §14): the token from
 * {@code --token} or {@code TOPICS_TOKEN}, the server's 401 exiting 1 with its message, and
 * the principals, permissions and shares commands doing what they say.
 */
@Timeout(120)
@ServerTest.Setup(auth = true, memory = true)
class AccessCliTest extends ServerTest {
    static Cli cli;
    /** The CLI as the admin (it hides {@link ServerTest#admin}, the HTTP client). */
    static Cli admin;

    @BeforeAll
    static void cli() {
        cli = Cli.of(server);
        admin = cli.env("TOPICS_TOKEN", TestServer.ADMIN_TOKEN);
    }

    private static Cli.Result ok(Cli.Result r) {
        assertThat(r.code()).as(r.toString()).isZero();
        return r;
    }

    @Test
    void withoutATokenTheServersRefusalExitsOne() {
        Cli.Result r = cli.run("principals", "list");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("topics: unauthorized: ").endsWith("\n").doesNotContain("\n\n");

        Cli.Result bad = cli.run("principals", "list", "--token", "not-a-token");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).startsWith("topics: unauthorized: ");
    }

    @Test
    void theTokenComesFromTheEnvironmentOrTheOption() {
        ok(admin.run("principals", "list"));
        ok(cli.run("principals", "list", "--token", TestServer.ADMIN_TOKEN));
        assertThat(admin.run("principals", "list", "--token", "wrong").code()).as("the option wins").isEqualTo(1);
    }

    @Test
    void principalsAndTheirTokens() {
        String name = uniqueTopic("alice");
        Map<String, Object> created = ok(admin.run("principals", "create", "--name", name, "--json")).json();
        String token = (String) created.get("token");
        assertThat(token).startsWith("tpk_");
        Cli.Result asAlice = cli.env("TOPICS_TOKEN", token).run("write", uniqueTopic("alice.t"), "1");
        assertThat(asAlice.code()).as(asAlice.toString()).isZero();

        Map<String, Object> added = ok(admin.run("principals", "add-token", "--name", name, "--json")).json();
        String tokenId = (String) added.get("token_id");
        List<String> list = ok(admin.run("principals", "list")).lines();
        assertThat(list.getFirst()).matches("NAME +ADMIN +TOKENS +CREATED");
        assertThat(list).anySatisfy(l -> assertThat(l).startsWith(name + " ").contains("false", tokenId,
                (String) created.get("token_id")));

        assertThat(ok(admin.run("principals", "delete-token", "--name", name, "--token-id", tokenId)).out())
                .isEqualTo("deleted token " + tokenId + " of " + name + "\n");
        assertThat(cli.env("TOPICS_TOKEN", (String) added.get("token")).run("topics", "list").code()).isEqualTo(1);

        assertThat(ok(admin.run("principals", "delete", "--name", name)).out()).isEqualTo("deleted principal " + name + "\n");
        Cli.Result gone = admin.run("principals", "delete", "--name", name);
        assertThat(gone.code()).isEqualTo(1);
        assertThat(gone.err()).startsWith("topics: principal_not_found: ");
    }

    @Test
    void permissionsAllowAndDeny() {
        String name = uniqueTopic("bob");
        String token = (String) ok(admin.run("principals", "create", "--name", name, "--json")).json().get("token");
        String topic = uniqueTopic("perm.t");
        ok(admin.run("write", topic, "\"secret\""));
        Cli bob = cli.env("TOPICS_TOKEN", token);
        assertThat(bob.run("read", topic).code()).isEqualTo(1);

        Cli.Result made = ok(admin.run("permissions", "create", "--principal", name, "--pattern", "perm.>",
                "--actions", "read", "--effect", "allow"));
        assertThat(made.out()).contains("pattern:", "perm.>", "effect:", "allow");
        assertThat(ok(bob.run("read", topic)).lines()).hasSize(1);

        List<String> list = ok(admin.run("permissions", "list")).lines();
        assertThat(list.getFirst()).matches("ID +PRINCIPAL +PATTERN +ACTIONS +EFFECT");
        String row = list.stream().filter(l -> l.contains(" " + name + " ")).findFirst().orElseThrow();
        assertThat(row).contains("perm.>", "read", "allow");
        String id = row.substring(0, row.indexOf(' '));
        assertThat(id).startsWith("perm_");

        Map<String, Object> both = ok(admin.run("permissions", "create", "--principal", "*", "--pattern", "perm.*",
                "--actions", "read,publish", "--json")).json();
        assertThat(both.get("actions")).isEqualTo(List.of("read", "publish"));
        ok(admin.run("permissions", "delete", "--id", (String) both.get("id")));

        // mirror: the right to write records that carry an origin, beside publish
        String origin = "{\"records\": [{\"data\": 1, \"origin\": {\"node\": \"elsewhere\", \"topic\": \"src\", "
                + "\"seq\": 7}}]}";
        Map<String, Object> pub = ok(admin.run("permissions", "create", "--principal", name, "--pattern", topic,
                "--actions", "publish", "--json")).json();
        http.post("/v0/topics/" + topic, origin, "Authorization", "Bearer " + token).assertError(403, "forbidden");
        Map<String, Object> mirror = ok(admin.run("permissions", "create", "--principal", name, "--pattern", topic,
                "--actions", "publish,mirror", "--json")).json();
        assertThat(mirror.get("actions")).isEqualTo(List.of("publish", "mirror"));
        assertThat(ok(admin.run("permissions", "list")).out()).contains("publish,mirror");
        http.post("/v0/topics/" + topic, origin, "Authorization", "Bearer " + token).ok();
        ok(admin.run("permissions", "delete", "--id", (String) mirror.get("id")));
        ok(admin.run("permissions", "delete", "--id", (String) pub.get("id")));

        assertThat(ok(admin.run("permissions", "delete", "--id", id)).out()).isEqualTo("deleted permission " + id + "\n");
        assertThat(bob.run("read", topic).code()).isEqualTo(1);
    }

    @Test
    void sharesFromCreationToRevocation() {
        String topic = uniqueTopic("share.t");
        ok(admin.run("write", topic, "{\"n\": 1}"));
        Map<String, Object> share = ok(admin.run("shares", "create", topic, "--access", "ro", "--label",
                "for carol", "--json")).json();
        String id = (String) share.get("id");
        String token = (String) share.get("token");
        assertThat(id).startsWith("sh_");
        http.get("/v0/topics/" + topic + "/diff", "X-Topic-Token", token).ok();

        List<String> list = ok(admin.run("shares", "list", topic)).lines();
        assertThat(list.getFirst()).matches("ID +ACCESS +EXPIRES +LABEL +CREATED");
        assertThat(list.get(1)).startsWith(id).contains(" ro ", " - ", "for carol");

        Cli.Result updated = ok(admin.run("shares", "update", "--topic", topic, "--id", id, "--access", "rw",
                "--expires-at", "2099-01-01T00:00:00Z"));
        assertThat(updated.out()).containsPattern("access: +rw").containsPattern("expires_at: +2099-01-01T00:00:00Z")
                .containsPattern("label: +for carol");

        String rotated = (String) ok(admin.run("shares", "rotate", topic, "--id", id, "--topic", topic, "--json")).json()
                .get("token");
        assertThat(rotated).startsWith("tk_").isNotEqualTo(token);
        http.get("/v0/topics/" + topic + "/diff", "X-Topic-Token", token).assertError(401, "unauthorized");
        http.get("/v0/topics/" + topic + "/diff", "X-Topic-Token", rotated).ok();

        assertThat(ok(admin.run("shares", "delete", "--topic", topic, "--id", id)).out())
                .isEqualTo("deleted share " + id + " of " + topic + "\n");
        http.get("/v0/topics/" + topic + "/diff", "X-Topic-Token", rotated).assertError(401, "unauthorized");
        assertThat(ok(admin.run("shares", "list", "--topic", topic)).lines()).hasSize(1);
    }
}
