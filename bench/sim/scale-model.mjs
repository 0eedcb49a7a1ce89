// Arithmetic model for docs/scale.md ("a million users"). No I/O but one file read; not part of
// `npm run bench`.
//
//   node_modules/.bin/node bench/sim/scale-model.mjs [results/d1-row-sizes-….json]
//
// Three kinds of input, kept apart:
//   COST    what one operation costs, counted from the code (docs/scale.md, "Every route", has the
//           file and function of each count). Change these when the code changes.
//   ROW     bytes per D1 row with its indexes, measured by bench/sim/d1-row-sizes.mjs.
//   ASSUME  how people use HiveSync. Nobody has measured this yet: every one is a guess, named.
// and LIMITS, Cloudflare's published numbers (docs/scale.md cites the page of each).
import { readFileSync } from "node:fs";
import path from "node:path";

const rowsFile = process.argv[2] ?? path.join(import.meta.dirname, "results/d1-row-sizes-2026-12-01.json");
const ROW = Object.fromEntries(
  Object.entries(JSON.parse(readFileSync(rowsFile, "utf8")).results).map(([t, r]) => [t, r.bytes_per_row]),
);

// ------------------------------------------------------------------ ASSUME (guesses, not data)
const ASSUME = {
  users: 1_000_000,
  dailyActiveShare: 0.1, // 10 % of users active on a given day
  devicesPerActiveUser: 2, // a desktop (CLI) and a phone
  onlineHoursPerDevice: 4, // hours a day each device runs the notification poller
  pushesPerDay: { watch: 100, manual: 10 }, // `hivesync preview --watch` commits on every save
  changedFilesPerPush: 2,
  projectFiles: 310, // the bench fixture (bench/fixtures/project.ts): 310 files, 3.23 MB
  avgChangedFileBytes: 4500, // the fixture's sources are 1–8 KB
  liveSessionsDuringPushes: 1, // one preview open while editing
  assetModulesReached: 6, // the fixture's six binary assets
  previewStartsPerDay: 5,
  aiJobsPerDay: 5,
  peakToAverage: 3,
  d1WriteMs: 3, // "several milliseconds" (D1 limits FAQ); reads "less than a millisecond"
  d1ReadMs: 1,
};

// ------------------------------------------------------------------ LIMITS (cited in docs/scale.md)
const LIMITS = {
  d1BytesPerDb: 10e9, // 10 GB, cannot be raised
  d1QueriesPerSecAt1ms: 1000, // single-threaded: ~1,000 queries/s at 1 ms each
  queueMsgsPerSec: 5000, // per queue
  doSoftRequestsPerSec: 1000, // per object
  r2ClassBPerMillionUsd: 0.36, // not used for limits; kept for the cost line only
};

// ------------------------------------------------------------------ COST (counted from the code)
// d1: round trips (a batch is one), d1w: of which writes; r2a/r2b: R2 class A / class B operations;
// q: queue sends; sweeper: calls to the JobSweeper singleton; rows: D1 rows added, by table.
const k = ASSUME.liveSessionsDuringPushes;
const c = ASSUME.changedFilesPerPush;
const COST = {
  // One push of c changed files with a mirror snapshot and unchanged dependencies: GET mirror,
  // POST blobs/missing, POST blobs/batch, POST mirror/changes, POST blobs/missing (dependency
  // blobs), PUT dependencies (clients/desktop/src/sync-folder.ts, dependencies/sync-dependencies.ts).
  pushApi: {
    requests: 6,
    d1: 2 + 2 + 2 + (4 + 1) + 2 + 3,
    d1w: 2,
    r2a: c,
    r2b: 0,
    q: 1 + k,
    sweeper: 1,
    rows: { mirror_syncs: 1, mirror_files: c, mirror_blobs: c },
  },
  // handlers/repo-sync.ts: startSync, getMirrorFiles, a head per file, the snapshot, the result
  // (finishJob + findProject) and its notification (notify → createNotification).
  repoSync: { d1: 1 + 1 + 2 + 1, d1w: 3, r2a: 1, r2b: ASSUME.projectFiles, q: 1, rows: { notifications: 1 } },
  // handlers/preview-build.ts for an update of a ready session: startPreviewBuild (removeOutboxRow,
  // findProject), getMirrorFiles, getDependencies, per changed module get + head + put, the previous
  // manifest, a head per asset, the manifest put, reportPreviewResult (removeOutboxRow).
  previewUpdate: {
    d1: 2 + 1 + 1 + 1,
    d1w: 2,
    r2a: c + 1,
    r2b: 2 * c + 1 + ASSUME.assetModulesReached,
    q: 0,
    sessionDo: 3,
  },
  // GET /notifications: listNotifications, countUnread (notifications/handlers.ts); authentication
  // is the user's UserSessions object, not D1 (since 98f8d02).
  notificationPoll: { d1: 2, d1w: 0 },
  // POST /auth/refresh: claimRefreshToken, findSessionUserId, the new token (auth/sessions.ts).
  refresh: { d1: 3, d1w: 2, rows: { refresh_tokens: 1 } },
  // POST /preview/start (3 D1, 2 writes), the first build (7, 4 writes), its three notifications and
  // the expiry's D1 update; rows: session, code, notifications.
  preview: {
    d1: 3 + 7 + 3 + 1,
    d1w: 2 + 4 + 3 + 1,
    q: 2 + 2,
    sweeper: 1,
    rows: { preview_sessions: 1, preview_codes: 1, notifications: 3 },
  },
  // POST /ai/jobs (3 D1, 1 write) + startAiJob + finishAiJob + its notification.
  aiJob: { d1: 3 + 1 + 1 + 1, d1w: 1 + 1 + 1 + 1, q: 2, sweeper: 1, rows: { ai_jobs: 1, notifications: 1 } },
};

