package org.yrd.linkage.cli;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.yrd.linkage.ops.AlertAudit;
import org.yrd.linkage.live.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code ./linkage audit}: reads every alert topic from the beginning as a consumer would and
 * checks the stream's promises: no (alert id, revision, recipient) with two contents, the last
 * revision of every alert at every recipient it is addressed to, and every expected alert id
 * present. Exit 0 when all hold, 1 otherwise. It also reports the longest delay from an alert's
 * detection to its record on the topic (the broker's append time; the topics the engine creates
 * stamp records with it).
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Check the alert topics: consistent revisions, expected alerts present; write the final states.")
final class AuditCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--expect", description = "File with one expected alert id per line.")
    Path expect;

    @Option(names = "--out", description = "Write the final state of each alert id here (JSON Lines).")
    Path out;

    @Option(names = "--idle", defaultValue = "5s", description = "Stop after this long without a new record (default: ${DEFAULT-VALUE}).")
    String idle;

    @Option(names = "--timeout", defaultValue = "120s", description = "Give up waiting for expected alerts after this long (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Override
    public Integer call() throws Exception {
        List<String> expected = expect == null ? List.of() : Files.readAllLines(expect).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        Topics topics = kafka.topics();
        List<String> names = new ArrayList<>();
        Topics.RECIPIENTS.forEach(r -> names.add(topics.alerts(r)));
        Properties p = kafka.client();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "yrd-linkage-audit-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        AlertAudit audit = new AlertAudit();
        long idleNanos = Cli.duration(idle).toNanos();
        long deadline = System.nanoTime() + Cli.duration(timeout).toNanos();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(names);
            long lastNew = System.nanoTime();
            while (true) {
                ConsumerRecords<String, String> batch = consumer.poll(Duration.ofMillis(250));
                for (ConsumerRecord<String, String> r : batch) {
                    audit.add(r.value(), r.timestampType() == TimestampType.LOG_APPEND_TIME ? r.timestamp() : -1);
                }
                long now = System.nanoTime();
                if (!batch.isEmpty()) {
                    lastNew = now;
                }
                boolean allThere = audit.latest().keySet().containsAll(expected);
                if ((allThere && now - lastNew > idleNanos) || now > deadline) {
                    break;
                }
            }
        }
        List<String> missing = expected.stream().filter(id -> !audit.latest().containsKey(id)).toList();
        if (out != null) {
            Files.write(out, audit.finalStates());
        }
        List<String> incomplete = audit.incomplete();
        System.out.printf("audit: %d records, %d alert ids, %d conflicting revisions, %d incomplete, %d of %d expected missing%n",
                audit.records(), audit.latest().size(), audit.conflicts().size(), incomplete.size(), missing.size(), expected.size());
        if (audit.longestDelay() >= 0) {
            System.out.printf("audit: longest delay from detection to the topic %.1f s (%s)%n", audit.longestDelay() / 1000.0, audit.longestDelayed());
        }
        audit.conflicts().forEach(c -> System.out.println("audit: conflicting content for " + c));
        incomplete.forEach(c -> System.out.println("audit: incomplete: " + c));
        missing.forEach(m -> System.out.println("audit: missing " + m));
        return audit.conflicts().isEmpty() && incomplete.isEmpty() && missing.isEmpty() ? 0 : 1;
    }
}
