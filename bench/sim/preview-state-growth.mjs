// Bounded simulation for docs/scale.md ("10,000 viewers of one session"): what one more viewer
// costs a PreviewSession object whose state lists every viewer. Not part of `npm run bench`.
//
//   node_modules/.bin/node bench/sim/preview-state-growth.mjs
//
// PreviewSession keeps its whole state as one storage value ("state", worker-api/src/preview/
// preview-session.ts) and appends to `opened` the first time each viewer's token reads the bundle
// (`recordOpened`, key `token:<16 hex>`), rewriting the whole value each time (`addToken` rewrites it
// too; its list is capped at 50). This stand-alone object (not HiveSync's code) holds a state of the
// same shape with N `opened` entries and times, from outside (workerd's clock stands still while JS
// runs), one more append-and-put — the same spread and `storage.put("state", …)` — against an
// empty call, for N up to 20,000. It also reports the value's JSON size against the 2 MB
// key-plus-value limit of SQLite-backed objects (Durable Objects limits page).
import os from "node:os";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";

const SIZES = [0, 1000, 5000, 10000, 20000];
const APPENDS = 20;

const WORKER = `
import { DurableObject } from "cloudflare:workers";
const hex = (n) => Array.from({ length: n }, (_, i) => "0123456789abcdef"[(i * 7 + n) % 16]).join("");
function entry(i) {
  return { key: "token:" + (hex(10) + i.toString(16).padStart(6, "0")), device_id: null, platform: "web", at: new Date(1796100000000 + i * 1000).toISOString() };
}
export class Session extends DurableObject {
  state = null;
  async fill(n) {
    this.state = {
      session_id: "pvs_01KB0000000000000000000000000000000000", project_id: "prj_01KB0000000000000000000000000000000000",
      project_name: "My app", owner_id: "usr_01KB0000000000000000000000000000000000", platform: "web", revision: 3,
      building_revision: null, status: "ready", stage: null, progress: 1, version: 9,
      bundle: { file_count: 310, total_bytes: 3228646, manifest_sha256: hex(64) },
      opened: Array.from({ length: n }, (_, i) => entry(i)),
      created_at: "2026-12-01T10:00:00.000Z", expires_at: "2026-12-01T10:30:00.000Z",
      token_hashes: Array.from({ length: 50 }, (_, i) => hex(63) + (i % 10)),
    };
    await this.ctx.storage.put("state", this.state);
    return JSON.stringify(this.state).length;
  }
  /** recordOpened's write: a new entry, a new array, the whole value put. */
  async append(i) {
    const state = this.state ?? (await this.ctx.storage.get("state"));
    this.state = { ...state, opened: [...state.opened, entry(1_000_000 + i)] };
    await this.ctx.storage.put("state", this.state);
    return this.state.opened.length;
  }
  nothing() { return 0; }
}
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const stub = env.SESSION.get(env.SESSION.idFromName(url.searchParams.get("s")));
    const n = Number(url.searchParams.get("n") ?? 0);
    if (url.pathname === "/fill") return Response.json(await stub.fill(n));
    if (url.pathname === "/append") return Response.json(await stub.append(n));
    return Response.json(await stub.nothing());
  },
};
`;

const r2 = (x) => Math.round(x * 100) / 100;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: [{ type: "ESModule", path: "sim.js", contents: WORKER }],
      compatibilityDate: "2026-10-20",
      durableObjects: { SESSION: { className: "Session", useSQLite: true } },
      host: "127.0.0.1",
      port: 0,
    }),
  );
  const url = (await mf.ready).origin.replace(/\/$/, "");
  const timed = async (path) => {
    const t = performance.now();
    const res = await fetch(`${url}${path}`);
    const body = await res.json();
    if (!res.ok) throw new Error(JSON.stringify(body));
    return { ms: performance.now() - t, body };
  };
  const loadBefore = os.loadavg().map((x) => Math.round(x * 10) / 10);
  const results = [];
  try {
    for (const n of SIZES) {
      const s = `s${n}`;
      const { body: bytes } = await timed(`/fill?s=${s}&n=${n}`);
      const appends = [];
      const empties = [];
      for (let i = 0; i < APPENDS; i++) {
        empties.push((await timed(`/nothing?s=${s}`)).ms);
        appends.push((await timed(`/append?s=${s}&n=${i}`)).ms);
      }
      const extra = median(appends) - median(empties);
      results.push({
        opened_entries: n,
        state_json_bytes: bytes,
        share_of_2MB_limit: r2(bytes / 2_000_000),
        append_ms_over_empty_call: r2(extra),
      });
      process.stderr.write(`${JSON.stringify(results.at(-1))}\n`);
    }
  } finally {
    await mf.dispose();
  }
  // The bytes one viewer adds, and what rewriting the whole value on every new viewer adds up to.
  const perViewer = (results.at(-1).state_json_bytes - results[0].state_json_bytes) / SIZES.at(-1);
  const viewers = 10_000;
  console.log(
    JSON.stringify(
      {
        script: "bench/sim/preview-state-growth.mjs",
        date: new Date().toISOString(),
        machine: {
          cpus: os.cpus().length,
          loadavg: { before: loadBefore, after: os.loadavg().map((x) => Math.round(x * 10) / 10) },
        },
        appends_per_size: APPENDS,
        results,
        derived: {
          bytes_per_viewer: Math.round(perViewer),
          viewers_at_2MB_limit: Math.floor((2_000_000 - results[0].state_json_bytes) / perViewer),
          bytes_written_for_10000_first_opens: Math.round(
            viewers * results[0].state_json_bytes + (perViewer * viewers * (viewers + 1)) / 2,
          ),
        },
      },
      null,
      2,
    ),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
