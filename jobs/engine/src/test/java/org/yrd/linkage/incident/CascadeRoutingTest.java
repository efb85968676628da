package org.yrd.linkage.incident;

import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.yrd.linkage.chain.Routed;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.testing.Router;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yrd.linkage.model.CallCategory.FIRE;
import static org.yrd.linkage.model.CallCategory.TRAFFIC_ACCIDENT;
import static org.yrd.linkage.model.SensorKind.GAS;
import static org.yrd.linkage.testing.Events.MINUTE;
import static org.yrd.linkage.testing.Events.T0;
import static org.yrd.linkage.testing.Events.ack;
import static org.yrd.linkage.testing.Events.call;
import static org.yrd.linkage.testing.Events.sensor;

/** Replay's one-input routing ({@link CascadeRouting#fixed}) sends every event where the broadcast form does. */
class CascadeRoutingTest {

    @Test
    void fixedRoutingSendsEveryEventToTheSameCellsAsTheBroadcastForm() throws Exception {
        RulePack pack = RulePack.defaults();
        Random random = new Random(7);
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            double lat = 30.9 + random.nextDouble() * 0.6;
            double lon = 120.8 + random.nextDouble() * 0.6;
            long ts = T0 + i * MINUTE;
            events.add(switch (i % 4) {
                case 0 -> sensor("s" + i, "GAS-" + i, GAS, 30, ts, lat, lon, "320500");
                case 1 -> call("c" + i, ts, lat, lon, FIRE, "310114");
                case 2 -> call("c" + i, ts, lat, lon, TRAFFIC_ACCIDENT, "320500");
                default -> ack("INC-CASCADE:s" + (i - 3), "310000", ts);
            });
        }

        List<Routed> broadcast = new ArrayList<>();
        try (Router router = new Router(new CascadeRouting(pack))) {
            for (Event e : events) {
                broadcast.addAll(router.route(e));
            }
        }
        List<Routed> fixed = new ArrayList<>();
        try (OneInputStreamOperatorTestHarness<Event, Routed> h = ProcessFunctionTestHarnesses.forProcessFunction(CascadeRouting.fixed(pack))) {
            for (Event e : events) {
                h.processElement(e, e.ts());
            }
            fixed.addAll(h.extractOutputValues());
        }
        assertThat(broadcast).as("breaches and fire calls are routed, the rest is not").hasSizeGreaterThan(200);
        assertThat(fixed).isEqualTo(broadcast);
    }
}
