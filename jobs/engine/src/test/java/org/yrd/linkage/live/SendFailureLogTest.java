package org.yrd.linkage.live;

import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;

/** The one line the sink logs when a topic cannot be written, chosen by what the broker says of the topic. */
class SendFailureLogTest {

    private static final TimeoutException EXPIRED =
            new TimeoutException("Expiring 1 record(s) for yrd.alerts.320000-0:120000 ms has passed since batch creation");

    @Test
    void topicTheBrokerDoesNotKnowIsReportedAsDeleted() {
        String line = SendFailureLog.message("yrd.alerts.320000", EXPIRED,
                new ExecutionException(new UnknownTopicOrPartitionException("This server does not host this topic-partition.")));
        assertThat(line).startsWith("Kafka topic yrd.alerts.320000 does not exist (deleted under the running job?)")
                .contains("nothing is dropped").doesNotContain("\n");
    }

    @Test
    void topicThatExistsOrABrokerThatDoesNotAnswerIsReportedWithTheProducersReason() {
        assertThat(SendFailureLog.message("yrd.alerts.320000", EXPIRED, null))
                .startsWith("cannot write to Kafka topic yrd.alerts.320000: TimeoutException: Expiring 1 record(s)")
                .contains("(the topic exists)");
        assertThat(SendFailureLog.message("yrd.alerts.320000", EXPIRED, new TimeoutException("Timed out waiting for a node assignment.")))
                .contains("(the broker did not answer: Timed out waiting for a node assignment.)")
                .doesNotContain("does not exist");
    }

    @Test
    void aTopicIsReportedAtMostOnceAMinute() {
        String topic = "t-" + System.nanoTime();
        assertThat(SendFailureLog.firstInAWhile(topic, 1_000_000)).isTrue();
        assertThat(SendFailureLog.firstInAWhile(topic, 1_000_001)).isFalse();
        assertThat(SendFailureLog.firstInAWhile("other-" + topic, 1_000_001)).isTrue();
        assertThat(SendFailureLog.firstInAWhile(topic, 1_059_999)).isFalse();
        assertThat(SendFailureLog.firstInAWhile(topic, 1_060_000)).isTrue();
    }
}
