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

    /** Each key's times in order, events and wake-ups alike: the caller keeps one timer per key, at its earliest. */
    @Test
    void schedulesEachKeysEventsAndWakeUpsInTsOrder() {
        WaitingInMemory w = new WaitingInMemory(10);
        assertThat(w.earliest("a")).isEqualTo(WaitingInMemory.NONE);
        w.offer("a", call("c1", 7));
        w.offer("a", call("c2", 9));
        w.schedule("a", 8);
        w.offer("a", call("c3", 6));
        w.schedule("b", 3);
        assertThat(w.earliest("a")).isEqualTo(6);
        assertThat(w.earliest("b")).isEqualTo(3);

        assertThat(w.take("a", 6)).extracting(Event::id).containsExactly("c3");
        assertThat(w.earliest("a")).isEqualTo(7);
        assertThat(w.take("a", 7)).extracting(Event::id).containsExactly("c1");
        assertThat(w.take("a", 8)).as("a wake-up: its time, no events").isEmpty();
        w.schedule("a", 9);
        assertThat(w.take("a", 9)).as("a wake-up at an event's ts is that ts").extracting(Event::id).containsExactly("c2");
        assertThat(w.earliest("a")).isEqualTo(WaitingInMemory.NONE);
        assertThat(w.take("b", 3)).isEmpty();
        assertThat(w.isEmpty()).isTrue();
        assertThat(w.size()).isZero();
    }

    @Test
    void refusesWhenFullAndRemembersItSoThatStateIsLookedAt() {
        WaitingInMemory w = new WaitingInMemory(2);
        assertThat(w.offer("a", call("c1", 5))).isTrue();
        assertThat(w.offer("a", call("c2", 6))).isTrue();
        assertThat(w.offer("a", call("c3", 7))).isFalse();
        assertThat(w.earliest("a")).isEqualTo(5);
        assertThat(w.overflowed()).isTrue();
        w.take("a", 5);
        assertThat(w.offer("a", call("c3", 7))).isTrue();
        assertThat(w.overflowed()).as("once full, state may hold events for good").isTrue();
    }

    @Test
    void droppingTheEventsKeepsTheirTimesSoThatStateIsStillExpiredAtThem() {
        WaitingInMemory w = new WaitingInMemory(10);
        w.offer("a", call("c1", 5));
        w.schedule("a", 8);
        w.dropEvents();
        assertThat(w.size()).isZero();
        assertThat(w.isEmpty()).isFalse();
        assertThat(w.take("a", 5)).isEmpty();
        assertThat(w.take("a", 8)).isEmpty();
        assertThat(w.isEmpty()).isTrue();
    }
}
