package org.yrd.linkage.engine;

import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.yrd.linkage.model.DeadLetter;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.rules.RulePackFile;
import org.yrd.linkage.runtime.Outputs;
import org.yrd.linkage.runtime.RawRecord;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Rule packs from the rules topic: a valid one goes on to the operators, an invalid one becomes one bounded dead letter. */
class RuleUpdatesTest {

    private static List<DeadLetter> deadLetters(OneInputStreamOperatorTestHarness<RawRecord, String> h) {
        var side = h.getSideOutput(Outputs.DEAD_LETTERS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void packWithThousandsOfProblemsIsOneDeadLetterThatSaysHowManyAndListsWhatFits() throws Exception {
        StringBuilder yaml = new StringBuilder(RulePackFile.toYaml(RulePack.defaults()));
        for (int i = 0; i < 5_000; i++) {
            yaml.append("unknown").append(i).append(": 1\n");
        }
        String valid = RulePackFile.toYaml(RulePack.defaults());
        try (var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new RuleUpdates(RulePack.defaults())))) {
            h.open();
            h.processElement(RawRecord.line(yaml.toString().getBytes(StandardCharsets.UTF_8), "rules", 1), 0);
            h.processElement(RawRecord.line(valid.getBytes(StandardCharsets.UTF_8), "rules", 2), 0);
            assertThat(h.extractOutputValues()).containsExactly(valid);
            assertThat(deadLetters(h)).singleElement().satisfies(d -> {
                assertThat(d.stream()).isEqualTo(StreamKind.RULE);
                assertThat(d.detail()).startsWith("5000 problems in update").endsWith("  ...");
                assertThat(d.detail().length()).isLessThanOrEqualTo(DeadLetter.MAX_RAW_CHARS + 10);
                assertThat(d.source()).isEqualTo("rules:1");
            });
        }
    }
}
