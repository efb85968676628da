package org.yrd.linkage.pattern;

import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.pattern.MalformedPatternException;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.region.Grid;
import org.yrd.linkage.rules.PatternRule;
import org.yrd.linkage.rules.RulePack;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Turns an analyst's {@link PatternRule} into a Flink CEP {@link Pattern}: each step becomes a
 * stage named as the analyst named it, joined by {@code next}, {@code followedBy},
 * {@code followedByAny}, {@code notNext} or {@code notFollowedBy}, quantified by {@code times}
 * or {@code timesOrMore}, the whole {@code within} the pattern's window. A step's condition is
 * its {@code where}, its {@code near} (an event of the named earlier step within the distance)
 * and, under {@code key: grid(R)}, that the match begins in the key's own cell and every later
 * event lies within R of the match's first event.
 */
public final class PatternCompiler {

    private PatternCompiler() {}

    /**
     * The key whose events the automaton is being fed; conditions of grid-keyed patterns read it.
     * The operator that hosts the automata sets it before feeding a key's events.
     */
    static final class Scope implements Serializable {
        transient String cell;
    }

    /** The CEP pattern of a rule; {@code scope} tells grid-keyed conditions which cell is being matched. */
    static Pattern<Event, Event> compile(PatternRule rule, Scope scope) {
        Grid grid = rule.key().kind() == PatternRule.KeyKind.GRID ? new Grid(rule.key().km()) : null;
        String first = rule.first().name();
        Pattern<Event, Event> p = null;
        for (PatternRule.Step s : rule.steps()) {
            StepCondition condition = new StepCondition(s, first, grid, rule.key().km(), scope);
            p = switch (s.contiguity()) {
                case BEGIN -> Pattern.<Event>begin(s.name());
                case NEXT -> p.next(s.name());
                case FOLLOWED_BY -> p.followedBy(s.name());
                case FOLLOWED_BY_ANY -> p.followedByAny(s.name());
                case NOT_NEXT -> p.notNext(s.name());
                case NOT_FOLLOWED_BY -> p.notFollowedBy(s.name());
            };
            p = p.where(condition);
            if (s.orMore()) {
                p = p.timesOrMore(s.times());
            } else if (s.times() > 1) {
                p = p.times(s.times());
            }
        }
        return p.within(rule.within());
    }

    static AfterMatchSkipStrategy afterMatch(PatternRule rule) {
        return rule.afterMatch() == PatternRule.AfterMatch.NO_SKIP
                ? AfterMatchSkipStrategy.noSkip() : AfterMatchSkipStrategy.skipPastLastEvent();
    }

    /**
     * What Flink CEP refuses in the pack's patterns (e.g. a pattern that ends with notNext), one
     * line per pattern; empty when every pattern compiles.
     */
    public static List<String> problems(RulePack pack) {
        List<String> problems = new ArrayList<>();
        for (PatternRule rule : pack.patterns()) {
            try {
                NFACompiler.compileFactory(compile(rule, new Scope()), false).createNFA();
            } catch (MalformedPatternException e) {
                problems.add("patterns." + rule.id() + ": Flink CEP cannot run it: " + e.getMessage());
            }
        }
        return problems;
    }

    /** One step's condition. */
    private static final class StepCondition extends IterativeCondition<Event> {

        private final PatternRule.Step step;
        private final String firstStep;
        private final Grid grid;
        private final double gridKm;
        private final Scope scope;

        StepCondition(PatternRule.Step step, String firstStep, Grid grid, double gridKm, Scope scope) {
            this.step = step;
            this.firstStep = firstStep;
            this.grid = grid;
            this.gridKm = gridKm;
            this.scope = scope;
        }

        @Override
        public boolean filter(Event e, Context<Event> ctx) throws Exception {
            if (!PatternEvents.meets(step, e)) {
                return false;
            }
            if (grid != null) {
                Iterator<Event> begun = ctx.getEventsForPattern(firstStep).iterator();
                if (begun.hasNext() ? PatternEvents.distanceKm(begun.next(), e) > gridKm
                        : !grid.cell(PatternEvents.lat(e), PatternEvents.lon(e)).equals(scope.cell)) {
                    return false;
                }
            }
            if (step.near() == null) {
                return true;
            }
            for (Event other : ctx.getEventsForPattern(step.near().step())) {
                if (PatternEvents.distanceKm(other, e) <= step.near().km()) {
                    return true;
                }
            }
            return false;
        }
    }
}
