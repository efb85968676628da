package org.yrd.linkage.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yrd.linkage.live.Topics;
import org.yrd.linkage.rules.RulePackFile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The console's one reader of Kafka, on its own thread: it starts from the compacted topics (every
 * alert's current state, the feedback figures, the rule packs) read from their beginning, takes
 * the alert and acknowledgement topics from {@code since} ago (revision history and who answered
 * what), and then follows all of them, feeding {@link AlertBoard}. It reads with assigned
 * partitions and commits nothing: every console instance builds its whole picture itself. Topics
 * that do not exist yet (a console started before the engine created them) are picked up when
 * they appear; none is ever created here.
 */
final class ConsoleFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleFeed.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DISCOVERY_MS = 2_000;

    private final KafkaConsumer<String, String> consumer;
    private final Topics topics;
    private final AlertBoard board;
    private final Duration since;
    private final Map<String, String> alertTopics = new HashMap<>();
    private final Map<String, String> ackTopics = new HashMap<>();
    private final Set<String> fromBeginning;
    private final Set<String> assignedTopics = new HashSet<>();
    private final Thread thread;
    private volatile boolean running = true;

    ConsoleFeed(Properties client, Topics topics, AlertBoard board, Duration since) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "yrd-console");
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        this.topics = topics;
        this.board = board;
        this.since = since;
        for (String r : Topics.RECIPIENTS) {
            alertTopics.put(topics.alerts(r), r);
        }
        for (String province : Topics.PROVINCES) {
            ackTopics.put(topics.acks(province), province);
        }
        this.fromBeginning = Set.of(topics.alertsState(), topics.ruleFeedback(), topics.rules());
        this.thread = new Thread(this::run, "console-feed");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private List<String> wanted() {
        List<String> all = new ArrayList<>(fromBeginning);
        all.addAll(alertTopics.keySet());
        all.addAll(ackTopics.keySet());
        return all;
    }

    private void run() {
        long nextDiscovery = 0;
        try {
            while (running) {
                if (System.currentTimeMillis() >= nextDiscovery && assignedTopics.size() < wanted().size()) {
                    assignNew();
                    nextDiscovery = System.currentTimeMillis() + DISCOVERY_MS;
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (!take(r)) {
                        LOG.warn("console: skipped {}/{}/{}: not a usable record of its topic", r.topic(), r.partition(), r.offset());
                    }
                }
            }
        } catch (WakeupException stopping) {
            // close() woke the poll
        } catch (RuntimeException e) {
            LOG.error("console: reading Kafka failed; the console shows what it had read", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** Assigns the partitions of wanted topics that exist now, positioned where reading starts. */
    private void assignNew() {
        Map<String, List<PartitionInfo>> existing = consumer.listTopics(Duration.ofSeconds(10));
        List<TopicPartition> added = new ArrayList<>();
        for (String t : wanted()) {
            if (!assignedTopics.contains(t) && existing.containsKey(t) && !existing.get(t).isEmpty()) {
                existing.get(t).forEach(pi -> added.add(new TopicPartition(t, pi.partition())));
                assignedTopics.add(t);
            }
        }
        if (added.isEmpty()) {
            return;
        }
        List<TopicPartition> all = new ArrayList<>(consumer.assignment());
        all.addAll(added);
        consumer.assign(all);
        List<TopicPartition> recent = added.stream().filter(tp -> !fromBeginning.contains(tp.topic())).toList();
        consumer.seekToBeginning(added);
        if (!recent.isEmpty()) {
            Map<TopicPartition, Long> times = new HashMap<>();
            long from = System.currentTimeMillis() - since.toMillis();
            recent.forEach(tp -> times.put(tp, from));
            // nothing since then: start at the end as it is now (a lazy seekToEnd would skip records written meanwhile)
            Map<TopicPartition, Long> ends = consumer.endOffsets(recent);
            for (Map.Entry<TopicPartition, OffsetAndTimestamp> e : consumer.offsetsForTimes(times).entrySet()) {
                consumer.seek(e.getKey(), e.getValue() != null ? e.getValue().offset() : ends.get(e.getKey()));
            }
        }
        LOG.debug("console: reading {}", added.stream().map(TopicPartition::topic).distinct().toList());
    }

    /** Feeds one record to the board; false when it was not usable (counted there, logged here with its source). */
    private boolean take(ConsumerRecord<String, String> r) {
        String topic = r.topic();
        if (topic.equals(topics.rules())) {
            try {
                board.rules(RulePackFile.parse(topic + "@" + r.offset(), r.value()));
            } catch (RuntimeException invalid) {
                // the engine dead-letters an invalid pack and keeps the running one; so does the console
            }
            return true;
        }
        JsonNode value;
        try {
            value = r.value() == null ? JSON.nullNode() : JSON.readTree(r.value());
        } catch (Exception e) {
            value = JSON.nullNode();
        }
        if (alertTopics.containsKey(topic)) {
            return board.revision(alertTopics.get(topic), value);
        } else if (ackTopics.containsKey(topic)) {
            return board.ack(ackTopics.get(topic), value);
        } else if (topic.equals(topics.alertsState())) {
            return board.state(value);
        }
        return board.feedback(value);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(5_000);
    }
}
