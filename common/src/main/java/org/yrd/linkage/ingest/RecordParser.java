package org.yrd.linkage.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import org.yrd.linkage.ident.IdentifierKey;
import org.yrd.linkage.ident.Identifiers;
import org.yrd.linkage.model.AckStatus;
import org.yrd.linkage.model.AlertAck;
import org.yrd.linkage.model.CallCategory;
import org.yrd.linkage.model.DeadLetter.Reason;
import org.yrd.linkage.model.EmergencyCall;
import org.yrd.linkage.model.FraudReport;
import org.yrd.linkage.model.FraudType;
import org.yrd.linkage.model.Identifier;
import org.yrd.linkage.model.IdentifierType;
import org.yrd.linkage.model.SensorKind;
import org.yrd.linkage.model.SensorReading;
import org.yrd.linkage.model.StreamKind;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Strict parsing of one input record (one JSON object, UTF-8) into its contract type, validated
 * against the stream's JSON Schema in docs/contracts. Every way a record can be unusable ends
 * in {@link Rejected} with a contracted reason; nothing else is thrown. Streaming (no tree, no
 * reflection) because this runs once for every input line. Identifiers leave it only masked and
 * digested under the deployment's {@link IdentifierKey}. Not thread-safe; one per task.
 */
public final class RecordParser {

    /** Larger records are rejected before parsing; no valid record comes near this. */
    public static final int MAX_RECORD_BYTES = 1 << 20;

    private static final int MAX_DEPTH = 32;

