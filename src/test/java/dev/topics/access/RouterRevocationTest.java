package dev.topics.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §9 "[a router] runs with its creator's rights and stops (state {@code stopped},
 * {@code last_error} says why) if they are lost" — and resumes when they come back.
 *
 * <p>Every measured time is printed (see the test's output file).
 */
@Timeout(300)
@ServerTest.Setup(auth = true, memory = true)
class RouterRevocationTest extends RevocationFixtures {
    static Response router(String name) {
        return admin.get("/v0/routers/" + name).ok();
    }

    static List<Object> data(String topic) {
        return admin.post(path(topic) + "/diff", "{\"from_seq\": 0}").ok().list("records").stream()
                .map(o -> (Object) ((Map<?, ?>) o).get("data")).toList();
    }

    @Test
    void aRouterStopsWhenItsCreatorLosesAPermissionAndResumesWhenItIsGrantedAgain() {
        String src = newTopic("rv.src", "{}");
        String dst = newTopic("rv.dst", "{}");
        String who = "rt-" + src.replace('.', '-');
        Http creator = http.withHeader("Authorization", "Bearer " + principal(who));
        String read = permit(who, src, "[\"read\"]", "allow");
        String publish = permit(who, dst, "[\"publish\"]", "allow");
        String name = "router-" + src.replace('.', '-');
        creator.put("/v0/routers/" + name, "{\"source\": \"" + src + "\", \"dest\": \"" + dst + "\"}").ok(201);

        write(src, 1);
        Await.value("the first copy", Duration.ofSeconds(10), () -> data(dst), d -> d.equals(List.of(1L)));
        assertThat(router(name).str("state")).isEqualTo("running");

        // the read permission on the source goes
        long t0 = System.nanoTime();
        admin.delete("/v0/permissions/" + read).ok();
        Response stopped = Await.value("state stopped", Duration.ofSeconds(10), () -> router(name),
                r -> "stopped".equals(r.get("state")));
        report("router, creator's read permission on the source deleted → stopped", t0);
        assertThat(stopped.str("last_error")).as("last_error says why").isNotBlank();
        System.out.println("router last_error: " + stopped.str("last_error"));

        write(src, 2);
        long cursor = stopped.num("cursor");
        long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        while (System.nanoTime() < until) {
            assertThat(data(dst)).as("a stopped router copies nothing").containsExactly(1L);
            Response r = router(name);
            assertThat(r.str("state")).isEqualTo("stopped");
            assertThat(r.num("cursor")).isEqualTo(cursor);
            Await.sleep(100);
        }

        // granted again: it resumes, and copies what it missed exactly once
        long t1 = System.nanoTime();
        read = permit(who, "rv.>", "[\"read\"]", "allow");
        Await.value("state running again", Duration.ofSeconds(10), () -> router(name), r -> "running".equals(r.get("state")));
        Await.value("the missed record copied", Duration.ofSeconds(10), () -> data(dst), d -> d.equals(List.of(1L, 2L)));
        report("router, read permission granted again → running and copying", t1);

        // the publish permission on the destination goes: stopped again, for that reason
        long t2 = System.nanoTime();
        admin.delete("/v0/permissions/" + publish).ok();
        Response stopped2 = Await.value("state stopped (publish lost)", Duration.ofSeconds(10), () -> router(name),
                r -> "stopped".equals(r.get("state")) && r.get("last_error") != null
                        && String.valueOf(r.get("last_error")).contains(dst));
        report("router, creator's publish permission on the destination deleted → stopped", t2);
        System.out.println("router last_error: " + stopped2.str("last_error"));
        write(src, 3);
        Await.sleep(1000);
        assertThat(data(dst)).as("a stopped router copies nothing").containsExactly(1L, 2L);
        permit(who, dst, "[\"publish\"]", "allow");
        Await.value("the record copied after publish came back", Duration.ofSeconds(10), () -> data(dst),
                d -> d.equals(List.of(1L, 2L, 3L)));
        assertThat(router(name).str("state")).isEqualTo("running");
        write(src, 4);
        Await.value("live copying again", Duration.ofSeconds(10), () -> data(dst), d -> d.equals(List.of(1L, 2L, 3L, 4L)));
    }

    @Test
    void aRouterStopsWhenItsCreatorIsDeleted() {
        String src = newTopic("rv.src", "{}");
        String dst = newTopic("rv.dst", "{}");
        String who = "rd-" + src.replace('.', '-');
        Http creator = http.withHeader("Authorization", "Bearer " + principal(who));
        permit(who, src, "[\"read\"]", "allow");
        permit(who, dst, "[\"publish\"]", "allow");
        String name = "routerd-" + src.replace('.', '-');
        creator.put("/v0/routers/" + name, "{\"source\": \"" + src + "\", \"dest\": \"" + dst + "\"}").ok(201);
        write(src, 1);
        Await.value("the first copy", Duration.ofSeconds(10), () -> data(dst), d -> d.equals(List.of(1L)));
        long t0 = System.nanoTime();
        admin.delete("/v0/principals/" + who).ok();
        Response stopped = Await.value("state stopped", Duration.ofSeconds(10), () -> router(name),
                r -> "stopped".equals(r.get("state")));
        report("router, creator principal deleted → stopped", t0);
        assertThat(stopped.str("last_error")).isNotBlank();
        write(src, 2);
        Await.sleep(1000);
        assertThat(data(dst)).containsExactly(1L);
    }

    static void report(String what, long t0) {
        String line = String.format("%-72s after %4d ms", what, (System.nanoTime() - t0) / 1_000_000);
        System.out.println(line);
        TIMES.add(line);
    }
}
