package org.yrd.linkage.demo;

import org.junit.jupiter.api.Test;
import java.nio.file.*;
import java.util.*;

class ScratchDumpTest {
    @Test
    void dump() throws Exception {
        long minutes = Long.getLong("scratch.minutes", 40);
        double rate = Double.parseDouble(System.getProperty("scratch.rate", "10"));
        ScenarioGenerator g = new ScenarioGenerator(5, rate);
        long start = 1_785_542_400_000L;
        g.advance(start);
        Map<String, StringBuilder> files = new TreeMap<>();
        for (long now = start + 500; now <= start + minutes * 60_000; now += 500) {
            for (ScenarioGenerator.GeneratedRecord r : g.advance(now)) {
                files.computeIfAbsent(r.stream().baseName() + ".jsonl", k -> new StringBuilder()).append(r.json()).append('\n');
            }
        }
        Path dir = Path.of("/tmp/demo-run/in");
        Files.createDirectories(dir);
        for (var e : files.entrySet()) Files.writeString(dir.resolve(e.getKey()), e.getValue());
        StringBuilder p = new StringBuilder();
        for (var c : g.planted()) p.append(c.ruleId()).append('\t').append(c.alertId()).append('\t').append(String.join(",", c.provinces())).append('\t').append(c.acknowledged()).append('\t').append(c.startTs()).append('\t').append(c.completeTs()).append('\n');
        Files.writeString(Path.of("/tmp/demo-run/planted.tsv"), p);
        System.out.println("fleet " + g.fleetSize() + " planted " + g.planted().size());
    }
}
