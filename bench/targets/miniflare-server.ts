// The process behind the `direct` target: both Workers straight on Miniflare's own server, without
// wrangler's dev proxy — the bundles `wrangler deploy --dry-run` produces (what would be deployed),
// with bindings, queues, Durable Objects and the service binding read from the same wrangler.toml
// files by wrangler itself, so it follows config changes without a second copy of them here.
// Prints `READY <url>` once migrated and healthy; stops on SIGTERM or when its parent goes away.
import { execFile } from "node:child_process";
import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { convertV4MiniflareOptions, Miniflare, type V4WorkerOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { BENCH_VARS } from "./vars";

const run = promisify(execFile);
// The sources to build: the run's snapshot (see snapshot.ts), else the checkout. The bundles go
// into its own dist/bench, never into the checkout's dist/ that `npm run build` and tests use.
const ROOT = process.env.BENCH_SOURCE_ROOT ?? path.resolve(import.meta.dirname, "../..");
const OUT = path.join(ROOT, "dist/bench");

const WORKERS = [
  { name: "hivesync-api", config: "wrangler.toml", out: path.join(OUT, "api") },
  { name: "hivesync-consumers", config: "worker-consumers/wrangler.toml", out: path.join(OUT, "consumers") },
] as const;

async function bundle(config: string, out: string): Promise<void> {
  await rm(out, { recursive: true, force: true });
  await run("npx", ["wrangler", "deploy", "--dry-run", "--outdir", out, "-c", config], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
  });
}

type Rule = { type: string; include: string[] };

/**
 * The Worker's options from its wrangler.toml, with the bundle as its code: `index.js` plus every
 * file wrangler wrote beside it that a module rule matches (the Text modules kept under their
 * import names by `preserve_file_names`).
 */
async function workerOptions(name: string, config: string, out: string): Promise<V4WorkerOptions> {
  const { workerOptions: fromConfig } = unstable_getMiniflareWorkerOptions(path.join(ROOT, config));
  const {
    modulesRules,
    rootPath: _root,
    ...options
  } = fromConfig as typeof fromConfig & { rootPath?: string };
  const rules = (modulesRules ?? []) as Rule[];
  const files = (await readdir(out, { recursive: true, encoding: "utf8" })).map((f) =>
    f.split(path.sep).join("/"),
  );
  const modules = [{ type: "ESModule" as const, path: path.join(out, "index.js") }];
  for (const file of files) {
    const rule = rules.find((r) => r.include.some((glob) => path.matchesGlob(file, glob)));
    if (rule) modules.push({ type: rule.type as "ESModule", path: path.join(out, file) });
  }
  const vars = (options.bindings ?? {}) as Record<string, unknown>;
  // Only overrides of vars the Worker has: the consumers must not grow the API's limits.
  const overrides = Object.fromEntries(Object.entries(BENCH_VARS).filter(([k]) => k in vars));
  return {
    ...options,
    name,
    modulesRoot: out,
    modules,
    bindings: { ...vars, ...overrides },
  } as V4WorkerOptions;
}

/** D1 migrations as `wrangler d1 migrations apply` would run them (drizzle's statement breakpoints). */
async function migrate(mf: Miniflare): Promise<void> {
  const dir = path.join(ROOT, "schema/migrations");
  const db = await mf.getD1Database("DB", "hivesync-api");
  for (const file of (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort()) {
    for (const statement of (await readFile(path.join(dir, file), "utf8")).split(
      "--> statement-breakpoint",
    )) {
      if (statement.trim()) await db.prepare(statement).run();
    }
  }
}

async function main(): Promise<void> {
  await Promise.all(WORKERS.map((w) => bundle(w.config, w.out)));
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      // Every request logs a line; only warnings and errors are worth passing on.
      handleStructuredLogs: (log: { level: string; message: string }) => {
        if (log.level === "warn" || log.level === "error") process.stderr.write(`${log.message}\n`);
      },
      workers: await Promise.all(WORKERS.map((w) => workerOptions(w.name, w.config, w.out))),
    }),
  );
  const url = (await mf.ready).origin;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await mf.dispose().catch(() => {});
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.stdin.on("end", stop).resume();
  await migrate(mf);
  const health = await fetch(`${url}/health`);
  if (!health.ok) throw new Error(`Miniflare answered /health with ${health.status}`);
  process.stdout.write(`READY ${url}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
