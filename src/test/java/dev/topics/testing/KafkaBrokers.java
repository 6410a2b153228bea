package dev.topics.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * Real Kafka brokers for tests: {@code count} KRaft nodes, each broker and controller at
 * once ({@code process.roles=broker,controller}), each a child JVM running
 * {@code kafka.Kafka} from the test class path (the {@code kafka_2.13} test dependency).
 * No containers, no ZooKeeper.
 *
 * <p>{@link #start} picks free loopback ports (a broker port and a controller port per
 * node), writes one {@code server.properties} per node under {@code dir/broker-N/} with
 * {@code controller.quorum.voters} listing every node, formats every log dir with
 * {@code kafka.tools.StorageTool format} and one cluster id, starts the JVMs, and returns
 * when every node has logged "Kafka Server started" and an admin client sees all of them.
 * The settings suit tests on one machine: internal topics replicated
 * {@code min(count, 3)} times, no automatic topic creation, no initial rebalance delay;
 * with three nodes {@code default.replication.factor=3} and {@code min.insync.replicas=2}.
 *
 * <p>A node's output (java.util.logging through slf4j-jdk14, one line a message) goes to
 * {@code dir/broker-N/broker.log}, appended across restarts, never to the test's output;
 * failures quote its last lines. {@link #kill} sends SIGKILL, {@link #stop} SIGTERM (a
 * controlled shutdown) and waits, {@link #restart} starts a node again on its ports and
 * log dir. {@link #close} kills every node and is idempotent; a shutdown hook does the same
 * if the test JVM exits without it. Node {@code i} (0-based) has {@code node.id} i + 1.
 */
public final class KafkaBrokers implements AutoCloseable {
    /** How long {@link #start} and {@link #restart} wait for the nodes to be ready. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** How long {@link #stop} waits for a controlled shutdown. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final String STARTED = "Kafka Server started";
    private static final int TAIL_LINES = 60;

    private final Path dir;
    private final List<Broker> brokers;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private KafkaBrokers(Path dir, List<Broker> brokers) {
        this.dir = dir;
        this.brokers = brokers;
        this.shutdownHook = new Thread(this::killAll, "kafka-brokers-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts {@code count} nodes (1 or 3 are the sizes tests use) with their files under
     * {@code dir}, and waits until all are ready. On failure every node is killed and the
     * error quotes the output of the ones that did not start.
     */
    public static KafkaBrokers start(Path dir, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1: " + count);
        }
        int[] ports = freePorts(2 * count);
        List<Broker> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(new Broker(i, ports[2 * i], ports[2 * i + 1], dir.resolve("broker-" + (i + 1))));
        }
        String voters = list.stream().map(b -> b.nodeId + "@127.0.0.1:" + b.controllerPort)
                .collect(Collectors.joining(","));
        KafkaBrokers cluster = new KafkaBrokers(dir, List.copyOf(list));
        try {
            Files.createDirectories(dir);
            Path logging = dir.resolve("logging.properties");
            Files.writeString(logging, """
                    handlers=java.util.logging.ConsoleHandler
                    java.util.logging.ConsoleHandler.level=ALL
                    java.util.logging.SimpleFormatter.format=%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n
                    .level=INFO
                    """);
            for (Broker b : list) {
                b.writeConfig(count, voters, logging);
            }
            String clusterId = Uuid.randomUuid().toString();
            List<Process> formats = new ArrayList<>();
            try {
                for (Broker b : list) {
                    formats.add(b.format(clusterId)); // in parallel: each is a JVM start
                }
                for (int i = 0; i < count; i++) {
                    list.get(i).awaitFormatted(formats.get(i));
                }
            } finally {
                formats.forEach(Process::destroyForcibly); // only those a failure left running
            }
            for (Broker b : list) {
                b.launch();
            }
            cluster.awaitReady(IntStream.range(0, count).boxed().toList());
            return cluster;
        } catch (IOException e) {
            cluster.close();
            throw new UncheckedIOException("cannot set up the Kafka nodes under " + dir, e);
        } catch (RuntimeException | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    /** The brokers' addresses, for {@code bootstrap.servers}: {@code 127.0.0.1:p1,127.0.0.1:p2,…}. */
    public String bootstrapServers() {
        return brokers.stream().map(b -> "127.0.0.1:" + b.port).collect(Collectors.joining(","));
    }

    /** The number of nodes. */
    public int count() {
        return brokers.size();
    }

    /** The {@code node.id} of node {@code i} (0-based): i + 1. */
    public int nodeId(int i) {
        return broker(i).nodeId;
    }

    /** The broker (PLAINTEXT) port of node {@code i}. */
    public int port(int i) {
        return broker(i).port;
    }

    /** The directory the nodes' files are under. */
    public Path dir() {
        return dir;
    }

    /** Node {@code i}'s output file. */
    public Path logFile(int i) {
        return broker(i).log;
    }

    /** Node {@code i}'s errors in its current run and the last lines of its output, as failures quote them. */
    public String tail(int i) {
        return broker(i).tail();
    }

    public boolean isAlive(int i) {
        Process p = broker(i).process;
        return p != null && p.isAlive();
    }

    /** SIGKILL to node {@code i}; returns once the process is gone. */
    public void kill(int i) {
        Broker b = broker(i);
        Process p = b.process;
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        if (!waitFor(p, Duration.ofSeconds(30))) {
            throw new AssertionError("node " + b.nodeId + " (pid " + p.pid() + ") did not die within 30 s of SIGKILL");
        }
    }

    /**
     * SIGTERM to node {@code i} and waits for it to exit (Kafka's shutdown hook runs a
     * controlled shutdown). If it has not exited within {@link #STOP_TIMEOUT} it is killed
     * and the call fails with its output.
     */
    public void stop(int i) {
        Broker b = broker(i);
        Process p = b.process;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        if (!waitFor(p, STOP_TIMEOUT)) {
            p.destroyForcibly();
            waitFor(p, Duration.ofSeconds(30));
            throw new AssertionError("node " + b.nodeId + " did not exit within " + STOP_TIMEOUT
                    + " of SIGTERM; killed it. Its output:\n" + b.tail());
        }
    }

    /**
     * Starts node {@code i} again, stopped or killed before, on the same ports and log dir,
     * and waits until it has started and the cluster sees it.
     */
    public void restart(int i) {
        if (closed) {
            throw new IllegalStateException("the brokers are closed");
        }
        Broker b = broker(i);
        if (isAlive(i)) {
            throw new IllegalStateException("node " + b.nodeId + " is still running; kill or stop it first");
        }
        b.launch();
        awaitReady(List.of(i));
    }

    /** Kills every node still running and waits for them. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) anyway
        }
    }

    private void killAll() {
        for (Broker b : brokers) {
            Process p = b.process;
            if (p != null) {
                p.destroyForcibly();
            }
        }
        for (Broker b : brokers) {
            Process p = b.process;
            if (p != null) {
                waitFor(p, Duration.ofSeconds(30));
            }
        }
    }

    private Broker broker(int i) {
        if (i < 0 || i >= brokers.size()) {
            throw new IndexOutOfBoundsException("node index " + i + " of " + brokers.size());
        }
        return brokers.get(i);
    }

    /**
     * Waits until every node in {@code which} has logged its start line in its current run,
     * then until an admin client lists all of them as cluster members.
     */
    private void awaitReady(List<Integer> which) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        for (int i : which) {
            Broker b = brokers.get(i);
            while (!b.scanFor(STARTED)) {
                Process p = b.process;
                if (!p.isAlive()) {
                    throw new AssertionError("Kafka node " + b.nodeId + " exited with " + p.exitValue()
                            + " before it started; its output (" + b.log + "):\n" + b.tail());
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("Kafka node " + b.nodeId + " did not log \"" + STARTED + "\" within "
                            + START_TIMEOUT + "; its output (" + b.log + "):\n" + b.tail());
                }
                Await.sleep(100);
            }
        }
        Set<Integer> wanted = which.stream().map(i -> brokers.get(i).nodeId)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<Integer> seen = Set.of();
        Exception lastError = null;
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000))) {
            while (true) {
                try {
                    seen = admin.describeCluster(new DescribeClusterOptions().timeoutMs(5000)).nodes()
                            .get(10, TimeUnit.SECONDS).stream().map(Node::id)
                            .collect(Collectors.toCollection(TreeSet::new));
                    if (seen.containsAll(wanted)) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    lastError = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for the Kafka nodes", e);
                }
                if (System.nanoTime() - deadline > 0) {
                    StringBuilder m = new StringBuilder("the cluster did not list nodes " + wanted + " within "
                            + START_TIMEOUT + " (it listed " + seen + ", last error: " + lastError + ")");
                    for (int i : which) {
                        Broker b = brokers.get(i);
                        m.append("\n--- node ").append(b.nodeId).append(" (").append(b.log).append("):\n").append(b.tail());
                    }
                    throw new AssertionError(m.toString());
                }
                Await.sleep(200);
            }
        }
    }

    private static boolean waitFor(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    /** {@code n} distinct free loopback ports (all held open until all are found). */
    private static int[] freePorts(int n) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find free loopback ports", e);
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing a listening socket that never accepted: nothing to do
                }
            }
        }
    }

    /** The test JVM's own java (JDK 25 here), as {@link ChildServer} runs. */
    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static String classPath;

    /**
     * The jars of this JVM's class path: Kafka's come from the test dependencies. The
     * directories ({@code target/classes}…) are left out: the broker needs none of them,
     * and another build may recompile them while it runs.
     */
    private static synchronized String classPath() {
        if (classPath == null) {
            classPath = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                    .filter(e -> !Files.isDirectory(Path.of(e)))
                    .collect(Collectors.joining(java.io.File.pathSeparator));
        }
        return classPath;
    }

    /** One node: its ports and files, and the process of its current run. */
    private static final class Broker {
        final int nodeId;
        final int port;
        final int controllerPort;
        final Path home;
        final Path data;
        final Path config;
        final Path log;
        Path logging;
        volatile Process process;
        /** Where the current run's output starts in {@link #log}, and how far it was scanned. */
        private long runStart;
        private long scanned;
        private final StringBuilder partial = new StringBuilder();
        private boolean found;

        Broker(int index, int port, int controllerPort, Path home) {
            this.nodeId = index + 1;
            this.port = port;
            this.controllerPort = controllerPort;
            this.home = home;
            this.data = home.resolve("data");
            this.config = home.resolve("server.properties");
            this.log = home.resolve("broker.log");
        }

        void writeConfig(int count, String voters, Path logging) throws IOException {
            this.logging = logging;
            Files.createDirectories(data);
            int rf = Math.min(count, 3);
            int minIsr = Math.min(count, 2);
            Properties p = new Properties();
            p.setProperty("process.roles", "broker,controller");
            p.setProperty("node.id", Integer.toString(nodeId));
            p.setProperty("controller.quorum.voters", voters);
            p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
            p.setProperty("controller.listener.names", "CONTROLLER");
            p.setProperty("inter.broker.listener.name", "PLAINTEXT");
            p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.setProperty("log.dirs", data.toString());
            p.setProperty("auto.create.topics.enable", "false");
            p.setProperty("group.initial.rebalance.delay.ms", "0");
            p.setProperty("offsets.topic.replication.factor", Integer.toString(rf));
            p.setProperty("offsets.topic.num.partitions", "1");
            p.setProperty("transaction.state.log.replication.factor", Integer.toString(rf));
            p.setProperty("transaction.state.log.min.isr", Integer.toString(minIsr));
            p.setProperty("transaction.state.log.num.partitions", "1");
            p.setProperty("share.coordinator.state.topic.replication.factor", Integer.toString(rf));
            p.setProperty("share.coordinator.state.topic.min.isr", Integer.toString(minIsr));
            if (count >= 3) {
                p.setProperty("default.replication.factor", "3");
                p.setProperty("min.insync.replicas", "2");
            }
            // a killed node is fenced (and leaves every ISR) after 6 s instead of 9
            p.setProperty("broker.session.timeout.ms", "6000");
            p.setProperty("broker.heartbeat.interval.ms", "1000");
            // fewer threads: several nodes and the tests share two cores
            p.setProperty("num.network.threads", "2");
            p.setProperty("num.io.threads", "2");
            try (var out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
                p.store(out, "KafkaBrokers: node " + nodeId + " of " + count);
            }
        }

        private List<String> java(String heap, String mainClass, String... args) {
            List<String> cmd = new ArrayList<>(List.of(javaBinary(), heap, "-XX:+UseSerialGC",
                    "-Djava.awt.headless=true", "-Djava.util.logging.config.file=" + logging,
                    "-cp", classPath(), mainClass));
            cmd.addAll(List.of(args));
            return cmd;
        }

        private Process run(List<String> cmd) {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            try {
                return pb.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + cmd, e);
            }
        }

        Process format(String clusterId) {
            return run(java("-Xmx256m", "kafka.tools.StorageTool",
                    "format", "-t", clusterId, "-c", config.toString()));
        }

        void awaitFormatted(Process p) {
            if (!waitFor(p, Duration.ofSeconds(60))) {
                p.destroyForcibly();
                waitFor(p, Duration.ofSeconds(10));
                throw new AssertionError("formatting node " + nodeId + " took over 60 s; its output:\n" + tail());
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("formatting node " + nodeId + " failed with exit code " + p.exitValue()
                        + "; its output:\n" + tail());
            }
        }

        synchronized void launch() {
            try {
                runStart = Files.exists(log) ? Files.size(log) : 0;
                scanned = runStart;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            partial.setLength(0);
            found = false;
            process = run(java("-Xmx384m", "kafka.Kafka", config.toString()));
        }

        /** Whether the current run's output has a line containing {@code text} yet. */
        synchronized boolean scanFor(String text) {
            if (found) {
                return true;
            }
            try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                long length = f.length();
                if (length <= scanned) {
                    return false;
                }
                byte[] bytes = new byte[(int) Math.min(length - scanned, 1 << 20)];
                f.seek(scanned);
                f.readFully(bytes);
                scanned += bytes.length;
                partial.append(new String(bytes, StandardCharsets.UTF_8));
                int end = partial.lastIndexOf("\n");
                if (end >= 0) {
                    found = partial.substring(0, end).contains(text);
                    partial.delete(0, end + 1);
                }
                return found;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + log, e);
            }
        }

        /**
         * For failure messages: the current run's errors ({@code SEVERE} lines and the
         * {@code Caused by:} lines under them, at most 20), then the last
         * {@link #TAIL_LINES} lines of the output file.
         */
        String tail() {
            List<String> errors = new ArrayList<>();
            long from;
            synchronized (this) {
                from = runStart;
            }
            try (var lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
                // the run's first bytes: a line of a run before it is never counted
                long[] offset = {0};
                lines.forEach(l -> {
                    if (offset[0] >= from && errors.size() < 20
                            && (l.matches("^[0-9:.]+ SEVERE .*") || l.startsWith("Caused by:"))) {
                        errors.add(l);
                    }
                    offset[0] += l.length() + 1;
                });
            } catch (IOException | UncheckedIOException e) {
                errors.add("[cannot read " + log + ": " + e + "]");
            }
            String last = lastLines();
            return errors.isEmpty() ? last
                    : "errors:\n" + String.join("\n", errors) + "\nlast lines:\n" + last;
        }

        private String lastLines() {
            try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                long length = f.length();
                long from = Math.max(0, length - 32 * 1024);
                byte[] bytes = new byte[(int) (length - from)];
                f.seek(from);
                f.readFully(bytes);
                List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().toList();
                if (from > 0 && !lines.isEmpty()) {
                    lines = lines.subList(1, lines.size()); // the first may be cut
                }
                return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
            } catch (IOException e) {
                return "[cannot read " + log + ": " + e + "]";
            }
        }
    }
}
