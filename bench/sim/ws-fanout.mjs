// Bounded simulation for docs/scale.md ("10,000 viewers of one session"): how the send cost of
// one Durable Object grows with the number of hibernatable WebSockets it holds, and what a tier of
// relay objects changes. Not part of `npm run bench`; run by hand, a few times at most:
//
//   node_modules/.bin/node bench/sim/ws-fanout.mjs [N ...]        (default 1000 2500 5000 10000)
//
// What runs: one Miniflare (workerd) with a stand-alone Worker of ~60 lines (below), not HiveSync's
// code. Its `Room` object does what PreviewSession does per change (worker-api/src/preview/
// preview-session.ts, `fanOut`): one status frame serialised once (same fields and size as
// `statusView`), then `ws.send` to every socket of `ctx.getWebSockets()` in turns of 200 sockets
// (SEND_PER_TURN), each turn on a zero-delay timer; the writer's call returns before the first turn.
// The sockets are held by a separate Node process (its CPU is reported), so the receiving side does
// not sit in the sender's event loop.
//
// Figures per N (median of ROUNDS rounds):
//   - connect/s: sockets accepted by one object per second (handshakes CONNECT_PARALLEL at a time)
//   - sync ms: one request whose handler sends the frame to all N sockets before answering, minus an
//     empty request: the sender's own cost of N `send` calls (workerd's clock stands still while JS
//     runs, so this is timed from outside)
//   - p50/p99/last ms: from the trigger (the turns mode) to each socket receiving the frame
//   - tree: N sockets spread over K relay objects; the trigger calls the K relays over RPC and each
//     sends to its own sockets. On one machine all objects share one workerd process, so this shows
//     the cost of the extra hop, not the parallelism the relays would have on Cloudflare's network.
import { fork } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";

const ROUNDS = 3;
const CONNECT_PARALLEL = 50;
const RELAYS = 10;
const TIMEOUT_MS = 60_000;
const CHILD_ENV = "HIVESYNC_SIM_WS_CLIENT";

const WORKER = `
import { DurableObject } from "cloudflare:workers";
const SEND_PER_TURN = 200;
function frame(round) {
  return JSON.stringify({
    type: "status", session_id: "pvs_01KB0000000000000000000000000000000000", status: "ready",
    stage: null, progress: 1, version: 7 + round, revision: 3, building_revision: null,
    bundle: { file_count: 310, total_bytes: 3228646, manifest_sha256: "a".repeat(64) },
    expires_at: "2026-12-01T12:00:00.000Z", round,
  });
}
export class Room extends DurableObject {
  async fetch(request) {
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }
  count() { return this.ctx.getWebSockets().length; }
  /** PreviewSession's fan-out: serialise once, send in turns of 200 on zero-delay timers. */
  broadcast(round) {
    const text = frame(round);
    const sockets = this.ctx.getWebSockets();
    let s = 0;
    const turn = () => {
      for (const end = Math.min(sockets.length, s + SEND_PER_TURN); s < end; s++) {
        try { sockets[s].send(text); } catch {}
      }
      if (s < sockets.length) setTimeout(turn, 0);
    };
    setTimeout(turn, 0);
    return sockets.length;
  }
  /** Every send inside the call: its duration is the sender's cost of N sends. */
  broadcastSync(round) {
    const text = frame(round);
    const sockets = this.ctx.getWebSockets();
    for (const ws of sockets) { try { ws.send(text); } catch {} }
    return sockets.length;
  }
  async webSocketMessage() {}
  async webSocketClose(ws, code) { try { ws.close(code === 1005 || code === 1006 ? 1000 : code); } catch {} }
}
const stub = (env, name) => env.ROOM.get(env.ROOM.idFromName(name));
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const [, what, name, arg] = url.pathname.split("/");
    if (what === "ping") return new Response("pong");
    if (what === "ws") return stub(env, name).fetch(request);
    const round = Number(url.searchParams.get("round") ?? 0);
    if (what === "turns") return Response.json(await stub(env, name).broadcast(round));
    if (what === "sync") return Response.json(await stub(env, name).broadcastSync(round));
    if (what === "count") return Response.json(await stub(env, name).count());
    if (what === "tree") {
      const k = Number(arg);
      const counts = await Promise.all(Array.from({ length: k }, (_, i) => stub(env, name + ":" + i).broadcast(round)));
      return Response.json(counts.reduce((a, b) => a + b, 0));
    }
    return new Response("no", { status: 404 });
  },
};
`;

// The machine's monotonic clock, shared by every process (see bench/scenarios/ws-fanout.ts).
const clock = () => Number(process.hrtime.bigint()) / 1e6;

// ---------------------------------------------------------------- the socket-holding process
async function runClient(job, send) {
  const sockets = [];
  const waiting = new Map(); // round → { left, arrivals }
  let next = 0;
  const started = clock();
  const open = (path) =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`${job.url.replace(/^http/, "ws")}${path}`);
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new Error(`socket ${path} did not open`));
      ws.onmessage = (event) => {
        const at = clock();
        const round = Number(/"round":(\d+)/.exec(String(event.data))?.[1]);
        const w = waiting.get(round);
        if (!w) return;
        w.arrivals.push(at);
        if (--w.left === 0) {
          waiting.delete(round);
          send({ kind: "heard", round, arrivals: w.arrivals });
        }
      };
    });
  await Promise.all(
    Array.from({ length: CONNECT_PARALLEL }, async () => {
      while (next < job.count) {
        const i = next++;
        const path = job.relays ? `/ws/${job.room}:${i % job.relays}` : `/ws/${job.room}`;
        sockets.push(await open(path));
      }
    }),
  );
  const connectMs = clock() - started;
  const cpuBefore = process.cpuUsage();
  send({ kind: "ready", connect_ms: connectMs });
  process.on("message", (m) => {
    if (m.kind === "expect") waiting.set(m.round, { left: sockets.length, arrivals: [] });
    if (m.kind === "cpu") {
      const cpu = process.cpuUsage(cpuBefore);
      send({ kind: "cpu", ms: (cpu.user + cpu.system) / 1000 });
    }
    if (m.kind === "close") {
      for (const ws of sockets) ws.close();
      setTimeout(() => process.exit(0), 200);
    }
  });
}

