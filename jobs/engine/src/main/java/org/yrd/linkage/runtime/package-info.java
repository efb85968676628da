/**
 * The engine's shared vocabulary, at the bottom of the job: its options ({@link
 * org.yrd.linkage.runtime.EngineOptions}), metric names ({@link org.yrd.linkage.runtime.EngineMetrics}),
 * side-output tags ({@link org.yrd.linkage.runtime.Outputs}) and the rule pack in force at an
 * operator ({@link org.yrd.linkage.runtime.RulePacks}). Every other package of the engine may use
 * it; it uses none of them.
 */
package org.yrd.linkage.runtime;
