package org.yrd.linkage.runtime;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.yrd.linkage.model.DeadLetter;
import org.yrd.linkage.model.StreamKind;

import java.util.EnumMap;
import java.util.Map;

/**
 * The engine's metrics, in one place. They go through Flink's metric system (web UI, REST API,
 * the Prometheus reporter, where the groups below become labels):
 *
 * <pre>
 * stream=S                      eventsIn, eventsFiltered, repeatedIgnored, regionCacheHits, regionCacheMisses,
 *                               regionCacheHitRate (gauge), watermarkLagMs (gauge)
 * stream=S reason=R             deadLetters
 *                               recordFailures              (records an operator threw on, each also a SCHEMA dead letter)
 * rule=X msgType=M recipient=P  alertRecords                (one per record written, escalations included)
 * rule=X                        openChains (gauge)          (incidents, episodes, clusters, cases, bursts)
 * province=P                    awaitingAck (gauge), escalations
 *                               alertEventTimeLagMs (histogram: emittedAt - detectedTs)
 *                               rulePackId, rulePackVersion (gauges, text), rulePackSince (gauge, epoch ms):
 *                               the rule pack in force (the rule-update step; text gauges are not exported to Prometheus)
 * </pre>
 */
public final class EngineMetrics {

    public static final String STREAM = "stream";
    public static final String REASON = "reason";
    public static final String RULE = "rule";
    public static final String MSG_TYPE = "msgType";
    public static final String RECIPIENT = "recipient";
    public static final String PROVINCE = "province";

    public static final String EVENTS_IN = "eventsIn";
    public static final String EVENTS_FILTERED = "eventsFiltered";
    public static final String REPEATED = "repeatedIgnored";
    public static final String DEAD_LETTERS = "deadLetters";
    public static final String RECORD_FAILURES = "recordFailures";
    public static final String CACHE_HITS = "regionCacheHits";
    public static final String CACHE_MISSES = "regionCacheMisses";
    public static final String CACHE_HIT_RATE = "regionCacheHitRate";
    public static final String WATERMARK_LAG = "watermarkLagMs";
    public static final String ALERT_RECORDS = "alertRecords";
    public static final String OPEN_CHAINS = "openChains";
    public static final String AWAITING_ACK = "awaitingAck";
    public static final String ESCALATIONS = "escalations";
    public static final String EVENT_TIME_LAG = "alertEventTimeLagMs";
    public static final String RULE_PACK_ID = "rulePackId";
    public static final String RULE_PACK_VERSION = "rulePackVersion";
    public static final String RULE_PACK_SINCE = "rulePackSince";

    private EngineMetrics() {}

    /** The dead-letter counters of one stream, by reason. */
    public static Map<DeadLetter.Reason, Counter> deadLetters(MetricGroup group, StreamKind stream) {
        Map<DeadLetter.Reason, Counter> counters = new EnumMap<>(DeadLetter.Reason.class);
        MetricGroup s = group.addGroup(STREAM, stream.name());
        for (DeadLetter.Reason r : DeadLetter.Reason.values()) {
            counters.put(r, s.addGroup(REASON, r.name()).counter(DEAD_LETTERS));
        }
        return counters;
    }
}
