package org.yrd.linkage.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.yrd.linkage.live.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;

/** {@code ./linkage tail --province 320000}: one recipient's alerts as they arrive, as its alerting system sees them. */
@Command(name = "tail", mixinStandardHelpOptions = true, description = "Print one province's (or YRD's) alerts as they arrive.")
final class TailCommand implements Callable<Integer> {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM-dd HH:mm:ss").withZone(ZoneOffset.ofHours(8));

    @Option(names = "--province", required = true, description = "310000, 320000, 330000, 340000 or YRD.")
    String province;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--from-beginning", description = "Start with the oldest alert instead of new ones.")
    boolean fromBeginning;

    @Option(names = "--json", description = "Print each record as it is (JSON), one per line.")
    boolean json;

    @Option(names = "--cap", description = "Print the CAP 1.2 documents instead.")
    boolean cap;

    @Option(names = "--max", defaultValue = "0", description = "Stop after this many records (0: never).")
    int max;

    @Override
    public Integer call() {
        if (!Topics.RECIPIENTS.contains(province)) {
            return Cli.fail("--province must be one of " + String.join(", ", Topics.RECIPIENTS) + ", not " + province);
        }
        Topics topics = kafka.topics();
        String topic = cap ? topics.cap(province) : topics.alerts(province);
        Properties p = kafka.client();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "yrd-linkage-tail-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        ObjectMapper mapper = new ObjectMapper();
        int seen = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            System.err.println("linkage: following " + topic + " on " + kafka.bootstrap + "; Ctrl-C stops");
            while (max == 0 || seen < max) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    System.out.println(json || cap ? r.value() : line(mapper, r.value()));
                    System.out.flush();
                    if (max > 0 && ++seen >= max) {
                        break;
                    }
                }
            }
        }
        return 0;
    }

    static String line(ObjectMapper mapper, String value) {
        try {
            JsonNode a = mapper.readTree(value);
            return String.format("%s  %-6s %-8s %s r%d  %s",
                    TIME.format(Instant.ofEpochMilli(a.path("detectedTs").asLong())), a.path("msgType").asText(),
                    a.path("severity").asText(), a.path("alertId").asText(), a.path("revision").asInt(), a.path("summary").asText());
        } catch (Exception e) {
            return value;
        }
    }
}
