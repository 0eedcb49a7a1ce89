// An example app of examples/ as a developer has it: a copy in a temp folder with the packages it
// needs from the registry installed (only those: the rest is the preview runtime's).
import { execFile } from "node:child_process";
import { cp, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * Copies `examples/<name>` to a temp folder and installs `packages` there (`npm install
 * --no-save`, peers left to the runtime); returns the folder, which the caller removes.
 *
 * @example
 * const dir = await exampleWithPackages("nativewind-tour", ["nativewind@4.2.7", "tailwindcss@3.4.9"]);
 */
export async function exampleWithPackages(name: string, packages: readonly string[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `hivesync-${name}-`));
  await cp(path.resolve(import.meta.dirname, "../../examples", name), dir, { recursive: true });
  await run("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--legacy-peer-deps", ...packages], {
    cwd: dir,
    timeout: 240_000,
  });
  return dir;
}
