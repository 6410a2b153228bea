#!/usr/bin/env bash
# shellcheck shell=bash
#
# One local Kafka broker (KRaft: broker and controller in one JVM) from the project's Maven
# jars, for bin/cluster-demo and benchmarks/run. Sourced, after bin/jdk.sh has set JAVA_HOME:
#
#   source bin/kafka-local.sh
#   kafka_local_classpath "$project_dir" || exit 1      # sets kafka_local_cp (needs mvn once)
#   kafka_local_prepare DIR PORT CONTROLLER_PORT LOG [EXTRA_PROPERTY...] || exit 1
#   "${kafka_local_java[@]}" kafka.Kafka "DIR/server.properties" >>LOG 2>&1 &
#
# kafka_local_prepare writes DIR/server.properties (data in DIR/data, PLAINTEXT on
# 127.0.0.1:PORT, the controller on CONTROLLER_PORT, internal topics with one replica) on
# every call, appends each EXTRA_PROPERTY line (e.g. log.flush.interval.messages=1), formats
# DIR/data when it has no meta.properties yet, and sets kafka_local_java (java with the
# broker's class path). The broker logs "Kafka Server started" when it serves.

# The test-scope class path (it holds kafka_2.13 and an SLF4J provider), cached in
# target/kafka-local.classpath until pom.xml changes. Sets kafka_local_cp.
kafka_local_classpath() {
    local project_dir=$1 file=$1/target/kafka-local.classpath
    if [[ ! -s $file || $project_dir/pom.xml -nt $file ]]; then
        if ! command -v mvn >/dev/null 2>&1; then
            echo "the local Kafka broker needs Maven (mvn) to find its jars, which is not installed;" \
                "install it, e.g. 'apt-get install maven'" >&2
            return 1
        fi
        echo "resolving the broker's jars…" >&2
        mkdir -p "$project_dir/target"
        topics_maven_env
        if ! (cd "$project_dir" && mvn -B -q -Dstyle.color=never dependency:build-classpath \
            -Dmdep.includeScope=test -Dmdep.outputFile="$file" 2>&1 | sed 's/\x1b\[0m//g' >&2); then
            rm -f "$file"
            echo "resolving the broker's class path failed (see above)" >&2
            return 1
        fi
    fi
    kafka_local_cp=$(<"$file")
}

kafka_local_prepare() {
    local dir=$1 port=$2 controller_port=$3 log=$4
    shift 4
    mkdir -p "$dir/data" "$(dirname -- "$log")"
    {
        echo "# written on every start by bin/kafka-local.sh"
        cat <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
EOF
        local p
        for p in "$@"; do
            printf '%s\n' "$p"
        done
    } >"$dir/server.properties"
    cat >"$dir/logging.properties" <<'EOF'
handlers=java.util.logging.ConsoleHandler
java.util.logging.ConsoleHandler.level=ALL
java.util.logging.SimpleFormatter.format=%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n
.level=INFO
EOF
    kafka_local_java=("$JAVA_HOME/bin/java" -Xmx512m "-Djava.util.logging.config.file=$dir/logging.properties"
        -cp "$kafka_local_cp")
    if [[ ! -f $dir/data/meta.properties ]]; then
        local cluster_id
        if ! cluster_id=$("${kafka_local_java[@]}" kafka.tools.StorageTool random-uuid 2>>"$log") ||
            ! "${kafka_local_java[@]}" kafka.tools.StorageTool format -t "$cluster_id" \
                -c "$dir/server.properties" >>"$log" 2>&1; then
            echo "formatting $dir/data for Kafka failed; the end of $log:" >&2
            tail -n 20 "$log" >&2
            return 1
        fi
    fi
}
