// The `direct` target. Miniflare runs in a child process of its own (miniflare-server.ts), like
// wrangler dev does: in the bench's process, workerd's log parsing would compete with the load
// generator on the same thread and slow one target's figures but not the other's.
import { spawn } from "node:child_process";
import path from "node:path";
import type { Target } from "./target";

const SERVER = path.join(import.meta.dirname, "miniflare-server.ts");

/** Miniflare on bundles built from the sources in `root` (the run's snapshot). */
export async function startDirect(root: string, timeoutMs = 120_000): Promise<Target> {
  const child = spawn(process.execPath, ["--import", "tsx", SERVER], {
    cwd: root,
    env: { ...process.env, BENCH_SOURCE_ROOT: root },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stderr.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Miniflare did not start in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    child.stdout.on("data", (chunk: Buffer) => {
      keep(chunk);
      const ready = /READY (\S+)/.exec(output);
      if (ready?.[1]) {
        clearTimeout(timer);
        resolve(ready[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Miniflare exited with ${code}:\n${output}`));
    });
  }).catch(async (error) => {
    await stop();
    throw error;
  });
  return { name: "direct", url, stop, logs: () => output };
}