// Snapshot JSON per file ({path, sha256, size}, handlers/repo-sync.ts), with a 40-byte path.
const SNAPSHOT_BYTES_PER_FILE =
  JSON.stringify({ path: "src/abcdef/ghijklmn/opqrstuvwxyz.tsx", sha256: "a".repeat(64), size: 4096 })
    .length + 1;

function perActiveUserDay(profile) {
  const pushes = ASSUME.pushesPerDay[profile];
  const polls = ASSUME.devicesPerActiveUser * ASSUME.onlineHoursPerDevice * (3600 / 10); // poller default 10 s
  const refreshes = ASSUME.devicesPerActiveUser * ASSUME.onlineHoursPerDevice * 4; // 15-minute tokens
  const add = (acc, cost, times) => {
    for (const key of ["requests", "d1", "d1w", "r2a", "r2b", "q", "sweeper", "sessionDo"])
      acc[key] += (cost[key] ?? 0) * times;
    for (const [table, n] of Object.entries(cost.rows ?? {}))
      acc.rows[table] = (acc.rows[table] ?? 0) + n * times;
  };
  const day = { requests: 0, d1: 0, d1w: 0, r2a: 0, r2b: 0, q: 0, sweeper: 0, sessionDo: 0, rows: {} };
  add(day, COST.pushApi, pushes);
  add(day, COST.repoSync, pushes);
  add(day, COST.previewUpdate, pushes * k);
  add(day, COST.notificationPoll, polls);
  add(day, COST.refresh, refreshes);
  add(day, COST.preview, ASSUME.previewStartsPerDay);
  add(day, COST.aiJob, ASSUME.aiJobsPerDay);
  day.d1PollShare = (polls * COST.notificationPoll.d1) / day.d1;
  day.d1Bytes = Object.entries(day.rows).reduce((s, [t, n]) => s + n * ROW[t], 0);
  day.d1BytesByTable = Object.fromEntries(
    Object.entries(day.rows).map(([t, n]) => [t, Math.round(n * ROW[t])]),
  );
  // R2 bytes kept: changed blobs, their transformed modules (about the source's size), the snapshot.
  day.r2Bytes = pushes * (c * ASSUME.avgChangedFileBytes * 2 + ASSUME.projectFiles * SNAPSHOT_BYTES_PER_FILE);
  day.r2SnapshotShare = (pushes * ASSUME.projectFiles * SNAPSHOT_BYTES_PER_FILE) / day.r2Bytes;
  return day;
}

