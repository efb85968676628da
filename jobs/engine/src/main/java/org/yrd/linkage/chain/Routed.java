package org.yrd.linkage.chain;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.runtime.EventSerializer;
import org.yrd.linkage.runtime.WireSerializer;
import org.yrd.linkage.runtime.WireType;

import java.io.IOException;

/** An event addressed to one key of a rule operator (a grid cell, a sensor kind, an identifier...). */
public record Routed(String key, Event event) {

    /** The type to give a stream of routed events: the key, then the event in {@link EventSerializer}'s form. */
    public static final TypeInformation<Routed> TYPE = new WireType<>(Routed.class, Serializer.INSTANCE);

    /** The wire form of {@link #TYPE}. */
    public static final class Serializer extends WireSerializer<Routed> {

        private static final long serialVersionUID = 1L;

        static final Serializer INSTANCE = new Serializer();

        @Override
        public void serialize(Routed r, DataOutputView out) throws IOException {
            StringValue.writeString(r.key(), out);
            EventSerializer.INSTANCE.serialize(r.event(), out);
        }

        @Override
        public Routed deserialize(DataInputView in) throws IOException {
            return new Routed(StringValue.readString(in), EventSerializer.INSTANCE.deserialize(in));
        }

        @Override
        public TypeSerializerSnapshot<Routed> snapshotConfiguration() {
            return new Snapshot();
        }

        /** There is one form, so a restored serializer is always this one. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<Routed> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
