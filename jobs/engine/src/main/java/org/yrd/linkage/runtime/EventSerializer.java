package org.yrd.linkage.runtime;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;
import org.yrd.linkage.model.AckStatus;
import org.yrd.linkage.model.AlertAck;
import org.yrd.linkage.model.CallCategory;
import org.yrd.linkage.model.EmergencyCall;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.FraudReport;
import org.yrd.linkage.model.FraudType;
import org.yrd.linkage.model.Identifier;
import org.yrd.linkage.model.IdentifierType;
import org.yrd.linkage.model.SensorKind;
import org.yrd.linkage.model.SensorReading;
import org.yrd.linkage.model.StreamKind;

import java.io.IOException;
import java.util.Objects;

/**
 * How an {@link Event} travels between tasks: every event crosses the network once or more on
 * its way to the rules (a call to nine grid cells), so its wire form is written field by field,
 * without the reflection and per-field null maps of Flink's POJO serializer, and the payload's id
 * and ts, nearly always the event's own, are written once. Events are records and a report's
 * identifiers are never changed after parsing, so a copy between chained steps is the event itself.
 *
 * <p>For streams only ({@link #TYPE}). State keeps events with Flink's POJO serializer, whose
 * schema evolution savepoints rely on. This form has no version and may change with any release:
 * records in flight are never restored across an upgrade, since savepoints hold none and the
 * engine's checkpoints are aligned (with unaligned checkpoints switched on, upgrade from a savepoint).
 */
public final class EventSerializer extends WireSerializer<Event> {

    private static final long serialVersionUID = 1L;

    public static final EventSerializer INSTANCE = new EventSerializer();

    /** The type to give a stream of events (e.g. {@code .returns(EventSerializer.TYPE)}). */
    public static final TypeInformation<Event> TYPE = new WireType<>(Event.class, INSTANCE);

    private static final StreamKind[] STREAMS = StreamKind.values();
    private static final SensorKind[] SENSOR_KINDS = SensorKind.values();
    private static final CallCategory[] CATEGORIES = CallCategory.values();
    private static final FraudType[] FRAUD_TYPES = FraudType.values();
    private static final IdentifierType[] IDENTIFIER_TYPES = IdentifierType.values();
    private static final AckStatus[] STATUSES = AckStatus.values();

    private static final int SENSOR = 1;
    private static final int CALL = 1 << 1;
    private static final int FRAUD = 1 << 2;
    private static final int ACK = 1 << 3;
    /** The payload's id and ts are the event's, and are not written again. */
    private static final int SAME_ID_AND_TS = 1 << 4;

    @Override
    public void serialize(Event e, DataOutputView out) throws IOException {
        int flags = (e.sensor() != null ? SENSOR : 0) | (e.call() != null ? CALL : 0)
                | (e.fraud() != null ? FRAUD : 0) | (e.ack() != null ? ACK : 0);
        if (payloadIdAndTs(e)) {
            flags |= SAME_ID_AND_TS;
        }
        out.writeByte(flags);
        writeEnum(e.stream(), out);
        StringValue.writeString(e.id(), out);
        out.writeLong(e.ts());
        out.writeInt(e.city());
        StringValue.writeString(e.lateRaw(), out);
        StringValue.writeString(e.source(), out);
        boolean same = (flags & SAME_ID_AND_TS) != 0;
        if (e.sensor() != null) {
            SensorReading r = e.sensor();
            idAndTs(same, r.id(), r.ts(), out);
            StringValue.writeString(r.sensorId(), out);
            writeEnum(r.kind(), out);
            out.writeDouble(r.value());
            StringValue.writeString(r.unit(), out);
            out.writeDouble(r.lat());
            out.writeDouble(r.lon());
            StringValue.writeString(r.cityCode(), out);
        }
        if (e.call() != null) {
            EmergencyCall c = e.call();
            idAndTs(same, c.id(), c.ts(), out);
            out.writeDouble(c.lat());
            out.writeDouble(c.lon());
            StringValue.writeString(c.cityCode(), out);
            writeEnum(c.category(), out);
        }
        if (e.fraud() != null) {
            FraudReport f = e.fraud();
            idAndTs(same, f.id(), f.ts(), out);
            StringValue.writeString(f.cityCode(), out);
            writeEnum(f.fraudType(), out);
            out.writeDouble(f.amountCny());
            Identifier[] ids = f.identifiers();
            out.writeInt(ids == null ? -1 : ids.length);
            if (ids != null) {
                for (Identifier id : ids) {
                    writeEnum(id.type(), out);
                    StringValue.writeString(id.digest(), out);
                    StringValue.writeString(id.masked(), out);
                }
            }
        }
        if (e.ack() != null) {
            AlertAck a = e.ack();
            StringValue.writeString(a.alertId(), out);
            StringValue.writeString(a.province(), out);
            out.writeLong(a.ts());
            writeEnum(a.status(), out);
        }
    }

