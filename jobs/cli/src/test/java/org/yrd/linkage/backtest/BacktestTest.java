package org.yrd.linkage.backtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.replay.Replay;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.testing.FinalAlerts;
import org.yrd.linkage.testing.Project;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A backtest of a lowered INC-CASCADE call count against the default pack, on a generated case. */
class BacktestTest {

    @TempDir
    Path tmp;

    @Test
    void loweredCallCountAddsExactlyTheCascadesWithTwoCallsAndTheirEscalations() throws Exception {
        Path in = Project.root().resolve("tools/oracle/cases/gen-b");
        Map<StreamKind, Path> inputs = Replay.inputs(in);
        RulePack base = RulePack.defaults();
        RulePack.Cascade c = base.cascade();
        RulePack lower = new RulePack(base.id(), "2", base.hazards(),
                new RulePack.Cascade(c.enabled(), c.radiusKm(), c.window(), 2, c.severity(), c.crossProvinceSeverity()),
                base.spread(), base.cluster(), base.link(), base.burst(), base.escalation());

        Backtest.Result baseline = Backtest.run("baseline", inputs, tmp.resolve("b"), base, 2);
        Backtest.Result candidate = Backtest.run("candidate", inputs, tmp.resolve("c"), lower, 2);
        Backtest.Diff diff = Backtest.diff(baseline, candidate);

        assertThat(baseline.alerts().keySet()).isEqualTo(FinalAlerts.ofExpectedFile(in.resolve("expected-final-alerts.jsonl")).keySet());
        assertThat(diff.onlyInBaseline()).isEmpty();
        assertThat(diff.onlyInCandidate()).isNotEmpty().allMatch(id -> id.startsWith("INC-CASCADE:") || id.startsWith("ESC-ACK:INC-CASCADE:"));
        for (String id : diff.onlyInCandidate()) {
            ObjectNode a = candidate.alerts().get(id);
            if (id.startsWith("INC-CASCADE:")) {
                long calls = 0;
                for (JsonNode e : a.get("evidence")) {
                    calls += e.get("stream").asText().equals("CALL") ? 1 : 0;
                }
                assertThat(calls).as(id).isEqualTo(2);
            }
        }
        ObjectNode report = Backtest.report(baseline, candidate, diff, Backtest.labels(in.resolve(StreamKind.ACK.baseName() + ".jsonl")));
        assertThat(report.at("/candidate/counts/byRule/INC-CASCADE").asInt())
                .isEqualTo(report.at("/baseline/counts/byRule/INC-CASCADE").asInt()
                        + (int) diff.onlyInCandidate().stream().filter(id -> id.startsWith("INC-CASCADE:")).count());
        assertThat(report.at("/baseline/precision").isNumber()).isTrue();
        assertThat(Backtest.html(report, candidate, Backtest.locations(inputs))).contains("only in candidate").contains("&lt;svg");
    }
}
