package dev.topics.router;

import dev.topics.access.Action;
import dev.topics.access.Caller;
import dev.topics.access.Gate;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.Storage;
import dev.topics.storage.TopicConfig;
import dev.topics.worker.ControlFollower;
import dev.topics.worker.WorkerClock;
import java.net.http.HttpClient;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The running routers (SPEC §9): one {@link RouterWorker} per stored router, started when
 * the engine is ready and whenever a router is created or replaced, stopped when it is
 * deleted and at shutdown. Changes to the set of routers are serialised here, so the
 * cycle check sees every local router.
 */
public final class Routers implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Routers.class.getName());
    private final TopicConfig destDefaults;
    private final Gate gate;
    private final WorkerClock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(RemoteDest.CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final Map<String, RouterWorker> workers = new ConcurrentHashMap<>();
    private volatile Storage storage;
    private volatile boolean closed;

    /**
     * @param destDefaults the configuration of a destination topic a router creates
     * @param gate         decides whether a router's creator still has the rights it runs with
     */
    public Routers(TopicConfig destDefaults, Gate gate) {
        this(destDefaults, gate, WorkerClock.SYSTEM);
    }

    /** Routers whose backoff waits on {@code clock} (tests of retries). */
    public Routers(TopicConfig destDefaults, Gate gate, WorkerClock clock) {
        this.destDefaults = destDefaults;
        this.gate = gate;
        this.clock = clock;
    }

    /**
     * Why the router may not copy now (SPEC §9: it runs with its creator's rights), or null
     * when it may.
     */
    String lostRights(RouterSpec spec) {
        if (spec.creatorIdentity() == null) {
            return null; // made before creators were kept, when every caller was the admin
        }
        Caller c = gate.restore(spec.creatorIdentity());
        if (c == null) {
            return "the credentials of its creator are no longer valid";
        }
        if (!gate.stillAllowed(c, spec.source(), Action.READ)) {
            return "its creator may no longer read " + spec.source();
        }
        if (!spec.remote() && !gate.stillAllowed(c, spec.dest(), Action.PUBLISH)) {
            return "its creator may no longer publish to " + spec.dest();
        }
        return null;
    }

    /** Starts a worker for every stored router; called once recovery is done. */
    public synchronized void start(Storage s) {
        storage = s;
        List<ControlEntry> all = s.controls(ControlEntry.Kind.ROUTER);
        for (ControlEntry e : all) {
            launch(e);
        }
        if (!all.isEmpty()) {
            LOG.info("started " + all.size() + " router(s)");
        }
        // routers made or replaced elsewhere (another node of a cluster) get a worker here too;
        // a worker whose router is gone or replaced ends by itself
        ControlFollower.start("topics-routers-follow", () -> storage, ControlEntry.Kind.ROUTER, () -> closed,
                this::reconcile);
    }

    /** Every router without a worker for its spec gets one. */
    private synchronized void reconcile(List<ControlEntry> routers) {
        for (ControlEntry e : routers) {
            RouterWorker w = workers.get(e.id());
            if (!closed && (w == null || !java.util.Arrays.equals(w.spec(), e.spec()))) {
                launch(e);
            }
        }
    }

    Storage storage() {
        return storage;
    }

    TopicConfig destDefaults() {
        return destDefaults;
    }

    RouterWorker worker(String name) {
        return workers.get(name);
    }

    /**
     * Stores a router and (re)starts its worker. With {@code keepCursor}, a router replacing
     * one keeps the cursor it has when the change commits.
     *
     * @return the entry replaced, or null when created
     * @throws CycleException when local routers would form a cycle
     */
    synchronized ControlEntry put(RouterSpec spec, long cursor, boolean keepCursor) throws CycleException {
        Storage s = storage;
        if (!spec.remote()) {
            List<String> path = cycle(s, spec);
            if (path != null) {
                throw new CycleException(path);
            }
        }
        RouterWorker old = workers.remove(spec.name());
        if (old != null) {
            old.stop();
        }
        ControlEntry replaced;
        try {
            replaced = s.putControl(spec.entry(cursor), keepCursor);
        } finally {
            ControlEntry now = s.control(RouterSpec.key(spec.name()));
            if (now != null && !closed) {
                launch(now); // the new one, or (when the put failed) the old one again
            }
        }
        return replaced;
    }

    /** Deletes a router and stops its worker; returns the entry deleted. */
    synchronized ControlEntry delete(String name) {
        RouterWorker old = workers.remove(name);
        if (old != null) {
            old.stop();
        }
        return storage.deleteControl(RouterSpec.key(name));
    }

    private void launch(ControlEntry e) {
        RouterSpec spec = RouterSpec.of(e);
        RemoteDest remote = spec.remote() ? new RemoteDest(http, spec.destUrl(), spec.destTopic(), spec.destToken()) : null;
        RouterWorker w = new RouterWorker(storage, e, destDefaults, remote, this::lostRights, clock);
        RouterWorker before = workers.put(spec.name(), w);
        if (before != null) {
            before.stop();
        }
        w.start();
    }

    /**
     * The path of topics a new local router would close into a cycle (source → … → source),
     * or null. Routers replacing one of the same name leave the old one's edge out.
     */
    static List<String> cycle(Storage s, RouterSpec spec) {
        Map<String, Set<String>> edges = new HashMap<>();
        for (ControlEntry e : s.controls(ControlEntry.Kind.ROUTER)) {
            RouterSpec r = RouterSpec.of(e);
            if (!r.remote() && !r.name().equals(spec.name())) {
                edges.computeIfAbsent(r.source(), k -> new HashSet<>()).add(r.dest());
            }
        }
        // a path dest → … → source, found breadth-first, closes the cycle
        Map<String, String> from = new HashMap<>();
        Deque<String> todo = new ArrayDeque<>();
        todo.add(spec.dest());
        from.put(spec.dest(), null);
        while (!todo.isEmpty()) {
            String at = todo.poll();
            if (at.equals(spec.source())) {
                List<String> path = new ArrayList<>();
                for (String t = at; t != null; t = from.get(t)) {
                    path.addFirst(t);
                }
                path.addFirst(spec.source());
                return path;
            }
            for (String next : edges.getOrDefault(at, Set.of())) {
                if (!from.containsKey(next)) {
                    from.put(next, at);
                    todo.add(next);
                }
            }
        }
        return null;
    }

    /** Stops every worker (at shutdown, before the engine closes). */
    @Override
    public synchronized void close() {
        closed = true;
        for (RouterWorker w : workers.values()) {
            w.stop();
        }
        workers.clear();
        http.close();
    }

    /** Local routers that would form a cycle (SPEC §9: 409 router_cycle). */
    static final class CycleException extends Exception {
        final List<String> path;

        CycleException(List<String> path) {
            super(null, null, false, false);
            this.path = path;
        }
    }
}
