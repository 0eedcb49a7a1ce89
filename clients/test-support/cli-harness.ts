// Runs `hivesync …` in-process against a FakeApi, the way a terminal would see it: exit code,
// stdout and stderr exactly as printed, and the last JSON line of a --json run.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { FileTokenStore } from "../cli/src/credentials";
import { type MainIo, main } from "../cli/src/main";
import type { RetryOptions } from "../core/src";
import { FakeApi } from "./fake-api";
import { acceptWebSocket, offeredProtocols, refuseUpgrade, type ServerWebSocket } from "./ws-server";

export const FAKE_API_URL = "http://api.test";

/** A writable that keeps what was written (optionally pretending to be a terminal). */
export function capture(isTTY = false) {
  let text = "";
  const stream = Object.assign(
    new Writable({
      write(chunk, _e, done) {
        text += chunk.toString();
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => text };
}

export type CliRun = { code: number; stdout: string; stderr: string; last: Record<string, unknown> };

/** One temporary home: a work folder, a config folder signed in to the fake API, and the API. */
export class CliHarness {
  readonly api = new FakeApi();
  work = "";
  config = "";
  /** Instant retries unless a test wants the real policy (`retry: undefined`). */
  retry: Partial<RetryOptions> | undefined = { sleep: async () => {}, random: () => 0 };
  /** How long `preview` checks whether an older live session follows its project (0: no wait). */
  followGraceMs = 0;

  async setUp(): Promise<this> {
    this.work = await mkdtemp(path.join(tmpdir(), "hivesync-cli-"));
    this.config = path.join(this.work, ".config");
    await new FileTokenStore(path.join(this.config, "hivesync"), FAKE_API_URL).set({
      access_token: this.api.accessToken,
      refresh_token: "ref_1",
    });
    return this;
  }

  async tearDown(): Promise<void> {
    if (this.work) await rm(this.work, { recursive: true, force: true });
  }

  /** Writes files (path → content) under the work folder. */
  async files(files: Record<string, string | Uint8Array>): Promise<void> {
    for (const [rel, content] of Object.entries(files)) {
      const abs = path.join(this.work, ...rel.split("/"));
      await mkdir(path.dirname(abs), { recursive: true });
      await writeFile(abs, content);
    }
  }

  /** `hivesync …` in `cwd` (relative to the work folder; default the work folder). */
  async run(argv: string[], options: { cwd?: string; io?: MainIo } = {}): Promise<CliRun> {
    const stdout = capture();
    const stderr = capture();
    const code = await main(argv, {
      stdout: stdout.stream,
      stderr: stderr.stream,
      env: { HIVESYNC_API: FAKE_API_URL, XDG_CONFIG_HOME: this.config },
      cwd: path.resolve(this.work, options.cwd ?? "."),
      fetch: this.api.fetch as unknown as typeof fetch,
      ...(this.retry ? { retry: this.retry } : {}),
      followGraceMs: this.followGraceMs,
      ...options.io,
    });
    let last: Record<string, unknown> = {};
    try {
      last = JSON.parse(stdout.text().trim().split("\n").at(-1) ?? "{}");
    } catch {
      // not a --json run
    }
    return { code, stdout: stdout.text(), stderr: stderr.text(), last };
  }
}

/**
 * The fake API on a real HTTP port (for a spawned `hivesync` process, or a client that opens the
 * live WebSocket), answering as `FakeApi`: its routes, held long-polls (a client that goes away
 * ends its poll), and `GET /api/v1/preview/sessions/:id/live` upgraded by hand (ws-server.ts),
 * the token taken from the `bearer.<token>` subprotocol as the server takes it.
 *
 * @example
 * const { url, close } = await serveOverHttp(api);
 */
export async function serveOverHttp(api: FakeApi): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers))
      if (typeof value === "string") headers.set(name, value);
    const gone = new AbortController();
    res.on("close", () => gone.abort());
    const response = await api.fetch(`${FAKE_API_URL}${req.url}`, {
      method: req.method,
      headers,
      signal: gone.signal,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    if (res.destroyed) return;
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  const sockets = new Set<ServerWebSocket>();
  server.on("upgrade", (req, socket) => {
    const live = /^\/api\/v1\/preview\/sessions\/([^/?]+)\/live(?:\?|$)/.exec(req.url ?? "");
    if (!live) return refuseUpgrade(socket, 404);
    const token =
      offeredProtocols(req)
        .find((p) => p.startsWith("bearer."))
        ?.slice("bearer.".length) ?? /^Bearer (.+)$/i.exec(String(req.headers.authorization ?? ""))?.[1];
    const status = api.liveHandshake(live[1] as string, token, offeredProtocols(req));
    if (status !== 200) return refuseUpgrade(socket, status);
    const ws = acceptWebSocket(req, socket, "hivesync");
    sockets.add(ws);
    api.attachLive(live[1] as string, ws);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const ws of sockets) ws.drop();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
