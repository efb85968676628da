package org.yrd.linkage.live;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A producer interceptor of the engine's Kafka sink (set in its client properties) that says in
 * one log line which topic could not be written and why, e.g. that an alert topic was deleted
 * under the running job. Without it the reason would be hidden: the connector fails the job with
 * the producer's exception three causes deep, the command line and a cluster's log show Kafka's and
 * Flink's own lines only from ERROR up, and a record for a deleted topic fails only as "expiring
 * 1 record(s)", like one for a broker that is away. So on a failure it asks the broker whether the
 * topic exists, and logs the answer: at most one line per topic a minute in a JVM (every subtask's
 * producer fails alike, and each restart makes new producers).
 */
public final class SendFailureLog implements ProducerInterceptor<byte[], byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(SendFailureLog.class);
    private static final long QUIET_MILLIS = 60_000;
    private static final int CHECK_TIMEOUT_MILLIS = 10_000;
    /** Per topic, when a failure was last reported by any producer of this JVM. */
    private static final Map<String, Long> REPORTED = new ConcurrentHashMap<>();

    private final Map<String, Object> adminConfig = new HashMap<>();

    @Override
    public void configure(Map<String, ?> configs) {
        // the producer's connection and security settings, but not its client.id, whose metrics are the producer's
        for (Map.Entry<String, ?> e : configs.entrySet()) {
            if (AdminClientConfig.configNames().contains(e.getKey()) && !e.getKey().equals(AdminClientConfig.CLIENT_ID_CONFIG)) {
                adminConfig.put(e.getKey(), e.getValue());
            }
        }
    }

    @Override
    public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
        if (exception == null || metadata == null || !firstInAWhile(metadata.topic(), System.currentTimeMillis())) {
            return;
        }
        String topic = metadata.topic();
        // Asynchronous, since this may run on the producer's I/O thread, and with an admin client of
        // its own: the failure closes the producer (and its interceptors) before the answer comes.
        Admin admin = Admin.create(adminConfig);
        admin.describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs(CHECK_TIMEOUT_MILLIS))
                .allTopicNames().whenComplete((found, checkFailed) -> {
                    LOG.error(message(topic, exception, checkFailed));
                    admin.close(Duration.ofSeconds(1)); // on the admin's own thread: does not wait for itself
                });
    }

    static boolean firstInAWhile(String topic, long now) {
        boolean[] first = {false};
        REPORTED.compute(topic, (t, last) -> {
            first[0] = last == null || now - last >= QUIET_MILLIS;
            return first[0] ? now : last;
        });
        return first[0];
    }

    /**
     * The line logged for a record of {@code topic} that could not be written.
     *
     * @param failure why the producer gave the record up
     * @param checkFailed why the broker could not describe the topic; null when it exists
     */
    static String message(String topic, Exception failure, Throwable checkFailed) {
        String consequence = "; nothing is dropped: the job fails over and writes again what followed its last checkpoint";
        if (rootCause(checkFailed) instanceof UnknownTopicOrPartitionException) {
            return "Kafka topic " + topic + " does not exist (deleted under the running job?)" + consequence
                    + " once it exists (create it as --create-topics or deploy/k8s/kafka-topics.yaml does)";
        }
        String why = checkFailed == null ? "the topic exists" : "the broker did not answer: " + rootCause(checkFailed).getMessage();
        return "cannot write to Kafka topic " + topic + ": " + failure.getClass().getSimpleName() + ": " + failure.getMessage()
                + " (" + why + ")" + consequence + " once it can";
    }

    private static Throwable rootCause(Throwable t) {
        while (t != null && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public void close() {}
}
