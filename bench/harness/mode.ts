// How long a run takes. `npm run bench` is the full run whose figures are committed; `--quick`
// (or BENCH_QUICK=1) keeps the same scenarios and ≥ 3 interleaved rounds but shortens every load,
// for developing on a shared machine. BENCH_ONLY / BENCH_TARGETS pick a subset (never committed).
import type { TargetName } from "../targets/target";

export type Mode = {
  name: "full" | "quick";
  rounds: number;
  /** Seconds of each autocannon load. */
  loadSeconds: number;
  /** Preview sessions timed per target, spread over the rounds. */
  previewSessions: number;
  aiJobs: number;
  /** Scenario ids to run (empty: all). */
  only: string[];
  targets: TargetName[];
};

const ALL_TARGETS: TargetName[] = ["wrangler-dev", "direct"];

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export function readMode(argv: string[], env: NodeJS.ProcessEnv): Mode {
  const quick = argv.includes("--quick") || env.BENCH_QUICK === "1";
  const base = quick
    ? { name: "quick" as const, rounds: 3, loadSeconds: 2, previewSessions: 12, aiJobs: 6 }
    : { name: "full" as const, rounds: 5, loadSeconds: 5, previewSessions: 25, aiJobs: 10 };
  const targets = list(env.BENCH_TARGETS) as TargetName[];
  for (const t of targets) if (!ALL_TARGETS.includes(t)) throw new Error(`unknown BENCH_TARGETS entry ${t}`);
  return {
    ...base,
    // Fewer than 3 rounds gives no meaningful min–max, and one round cannot be called interleaved.
    rounds: Math.max(3, Number(env.BENCH_ROUNDS ?? base.rounds)),
    loadSeconds: Number(env.BENCH_SECONDS ?? base.loadSeconds),
    only: list(env.BENCH_ONLY),
    targets: targets.length > 0 ? targets : ALL_TARGETS,
  };
}

/** Only a full run of every scenario on both targets may replace the committed results. */
export function isCommittable(mode: Mode): boolean {
  return mode.name === "full" && mode.only.length === 0 && mode.targets.length === ALL_TARGETS.length;
}
