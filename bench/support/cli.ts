// The `hivesync` CLI as a user runs it: a fresh Node process per command, signed in through its
// own credentials file (its own auth session: refresh tokens rotate, so it must not share the
// scenario's in-process client's).
import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { configDir } from "../../clients/cli/src/config-dir";
import { FileTokenStore } from "../../clients/cli/src/credentials";
import { HiveSyncClient } from "../../clients/desktop/src";
import { BENCH_PASSWORD } from "./account";

export type Cli = {
  /** Runs `hivesync …args` in `cwd`; fails unless it exits 0. */
  run: (
    args: string[],
    cwd: string,
  ) => Promise<{ ms: number; stdout: string; last: Record<string, unknown> }>;
};

/** The CLI of source tree `sources`, with a home (config folder) for `url`, signed in as `username`. */
export async function cliFor(url: string, username: string, home: string, sources: string): Promise<Cli> {
  const bin = path.join(sources, "clients/cli/bin/hivesync.mjs");
  const env = { ...process.env, HIVESYNC_API: url, XDG_CONFIG_HOME: home, NO_COLOR: "1" };
  await mkdir(home, { recursive: true });
  const store = new FileTokenStore(configDir(env), url);
  await new HiveSyncClient({ baseUrl: url, tokenStore: store }).auth.login({
    login: username,
    password: BENCH_PASSWORD,
  });
  return {
    run: (args, cwd) =>
      new Promise((resolve, reject) => {
        const start = performance.now();
        // process.execPath: the Node 24 that runs the bench (npm puts it first on PATH).
        const child = spawn(process.execPath, [bin, ...args], {
          cwd,
          env,
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => {
          stdout += c.toString();
        });
        child.stderr.on("data", (c: Buffer) => {
          stderr += c.toString();
        });
        child.on("error", reject);
        child.on("close", (code) => {
          const ms = performance.now() - start;
          if (code !== 0) return reject(new Error(`hivesync ${args.join(" ")} exited ${code}: ${stderr}`));
          let last: Record<string, unknown> = {};
          try {
            last = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
          } catch {
            // not a --json run
          }
          resolve({ ms, stdout, last });
        });
      }),
  };
}