    // the fast double parser rounds exactly as Double.parseDouble does, in a fraction of the time
    private final JsonFactory factory = JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(400)
                    .maxStringLength(MAX_RECORD_BYTES)
                    .build())
            .build();

    private final IdentifierKey key;

    public RecordParser(IdentifierKey key) {
        this.key = Objects.requireNonNull(key, "key");
    }

    /** Parses one record of {@code stream}; the result is the stream's record type. */
    public Object parse(StreamKind stream, byte[] bytes, int length) throws Rejected {
        if (length > MAX_RECORD_BYTES) {
            throw new Rejected(Reason.SCHEMA, "record of " + grouped(length) + " bytes exceeds " + grouped(MAX_RECORD_BYTES));
        }
        if (stream.compareTo(StreamKind.ACK) > 0) {
            throw new IllegalArgumentException("not an event stream: " + stream);
        }
        if (!Utf8.plainAscii(bytes, length)) {
            int bad = Utf8.firstInvalid(bytes, length);
            if (bad >= 0) {
                throw new Rejected(Reason.MALFORMED_JSON, "invalid UTF-8 at byte " + grouped(bad));
            }
            // JSON text never holds a raw NUL; refusing it also refuses UTF-16 and UTF-32, which Jackson would detect and accept
            for (int i = 0; i < length; i++) {
                if (bytes[i] == 0) {
                    throw new Rejected(Reason.MALFORMED_JSON, "NUL byte at " + grouped(i) + " (records are UTF-8 JSON)");
                }
            }
        }
        try (JsonParser p = factory.createParser(bytes, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new Rejected(Reason.MALFORMED_JSON, "not a JSON object");
            }
            Object record;
            switch (stream) {
                case SENSOR:
                    record = sensor(p);
                    break;
                case CALL:
                    record = call(p);
                    break;
                case FRAUD:
                    record = fraud(p);
                    break;
                case ACK:
                    record = ack(p);
                    break;
                default:
                    throw new IllegalArgumentException("not an event stream: " + stream);
            }
            if (p.nextToken() != null) {
                throw new Rejected(Reason.MALFORMED_JSON, "trailing content after the JSON object");
            }
            return record;
        } catch (JsonProcessingException e) {
            throw new Rejected(Reason.MALFORMED_JSON, e.getOriginalMessage());
        } catch (IOException e) {
            throw new Rejected(Reason.MALFORMED_JSON, String.valueOf(e.getMessage()));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new Rejected(Reason.SCHEMA, "a number beyond what its field can hold");
        } catch (RuntimeException e) {
            throw new Rejected(Reason.MALFORMED_JSON, "unreadable record (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * A count or position in a detail, with thousands separators: details are masked like raw
     * text (see {@link Rejected}), and {@code 1,048,576} is no run of digits to mask.
     */
    private static String grouped(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private SensorReading sensor(JsonParser p) throws IOException, Rejected {
        Fields f = new Fields(p);
        String id = null, sensorId = null, unit = null, cityCode = null;
        SensorKind kind = null;
        Double value = null, lat = null, lon = null;
        Long ts = null;
        while (f.next()) {
            switch (f.name) {
                case "id": id = f.string(1, 128); break;
                case "sensorId": sensorId = f.string(1, 128); break;
                case "kind": kind = f.enumValue(SensorKind.class); break;
                case "value": value = f.number(); break;
                case "unit": unit = f.string(0, 32); break;
                case "ts": ts = f.timestamp(); break;
                case "lat": lat = f.range(-90, 90); break;
                case "lon": lon = f.range(-180, 180); break;
                case "cityCode": cityCode = f.sixDigits(0, "six digits"); break;
                default: f.skip();
            }
        }
        Fields.require(id, "id", sensorId, "sensorId", kind, "kind", value, "value", ts, "ts", lat, "lat", lon, "lon");
        return new SensorReading(id, sensorId, kind, value, unit, ts, lat, lon, cityCode);
    }

    private EmergencyCall call(JsonParser p) throws IOException, Rejected {
        Fields f = new Fields(p);
        String id = null, cityCode = null;
        CallCategory category = null;
        Double lat = null, lon = null;
        Long ts = null;
        while (f.next()) {
            switch (f.name) {
                case "id": id = f.string(1, 128); break;
                case "ts": ts = f.timestamp(); break;
                case "lat": lat = f.range(-90, 90); break;
                case "lon": lon = f.range(-180, 180); break;
                case "cityCode": cityCode = f.sixDigits(0, "six digits"); break;
                case "category": category = f.enumValue(CallCategory.class); break;
                case "callerHash": f.string(0, 128); break;
                case "text": f.string(0, 4000); break;
                default: f.skip();
            }
        }
        Fields.require(id, "id", ts, "ts", lat, "lat", lon, "lon", category, "category");
        return new EmergencyCall(id, ts, lat, lon, cityCode, category);
    }

    private FraudReport fraud(JsonParser p) throws IOException, Rejected {
        Fields f = new Fields(p);
        String id = null, cityCode = null;
        FraudType type = null;
        Double amount = null;
        Long ts = null;
        Identifier[] identifiers = null;
        while (f.next()) {
            switch (f.name) {
                case "id": id = f.string(1, 128); break;
                case "ts": ts = f.timestamp(); break;
                case "cityCode": cityCode = f.sixDigits(0, "six digits"); break;
                case "fraudType": type = f.enumValue(FraudType.class); break;
                case "amountCny": amount = f.range(0, Double.MAX_VALUE); break;
                case "identifiers": f.known(); identifiers = identifiers(p); break;
                default: f.skip();
            }
        }
        Fields.require(id, "id", ts, "ts", cityCode, "cityCode", type, "fraudType", amount, "amountCny", identifiers, "identifiers");
        return new FraudReport(id, ts, cityCode, type, amount, identifiers);
    }

    /** Parses the identifier array, normalises each value, keeps each distinct identifier once. */
    private Identifier[] identifiers(JsonParser p) throws IOException, Rejected {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new Rejected(Reason.SCHEMA, "identifiers: expected an array");
        }
        Map<String, Identifier> distinct = new LinkedHashMap<>();
        int count = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw new Rejected(Reason.SCHEMA, "identifiers[" + count + "]: expected an object");
            }
            if (++count > 64) {
                throw new Rejected(Reason.SCHEMA, "identifiers: more than 64 items");
            }
            Fields f = new Fields(p);
            IdentifierType type = null;
            String value = null;
            while (f.next()) {
                switch (f.name) {
                    case "type": type = f.enumValue(IdentifierType.class); break;
                    case "value": value = f.string(1, 512); break;
                    default: f.skip();
                }
            }
            Fields.require(type, "identifiers[].type", value, "identifiers[].value");
            String normalised = Identifiers.normalise(type, value);
            if (normalised.isEmpty()) {
                throw new Rejected(Reason.SCHEMA, "identifiers[" + (count - 1) + "]: a " + type + " with nothing left after normalisation");
            }
            Identifier id = new Identifier(type, key.digest(type, normalised), Identifiers.mask(type, normalised));
            distinct.putIfAbsent(id.key(), id);
        }
        if (count == 0) {
            throw new Rejected(Reason.SCHEMA, "identifiers: at least one item is required");
        }
        return distinct.values().toArray(new Identifier[0]);
    }

    private AlertAck ack(JsonParser p) throws IOException, Rejected {
        Fields f = new Fields(p);
        String alertId = null, province = null;
        AckStatus status = null;
        Long ts = null;
        while (f.next()) {
            switch (f.name) {
                case "alertId": alertId = f.string(1, 256); break;
                case "province": province = f.sixDigits(4, "a province code like 320000"); break;
                case "ts": ts = f.timestamp(); break;
                case "status": status = f.enumValue(AckStatus.class); break;
                case "operator": f.string(0, 128); break;
                default: f.skip();
            }
        }
        Fields.require(alertId, "alertId", province, "province", ts, "ts", status, "status");
        return new AlertAck(alertId, province, ts, status);
    }

    /** Walks the fields of one object, rejecting a known field named twice. */
    private static final class Fields {
        private final JsonParser p;
        private final List<String> seen = new ArrayList<>(8);
        String name;

        Fields(JsonParser p) {
            this.p = p;
        }

        boolean next() throws IOException, Rejected {
            JsonToken t = p.nextToken();
            if (t == JsonToken.END_OBJECT) {
                return false;
            }
            name = p.currentName();
            p.nextToken();
            return true;
        }

        void known() throws Rejected {
            if (seen.contains(name)) {
                throw new Rejected(Reason.SCHEMA, "field '" + name + "' appears twice");
            }
            seen.add(name);
        }

        void skip() throws IOException {
            p.skipChildren();
        }

        String string(int min, int max) throws IOException, Rejected {
            known();
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw wrongType("a string");
            }
            String s = p.getText();
            if (hasLoneSurrogate(s)) {
                throw new Rejected(Reason.SCHEMA, name + ": contains an unpaired UTF-16 surrogate escape");
            }
            int n = s.length() > max || s.length() < min * 2 ? s.codePointCount(0, s.length()) : s.length();
            if (n < min || n > max) {
                throw new Rejected(Reason.SCHEMA, name + ": length " + n + " outside " + min + ".." + max);
            }
            return s;
        }

        private static boolean hasLoneSurrogate(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    return true;
                }
            }
            return false;
        }

        /** Six ASCII digits, the last {@code zeros} of them 0 (a GB/T 2260 code; 4: a province's). */
        String sixDigits(int zeros, String what) throws IOException, Rejected {
            String s = string(0, 64);
            boolean ok = s.length() == 6;
            for (int i = 0; ok && i < 6; i++) {
                char c = s.charAt(i);
                ok = i < 6 - zeros ? c >= '0' && c <= '9' : c == '0';
            }
            if (!ok) {
                throw new Rejected(Reason.SCHEMA, name + ": expected " + what);
            }
            return s;
        }

        <E extends Enum<E>> E enumValue(Class<E> type) throws IOException, Rejected {
            String s = string(1, 64);
            try {
                return Enum.valueOf(type, s);
            } catch (IllegalArgumentException e) {
                throw new Rejected(Reason.SCHEMA, name + ": not one of the allowed values");
            }
        }

        double number() throws IOException, Rejected {
            known();
            JsonToken t = p.currentToken();
            if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                throw wrongType("a number");
            }
            double d = p.getDoubleValue();
            if (!Double.isFinite(d)) {
                throw new Rejected(Reason.SCHEMA, name + ": not a finite number");
            }
            return d;
        }

        double range(double min, double max) throws IOException, Rejected {
            double d = number();
            if (d < min || d > max) {
                throw new Rejected(Reason.SCHEMA, name + ": " + d
                        + (max == Double.MAX_VALUE ? " below " + min : " outside " + min + ".." + max));
            }
            return d;
        }

        /** An integer >= 0 that fits epoch milliseconds; 1.0 counts as an integer, as in JSON Schema. */
        long timestamp() throws IOException, Rejected {
            known();
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                long v = p.getLongValue();
                if (v < 0) {
                    throw new Rejected(Reason.SCHEMA, name + ": negative");
                }
                return v;
            }
            if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                BigDecimal d = p.getDecimalValue();
                if (d.signum() >= 0 && d.stripTrailingZeros().scale() <= 0 && d.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
                    return d.longValueExact();
                }
            }
            if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                throw new Rejected(Reason.SCHEMA, name + ": not an integer number of epoch milliseconds");
            }
            throw wrongType("an integer");
        }

        private Rejected wrongType(String expected) {
            return new Rejected(Reason.SCHEMA, name + ": expected " + expected + ", found " + p.currentToken());
        }

        static void require(Object... valueAndName) throws Rejected {
            for (int i = 0; i < valueAndName.length; i += 2) {
                if (valueAndName[i] == null) {
                    throw new Rejected(Reason.SCHEMA, "missing required field '" + valueAndName[i + 1] + "'");
                }
            }
        }
    }
}
