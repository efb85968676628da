package org.yrd.linkage.testing;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/** A real Kafka broker (KRaft, broker and controller in one node) inside the test JVM. */
public final class KafkaBroker implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    public KafkaBroker() throws Exception {
        cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("log.retention.ms", "-1")
                .setConfigProp("auto.create.topics.enable", "false")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
    }

    public String bootstrap() {
        return cluster.bootstrapServers();
    }

    public void produce(String topic, List<String> values) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        values.forEach(v -> records.add(new ProducerRecord<>(topic, v)));
        produce(records);
    }

    /** Produces records under one key, so that they reach one partition in the order given. */
    public void produce(String topic, String key, List<String> values) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        values.forEach(v -> records.add(new ProducerRecord<>(topic, key, v)));
        produce(records);
    }

    /** Produces one keyed record, e.g. a rule pack under its id (the rules topic is compacted, and takes keyed records only). */
    public void produce(String topic, String key, String value) {
        produce(List.of(new ProducerRecord<>(topic, key, value)));
    }

    /** Sends the records and waits until the broker has every one, or fails with the broker's reason. */
    private void produce(List<ProducerRecord<String, String>> records) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            records.forEach(r -> sent.add(producer.send(r)));
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("the broker refused a record: " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Reads {@code topics} from the beginning until {@code done} holds of all records read, or the timeout. */
    public List<ConsumerRecord<String, String>> consumeUntil(List<String> topics, Duration timeout,
                                                             Predicate<List<ConsumerRecord<String, String>>> done) {
        Properties p = new Properties();
        p.putAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
        List<ConsumerRecord<String, String>> seen = new ArrayList<>();
        long end = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(topics);
            while (System.nanoTime() < end && !done.test(seen)) {
                c.poll(Duration.ofMillis(200)).forEach(seen::add);
            }
        }
        return seen;
    }

    /**
     * Everything on {@code topics} when called: each partition from its start to its end offset as
     * of the call. It joins no consumer group, so a loaded machine cannot make it return early with
     * less; it fails if it cannot read that far within the timeout.
     */
    public List<ConsumerRecord<String, String>> readAll(List<String> topics, Duration timeout) {
        Properties p = new Properties();
        p.putAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(), ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"));
        List<ConsumerRecord<String, String>> seen = new ArrayList<>();
        long end = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            topics.forEach(t -> c.partitionsFor(t, timeout).forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition()))));
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> last = c.endOffsets(partitions, timeout);
            while (partitions.stream().anyMatch(tp -> c.position(tp, timeout) < last.get(tp))) {
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("could not read " + topics + " to offsets " + last + " within " + timeout);
                }
                c.poll(Duration.ofMillis(200)).forEach(seen::add);
            }
        }
        return seen;
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