function atScale(profile) {
  const day = perActiveUserDay(profile);
  const active = ASSUME.users * ASSUME.dailyActiveShare;
  const perSec = (x) => (x * active) / 86400;
  const peak = (x) => perSec(x) * ASSUME.peakToAverage;
  const d1Seconds =
    peak(day.d1w) * (ASSUME.d1WriteMs / 1000) + peak(day.d1 - day.d1w) * (ASSUME.d1ReadMs / 1000);
  const bytesPerDay = day.d1Bytes * active;
  const round = (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d;
  return {
    profile,
    per_active_user_day: {
      api_requests_besides_polls: round(day.requests),
      d1_round_trips: round(day.d1),
      d1_writes: round(day.d1w),
      d1_share_notification_polls: round(day.d1PollShare, 2),
      d1_bytes_added: round(day.d1Bytes),
      d1_bytes_by_table: day.d1BytesByTable,
      r2_class_a: round(day.r2a),
      r2_class_b: round(day.r2b),
      r2_bytes_kept: round(day.r2Bytes),
      r2_share_snapshots: round(day.r2SnapshotShare, 2),
      queue_messages: round(day.q),
      job_sweeper_calls: round(day.sweeper),
    },
    at_scale: {
      active_users: active,
      d1_queries_per_s_peak: round(peak(day.d1)),
      d1_writes_per_s_peak: round(peak(day.d1w)),
      d1_busy_seconds_per_second_peak: round(d1Seconds, 1),
      d1_databases_for_throughput: Math.ceil(d1Seconds),
      d1_bytes_per_day: round(bytesPerDay),
      days_until_one_db_is_full: round(LIMITS.d1BytesPerDb / bytesPerDay, 2),
      d1_databases_for_a_year_of_rows: Math.ceil((bytesPerDay * 365) / LIMITS.d1BytesPerDb),
      r2_bytes_per_year: round(day.r2Bytes * active * 365),
      r2_class_b_per_s_peak: round(peak(day.r2b)),
      queue_messages_per_s_peak_all_queues: round(peak(day.q)),
      job_sweeper_calls_per_s_peak: round(peak(day.sweeper)),
      job_sweeper_share_of_soft_limit: round(peak(day.sweeper) / LIMITS.doSoftRequestsPerSec, 2),
      active_users_where_d1_throughput_binds: round(active / d1Seconds),
      active_users_where_sweeper_binds: round(active / (peak(day.sweeper) / LIMITS.doSoftRequestsPerSec)),
    },
  };
}

// ------------------------------------------------------------------ with the mitigations of docs/scale.md
// What the plan changes, per active user and day (watch profile), and what D1 then holds per
// registered user once retention runs. MITIGATE are design targets, not measurements.
const MITIGATE = {
  pollsThatSeeAChange: 0.1, // the rest are answered by the user's notification object, no D1
  retentionDays: 30, // notifications, used refresh tokens, syncs, ended preview rows, AI jobs
  usersWithAProject: 0.5,
  projectsPerUserWithOne: 1,
  historyRevisionsKept: 100, // mirror_files rows of older revisions compacted away
};
function mitigated() {
  const profile = "watch";
  const pushes = ASSUME.pushesPerDay[profile];
  const polls = ASSUME.devicesPerActiveUser * ASSUME.onlineHoursPerDevice * (3600 / 10);
  const day = perActiveUserDay(profile);
  // Polls: only those that see a change reach D1; repo-sync heads only the blobs the commit added.
  const d1 = day.d1 - polls * COST.notificationPoll.d1 * (1 - MITIGATE.pollsThatSeeAChange);
  const r2b = day.r2b - pushes * (ASSUME.projectFiles - c);
  const r2Bytes = pushes * c * ASSUME.avgChangedFileBytes * 2; // no full snapshot per revision
  const active = ASSUME.users * ASSUME.dailyActiveShare;
  const peak = (x) => ((x * active) / 86400) * ASSUME.peakToAverage;
  const d1Seconds = peak(day.d1w) * (ASSUME.d1WriteMs / 1000) + peak(d1 - day.d1w) * (ASSUME.d1ReadMs / 1000);
  // Steady state per registered user: retained rows of the active days in the window, plus what
  // stays: the user, their project, its current tree and the history kept, its blobs.
  const activeDaysInWindow = MITIGATE.retentionDays * ASSUME.dailyActiveShare;
  const retained = ["notifications", "refresh_tokens", "mirror_syncs", "preview_sessions", "ai_jobs"];
  const retainedBytes =
    retained.reduce((sum, t) => sum + (day.rows[t] ?? 0) * ROW[t], 0) * activeDaysInWindow;
  const projects = MITIGATE.usersWithAProject * MITIGATE.projectsPerUserWithOne;
  const treeRows = ASSUME.projectFiles + MITIGATE.historyRevisionsKept * c;
  const permanent =
    ROW.users +
    projects * (ROW.projects + treeRows * ROW.mirror_files + treeRows * ROW.mirror_blobs) +
    (day.rows.preview_codes ?? 0) * ROW.preview_codes * 365 * ASSUME.dailyActiveShare; // codes are kept forever
  const perUser = retainedBytes + permanent;
  const round = (x, dg = 0) => Math.round(x * 10 ** dg) / 10 ** dg;
  return {
    profile: `${profile}, mitigated`,
    mitigate: MITIGATE,
    per_active_user_day: { d1_round_trips: round(d1), r2_class_b: round(r2b), r2_bytes_kept: round(r2Bytes) },
    at_scale: {
      d1_queries_per_s_peak: round(peak(d1)),
      d1_busy_seconds_per_second_peak: round(d1Seconds, 1),
      d1_databases_for_throughput: Math.ceil(d1Seconds),
      d1_bytes_per_registered_user_steady: round(perUser),
      d1_bytes_all_users_steady: round(perUser * ASSUME.users),
      d1_databases_for_storage_at_half_full: Math.ceil((perUser * ASSUME.users) / (LIMITS.d1BytesPerDb / 2)),
      r2_bytes_per_year: round(r2Bytes * active * 365),
      r2_class_b_per_s_peak: round(peak(r2b)),
    },
  };
}

console.log(
  JSON.stringify(
    {
      script: "bench/sim/scale-model.mjs",
      row_sizes_from: path.relative(process.cwd(), rowsFile),
      assume: ASSUME,
      limits: LIMITS,
      snapshot_bytes_per_file: SNAPSHOT_BYTES_PER_FILE,
      profiles: [atScale("watch"), atScale("manual"), mitigated()],
    },
    null,
    2,
  ),
);
