package org.yrd.linkage.runtime;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yrd.linkage.chain.Routed;
import org.yrd.linkage.model.CallCategory;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.SensorKind;
import org.yrd.linkage.model.SensorReading;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.testing.Events;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link EventSerializer}, the form events and routed events travel in between tasks: what goes in comes out, field for field. */
class EventSerializerTest {

    static Stream<Event> events() {
        Event sensor = Events.parse(StreamKind.SENSOR, "{\"id\":\"r-1\",\"sensorId\":\"s-9\",\"kind\":\"GAS\",\"value\":812.5,"
                + "\"unit\":\"ppm\",\"ts\":1783644179096,\"lat\":31.23,\"lon\":121.47,\"cityCode\":\"310100\"}");
        SensorReading r = sensor.sensor();
        return Stream.of(
                sensor,
                // placed by lat/lon, no unit: the nullable fields stay null
                Event.sensor(new SensorReading("r-2", "s-9", SensorKind.SMOKE, 0.4, null, 5L, 30.5, 120.1, null), 330400, "sensor-readings:7"),
                Events.call("c-1", 1_783_644_179_000L, 31.2, 121.5, CallCategory.FIRE, "310100").withSource("topic/3/1200"),
                Events.fraud("f-1", 9L, "320500", 1200.5, "PHONE", "+86 139 1234 5678", "PAYMENT_ACCOUNT", "6222 0000 1111 2222"),
                Events.ack("INC-CASCADE:r-1", "320000", 77L),
                // late: its redacted raw line travels with it, Chinese text included
                sensor.asLate("{\"id\":\"r-1\",\"note\":\"燃气泄漏 ###\"}"),
                // a payload whose id and ts differ from the event's is written out in full
                new Event(StreamKind.SENSOR, "other", 1L, 310100, r, null, null, null, null, null));
    }

    @ParameterizedTest
    @MethodSource("events")
    void everyEventComesBackFieldForField(Event e) throws IOException {
        assertThat(roundTrip(List.of(e)).get(0)).usingRecursiveComparison().isEqualTo(e);
    }

    @Test
    void eventsWrittenOneAfterAnotherAreReadBackInOrder() throws IOException {
        List<Event> all = events().toList();
        assertThat(roundTrip(all)).usingRecursiveComparison().isEqualTo(all);
    }

    @Test
    void aRoutedEventComesBackWithItsKey() throws IOException {
        Routed routed = new Routed("cell:3121:12147", Events.call("c-2", 3L, 31.2, 121.5, CallCategory.GAS_LEAK, "310100"));
        DataOutputSerializer out = new DataOutputSerializer(64);
        Routed.TYPE.createSerializer(null).serialize(routed, out);
        Routed back = Routed.TYPE.createSerializer(null).deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        assertThat(back).usingRecursiveComparison().isEqualTo(routed);
    }

    @Test
    void aWrittenSnapshotRestoresTheSameSerializer() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, EventSerializer.INSTANCE.snapshotConfiguration());
        TypeSerializerSnapshot<Event> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()), getClass().getClassLoader());
        assertThat(read.restoreSerializer()).isSameAs(EventSerializer.INSTANCE);
    }

    private static List<Event> roundTrip(List<Event> events) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (Event e : events) {
            EventSerializer.INSTANCE.serialize(e, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
        List<Event> back = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            back.add(EventSerializer.INSTANCE.deserialize(in));
        }
        assertThat(in.available()).isZero();
        return back;
    }
}
