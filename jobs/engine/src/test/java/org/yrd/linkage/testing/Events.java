package org.yrd.linkage.testing;

import org.yrd.linkage.ident.IdentifierKey;
import org.yrd.linkage.ingest.RecordParser;
import org.yrd.linkage.ingest.Rejected;
import org.yrd.linkage.model.AckStatus;
import org.yrd.linkage.model.AlertAck;
import org.yrd.linkage.model.CallCategory;
import org.yrd.linkage.model.EmergencyCall;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.FraudReport;
import org.yrd.linkage.model.FraudType;
import org.yrd.linkage.model.SensorKind;
import org.yrd.linkage.model.SensorReading;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.region.Region;

import java.nio.charset.StandardCharsets;

/** Builds input events for tests, each placed in the city given by its code. */
public final class Events {

    /** Noon, 1 July 2026, UTC: a base time for tests. */
    public static final long T0 = 1_782_907_200_000L;
    public static final long MINUTE = 60_000L;
    public static final long HOUR = 60 * MINUTE;
    public static final long DAY = 24 * HOUR;
    /** Degrees of latitude per km on the haversine sphere of rules-v1.md. */
    public static final double DEG_PER_KM = 180 / (Math.PI * 6371.0088);

    private Events() {}

    public static Event sensor(String id, String sensorId, SensorKind kind, double value, long ts, double lat, double lon, String cityCode) {
        return Event.sensor(new SensorReading(id, sensorId, kind, value, null, ts, lat, lon, cityCode), city(cityCode));
    }

    public static Event call(String id, long ts, double lat, double lon, CallCategory category, String cityCode) {
        return Event.call(new EmergencyCall(id, ts, lat, lon, cityCode, category), city(cityCode));
    }

    /** A fraud report parsed from JSON, so identifiers go through the contracted normalisation. */
    public static Event fraud(String id, long ts, String cityCode, double amount, String... typeValuePairs) {
        return fraud(id, ts, cityCode, FraudType.IMPERSONATION, amount, typeValuePairs);
    }

    /** A fraud report of the given type parsed from JSON, so identifiers go through the contracted normalisation. */
    public static Event fraud(String id, long ts, String cityCode, FraudType type, double amount, String... typeValuePairs) {
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < typeValuePairs.length; i += 2) {
            if (i > 0) {
                ids.append(',');
            }
            ids.append("{\"type\":\"").append(typeValuePairs[i]).append("\",\"value\":\"").append(typeValuePairs[i + 1]).append("\"}");
        }
        String json = "{\"id\":\"" + id + "\",\"ts\":" + ts + ",\"cityCode\":\"" + cityCode
                + "\",\"fraudType\":\"" + type + "\",\"amountCny\":" + amount + ",\"identifiers\":[" + ids + "]}";
        try {
            FraudReport r = (FraudReport) new RecordParser(IdentifierKey.development()).parse(StreamKind.FRAUD, json.getBytes(StandardCharsets.UTF_8),
                    json.getBytes(StandardCharsets.UTF_8).length);
            return Event.fraud(r, city(cityCode));
        } catch (Rejected e) {
            throw new IllegalArgumentException(e.detail());
        }
    }

    /** An event of any stream parsed from its contract JSON, placed by its cityCode. */
    public static Event parse(StreamKind stream, String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        try {
            Object r = new RecordParser(IdentifierKey.development()).parse(stream, bytes, bytes.length);
            switch (stream) {
                case SENSOR:
                    return Event.sensor((SensorReading) r, city(((SensorReading) r).cityCode()));
                case CALL:
                    return Event.call((EmergencyCall) r, city(((EmergencyCall) r).cityCode()));
                case FRAUD:
                    return Event.fraud((FraudReport) r, city(((FraudReport) r).cityCode()));
                default:
                    return Event.ack((AlertAck) r);
            }
        } catch (Rejected e) {
            throw new IllegalArgumentException(e.detail());
        }
    }

    public static Event ack(String alertId, String province, long ts) {
        return Event.ack(new AlertAck(alertId, province, ts, AckStatus.RECEIVED));
    }

    private static int city(String code) {
        int city = Region.get().cityOfCode(code);
        if (city == 0) {
            throw new IllegalArgumentException("no such city: " + code);
        }
        return city;
    }
}
