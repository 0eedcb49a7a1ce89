// `npm run bench` (full, committed) or `npm run bench -- --quick`: starts both targets — `wrangler
// dev` as developers run it, and Miniflare straight on the deploy bundles — runs every scenario in
// interleaved rounds on both, judges the goals from the medians of this run, prints the table and
// writes bench/results/latest.json. See docs/performance.md for the method.
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { evaluateGoals } from "./harness/goals";
import { loadNow, machine } from "./harness/machine";
import { isCommittable, readMode } from "./harness/mode";
import { figureLines, goalLines } from "./harness/report";
import { LATEST, readCommitted, SCRATCH, writeResults } from "./harness/results";
import type { ScenarioResult } from "./harness/runner";
import { runScenario } from "./harness/runner";
import { SCENARIOS } from "./scenarios";
import { startDirect } from "./targets/direct";
import { snapshotSources } from "./targets/snapshot";
import type { Target, TargetName } from "./targets/target";
import { startWranglerDev } from "./targets/wrangler-dev";

const log = (line: string) => console.error(line);
const TARGET_ORDER: TargetName[] = ["wrangler-dev", "direct"];

/** The message of a failed start without the screens of wrangler output that follow it. */
function firstLines(error: unknown): string {
  const text = stripVTControlCharacters(error instanceof Error ? error.message : String(error));
  const errorLine = text.split("\n").find((l) => /ERROR|Error:/.test(l));
  return [text.split("\n")[0], errorLine].filter(Boolean).join(" … ").slice(0, 400);
}

function versionOf(pkg: string): string {
  const file = path.resolve(import.meta.dirname, "../node_modules", pkg, "package.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

async function main(): Promise<number> {
  const mode = readMode(process.argv.slice(2), process.env);
  const committed = await readCommitted();
  const scenarios = SCENARIOS.filter((s) => mode.only.length === 0 || mode.only.includes(s.id));
  const wanted = mode.targets.filter((t) =>
    scenarios.some((s) => !s.notMeasurableYet && s.targets.includes(t)),
  );
  const work = await mkdtemp(path.join(tmpdir(), "hivesync-bench-"));
  const started = new Date();
  const before = loadNow();
  log(
    `bench (${mode.name}, ${mode.rounds} rounds): load ${before.loadavg.join(" ")} on ${machine().cpus} cores`,
  );

  const targets: Target[] = [];
  const unavailable: Partial<Record<TargetName, string>> = {};
  const results: Record<string, ScenarioResult> = {};
  const snapshot = await snapshotSources();
  const targetInfo: Partial<Record<TargetName, { url: string; reloads?: number }>> = {};
  try {
    // Both targets build from the same snapshot; direct first, then wrangler dev.
    for (const [name, start] of [
      ["direct", startDirect],
      ["wrangler-dev", startWranglerDev],
    ] as const) {
      if (!wanted.includes(name)) continue;
      try {
        targets.push(await start(snapshot.root));
      } catch (error) {
        // The other target still measures; this one's goals are reported as not judged, with why.
        unavailable[name] = `did not start: ${firstLines(error)}`;
        log(`${name} ${unavailable[name]}`);
      }
    }
    targets.sort((a, b) => TARGET_ORDER.indexOf(a.name) - TARGET_ORDER.indexOf(b.name));
    log(`targets: ${targets.map((t) => `${t.name} ${t.url}`).join(", ")}`);
    for (const scenario of scenarios) {
      log(`${scenario.id}…`);
      const on = targets.filter((t) => scenario.targets.includes(t.name));
      const result = await runScenario(scenario, on, mode, { work, sources: snapshot.root }, log);
      for (const [name, error] of Object.entries(unavailable)) {
        if (scenario.targets.includes(name as TargetName) && !result.not_measurable_yet) {
          result.targets[name as TargetName] = { figures: {}, samples: {}, error };
        }
      }
      results[scenario.id] = result;
    }
  } finally {
    for (const target of targets) {
      targetInfo[target.name] = { url: target.url, ...(target.reloads ? { reloads: target.reloads() } : {}) };
      await target.stop().catch((e) => log(`stopping ${target.name}: ${e}`));
    }
    await rm(work, { recursive: true, force: true });
    await snapshot.remove();
  }
  const after = loadNow();

  const goals = evaluateGoals(scenarios, results, committed);
  const output = {
    date: started.toISOString(),
    mode: {
      name: mode.name,
      rounds: mode.rounds,
      load_seconds: mode.loadSeconds,
      only: mode.only,
      targets: mode.targets,
    },
    machine: machine(),
    load: { before, after },
    versions: { wrangler: versionOf("wrangler"), miniflare: versionOf("miniflare") },
    targets: targetInfo,
    scenarios: results,
    goals,
  };
  const file = isCommittable(mode) ? LATEST : SCRATCH;
  await writeResults(file, output);

  const m = output.machine;
  console.log(
    `\nHiveSync benchmark — ${output.date.slice(0, 16)}Z, ${mode.name} run, ${mode.rounds} interleaved rounds — ${m.cpus} cores, ${m.memory_gb} GiB, Node ${m.node}`,
  );
  console.log(
    `load average (1/5/15 min): before ${before.loadavg.join(" ")}, after ${after.loadavg.join(" ")}\n`,
  );
  console.log(
    "median (min–max) per target; proxy share = the part of the time that wrangler dev's proxy adds\n",
  );
  for (const line of figureLines(scenarios, results)) console.log(line);
  const reloads = targetInfo["wrangler-dev"]?.reloads ?? 0;
  if (reloads > 0)
    console.log(
      `\n  warning: wrangler dev reloaded ${reloads} times during the run; its figures include the stalls`,
    );
  console.log("\ngoals (medians of this run):\n");
  for (const line of goalLines(goals)) console.log(line);
  const passed = goals.filter((g) => g.pass === true).length;
  const failed = goals.filter((g) => g.pass === false).length;
  console.log(
    `\n${passed} pass, ${failed} fail, ${goals.length - passed - failed} not judged — wrote ${path.relative(process.cwd(), file)}`,
  );
  const broken = Object.values(results).some((r) => Object.values(r.targets).some((t) => t?.error));
  return failed > 0 || broken ? 1 : 0;
}

process.exitCode = await main();
