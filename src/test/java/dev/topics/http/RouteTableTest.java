package dev.topics.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import org.junit.jupiter.api.Test;

/** The route table: what it records from services, and which methods a concrete path takes. */
class RouteTableTest {
    static final HttpService ITEMS = rules -> rules.get("/items", (req, res) -> { })
            .post("/items", (req, res) -> { })
            .get("/items/{id}", (req, res) -> { })
            .delete("/items/{id}", (req, res) -> { })
            .post("/items/{id}/archive", (req, res) -> { });

    @Test
    void recordsEveryRouteUnderItsPrefix() {
        RouteTable t = new RouteTable().add("/v9", ITEMS);
        assertThat(t.routes()).containsExactly(
                new RouteTable.Route("GET", "/v9/items"), new RouteTable.Route("POST", "/v9/items"),
                new RouteTable.Route("DELETE", "/v9/items/{id}"), new RouteTable.Route("GET", "/v9/items/{id}"),
                new RouteTable.Route("POST", "/v9/items/{id}/archive"));
    }

    @Test
    void aParameterMatchesExactlyOneNonEmptySegment() {
        RouteTable t = new RouteTable().add("/v9", ITEMS);
        assertThat(t.methods("/v9/items/42")).containsExactly("DELETE", "GET");
        assertThat(t.methods("/v9/items/42/")).containsExactly("DELETE", "GET"); // one trailing slash is the same path
        assertThat(t.methods("/v9/items/42/archive")).containsExactly("POST");
        assertThat(t.methods("/v9/items//archive")).isEmpty();
        assertThat(t.methods("/v9/items/42/43")).isEmpty();
        assertThat(t.methods("/v9/item")).isEmpty();
        assertThat(t.methods("/items")).isEmpty();
    }

    @Test
    void aServiceRegisteredAtSlashIsItsPrefix() {
        HttpService root = rules -> rules.get("/", (req, res) -> { }).get("/{name}", (req, res) -> { });
        RouteTable t = new RouteTable().add("/topics", root).add("", rules -> rules.head("/", (req, res) -> { }));
        assertThat(t.methods("/topics")).containsExactly("GET");
        assertThat(t.methods("/topics/")).containsExactly("GET");
        assertThat(t.methods("/topics/a")).containsExactly("GET");
        assertThat(t.methods("/")).containsExactly("HEAD");
    }

    @Test
    void nestedRegistrationsJoinTheirPrefixes() {
        RouteTable t = new RouteTable().add("/a", rules -> rules.register("/b", ITEMS));
        assertThat(t.methods("/a/b/items")).containsExactly("GET", "POST");
    }

    @Test
    void aRouteDeclaredAnotherWayIsRefusedRatherThanMissed() {
        HttpService sneaky = rules -> rules.route(Method.PUT, "/x", (req, res) -> { });
        assertThatThrownBy(() -> new RouteTable().add("", sneaky)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("RouteTable");
        HttpService anyMethod = (HttpRules rules) -> rules.any("/y", (req, res) -> { });
        assertThatThrownBy(() -> new RouteTable().add("", anyMethod)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theAllowValueListsThePathsMethodsAndOptions() {
        assertThat(Unrouted.allow(new RouteTable().add("/v9", ITEMS).methods("/v9/items/1"))).isEqualTo("DELETE, GET, OPTIONS");
    }
}
