/**
 * The cluster's log on Kafka (docs/CLUSTER.md): {@link dev.topics.storage.kafka.KafkaCommandLog}
 * implements {@link dev.topics.storage.CommandLog} on one partition of one topic. The only
 * package that imports Kafka's clients; it knows nothing of the engine, HTTP or Helidon:
 * commands are bytes to it.
 */
package dev.topics.storage.kafka;
