// `npx tsx bench/agreement.ts [results.json …]`: whether consecutive runs agree on every goal's
// pass/fail (default: the three newest runs in bench/results), and which goals sit near their
// threshold — the ones a busy machine can flip.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { GoalResult } from "./harness/goals";
import { historyFiles } from "./harness/results";

type Run = {
  date: string;
  mode: { name: string };
  load: { before: { loadavg: number[] } };
  goals: GoalResult[];
};

const files = process.argv.slice(2).length > 0 ? process.argv.slice(2) : (await historyFiles()).slice(-3);
const runs = await Promise.all(files.map(async (f) => JSON.parse(await readFile(f, "utf8")) as Run));
for (const [i, run] of runs.entries()) {
  console.log(
    `run ${i + 1}: ${path.basename(files[i] ?? "")} (${run.mode.name}, load ${run.load.before.loadavg[0]})`,
  );
}
let flips = 0;
const ids = [...new Set(runs.flatMap((r) => r.goals.map((g) => g.id)))];
for (const id of ids) {
  const per = runs.map((r) => r.goals.find((g) => g.id === id));
  const marks = per.map((g) => (g?.pass === true ? "✓" : g?.pass === false ? "✗" : "?"));
  const judged = marks.filter((m) => m !== "?");
  const agree = judged.every((m) => m === judged[0]);
  if (!agree) flips++;
  const values = per
    .map((g) => (g?.value === null || g?.value === undefined ? "—" : String(g.value)))
    .join(" / ");
  const near = per.some((g) => g?.near) ? " near threshold" : "";
  console.log(`  ${agree ? "agree" : "FLIPS"}  ${marks.join("")}  ${per[0]?.text ?? id}: ${values}${near}`);
}
console.log(flips === 0 ? "\nall judged goals agree" : `\n${flips} goal(s) flip between runs`);
process.exitCode = flips === 0 ? 0 : 1;
