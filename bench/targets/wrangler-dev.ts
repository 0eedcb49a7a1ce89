// `wrangler dev` with both Workers, started the way clients/e2e/local-stack.ts starts it (same
// flags, migrations applied first, a throw-away state folder), but inside the run's source
// snapshot: local-stack always runs in the checkout, where others' saves reload it mid-run.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Target } from "./target";
import { BENCH_VARS } from "./vars";

const ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, logs: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${logs()}`);
    if (
      await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`wrangler dev did not become healthy:\n${logs()}`);
}

export async function startWranglerDev(root: string): Promise<Target> {
  const state = await mkdtemp(path.join(tmpdir(), "hivesync-bench-state-"));
  const persist = ["--persist-to", state];
  await promisify(execFile)(
    "npx",
    ["wrangler", "d1", "migrations", "apply", "DB", "--local", "-c", "wrangler.toml", ...persist],
    {
      cwd: root,
      env: ENV,
    },
  );
  const port = await freePort();
  const vars = Object.entries(BENCH_VARS).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const child = spawn(
    "npx",
    [
      "wrangler",
      "dev",
      "-c",
      "wrangler.toml",
      "-c",
      "worker-consumers/wrangler.toml",
      ...persist,
      "--port",
      String(port),
    ].concat(["--ip", "127.0.0.1", "--show-interactive-dev-session=false", ...vars]),
    { cwd: root, env: ENV, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  let reloads = 0;
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    reloads += text.match(/Reloading local server/g)?.length ?? 0;
    output = (output + text).slice(-200_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise((r) => child.once("exit", r));
      // The whole process group: npx, wrangler and workerd.
      for (const signal of ["SIGTERM", "SIGKILL"] as const) {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
        if (
          await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))])
        )
          break;
      }
    }
    await rm(state, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { name: "wrangler-dev", url, stop, logs: () => output, reloads: () => reloads };
}
