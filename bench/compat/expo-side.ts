// Expo's side of the compatibility run: install an app from the npm registry, `expo export -p web`
// it the way Expo documents, and serve the export the way a static host does.
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, rm, stat, symlink } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { promisify } from "node:util";
import { contentTypeFor } from "../../schema/content-types";

const exec = promisify(execFile);
const ENV = { ...process.env, CI: "1", EXPO_NO_TELEMETRY: "1", EXPO_OFFLINE: "1", NO_COLOR: "1" };

export type Step = { ok: boolean; ms: number; log: string };

async function step(command: string, args: string[], cwd: string, timeoutMs: number): Promise<Step> {
  const started = performance.now();
  try {
    const { stdout, stderr } = await exec(command, args, {
      cwd,
      env: ENV,
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return {
      ok: true,
      ms: Math.round(performance.now() - started),
      log: `${stdout}\n${stderr}`.slice(-4000),
    };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return {
      ok: false,
      ms: Math.round(performance.now() - started),
      log: `${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`.slice(-4000),
    };
  }
}

/**
 * `npm install` as a developer who just cloned the app runs it (peer dependencies installed, as
 * npm does since 7); only where npm refuses the peer ranges (ERESOLVE) again with npm 6's reading.
 * `again` runs it over an existing install (it adds what is missing).
 */
export async function installApp(dir: string, again = false): Promise<Step> {
  if (!again && existsSync(path.join(dir, "node_modules/.package-lock.json")))
    return { ok: true, ms: 0, log: "already installed" };
  const plain = await step("npm", ["install", "--no-audit", "--no-fund"], dir, 10 * 60_000);
  if (plain.ok || !plain.log.includes("ERESOLVE")) return plain;
  return step("npm", ["install", "--no-audit", "--no-fund", "--legacy-peer-deps"], dir, 10 * 60_000);
}

/** `npx expo export -p web` into `outDir`, offline. */
export function exportWeb(dir: string, outDir: string): Promise<Step> {
  return step("npx", ["expo", "export", "-p", "web", "--output-dir", outDir], dir, 10 * 60_000);
}

/**
 * Serves an export as a static host does: the file, else `<path>.html` (Expo Router's static
 * output), else `index.html` (a single-page app). Resolves with the server's URL.
 *
 * @example
 * const { url, server } = await serveExport("/tmp/app.web");
 */
export async function serveExport(out: string, appDir: string): Promise<{ url: string; close: () => void }> {
  // An app with API routes (web.output "server") renders its pages on a server: Expo's own.
  if (existsSync(path.join(out, "server"))) return expoServe(out, appDir);
  const root = out;
  const server = createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const candidates = [
      pathname,
      `${pathname.replace(/\/$/, "")}.html`,
      path.join(pathname, "index.html"),
      "/index.html",
    ];
    for (const candidate of candidates) {
      const file = path.join(root, path.normalize(candidate));
      if (!file.startsWith(root)) break;
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) continue;
      res.writeHead(200, { "content-type": contentTypeFor(file) });
      res.end(await readFile(file));
      return;
    }
    res.writeHead(404).end();
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}

async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address !== "object") throw new Error("no address");
  return address.port;
}

/** `npx expo serve` over a server-output export (it serves the project's dist/: linked to `out`). */
async function expoServe(out: string, appDir: string): Promise<{ url: string; close: () => void }> {
  const dist = path.join(appDir, "dist");
  await rm(dist, { recursive: true, force: true });
  await symlink(out, dist);
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  const child = spawn("npx", ["expo", "serve", "--port", String(port)], {
    cwd: appDir,
    env: ENV,
    stdio: "ignore",
    detached: true,
  });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 120; i++) {
    if (
      await fetch(url).then(
        () => true,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return { url, close: () => child.pid !== undefined && process.kill(-child.pid, "SIGTERM") };
}
