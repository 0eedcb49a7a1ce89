// Bounded measurement for docs/scale.md ("a million users"): the bytes one row of each D1 table
// takes on disk, its indexes included, in SQLite (D1 is SQLite). Not part of `npm run bench`.
//
//   node_modules/.bin/node bench/sim/d1-row-sizes.mjs
//
// It applies schema/migrations/*.sql (as `wrangler d1 migrations apply` does, split at drizzle's
// statement breakpoints) to an in-memory database (node:sqlite), inserts ROWS rows into each table
// with values shaped like the ones the code writes (IDs from lib/ids.ts: prefix + 36 base32
// characters; SHA-256 as 64 hex; ISO times of 24 characters; the JSON the stores write), and reads
// the pages each b-tree (table and index) uses from the `dbstat` virtual table. Row sizes in the
// assumptions below (a path of ~40 bytes, a comment body of 200, an AI result of 2,000) are
// labelled as such in the output: they are typical, not measured from users.
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";

const ROWS = 20_000;
const ROOT = path.resolve(import.meta.dirname, "../..");
const dir = path.join(ROOT, "schema/migrations");

const db = new DatabaseSync(":memory:");
db.exec("PRAGMA foreign_keys = OFF");
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith(".sql"))
  .sort()) {
  for (const statement of readFileSync(path.join(dir, file), "utf8").split("--> statement-breakpoint")) {
    if (statement.trim()) db.exec(statement);
  }
}

const B32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const rand = (n, alphabet = B32) =>
  Array.from({ length: n }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join("");
const id = (prefix) => `${prefix}_${rand(36)}`;
const hex = (n = 64) => rand(n, "0123456789abcdef");
let t = Date.parse("2026-01-01T00:00:00Z");
const iso = () => {
  t += 1000;
  return new Date(t).toISOString();
};
const path40 = () => `src/${rand(6).toLowerCase()}/${rand(8).toLowerCase()}/${rand(12).toLowerCase()}.tsx`; // 40 bytes
const USERS = Array.from({ length: 200 }, () => id("usr"));
const PROJECTS = Array.from({ length: 400 }, () => id("prj"));
const SESSIONS = Array.from({ length: 400 }, () => id("ses"));
const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];

/** Each table: how one row is made (positional values in column order of the INSERT). */
const TABLES = {
  users: () => [
    id("usr"),
    `${rand(10).toLowerCase()}@example.com`,
    rand(12).toLowerCase(),
    `pbkdf2-sha256$100000$${rand(22)}$${rand(43)}`,
    iso(),
    iso(),
  ],
  auth_sessions: () => [id("ses"), pick(USERS), "device", iso(), null, null],
  refresh_tokens: () => [hex(), pick(SESSIONS), iso(), iso(), iso()],
  devices: () => [id("dev"), pick(USERS), id("ses"), "Pixel 9", "android", iso(), null],
  projects: () => [
    id("prj"),
    pick(USERS),
    "My app",
    null,
    "expo",
    "App.tsx",
    12,
    iso(),
    iso(),
    id("syn"),
    null,
    null,
    310,
    3228646,
    iso(),
  ],
  mirror_files: (i) => [pick(PROJECTS), path40(), i, null, hex(), 4096],
  mirror_blobs: () => [pick(PROJECTS), hex(), 4096, iso()],
  mirror_syncs: (i) => [
    id("syn"),
    pick(PROJECTS),
    i,
    null,
    null,
    null,
    "succeeded",
    '{"file_count":310,"total_bytes":3228646,"languages":{"typescript":287,"json":15,"other":8}}',
    null,
    iso(),
    iso(),
  ],
  preview_sessions: () => [
    id("pvs"),
    pick(PROJECTS),
    pick(USERS),
    "web",
    12,
    "expired",
    hex(),
    iso(),
    iso(),
    iso(),
  ],
  preview_codes: () => [hex(), id("pvs"), iso()],
  notifications: () => [
    `ntf_${hex(32)}`,
    pick(USERS),
    "repo_sync_succeeded",
    pick(PROJECTS),
    `{"sync_id":"${id("syn")}","project_name":"My app","revision":12}`,
    iso(),
    null,
  ],
  comments: () => [id("cmt"), pick(PROJECTS), "user", pick(USERS), path40(), 10, 12, rand(200), iso(), iso()],
  ai_jobs: () => [
    id("job"),
    pick(USERS),
    pick(PROJECTS),
    "summarize_file",
    path40(),
    hex(),
    null,
    null,
    0,
    "succeeded",
    rand(2000),
    null,
    iso(),
    iso(),
  ],
  project_dependencies: () => [
    pick(PROJECTS),
    `pkg-${rand(8).toLowerCase()}`,
    `npm:pkg-${rand(8).toLowerCase()}@1.2.3`,
    `pkg-${rand(8).toLowerCase()}`,
    "1.2.3",
    hex(),
    20000,
    '["react"]',
  ],
  job_outbox: () => [
    id("syn"),
    "repo.sync",
    `{"kind":"repo.sync","sync_id":"${id("syn")}","project_id":"${id("prj")}","revision":12}`,
    0,
    iso(),
    iso(),
  ],
  idempotency_records: () => [`user:${id("usr")}`, rand(36), hex(), 201, rand(600), iso(), iso()],
  device_link_codes: () => [hex(), pick(USERS), iso(), iso(), null],
};
const ASSUMED = {
  mirror_files: "path 40 bytes",
  comments: "path 40 bytes, body 200 bytes",
  ai_jobs: "path 40 bytes, result 2,000 bytes",
  idempotency_records: "sealed response 600 bytes",
};

function columns(table) {
  return db
    .prepare(`PRAGMA table_info(${table})`)
    .all()
    .map((c) => c.name);
}

const results = {};
for (const [table, make] of Object.entries(TABLES)) {
  const cols = columns(table);
  const sample = make(0);
  if (sample.length !== cols.length)
    throw new Error(`${table}: ${sample.length} values for ${cols.length} columns (${cols})`);
  const insert = db.prepare(
    `INSERT INTO ${table} (${cols.map((c) => `"${c}"`).join(",")}) VALUES (${cols.map(() => "?").join(",")})`,
  );
  db.exec("BEGIN");
  for (let i = 0; i < ROWS; i++) insert.run(...make(i));
  db.exec("COMMIT");
  const btrees = db
    .prepare(
      "SELECT name, SUM(pgsize) AS bytes FROM dbstat WHERE name = ? OR name IN (SELECT name FROM sqlite_master WHERE tbl_name = ? AND type = 'index') GROUP BY name",
    )
    .all(table, table);
  const total = btrees.reduce((s, b) => s + Number(b.bytes), 0);
  results[table] = {
    bytes_per_row: Math.round(total / ROWS),
    btrees: Object.fromEntries(btrees.map((b) => [b.name, Math.round(Number(b.bytes) / ROWS)])),
    ...(ASSUMED[table] ? { assumed: ASSUMED[table] } : {}),
  };
}

console.log(
  JSON.stringify(
    {
      script: "bench/sim/d1-row-sizes.mjs",
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, loadavg: os.loadavg().map((x) => Math.round(x * 10) / 10) },
      sqlite: db.prepare("SELECT sqlite_version() AS v").get().v,
      rows_per_table: ROWS,
      results,
    },
    null,
    2,
  ),
);
