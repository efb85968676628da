package org.yrd.linkage.runtime;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.Evidence;
import org.yrd.linkage.model.DeadLetter;
import org.yrd.linkage.model.DeadLetter.Reason;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.StreamKind;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * What an operator does when handling one record throws where nothing should: the record becomes a
 * dead letter and the job goes on, since a job that fails on a record fails again on it after every
 * restart (live mode reads the same offset again). Operators catch {@code RuntimeException} and
 * {@code StackOverflowError} (deep recursion over what one record holds) around the work of one
 * record and hand it here, with the record's stream and source where they know them.
 *
 * <p>The dead letter has reason SCHEMA (the record is one the engine cannot use) and detail
 * {@code internal error in <operator>: <exception class>: <message>}. So that real bugs stay
 * visible, each one counts in {@code recordFailures} as well as in {@code deadLetters}, and the
 * first of each operator instance is logged at WARN with its stack trace. Flink's own failures
 * ({@link FlinkRuntimeException}: state backend, serialisation) are not the record's and are
 * thrown on, to fail the task as before.
 *
 * <p>Its detail and raw text quote an exception message and the record, and are masked on the way
 * out ({@code LinkageJob}): these dead letters go to {@link Outputs#FAILURES}.
 */
public final class RecordFailures {

    private static final Logger LOG = LoggerFactory.getLogger(RecordFailures.class);
    /** Enough of an exception message to recognise it, whatever the record put into it. */
    private static final int MAX_MESSAGE_CHARS = 500;

    private final String operator;
    private final MetricGroup metrics;
    private final Counter failures;
    private final Map<StreamKind, Map<Reason, Counter>> deadLetters = new EnumMap<>(StreamKind.class);
    private boolean logged;

    /** @param operator how dead letters and the log name the operator, e.g. {@code INC-CASCADE} */
    public RecordFailures(String operator, MetricGroup metrics) {
        this.operator = operator;
        this.metrics = metrics;
        this.failures = metrics.counter(EngineMetrics.RECORD_FAILURES);
    }

    /** Counts failures on {@code stream} in dead-letter counters that the operator registered itself. */
    public RecordFailures sharing(StreamKind stream, Map<Reason, Counter> counters) {
        deadLetters.put(stream, counters);
        return this;
    }

    /**
     * The dead letter of a record whose handling threw {@code failure}; counts and logs it.
     *
     * @param record what the record was (its raw text, or e.g. {@code id x, ts 123}), unmasked
     * @param source where it was read, or null when not known
     * @throws FlinkRuntimeException {@code failure} itself when it is one
     */
    public DeadLetter deadLetter(Throwable failure, StreamKind stream, String record, String source) {
        if (failure instanceof FlinkRuntimeException flink) {
            throw flink;
        }
        failures.inc();
        deadLetters.computeIfAbsent(stream, s -> EngineMetrics.deadLetters(metrics, s)).get(Reason.SCHEMA).inc();
        if (!logged) {
            logged = true;
            LOG.warn("{} failed on a {} record from {}; it is dead-lettered, and further failures of this operator are only counted",
                    operator, stream, source == null ? "an unknown source" : source, failure);
        } else {
            LOG.debug("{} failed on a {} record from {}", operator, stream, source, failure);
        }
        String message = failure.getMessage() == null ? "" : ": " + cut(failure.getMessage(), MAX_MESSAGE_CHARS);
        return new DeadLetter(stream, Reason.SCHEMA, "internal error in " + operator + ": " + failure.getClass().getName() + message,
                cut(record, DeadLetter.MAX_RAW_CHARS), System.currentTimeMillis(), source);
    }

    /** The dead letter of an event whose handling threw. */
    public DeadLetter deadLetter(Throwable failure, Event e) {
        return deadLetter(failure, e.stream(), "id " + e.id() + ", ts " + e.ts(), e.source());
    }

    /**
     * The dead letter of an alert revision whose handling threw. It is filed under the stream of
     * the latest event behind it (the one that made the revision), or for a revision that lists
     * none (a withdrawal) the stream its rule reads; its source is not known.
     */
    public DeadLetter deadLetter(Throwable failure, AlertRevision r) {
        return deadLetter(failure, streamOf(r.ruleId(), Arrays.asList(r.evidence())), "alert " + r.alertId() + ", revision " + r.revision(), null);
    }

    /** The stream of the latest of {@code evidence}, or else the one rule {@code ruleId} reads. */
    public static StreamKind streamOf(String ruleId, Iterable<Evidence> evidence) {
        Evidence latest = null;
        for (Evidence e : evidence) {
            if (latest == null || e.ts() > latest.ts()) {
                latest = e;
            }
        }
        if (latest != null) {
            return latest.stream();
        }
        String rule = ruleId == null ? "" : ruleId;
        return rule.startsWith("CYB-") ? StreamKind.FRAUD : rule.equals("INC-CLUSTER") ? StreamKind.CALL : StreamKind.SENSOR;
    }

    /**
     * At most {@code max} characters, cut before any digits, spaces or dashes at the cut: masking
     * on the way out masks whole runs of digits, and a cut run would keep its start readable.
     */
    static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = max - 3;
        while (end > 0 && (Character.isDigit(s.charAt(end - 1)) || s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '-'
                || Character.isHighSurrogate(s.charAt(end - 1)))) {
            end--;
        }
        return s.substring(0, end) + "...";
    }
}
