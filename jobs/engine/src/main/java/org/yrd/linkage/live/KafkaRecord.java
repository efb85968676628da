package org.yrd.linkage.live;

/** One record for the Kafka sink: its topic, key and value. */
public record KafkaRecord(String topic, byte[] key, byte[] value) {}
