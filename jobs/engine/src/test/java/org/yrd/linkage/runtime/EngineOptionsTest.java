package org.yrd.linkage.runtime;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Engine options are typed: a typo fails in one line that names the option and the valid values. */
class EngineOptionsTest {

    private static Configuration with(String key, String value) {
        Configuration conf = new Configuration();
        conf.setString(key, value);
        return conf;
    }

    @Test
    void deliveryGuaranteeTypoFailsNamingTheValidValues() {
        assertThatThrownBy(() -> EngineOptions.validate(with("linkage.delivery.guarantee", "exactly_once")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("linkage.delivery.guarantee: 'exactly_once' is not one of at-least-once, exactly-once");
    }

    @Test
    void deliveryGuaranteeIsReadInItsWrittenFormAnyCase() {
        assertThat(with("linkage.delivery.guarantee", "exactly-once").get(EngineOptions.DELIVERY))
                .isEqualTo(EngineOptions.Delivery.EXACTLY_ONCE);
        assertThat(with("linkage.delivery.guarantee", "AT-LEAST-ONCE").get(EngineOptions.DELIVERY))
                .isEqualTo(EngineOptions.Delivery.AT_LEAST_ONCE);
        assertThat(new Configuration().get(EngineOptions.DELIVERY)).isEqualTo(EngineOptions.Delivery.AT_LEAST_ONCE);
    }

    @Test
    void startingOffsetsTypoFailsNamingTheValidValues() {
        assertThatThrownBy(() -> EngineOptions.validate(with("linkage.kafka.starting-offsets", "begining")))
                .hasMessage("linkage.kafka.starting-offsets: 'begining' is not one of earliest, latest, committed");
    }

    @Test
    void durationThatDoesNotParseFailsNamingTheOption() {
        assertThatThrownBy(() -> EngineOptions.validate(with("linkage.out-of-orderness", "five minutes")))
                .hasMessageStartingWith("linkage.out-of-orderness: 'five minutes' is not a valid duration");
    }

    @Test
    void everyDeclaredEngineOptionIsValidatedOnce() throws IllegalAccessException {
        List<Object> declared = new ArrayList<>();
        for (Field f : EngineOptions.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigOption.class) {
                declared.add(f.get(null));
            }
        }
        assertThat(EngineOptions.ALL).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(
                declared.stream().map(o -> (ConfigOption<?>) o).toList());
        assertThat(EngineOptions.ALL.stream().map(o -> o.key())).allMatch(k -> k.startsWith("linkage."));
    }
}