if (process.env[CHILD_ENV]) {
  runClient(JSON.parse(process.env[CHILD_ENV]), (m) => process.send(m)).catch((e) => {
    process.send({ kind: "error", message: String(e) });
    process.exit(1);
  });
}

// ---------------------------------------------------------------- the driver
function startClient(job) {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, [CHILD_ENV]: JSON.stringify(job) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const inbox = [];
  let wake = () => {};
  child.on("message", (m) => {
    inbox.push(m);
    wake();
  });
  const next = async (kind, round) => {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const err = inbox.find((m) => m.kind === "error");
      if (err) throw new Error(err.message);
      const i = inbox.findIndex((m) => m.kind === kind && (round === undefined || m.round === round));
      if (i >= 0) return inbox.splice(i, 1)[0];
      if (Date.now() > deadline) throw new Error(`no ${kind} from the client within ${TIMEOUT_MS} ms`);
      await new Promise((r) => {
        wake = r;
        setTimeout(r, 500);
      });
    }
  };
  return { child, next, send: (m) => child.send(m) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const r1 = (x) => Math.round(x * 10) / 10;

async function timedFetch(url) {
  const t = clock();
  const res = await fetch(url);
  await res.text();
  return clock() - t;
}

let roundNo = 0;
async function measure(url, n, relays) {
  const room = `${relays ? "tree" : "room"}-${n}-${Date.now()}`;
  const client = startClient({ url, room, count: n, relays });
  try {
    const { connect_ms } = await client.next("ready");
    const rounds = [];
    for (let r = 0; r < ROUNDS; r++) {
      const round = ++roundNo;
      client.send({ kind: "expect", round });
      await new Promise((res) => setTimeout(res, 50));
      const t0 = clock();
      const path = relays ? `/tree/${room}/${relays}` : `/turns/${room}`;
      const writer = await timedFetch(`${url}${path}?round=${round}`);
      const { arrivals } = await client.next("heard", round);
      const times = arrivals.map((a) => a - t0).sort((a, b) => a - b);
      rounds.push({ writer, p50: pct(times, 50), p99: pct(times, 99), last: times.at(-1) });
      await new Promise((res) => setTimeout(res, 200));
    }
    const empties = [];
    for (let r = 0; r < 5; r++) empties.push(await timedFetch(`${url}/count/${room}`));
    let syncMs = null;
    if (!relays) {
      const syncs = [];
      for (let r = 0; r < ROUNDS; r++) {
        const round = ++roundNo;
        client.send({ kind: "expect", round });
        await new Promise((res) => setTimeout(res, 50));
        const empty = median([
          await timedFetch(`${url}/count/${room}`),
          await timedFetch(`${url}/count/${room}`),
        ]);
        const full = await timedFetch(`${url}/sync/${room}?round=${round}`);
        await client.next("heard", round);
        syncs.push(full - empty);
        await new Promise((res) => setTimeout(res, 200));
      }
      syncMs = median(syncs);
    }
    client.send({ kind: "cpu" });
    const { ms: clientCpuMs } = await client.next("cpu");
    return {
      sockets: n,
      relays: relays || 1,
      connect_per_s: Math.round(n / (connect_ms / 1000)),
      empty_request_ms: r1(median(empties)),
      writer_ms: r1(median(rounds.map((x) => x.writer))),
      p50_ms: r1(median(rounds.map((x) => x.p50))),
      p99_ms: r1(median(rounds.map((x) => x.p99))),
      last_ms: r1(median(rounds.map((x) => x.last))),
      sync_ms: syncMs === null ? null : r1(syncMs),
      sync_us_per_socket: syncMs === null ? null : r1((syncMs * 1000) / n),
      client_cpu_ms_per_round: r1(clientCpuMs / (ROUNDS * (relays ? 1 : 2))),
    };
  } finally {
    client.send({ kind: "close" });
    await new Promise((res) => client.child.once("exit", res));
  }
}

async function main() {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((x) => x > 0);
  const ns = sizes.length ? sizes : [1000, 2500, 5000, 10000];
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: [{ type: "ESModule", path: "sim.js", contents: WORKER }],
      compatibilityDate: "2026-10-20",
      durableObjects: { ROOM: "Room" },
      host: "127.0.0.1",
      port: 0,
    }),
  );
  const url = (await mf.ready).origin.replace(/\/$/, "");
  const load = { before: os.loadavg().map(r1) };
  const started = Date.now();
  const results = [];
  try {
    await timedFetch(`${url}/ping`);
    for (const n of ns) {
      results.push(await measure(url, n, 0));
      process.stderr.write(`${JSON.stringify(results.at(-1))}\n`);
    }
    const biggest = Math.max(...ns);
    results.push(await measure(url, biggest, RELAYS));
    process.stderr.write(`${JSON.stringify(results.at(-1))}\n`);
  } finally {
    await mf.dispose();
  }
  load.after = os.loadavg().map(r1);
  console.log(
    JSON.stringify(
      {
        script: "bench/sim/ws-fanout.mjs",
        date: new Date().toISOString(),
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: load },
        seconds: Math.round((Date.now() - started) / 1000),
        rounds: ROUNDS,
        results,
      },
      null,
      2,
    ),
  );
}

if (!process.env[CHILD_ENV]) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
