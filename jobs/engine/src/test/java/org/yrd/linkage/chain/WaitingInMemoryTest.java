package org.yrd.linkage.chain;

import org.junit.jupiter.api.Test;
import org.yrd.linkage.model.CallCategory;
import org.yrd.linkage.model.EmergencyCall;
import org.yrd.linkage.model.Event;

import static org.assertj.core.api.Assertions.assertThat;

class WaitingInMemoryTest {

    private static Event call(String id, long ts) {
        return Event.call(new EmergencyCall(id, ts, 31.2, 121.4, "310114", CallCategory.FIRE), 310114);
    }

    @Test
    void handsBackEachKeysEventsOfATsOnce() {
        WaitingInMemory w = new WaitingInMemory(10);
        assertThat(w.offer("a", call("c1", 5))).isTrue();
        assertThat(w.offer("a", call("c2", 5))).isTrue();
        assertThat(w.offer("b", call("c3", 5))).isTrue();
        assertThat(w.offer("a", call("c4", 6))).isTrue();
        assertThat(w.size()).isEqualTo(4);

        assertThat(w.take("a", 5)).extracting(Event::id).containsExactly("c1", "c2");
        assertThat(w.take("a", 5)).isNull();
        assertThat(w.take("b", 6)).isNull();
        assertThat(w.size()).isEqualTo(2);
        assertThat(w.overflowed()).isFalse();
    }

    @Test
    void refusesWhenFullAndRemembersItSoThatStateIsLookedAt() {
        WaitingInMemory w = new WaitingInMemory(2);
        assertThat(w.offer("a", call("c1", 5))).isTrue();
        assertThat(w.offer("a", call("c2", 6))).isTrue();
        assertThat(w.offer("a", call("c3", 7))).isFalse();
        assertThat(w.overflowed()).isTrue();
        w.take("a", 5);
        assertThat(w.offer("a", call("c3", 7))).isTrue();
        assertThat(w.overflowed()).as("once full, state may hold events for good").isTrue();
        w.clear();
        assertThat(w.size()).isZero();
        assertThat(w.take("a", 6)).isNull();
    }
}
