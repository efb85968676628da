package org.yrd.linkage.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.yrd.linkage.demo.ScenarioGenerator;
import org.yrd.linkage.live.Topics;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.replay.Replay;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * {@code ./linkage feed}: produces input records into the input topics, either the live scenario
 * of the demo for a while, or replay files whose ts are offsets from a base time (scripted cases
 * for cluster tests and drills).
 */
@Command(name = "feed", mixinStandardHelpOptions = true,
        description = "Produce input records: the demo's live scenario, or replay files shifted to a base time.")
final class FeedCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    KafkaOptions kafka;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--scenario", required = true, description = "Run the demo's scenario generator in real time.")
        boolean scenario;

        @Option(names = "--in", required = true, description = "Replay files whose ts are milliseconds after --base.")
        Path in;
    }

    @Option(names = "--duration", defaultValue = "60s", description = "With --scenario: how long (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--rate", defaultValue = "100", description = "With --scenario: background events per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--seed", defaultValue = "1", description = "With --scenario: seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--planted", description = "With --scenario: write the alert ids of the chains completed to this file.")
    Path planted;

    @Option(names = "--base", description = "With --in: epoch ms that ts 0 stands for (default: now).")
    Long base;

    @Override
    public Integer call() throws Exception {
        Properties p = kafka.client();
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        Topics topics = kafka.topics();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            return source.scenario ? scenario(producer, topics) : files(producer, topics);
        }
    }

    private int scenario(KafkaProducer<String, String> producer, Topics topics) throws Exception {
        ScenarioGenerator generator = new ScenarioGenerator(seed, rate);
        long start = System.currentTimeMillis();
        long end = start + Cli.duration(duration).toMillis();
        generator.advance(start);
        long count = 0;
        while (System.currentTimeMillis() < end) {
            for (ScenarioGenerator.GeneratedRecord r : generator.advance(System.currentTimeMillis())) {
                producer.send(new ProducerRecord<>(r.stream() == StreamKind.ACK ? topics.acks(r.ackProvince()) : topics.input(r.stream()), r.json()));
                count++;
            }
            producer.flush();
            Thread.sleep(100);
        }
        long last = System.currentTimeMillis();
        List<String> ids = new ArrayList<>();
        for (ScenarioGenerator.PlantedChain c : generator.planted()) {
            if (c.completeTs() <= last) {
                ids.add(c.alertId());
            }
        }
        if (planted != null) {
            Files.write(planted, ids);
        }
        System.out.printf("feed: %d records in %.0f s, %d planted chains complete%n", count, (last - start) / 1000.0, ids.size());
        return 0;
    }

    private int files(KafkaProducer<String, String> producer, Topics topics) throws Exception {
        Map<StreamKind, Path> files = Replay.inputs(source.in);
        if (files.isEmpty()) {
            return Cli.fail("--in " + source.in + " holds no replay file");
        }
        long at = base != null ? base : System.currentTimeMillis();
        long count = 0;
        for (Map.Entry<StreamKind, Path> f : files.entrySet()) {
            for (String line : Files.readAllLines(f.getValue())) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = JSON.readTree(line);
                if (node instanceof ObjectNode o && o.path("ts").isIntegralNumber()) {
                    o.put("ts", at + o.get("ts").asLong());
                    line = o.toString();
                }
                producer.send(new ProducerRecord<>(f.getKey() == StreamKind.ACK ? ackTopic(topics, node) : topics.input(f.getKey()), line));
                count++;
            }
        }
        producer.flush();
        System.out.printf("feed: %d records, base %d%n", count, at);
        return 0;
    }

    /**
     * An acknowledgement goes to the topic of the province it names; one that names no province
     * goes to the first province's topic, where the engine dead-letters it like any bad record.
     */
    private static String ackTopic(Topics topics, JsonNode ack) {
        String province = ack.path("province").asText("");
        return topics.acks(Topics.PROVINCES.contains(province) ? province : Topics.PROVINCES.get(0));
    }
}
