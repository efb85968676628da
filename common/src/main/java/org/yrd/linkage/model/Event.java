package org.yrd.linkage.model;

import java.util.Comparator;

/**
 * One validated input event of any stream, placed in the region. Exactly one of the payload fields
 * is set, matching {@code stream}. {@code city} is the canonical city code (e.g. 320500), 0 for
 * acknowledgements, which have no place. {@code lateRaw}, set only on an event that arrived
 * behind its stream's watermark, holds its redacted input for the dead letter: such an event
 * reaches de-duplication (a repeat is counted, not dead-lettered) and no rule. {@code source}
 * says where the record was read ({@code topic/partition/offset} or {@code file:line}; null for
 * events made in memory), for the dead letter it may still become.
 */
public record Event(
        StreamKind stream,
        String id,
        long ts,
        int city,
        SensorReading sensor,
        EmergencyCall call,
        FraudReport fraud,
        AlertAck ack,
        String lateRaw,
        String source) {

    /** The order in which rules-v1.md takes events: by ts, then SENSOR, CALL, FRAUD, ACK, then by id. */
    public static final Comparator<Event> TS_ORDER =
            Comparator.comparingLong(Event::ts)
                    .thenComparing(Event::stream)
                    .thenComparing(Event::id);

    public int province() {
        return city / 10000 * 10000;
    }

    public Event asLate(String redactedRaw) {
        return new Event(stream, id, ts, city, sensor, call, fraud, ack, redactedRaw, source);
    }

    /** This event read from {@code source}. */
    public Event withSource(String source) {
        return new Event(stream, id, ts, city, sensor, call, fraud, ack, lateRaw, source);
    }

    public boolean late() {
        return lateRaw != null;
    }

    public static Event sensor(SensorReading r, int city) {
        return sensor(r, city, null);
    }

    public static Event sensor(SensorReading r, int city, String source) {
        return new Event(StreamKind.SENSOR, r.id(), r.ts(), city, r, null, null, null, null, source);
    }

    public static Event call(EmergencyCall c, int city) {
        return call(c, city, null);
    }

    public static Event call(EmergencyCall c, int city, String source) {
        return new Event(StreamKind.CALL, c.id(), c.ts(), city, null, c, null, null, null, source);
    }

    public static Event fraud(FraudReport f, int city) {
        return fraud(f, city, null);
    }

    public static Event fraud(FraudReport f, int city, String source) {
        return new Event(StreamKind.FRAUD, f.id(), f.ts(), city, null, null, f, null, null, source);
    }

    public static Event ack(AlertAck a) {
        return ack(a, null);
    }

    public static Event ack(AlertAck a, String source) {
        return new Event(StreamKind.ACK, a.alertId() + '@' + a.province() + '@' + a.ts(), a.ts(), 0, null, null, null, a, null, source);
    }
}
