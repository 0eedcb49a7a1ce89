// Boots the local stack the way a developer does (`wrangler dev` with both Workers) on a free port
// with a throw-away state folder, and tears it down again. Used by the e2e vitest project's
// globalSetup and by the benchmark.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" };

export type LocalStack = {
  url: string;
  stateDir: string;
  stop: () => Promise<void>;
  /** Kills the whole process group at once (SIGKILL: no shutdown, like a crash); keeps `stateDir`. */
  kill: () => Promise<void>;
  logs: () => string;
};

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

async function waitForHealth(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
  logs: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${logs()}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`wrangler dev did not become healthy within ${timeoutMs} ms:\n${logs()}`);
}

/**
 * A copy of the consumers' config with some [vars] replaced (wrangler's --var reaches only the first
 * Worker of a multi-config `wrangler dev`). It sits beside the original so `main` still resolves.
 */
async function consumerConfigWith(vars: Record<string, string>): Promise<string> {
  let text = await readFile(path.join(ROOT, "worker-consumers/wrangler.toml"), "utf8");
  for (const [key, value] of Object.entries(vars)) {
    const line = new RegExp(`^${key} = .*$`, "m");
    if (!line.test(text)) throw new Error(`worker-consumers/wrangler.toml has no var ${key}`);
    text = text.replace(line, `${key} = ${JSON.stringify(value)}`);
  }
  const relative = "worker-consumers/.wrangler.generated.toml";
  await writeFile(path.join(ROOT, relative), text);
  return relative;
}

/**
 * Applies the migrations to a fresh state folder and starts `wrangler dev` with both Workers.
 * `stateDir` lets a caller restart on existing state (durability checks); `consumers: false` starts
 * worker-api alone, so queued messages wait (in the local queue's memory) for a consumer.
 */
export async function startLocalStack(
  options: {
    stateDir?: string;
    vars?: Record<string, string>;
    consumerVars?: Record<string, string>;
    consumers?: boolean;
  } = {},
): Promise<LocalStack> {
  const stateDir = options.stateDir ?? (await mkdtemp(path.join(tmpdir(), "hivesync-e2e-")));
  await run(
    "npx",
    [
      "wrangler",
      "d1",
      "migrations",
      "apply",
      "DB",
      "--local",
      "-c",
      "wrangler.toml",
      "--persist-to",
      stateDir,
    ],
    {
      cwd: ROOT,
      env: ENV,
    },
  );
  const consumerConfig = options.consumerVars
    ? await consumerConfigWith(options.consumerVars)
    : "worker-consumers/wrangler.toml";
  // The port is free when chosen but not held until wrangler binds it, and e2e files start their
  // stacks in parallel: one can take another's (wrangler's own sockets too: "Address already in
  // use"). Such a start is tried again, on fresh ports; any other failure is the test's.
  const launch = async () => {
    const port = await freePort();
    const varArgs = Object.entries(options.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
    const child = spawn(
      "npx",
      [
        "wrangler",
        "dev",
        "-c",
        "wrangler.toml",
        ...(options.consumers === false ? [] : ["-c", consumerConfig]),
        "--persist-to",
        stateDir,
        "--port",
        String(port),
        "--ip",
        "127.0.0.1",
        "--show-interactive-dev-session=false",
        ...varArgs,
      ],
      { cwd: ROOT, env: ENV, detached: true, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-200_000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const url = `http://127.0.0.1:${port}`;
    const stop = async () => {
      if (child.exitCode === null && child.pid) {
        const exited = new Promise((r) => child.once("exit", r));
        try {
          process.kill(-child.pid, "SIGTERM"); // the whole group: npx, wrangler and workerd
        } catch {
          // already gone
        }
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) {
          try {
            process.kill(-child.pid, "SIGKILL");
          } catch {
            // already gone
          }
        }
      }
    };
    const kill = async () => {
      if (child.exitCode !== null || !child.pid) return;
      const exited = new Promise((r) => child.once("exit", r));
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    };
    try {
      await waitForHealth(url, child, 90_000, () => output);
    } catch (err) {
      await stop();
      throw err;
    }
    return { url, stop, kill, logs: () => output };
  };
  let launched: Awaited<ReturnType<typeof launch>> | undefined;
  for (let attempt = 1; !launched; attempt++) {
    try {
      launched = await launch();
    } catch (err) {
      if (attempt >= 3 || !String(err).includes("Address already in use")) throw err;
    }
  }
  const { url, stop, kill, logs } = launched;
  return {
    url,
    stateDir,
    logs,
    kill,
    stop: async () => {
      await stop();
      if (!options.stateDir) await rm(stateDir, { recursive: true, force: true });
    },
  };
}
