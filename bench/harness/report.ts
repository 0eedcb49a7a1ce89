// The readable table: every figure as median (min–max) per target, the dev proxy's share where a
// figure was measured on both, then each goal with its value, threshold and margin.
import { TARGET_LABELS, type TargetName } from "../targets/target";
import type { GoalResult } from "./goals";
import type { ScenarioResult } from "./runner";
import { proxyShare } from "./stats";
import type { FigureKind, Scenario, Summary } from "./types";

const UNITS: Record<FigureKind, string> = { ms: "ms", rps: "req/s", bytes: "B", ratio: "×", count: "" };

function num(n: number, kind?: FigureKind): string {
  if (kind === "bytes" || kind === "count" || Math.abs(n) >= 1000)
    return Math.round(n).toLocaleString("en-US");
  if (n !== 0 && Math.abs(n) < 0.01) return n.toPrecision(2);
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

function cell(summary: Summary | undefined, kind: FigureKind): string {
  if (!summary) return "—";
  const unit = UNITS[kind] ? ` ${UNITS[kind]}` : "";
  const [median, min, max] = [summary.median, summary.min, summary.max].map((n) => num(n, kind));
  return min === max ? `${median}${unit}` : `${median} (${min}–${max})${unit}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

export function figureLines(
  scenarios: readonly Scenario[],
  results: Record<string, ScenarioResult>,
): string[] {
  const targets: TargetName[] = ["wrangler-dev", "direct"];
  const rows: string[][] = [["", ...targets.map((t) => TARGET_LABELS[t]), "proxy share"]];
  const notes: string[] = [];
  for (const scenario of scenarios) {
    const result = results[scenario.id];
    if (!result) continue;
    if (result.not_measurable_yet) {
      notes.push(`  ${scenario.title}: not measurable yet: ${result.not_measurable_yet}`);
      continue;
    }
    rows.push([scenario.title]);
    for (const t of targets) {
      const error = result.targets[t]?.error;
      if (error) notes.push(`  ${scenario.title} on ${TARGET_LABELS[t]}: FAILED — ${error.split("\n")[0]}`);
    }
    for (const [key, spec] of Object.entries(scenario.figures)) {
      const [w, d] = targets.map((t) => result.targets[t]?.figures[key]);
      if (!w && !d) continue;
      const share = proxyShare(spec.kind, w, d);
      rows.push([
        `  ${spec.label}`,
        cell(w, spec.kind),
        cell(d, spec.kind),
        share === null ? "" : `${Math.round(share * 100)} %`,
      ]);
    }
  }
  return [...table(rows).map((l) => `  ${l}`), ...(notes.length ? ["", ...notes] : [])];
}

export function goalLines(goals: readonly GoalResult[]): string[] {
  const rows = goals.map((g) => {
    const mark = g.pass === null ? "?" : g.pass ? "✓" : "✗";
    const unit = g.unit ? ` ${g.unit}` : "";
    const value = g.value === null ? "—" : `${num(g.value)}${unit}`;
    const threshold = g.threshold === null ? "—" : `${g.op === "<=" ? "≤" : "≥"} ${num(g.threshold)}${unit}`;
    const margin =
      g.value !== null && g.threshold
        ? `${g.value >= g.threshold ? "+" : ""}${Math.round((g.value / g.threshold - 1) * 100)} %`
        : "";
    const note = g.pass === null ? `(${g.why})` : g.near ? "near threshold" : "";
    return [
      mark,
      g.text,
      `[${TARGET_LABELS[g.target as TargetName] ?? g.target}]`,
      value,
      threshold,
      margin,
      note,
    ];
  });
  return table(rows).map((l) => `  ${l}`);
}
