package org.yrd.linkage.testing;

import org.yrd.linkage.live.Topics;
import org.yrd.linkage.model.StreamKind;

import java.util.List;

/**
 * Moves the time of every input stream of a live job on a test broker, with records that no rule
 * of the default pack takes: a reading under its threshold, a call of a category no rule takes, a
 * lone fraud report and an acknowledgement of no alert.
 */
public final class Ticks {

    private Ticks() {}

    /** One record per stream stamped {@code ts}; ids are {@code tag} and the stream; the acknowledgement is on {@code ackProvince}'s topic. */
    public static void moveEveryStreamTo(KafkaBroker kafka, Topics topics, long ts, String tag, String ackProvince) {
        kafka.produce(topics.input(StreamKind.SENSOR), List.of("{\"id\":\"" + tag + "-s\",\"sensorId\":\"TICK\",\"kind\":\"GAS\",\"value\":1,"
                + "\"ts\":" + ts + ",\"lat\":32.0,\"lon\":118.8,\"cityCode\":\"320100\"}"));
        kafka.produce(topics.input(StreamKind.CALL), List.of("{\"id\":\"" + tag + "-c\",\"ts\":" + ts
                + ",\"lat\":32.0,\"lon\":118.8,\"category\":\"OTHER\",\"cityCode\":\"320100\"}"));
        kafka.produce(topics.input(StreamKind.FRAUD), List.of("{\"id\":\"" + tag + "-f\",\"ts\":" + ts + ",\"cityCode\":\"340100\","
                + "\"fraudType\":\"OTHER\",\"amountCny\":1,\"identifiers\":[{\"type\":\"DEVICE\",\"value\":\"" + tag + "-device\"}]}"));
        kafka.produce(topics.acks(ackProvince), List.of("{\"alertId\":\"tick\",\"province\":\"" + ackProvince + "\",\"ts\":" + ts
                + ",\"status\":\"RECEIVED\"}"));
    }
}
