// bench/results/latest.json: written by a full run only, read back (as committed in git) by the
// guards that must not get worse than the last committed figures.
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { CommittedResults } from "./types";

const RESULTS = path.resolve(import.meta.dirname, "../results");
export const LATEST = path.join(RESULTS, "latest.json");
// Quick and partial runs go beside it, under a name .gitignore already keeps out of commits.
export const SCRATCH = path.join(RESULTS, "last-run.json.tmp");
// Every run also leaves a dated copy (the newest few are kept), for bench/agreement.ts.
const HISTORY_KEPT = 10;
export const HISTORY = /^run-.*\.json\.tmp$/;

/** The committed latest.json (HEAD), else the file on disk, else null. */
export async function readCommitted(): Promise<CommittedResults | null> {
  try {
    const { stdout } = await promisify(execFile)("git", ["show", "HEAD:bench/results/latest.json"], {
      cwd: RESULTS,
      maxBuffer: 16 * 2 ** 20,
    });
    return JSON.parse(stdout) as CommittedResults;
  } catch {
    try {
      return JSON.parse(await readFile(LATEST, "utf8")) as CommittedResults;
    } catch {
      return null;
    }
  }
}

export async function writeResults(file: string, results: { date: string }): Promise<void> {
  const text = `${JSON.stringify(results, null, 2)}\n`;
  await mkdir(RESULTS, { recursive: true });
  await writeFile(file, text);
  await writeFile(path.join(RESULTS, `run-${results.date.replace(/[:.]/g, "-")}.json.tmp`), text);
  const old = (await historyFiles()).slice(0, -HISTORY_KEPT);
  await Promise.all(old.map((f) => rm(f, { force: true })));
}

/** The dated copies of past runs, oldest first. */
export async function historyFiles(): Promise<string[]> {
  const names = (await readdir(RESULTS)).filter((n) => HISTORY.test(n)).sort();
  return names.map((n) => path.join(RESULTS, n));
}
