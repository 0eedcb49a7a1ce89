// The `hivesync` CLI run in-process against the local stack, as the e2e tests drive it.
import { Writable } from "node:stream";
import { main } from "../cli/src/main";

/** What one run printed: exit code, stdout, stderr and its last line parsed as JSON (`{}` if none). */
export type CliRun = { code: number; stdout: string; stderr: string; last: Record<string, unknown> };

function sink() {
  let text = "";
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

/**
 * Runs `hivesync <argv…>` in `cwd` with `env` (`HIVESYNC_API`, `XDG_CONFIG_HOME`, …).
 *
 * @example
 * const run = await runCli(["projects", "list", "--json"], { env, cwd: work });
 * expect(run.code, run.stderr).toBe(0);
 */
export async function runCli(
  argv: string[],
  { env, cwd }: { env: NodeJS.ProcessEnv; cwd: string },
): Promise<CliRun> {
  const stdout = sink();
  const stderr = sink();
  const code = await main(argv, { stdout: stdout.stream, stderr: stderr.stream, env, cwd });
  const lines = stdout.text().trim().split("\n");
  let last: Record<string, unknown> = {};
  try {
    last = JSON.parse(lines.at(-1) ?? "{}");
  } catch {
    // not a --json run
  }
  return { code, stdout: stdout.text(), stderr: stderr.text(), last };
}

/**
 * Registers a fresh account named `<prefix><time>` through the CLI (`register … --json`), which
 * signs the CLI in.
 *
 * @example
 * const { name } = await registerWithCli((...argv) => runCli(argv, { env, cwd }), "watch");
 */
export async function registerWithCli(
  run: (...argv: string[]) => Promise<CliRun>,
  prefix: string,
): Promise<{ name: string; run: CliRun }> {
  const name = `${prefix}${Date.now().toString(36)}`;
  const registered = await run(
    "register",
    "--email",
    `${name}@example.com`,
    "--username",
    name,
    "--password",
    "a long enough password",
    "--json",
  );
  return { name, run: registered };
}
