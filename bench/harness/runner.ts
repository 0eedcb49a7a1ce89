// Runs one scenario on every target it has, round by round: round r visits each target in turn
// (and the scenario does each of its A/B steps once inside the round), so a change in the
// machine's load lands on both sides of every comparison instead of on one of them.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Target, TargetName } from "../targets/target";
import { type Load, loadNow } from "./machine";
import type { Mode } from "./mode";
import { precise, proxyShare, summarize } from "./stats";
import type { Samples, Scenario, Summary } from "./types";

export type TargetResult = {
  figures: Record<string, Summary>;
  samples: Record<string, number[]>;
  error?: string;
};

export type ScenarioResult = {
  title: string;
  not_measurable_yet?: string;
  load?: { before: Load; after: Load };
  targets: Partial<Record<TargetName, TargetResult>>;
  /** Per figure measured on both targets: the part of it wrangler dev's proxy adds (see proxyShare). */
  proxy_share?: Record<string, number>;
};

function collect(into: Record<string, number[]>, samples: Samples): void {
  for (const [key, value] of Object.entries(samples)) {
    const values = Array.isArray(value) ? value : [value];
    into[key] = [...(into[key] ?? []), ...values.filter((v) => Number.isFinite(v))];
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function runScenario(
  scenario: Scenario,
  targets: Target[],
  mode: Mode,
  dirs: { work: string; sources: string },
  log: (line: string) => void,
): Promise<ScenarioResult> {
  if (scenario.notMeasurableYet) {
    return { title: scenario.title, not_measurable_yet: scenario.notMeasurableYet, targets: {} };
  }
  const before = loadNow();
  const live = new Map<TargetName, { state: unknown; samples: Record<string, number[]> }>();
  const failed = new Map<TargetName, string>();
  // A target that failed keeps no figures: a partial set of rounds is not a median of the run.
  const fail = (target: TargetName, error: unknown) => {
    failed.set(target, message(error));
    log(`  ${scenario.id} on ${target} failed: ${message(error)}`);
  };

  for (const target of targets) {
    try {
      const dir = path.join(dirs.work, scenario.id, target.name);
      await mkdir(dir, { recursive: true });
      const state = await scenario.setup?.({ target, mode, work: dir, sources: dirs.sources });
      live.set(target.name, { state, samples: {} });
    } catch (error) {
      fail(target.name, error);
    }
  }
  if (scenario.round) {
    const rounds = Math.max(3, Math.min(mode.rounds, scenario.rounds ?? mode.rounds));
    for (let r = 0; r < rounds; r++) {
      for (const target of targets) {
        const entry = live.get(target.name);
        if (!entry || failed.has(target.name)) continue;
        try {
          collect(entry.samples, await scenario.round(entry.state, r));
        } catch (error) {
          fail(target.name, error);
        }
      }
      log(`  ${scenario.id}: round ${r + 1}/${rounds} (load ${loadNow().loadavg[0]})`);
    }
  }
  const results: ScenarioResult["targets"] = {};
  for (const target of targets) {
    const entry = live.get(target.name);
    if (entry) {
      try {
        if (scenario.once && !failed.has(target.name))
          collect(entry.samples, await scenario.once(entry.state));
      } catch (error) {
        fail(target.name, error);
      }
      await scenario.teardown?.(entry.state).catch((error) => log(`  teardown: ${message(error)}`));
    }
    const error = failed.get(target.name);
    const samples = error ? {} : (entry?.samples ?? {});
    const figures = Object.fromEntries(
      Object.entries(samples)
        .filter(([, v]) => v.length > 0)
        .map(([k, v]) => [k, summarize(v)]),
    );
    const rounded = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map(precise)]));
    results[target.name] = { figures, samples: rounded, ...(error ? { error } : {}) };
  }
  const shares: Record<string, number> = {};
  for (const [key, spec] of Object.entries(scenario.figures)) {
    const share = proxyShare(spec.kind, results["wrangler-dev"]?.figures[key], results.direct?.figures[key]);
    if (share !== null) shares[key] = precise(share);
  }
  return { title: scenario.title, load: { before, after: loadNow() }, targets: results, proxy_share: shares };
}
