package org.yrd.linkage.testing;

import java.util.List;

/**
 * The final state of one alert id, as the worked example's expected-final-alerts.jsonl states it:
 * what a consumer holds after every revision.
 */
public record FinalAlert(
        String alertId,
        String ruleId,
        String kind,
        String severity,
        List<String> recipients,
        List<String> provinces,
        boolean cancelled,
        List<String> references,
        List<String> evidence) {

    /** Evidence as {@code STREAM:id}, sorted. */
    public List<String> evidence() {
        return evidence;
    }
}
