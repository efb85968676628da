package org.yrd.linkage.feedback;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The feedback figures of one rule in one hour, overall and per province. A Flink POJO. */
public class RuleFeedback {
    public String ruleId;
    public long hourStart;
    public Map<String, Counts> byProvince = new TreeMap<>();

    /** Counts of one province (or all). A Flink POJO. */
    public static class Counts {
        public long alerts;
        public long acknowledged;
        public long confirmed;
        public long falseAlarms;
        public long resolved;
        public List<Long> ackMillis = new ArrayList<>();

        public Counts() {}

        void add(FeedbackFact f) {
            switch (f.kind()) {
                case FeedbackFact.ALERTED -> alerts++;
                case FeedbackFact.ACKNOWLEDGED -> {
                    acknowledged++;
                    ackMillis.add(f.ackMillis());
                }
                case "CONFIRMED" -> confirmed++;
                case "FALSE_ALARM" -> falseAlarms++;
                case "RESOLVED" -> resolved++;
                default -> throw new IllegalArgumentException(f.kind());
            }
        }

        /** Median time to acknowledge, ms; -1 when nothing was acknowledged. */
        public long medianAckMillis() {
            if (ackMillis.isEmpty()) {
                return -1;
            }
            List<Long> sorted = new ArrayList<>(ackMillis);
            sorted.sort(null);
            int n = sorted.size();
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }
    }

    public RuleFeedback() {}

    void add(FeedbackFact f) {
        ruleId = f.ruleId();
        hourStart = f.hourStart();
        byProvince.computeIfAbsent(f.province(), p -> new Counts()).add(f);
    }

    /** All provinces together. */
    public Counts total() {
        Counts t = new Counts();
        for (Counts c : byProvince.values()) {
            t.alerts += c.alerts;
            t.acknowledged += c.acknowledged;
            t.confirmed += c.confirmed;
            t.falseAlarms += c.falseAlarms;
            t.resolved += c.resolved;
            t.ackMillis.addAll(c.ackMillis);
        }
        return t;
    }
}
