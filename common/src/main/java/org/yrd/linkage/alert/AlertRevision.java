package org.yrd.linkage.alert;

/**
 * One revision of one alert, addressed to all of its recipients at once; the sinks write one
 * record per recipient (alert.schema.json). Arrays are sorted.
 *
 * <p>{@code firstSentProvinces}, {@code firstSentTs} and {@code firstSentSeverity} (parallel
 * arrays) record, for each province, the detectedTs and severity of the first revision that was
 * addressed to it in ts order, and {@code firstSentSlaMillis} the acknowledgement SLA of that
 * severity under the rule pack in force (0: none): ESC-ACK deadlines are computed from them. They are internal and
 * not written out. {@code subject} names what the alert is about (a sensor kind, a call category,
 * a fraud type), for the CAP category. {@code withdrawn} marks a CANCEL of an alert that a later-arriving,
 * earlier-stamped event proved never to have existed. {@code evidence} holds at most
 * {@link #MAX_EVIDENCE} events (the anchor and the latest ones), {@code evidenceCount} all of them;
 * {@code identifiers} at most {@link #MAX_IDENTIFIERS}.
 */
public record AlertRevision(
        String alertId,
        int revision,
        MsgType msgType,
        AlertKind kind,
        String ruleId,
        String ruleVersion,
        Severity severity,
        String[] recipients,
        String[] provinces,
        String[] cities,
        Evidence[] evidence,
        int evidenceCount,
        long firstEventTs,
        long lastEventTs,
        long detectedTs,
        long emittedAt,
        String[] references,
        String[] identifiers,
        double lossCny,
        boolean hasLocation,
        double lat,
        double lon,
        double radiusKm,
        String summary,
        String subject,
        String[] firstSentProvinces,
        long[] firstSentTs,
        Severity[] firstSentSeverity,
        long[] firstSentSlaMillis,
        boolean withdrawn) {

    /** The most events a revision lists (rules-v1.md): the anchor and the 199 latest. */
    public static final int MAX_EVIDENCE = 200;

    /**
     * The most masked identifiers a revision lists: the first in sorted order. A case that keeps
     * linking reports may name identifiers without end; rules-v1.md lists "every" identifier, and
     * so a revision does up to this many, as many as its evidence may list, so that the record
     * stays far below what a topic accepts.
     */
    public static final int MAX_IDENTIFIERS = 200;
}
