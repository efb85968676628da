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
    void loweredCallCountAddsExactlyTheCascadesWithTwoCallsAndTheirEscalationsEachSayingWhatMovedIt() throws Exception {
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
        double precision = report.at("/baseline/precision").asDouble();
        assertThat(precision * 1000).as("rounded to 3 decimals").isCloseTo(Math.rint(precision * 1000), org.assertj.core.data.Offset.offset(1e-6));
        String html = Backtest.html(report, candidate, Backtest.locations(inputs));
        assertThat(html).contains("only in candidate").contains("&lt;svg").contains("what moved it")
                .doesNotContain("每2秒刷新").doesNotContain("1970").doesNotContain("http-equiv")
                .contains("回测：候选规则包的预警").containsPattern("<td>[0-9]+\\.[0-9]%</td>");
        assertThat(report.at("/diff/onlyInCandidate")).isNotEmpty().allSatisfy(a -> {
            String id = a.path("alertId").asText();
            String why = a.path("why").asText();
            if (id.startsWith("ESC-ACK:")) {
                assertThat(why).as(id).containsPattern("reached [0-9]{6} (at .* instead of .*acknowledgement deadline moved"
                        + " [0-9]+ min earlier, before the province acknowledged|only with the candidate pack)")
                        .contains("INC-CASCADE: minCalls 3 → 2");
            } else {
                assertThat(why).as(id).isEqualTo("raised only with the candidate pack; INC-CASCADE: minCalls 3 → 2");
            }
        });
    }
}
