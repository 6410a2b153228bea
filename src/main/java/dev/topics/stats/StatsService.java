package dev.topics.stats;

import dev.topics.access.Gate;
import dev.topics.http.Responses;
import dev.topics.http.StorageRef;
import dev.topics.json.JsonOut;
import dev.topics.storage.TopicInfo;
import dev.topics.http.TopicName;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/** {@code GET /v0/topics/{name}/stats} (SPEC §12), for the admin; the /topics surface answers the same in camelCase. */
public final class StatsService implements HttpService {
    private final StorageRef storage;
    private final Gate gate;
    private final ToIntFunction<String> watchers;
    private final Activity activity;
    private final Function<String, long[]> deliveries;

    public StatsService(StorageRef storage, Gate gate, ToIntFunction<String> watchers,
                        Function<String, long[]> deliveries, Activity activity) {
        this.deliveries = deliveries;
        this.storage = storage;
        this.gate = gate;
        this.watchers = watchers;
        this.activity = activity;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/topics/{name}/stats", (req, res) -> stats(req, res, false));
    }

    /** Shared with the /topics surface ({@code camel}: camelCase, no performance block). */
    public void stats(ServerRequest req, ServerResponse res, boolean camel) {
        long t0 = System.nanoTime();
        gate.requireAdmin(gate.authenticate(req));
        TopicInfo t = storage.get().topic(TopicName.check(req.path().pathParameters().get("name")));
        JsonOut out = TopicStats.of(storage.get(), t, watchers, deliveries, activity).fields(new JsonOut(512).beginObject(), camel);
        if (!camel) {
            Responses.performance(out, t0, -1);
        }
        Responses.send(res, 200, out.endObject());
    }
}
