package org.yrd.linkage.feedback;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yrd.linkage.testing.Events.MINUTE;

/** The hourly feedback figures in Flink's keyed harness. */
class RuleFeedbackFunctionTest {

    private static final long HOUR = 3_600_000L;
    /** An hour's start. */
    private static final long H = 1_783_612_800_000L;

    private static FeedbackFact alerted(String province, long ts) {
        return new FeedbackFact("INC-CLUSTER", province, H, FeedbackFact.ALERTED, 0, ts);
    }

    private static FeedbackFact acknowledged(String province, long ts) {
        return new FeedbackFact("INC-CLUSTER", province, H, FeedbackFact.ACKNOWLEDGED, ts - (H + 10 * MINUTE), ts);
    }

    /** The records written for {@code facts} fed in the given order, with the watermark moved to each given ts after them. */
    private static List<String> records(boolean ordered, List<FeedbackFact> facts, long... watermarks) throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new RuleFeedbackFunction(Duration.ofDays(8), ordered)),
                FeedbackFact::key, Types.STRING)) {
            h.open();
            for (FeedbackFact f : facts) {
                h.processElement(f, f.ts());
            }
            for (long w : watermarks) {
                h.processWatermark(new Watermark(w));
            }
            return new ArrayList<>(h.extractOutputValues());
        }
    }

    @Test
    void orderedModeWritesTheSameRecordsWhateverOrderTheFactsArriveIn() throws Exception {
        FeedbackFact a1 = alerted("320000", H + 10 * MINUTE);
        FeedbackFact a2 = alerted("310000", H + 40 * MINUTE);
        FeedbackFact late = acknowledged("320000", H + HOUR + 5 * MINUTE);
        FeedbackFact early = acknowledged("310000", H + 50 * MINUTE);

        List<String> inOrder = records(true, List.of(a1, a2, early, late), H + 2 * HOUR);
        assertThat(inOrder).as("the hour's record, then the answer after its end as an update").hasSize(2);
        assertThat(inOrder.get(0)).contains("\"alerts\":2,\"acknowledged\":1");
        assertThat(inOrder.get(1)).contains("\"alerts\":2,\"acknowledged\":2");

        // the answer after the hour arrives first, the alerts in reverse, the watermark in two steps
        assertThat(records(true, List.of(late, a2, a1, early), H + HOUR, H + 2 * HOUR)).isEqualTo(inOrder);
        // live mode takes facts as they come: the answer after the hour counts in the hour's first record
        assertThat(records(false, List.of(late, a2, a1, early), H + 2 * HOUR)).hasSize(1)
                .allMatch(r -> r.contains("\"alerts\":2,\"acknowledged\":2"));
    }

    @Test
    void provincesAreWrittenInCodeOrderWhateverMapTheStateGaveBack() {
        RuleFeedback r = new RuleFeedback();
        r.ruleId = "INC-CLUSTER";
        r.hourStart = H;
        // RocksDB gives a POJO's map back as a HashMap; its order is the hashes'
        r.byProvince = new LinkedHashMap<>();
        for (String p : List.of("340000", "310000", "330000", "320000")) {
            r.add(alerted(p, H + MINUTE));
        }
        String json = RuleFeedbackFunction.json(r);
        assertThat(json.indexOf("\"310000\"")).isLessThan(json.indexOf("\"320000\""));
        assertThat(json.indexOf("\"320000\"")).isLessThan(json.indexOf("\"330000\""));
        assertThat(json.indexOf("\"330000\"")).isLessThan(json.indexOf("\"340000\""));
    }
}
