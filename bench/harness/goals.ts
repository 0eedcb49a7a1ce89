// Every goal is judged from medians of the same run on one target, never against a number from
// another run (except the issue 10 guards, whose threshold is derived from the committed results).
import type { ScenarioResult } from "./runner";
import { precise } from "./stats";
import type { CommittedResults, Goal, Scenario } from "./types";

/** Within this fraction of the threshold a goal may flip between runs on a shared machine. */
export const NEAR = 0.15;

export type GoalResult = {
  id: string;
  scenario: string;
  text: string;
  source: string;
  target: string;
  op: Goal["op"];
  unit: string;
  value: number | null;
  threshold: number | null;
  /** null: not judged (not measured, or no baseline). */
  pass: boolean | null;
  near: boolean;
  why?: string;
};

export function evaluateGoals(
  scenarios: readonly Scenario[],
  results: Record<string, ScenarioResult>,
  committed: CommittedResults | null,
): GoalResult[] {
  const out: GoalResult[] = [];
  for (const scenario of scenarios) {
    for (const goal of scenario.goals ?? []) {
      const base = {
        id: goal.id,
        scenario: scenario.id,
        text: goal.text,
        source: goal.source,
        target: goal.target,
        op: goal.op,
        unit: goal.unit,
      };
      const result = results[scenario.id];
      const onTarget = result?.targets[goal.target];
      const threshold = typeof goal.threshold === "number" ? goal.threshold : goal.threshold(committed);
      const medians = Object.fromEntries(
        Object.entries(onTarget?.figures ?? {}).map(([k, s]) => [k, s.median]),
      );
      const raw = onTarget && !onTarget.error ? goal.value(medians) : null;
      const value = raw === null || !Number.isFinite(raw) ? null : precise(raw);
      if (value === null || threshold === null) {
        const why =
          result?.not_measurable_yet ??
          onTarget?.error ??
          (!onTarget
            ? "not run on this target"
            : value === null
              ? "not measured"
              : "no committed baseline to compare with");
        out.push({ ...base, value, threshold, pass: null, near: false, why });
        continue;
      }
      const pass = goal.op === "<=" ? value <= threshold : value >= threshold;
      const near = threshold !== 0 && Math.abs(value / threshold - 1) < NEAR;
      out.push({ ...base, value, threshold: precise(threshold), pass, near });
    }
  }
  return out;
}
