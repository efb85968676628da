package org.yrd.linkage.feedback;

/**
 * One thing that happened to an alert in one province, for the feedback figures: it was first
 * sent there ({@code ALERTED}), acknowledged ({@code ACKNOWLEDGED}, with the time it took), or
 * answered {@code CONFIRMED}, {@code FALSE_ALARM} or {@code RESOLVED}. Counted in the hour
 * (event time) the alert was first sent to that province; {@code ts} is when it happened (the
 * sending, or the answer), which orders the facts of replay ({@link RuleFeedbackFunction}).
 */
public record FeedbackFact(String ruleId, String province, long hourStart, String kind, long ackMillis, long ts) {

    public static final String ALERTED = "ALERTED";
    public static final String ACKNOWLEDGED = "ACKNOWLEDGED";

    public String key() {
        return ruleId + '|' + hourStart;
    }
}