    @Override
    public Event deserialize(DataInputView in) throws IOException {
        int flags = in.readUnsignedByte();
        StreamKind stream = readEnum(STREAMS, in);
        String id = StringValue.readString(in);
        long ts = in.readLong();
        int city = in.readInt();
        String lateRaw = StringValue.readString(in);
        String source = StringValue.readString(in);
        boolean same = (flags & SAME_ID_AND_TS) != 0;
        SensorReading sensor = null;
        EmergencyCall call = null;
        FraudReport fraud = null;
        AlertAck ack = null;
        if ((flags & SENSOR) != 0) {
            String rid = same ? id : StringValue.readString(in);
            long rts = same ? ts : in.readLong();
            sensor = new SensorReading(rid, StringValue.readString(in), readEnum(SENSOR_KINDS, in), in.readDouble(),
                    StringValue.readString(in), rts, in.readDouble(), in.readDouble(), StringValue.readString(in));
        }
        if ((flags & CALL) != 0) {
            String cid = same ? id : StringValue.readString(in);
            long cts = same ? ts : in.readLong();
            call = new EmergencyCall(cid, cts, in.readDouble(), in.readDouble(), StringValue.readString(in), readEnum(CATEGORIES, in));
        }
        if ((flags & FRAUD) != 0) {
            String fid = same ? id : StringValue.readString(in);
            long fts = same ? ts : in.readLong();
            String cityCode = StringValue.readString(in);
            FraudType type = readEnum(FRAUD_TYPES, in);
            double amount = in.readDouble();
            int n = in.readInt();
            Identifier[] ids = n < 0 ? null : new Identifier[n];
            for (int i = 0; i < n; i++) {
                ids[i] = new Identifier(readEnum(IDENTIFIER_TYPES, in), StringValue.readString(in), StringValue.readString(in));
            }
            fraud = new FraudReport(fid, fts, cityCode, type, amount, ids);
        }
        if ((flags & ACK) != 0) {
            ack = new AlertAck(StringValue.readString(in), StringValue.readString(in), in.readLong(), readEnum(STATUSES, in));
        }
        return new Event(stream, id, ts, city, sensor, call, fraud, ack, lateRaw, source);
    }

    @Override
    public TypeSerializerSnapshot<Event> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Whether every payload's id and ts are the event's (as {@code Event.sensor}, {@code call} and {@code fraud} make them). */
    private static boolean payloadIdAndTs(Event e) {
        boolean same = true;
        if (e.sensor() != null) {
            same = e.sensor().ts() == e.ts() && Objects.equals(e.sensor().id(), e.id());
        }
        if (e.call() != null) {
            same &= e.call().ts() == e.ts() && Objects.equals(e.call().id(), e.id());
        }
        if (e.fraud() != null) {
            same &= e.fraud().ts() == e.ts() && Objects.equals(e.fraud().id(), e.id());
        }
        return same;
    }

    private static void idAndTs(boolean same, String id, long ts, DataOutputView out) throws IOException {
        if (!same) {
            StringValue.writeString(id, out);
            out.writeLong(ts);
        }
    }

    /** An enum constant as its ordinal plus one, 0 for null. */
    private static void writeEnum(Enum<?> value, DataOutputView out) throws IOException {
        out.writeByte(value == null ? 0 : value.ordinal() + 1);
    }

    private static <E extends Enum<E>> E readEnum(E[] values, DataInputView in) throws IOException {
        int b = in.readUnsignedByte();
        return b == 0 ? null : values[b - 1];
    }

    /** There is one form, so a restored serializer is always this one. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Event> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
