package dev.topics.config;

import dev.topics.storage.TopicConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The validated server configuration: one field per key of {@code etc/topics.yaml}.
 * Built by {@link ConfigLoader}, which enforces the ranges; the records here only refuse
 * nulls, so tests may build unusual values directly.
 *
 * @param bind          {@code bind}: the address to listen on
 * @param port          {@code port}: 0 = any free port
 * @param dataDir       {@code data_dir}, as written (relative paths resolve against the
 *                      working directory)
 * @param nodeId        {@code node_id}; null when {@code ""} (a stable random id is
 *                      generated in the data dir)
 * @param authMode      {@code auth.mode}
 * @param adminToken    {@code auth.admin_token}; null when {@code ""}. Never printed by
 *                      {@link #toString()}
 * @param authFailuresPerMinute {@code auth.failures_per_minute}: failed authentications
 *                      per client address and minute before 429
 * @param authFailuresPerMinuteTotal {@code auth.failures_per_minute_total}: the same over all
 *                      addresses together
 * @param limits        {@code limits.*}
 * @param storage       {@code storage.*}
 * @param topicDefaults {@code topic_defaults.*}
 * @param metricsPublic {@code metrics.public}: anyone may read {@code /metrics}
 * @param http          {@code http.*}: connection limits and time limits for clients
 * @param cors          {@code cors.*}: which browser origins may call the API
 * @param cluster       {@code cluster.*}: the Kafka cluster this node shares a log with, if any
 * @param log           {@code log.*}: the format and level of the server's log, and the access log
 */
public record ServerConfig(
        String bind,
        int port,
        Path dataDir,
        String nodeId,
        AuthMode authMode,
        String adminToken,
        int authFailuresPerMinute,
        int authFailuresPerMinuteTotal,
        Limits limits,
        StorageSettings storage,
        TopicConfig topicDefaults,
        Watch watch,
        Webhooks webhooks,
        boolean metricsPublic,
        Http http,
        Cors cors,
        Cluster cluster,
        Log log) {

    public ServerConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(authMode, "authMode");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(topicDefaults, "topicDefaults");
        Objects.requireNonNull(watch, "watch");
        Objects.requireNonNull(webhooks, "webhooks");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(cors, "cors");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(log, "log");
    }

    /** With the default log settings. */
    public ServerConfig(String bind, int port, Path dataDir, String nodeId, AuthMode authMode, String adminToken,
                        int authFailuresPerMinute, int authFailuresPerMinuteTotal, Limits limits,
                        StorageSettings storage, TopicConfig topicDefaults, Watch watch, Webhooks webhooks,
                        boolean metricsPublic, Http http, Cors cors, Cluster cluster) {
        this(bind, port, dataDir, nodeId, authMode, adminToken, authFailuresPerMinute, authFailuresPerMinuteTotal,
                limits, storage, topicDefaults, watch, webhooks, metricsPublic, http, cors, cluster, Log.DEFAULT);
    }

    /**
     * {@code log.*}.
     *
     * @param json   {@code log.format: json} (one JSON object per line), else text
     * @param level  {@code log.level}: the least level written
     * @param access {@code log.access}: one line per HTTP request
     */
    public record Log(boolean json, java.util.logging.Level level, boolean access) {
        public static final Log DEFAULT = new Log(false, java.util.logging.Level.INFO, false);
    }

    /** A single node: no cluster. */
    public ServerConfig(String bind, int port, Path dataDir, String nodeId, AuthMode authMode, String adminToken,
                        int authFailuresPerMinute, int authFailuresPerMinuteTotal, Limits limits,
                        StorageSettings storage, TopicConfig topicDefaults, Watch watch, Webhooks webhooks,
                        boolean metricsPublic, Http http, Cors cors) {
        this(bind, port, dataDir, nodeId, authMode, adminToken, authFailuresPerMinute, authFailuresPerMinuteTotal,
                limits, storage, topicDefaults, watch, webhooks, metricsPublic, http, cors, Cluster.NONE);
    }

    /** Like the record's default, except that the admin token is never shown. */
    @Override
    public String toString() {
        return "ServerConfig[bind=" + bind + ", port=" + port + ", dataDir=" + dataDir
                + ", nodeId=" + nodeId + ", authMode=" + authMode
                + ", adminToken=" + (adminToken == null ? "null" : "(set)")
                + ", authFailuresPerMinute=" + authFailuresPerMinute
                + ", authFailuresPerMinuteTotal=" + authFailuresPerMinuteTotal
                + ", limits=" + limits + ", storage=" + storage
                + ", topicDefaults=" + topicDefaults + ", watch=" + watch + ", webhooks=" + webhooks
                + ", metricsPublic=" + metricsPublic + ", http=" + http + ", cors=" + cors + ", cluster=" + cluster
                + ", log=" + log + "]";
    }

    /**
     * Request limits (SPEC §0), {@code limits.*} in the YAML.
     *
     * @param maxBodyBytes       largest request body (413 {@code body_too_large})
     * @param maxRecordBytes     largest serialized record {@code data} (413 {@code record_too_large})
     * @param maxRecordsPerWrite most records in one write (400 {@code too_many_records})
     * @param maxJsonDepth       deepest JSON nesting (400 {@code json_too_deep})
     * @param maxTagBytes        longest tag, UTF-8 bytes
     */
    public record Limits(
            long maxBodyBytes,
            long maxRecordBytes,
            int maxRecordsPerWrite,
            int maxJsonDepth,
            int maxTagBytes) {
    }

    /**
     * Storage engine tuning, {@code storage.*} in the YAML.
     *
     * @param asyncFlushMs       longest delay before an async-durability write is fsynced
     * @param segmentBytes       a segment file rolls at this size
     * @param walFileBytes       a WAL file rolls at this size
     * @param indexIntervalBytes segment bytes between two sparse-index entries
     * @param tailBytes          newest record bytes kept in memory per topic; 0 = none
     * @param snapshotIntervalMs a snapshot is written at least this often
     * @param snapshotWalBytes   a snapshot is also written after this many WAL bytes
     * @param compactionIntervalMs deleted records' bytes leave the disk within this long
     * @param maxOpenSegments    at most this many segment files open at once; 0 = auto (a quarter
     *                           of the process's open-file limit, 64 to 16,384)
     * @param diskReserveBytes   free space writes leave for deletes (below it: 507)
     */
    public record StorageSettings(
            long asyncFlushMs,
            long segmentBytes,
            long walFileBytes,
            int indexIntervalBytes,
            long tailBytes,
            long snapshotIntervalMs,
            long snapshotWalBytes,
            long compactionIntervalMs,
            int maxOpenSegments,
            long diskReserveBytes) {
    }

    /**
     * Live streams, {@code watch.*} in the YAML.
     *
     * @param sessionTtlMs a watch session unused this long expires (SPEC §5 {@code watch_session_ttl_ms})
     * @param stallMs      a stream that cannot take bytes this long is closed (SPEC §5 {@code watch_stall_ms})
     * @param streamLongPollMs how long a Durable Streams long poll waits for data (SPEC §16)
     * @param streamSseMs      a Durable Streams SSE response ends after this long, for the client to reconnect
     */
    public record Watch(long sessionTtlMs, long stallMs, long streamLongPollMs, long streamSseMs) {
        public Watch(long sessionTtlMs, long stallMs) {
            this(sessionTtlMs, stallMs, 20_000, 60_000);
        }
    }

    /**
     * {@code webhooks.*}.
     *
     * @param allowPrivate {@code webhooks.allow_private}: true, false, or null for {@code auto}
     *                     (allowed in dev mode only)
     */
    public record Webhooks(Boolean allowPrivate) {
    }

    /**
     * {@code http.*}: what one client connection may take.
     *
     * @param headerTimeoutMs a request's line and headers must arrive within this long of its
     *                        first byte (of the connection's opening, for the first request)
     * @param bodyTimeoutMs   a request body must arrive completely within this long of its headers
     * @param maxConnections  most client connections open at once (one more: 503)
     * @param maxStreamsPerPrincipal most open watch streams one principal (share token,
     *                        all anonymous callers) may hold (one more: 429)
     */
    public record Http(long headerTimeoutMs, long bodyTimeoutMs, int maxConnections, int maxStreamsPerPrincipal) {
    }

    /**
     * {@code cors.*}.
     *
     * @param allowedOrigins {@code cors.allowed_origins}: origins ({@code scheme://host[:port]},
     *                       lower case), the one entry {@code *} for any, or none
     */
    public record Cors(List<String> allowedOrigins) {
        public Cors {
            allowedOrigins = List.copyOf(allowedOrigins);
        }

        /** No origin allowed: the default. */
        public static final Cors NONE = new Cors(List.of());
    }

    /**
     * {@code cluster.*} (docs/CLUSTER.md): with {@code bootstrapServers} set, this server is a
     * node of a cluster whose log is one Kafka partition; empty, a single node with its own WAL.
     *
     * @param bootstrapServers  {@code cluster.kafka.bootstrap_servers}, "" for a single node
     * @param logTopic          {@code cluster.kafka.log_topic}
     * @param replicationFactor {@code cluster.kafka.replication_factor}; 0 = the brokers', up to 3
     * @param minInsyncReplicas {@code cluster.kafka.min_insync_replicas}; 0 = 2 from 3 replicas, else 1
     * @param retentionMs       {@code cluster.kafka.retention_ms} of a log topic this node creates; -1 = forever
     * @param snapshotIntervalMs {@code cluster.kafka.snapshot_interval_ms}: how often the leading node shares
     *                          a snapshot for new or wiped nodes to start from; 0 = never
     * @param writeTimeoutMs    {@code cluster.kafka.write_timeout_ms}: a write the log has not taken and
     *                          this node applied by then is answered 503
     * @param sessionTimeoutMs  {@code cluster.kafka.session_timeout_ms}: the workers move this long after
     *                          their node stops answering Kafka
     */
    public record Cluster(String bootstrapServers, String logTopic, int replicationFactor, int minInsyncReplicas,
                          long retentionMs, long snapshotIntervalMs, long writeTimeoutMs, long sessionTimeoutMs) {
        /** A single node. */
        public static final Cluster NONE = new Cluster("", "topics-log", 0, 0, 604_800_000L, 3_600_000L, 5000, 10_000);

        public boolean enabled() {
            return !bootstrapServers.isEmpty();
        }
    }
}
