package org.yrd.linkage.live;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.yrd.linkage.engine.EngineOptions;
import org.yrd.linkage.engine.LinkageJob;
import org.yrd.linkage.rules.RulePack;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Live mode refuses to start without an identifier key (contracts/README.md, "Normalised identifiers"); no cluster, no broker. */
class LiveJobTest {

    private static Configuration live(Configuration user) {
        user.set(EngineOptions.KAFKA_BOOTSTRAP, "127.0.0.1:1");
        return LiveJob.liveDefaults(user);
    }

    @Test
    void liveModeWithoutKeyFileOrDevKeyRefusesToStartWithOneLineNamingBothOptions() {
        Configuration conf = live(new Configuration());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        assertThatThrownBy(() -> LiveJob.prepare(env, conf, RulePack.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no identifier key: set linkage.identifier.key-file (the deployment's secret key file) or, "
                        + "for development only, linkage.identifier.dev-key: true (the published development key)");
    }

    @Test
    void keyFileAndDevKeyTogetherAreRefused() {
        Configuration user = new Configuration();
        user.set(EngineOptions.IDENTIFIER_KEY_FILE, "/etc/yrd/identifier-key");
        user.set(EngineOptions.IDENTIFIER_DEV_KEY, true);
        assertThatThrownBy(() -> LinkageJob.requireIdentifierKey(live(user)))
                .hasMessage("linkage.identifier.key-file and linkage.identifier.dev-key: true are both set; set one (the key file for real data)");
    }

    @Test
    void eitherAKeyFileOrTheDevKeyAloneIsEnough() {
        Configuration file = new Configuration();
        file.setString("linkage.identifier.key-file", "/etc/yrd/identifier-key");
        assertThatCode(() -> LinkageJob.requireIdentifierKey(live(file))).doesNotThrowAnyException();
        Configuration dev = new Configuration();
        dev.setString("linkage.identifier.dev-key", "true");
        assertThatCode(() -> LinkageJob.requireIdentifierKey(live(dev))).doesNotThrowAnyException();
    }
}
