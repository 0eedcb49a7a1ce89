// `npm run bench`: boots the local stack as users run it (`wrangler dev`, both Workers), generates
// a realistic project and measures time to preview, delta re-preview, status-poll cost, mirror
// push and AI jobs. Prints a table and writes bench/results/latest.json. No test runner timing.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { HiveSyncClient, startPreview, syncFolder, waitForAiJob } from "../clients/desktop/src";
import { startLocalStack } from "../clients/e2e/local-stack";
import { fetchBundle, MemoryBlobStore, resolvePreview } from "../clients/mobile/src";
import { writeFixture } from "./fixture";

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 24);
const AI_JOBS = Number(process.env.BENCH_AI_JOBS ?? 10);
const LOAD = {
  connections: Number(process.env.BENCH_CONNECTIONS ?? 16),
  duration: Number(process.env.BENCH_SECONDS ?? 8),
};

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[index] ?? 0) * 10) / 10;
}

async function load(url: string, headers: Record<string, string>, expectStatus: number) {
  const result = await autocannon({ url, headers, ...LOAD });
  const wrong = Object.entries(result.statusCodeStats ?? {})
    .filter(([code]) => Number(code) !== expectStatus)
    .reduce((n, [, s]) => n + (s as { count: number }).count, 0);
  if (wrong > 0 || result.errors > 0) {
    throw new Error(`load on ${url}: ${wrong} responses other than ${expectStatus}, ${result.errors} errors`);
  }
  return {
    rps: Math.round(result.requests.average),
    p99_ms: result.latency.p99,
    total: result.requests.total,
  };
}

async function main() {
  const work = await mkdtemp(path.join(tmpdir(), "hivesync-bench-"));
  // The general per-user limit (1,200/min) would turn a load test into a 429 test.
  const stack = await startLocalStack({
    vars: {
      RATE_LIMIT_GENERAL: "100000000",
      RATE_LIMIT_PREVIEW_STARTS_PER_HOUR: "100000",
      RATE_LIMIT_AI_JOBS_PER_HOUR: "100000",
      MAX_ACTIVE_PREVIEWS: "1000",
    },
  });
  try {
    const projectDir = path.join(work, "app");
    const fixture = await writeFixture(projectDir);
    const desktop = new HiveSyncClient({ baseUrl: stack.url });
    await desktop.auth.register({
      email: "bench@example.com",
      username: "bench",
      password: "benchmark password",
    });
    const project = await desktop.projects.create({ name: "bench-app", framework: "expo", entry: "App.tsx" });

    // 4. Mirror push: cold, then unchanged.
    let t = performance.now();
    const cold = await syncFolder(desktop, project.id, projectDir, { concurrency: 8 });
    const pushMs = performance.now() - t;
    t = performance.now();
    const repush = await syncFolder(desktop, project.id, projectDir);
    const repushMs = performance.now() - t;
    if (repush.committed || repush.uploaded_files !== 0)
      throw new Error("an unchanged re-push sent something");

    // 1. Time to preview: POST /preview/start → ready observed by long-poll.
    const times: number[] = [];
    let lastSession = "";
    for (let i = 0; i < SESSIONS; i++) {
      const start = performance.now();
      const started = await startPreview(desktop, project.id, { platform: "ios" });
      let version = 1;
      for (;;) {
        const poll = await desktop.previews.pollStatus(started.session_id, {
          sinceVersion: version,
          waitSeconds: 20,
        });
        version = poll.version;
        if (!poll.changed) continue;
        if (poll.status.status === "ready") break;
        if (poll.status.status !== "pending" && poll.status.status !== "building")
          throw new Error(`preview ${poll.status.status}`);
      }
      times.push(performance.now() - start);
      lastSession = started.code;
      if (i < SESSIONS - 1) await desktop.previews.cancel(started.session_id);
    }

    // 2. Delta re-preview: a warm phone cache, one small file edited.
    const phone = new HiveSyncClient({ baseUrl: stack.url });
    const store = new MemoryBlobStore();
    const full = await fetchBundle(await resolvePreview(phone, lastSession), { store });
    const small = path.join(projectDir, fixture.smallFile);
    await writeFile(small, `${await readFile(small, "utf8")}// edited\n`);
    const delta = await syncFolder(desktop, project.id, projectDir);
    const again = await startPreview(desktop, project.id, { platform: "ios" });
    await resolvePreview(phone, again.code).then((h) => h.waitUntilReady());
    const deltaDownload = await fetchBundle(await resolvePreview(phone, again.code), { store });
    const fullBytes = full.downloaded_bytes;

    // 3. Status-poll cost under fixed concurrency, against /health (a no-I/O route through the same
    //    Hono app, middleware and runtime) as the baseline.
    const token = (await desktop.tokenStore.get())?.access_token ?? "";
    const status = await desktop.previews.status(again.session_id);
    const statusUrl = `${stack.url}/api/v1/preview/sessions/${again.session_id}/status`;
    const auth = { authorization: `Bearer ${token}` };
    const baseline = await load(`${stack.url}/health`, {}, 200);
    const poll304 = await load(statusUrl, { ...auth, "if-none-match": `"${status.version}"` }, 304);
    const poll200 = await load(statusUrl, auth, 200);

    // 5. AI job end to end with the local provider.
    const aiTimes: number[] = [];
    for (let i = 0; i < AI_JOBS; i++) {
      const start = performance.now();
      const job = await desktop.ai.create({
        project_id: project.id,
        type: "summarize_file",
        file_path: `src/components/module${i * 5}.tsx`,
      });
      const done = await waitForAiJob(desktop, job.job_id, { intervalMs: 20 });
      if (done.status !== "succeeded") throw new Error(`AI job ${done.status}`);
      aiTimes.push(performance.now() - start);
    }

    const results = {
      machine: {
        cpus: cpus().length,
        cpu_model: cpus()[0]?.model ?? "unknown",
        memory_gb: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        date: new Date().toISOString(),
      },
      project: { files: fixture.files, bytes: fixture.bytes },
      time_to_preview_ms: {
        p50: percentile(times, 50),
        p95: percentile(times, 95),
        max: percentile(times, 100),
        n: times.length,
      },
      repreview: {
        full_bytes: fullBytes,
        delta_upload_bytes: delta.uploaded_bytes,
        delta_download_bytes: deltaDownload.downloaded_bytes,
        upload_ratio: Math.round((delta.uploaded_bytes / fullBytes) * 1e6) / 1e6,
        download_ratio: Math.round((deltaDownload.downloaded_bytes / fullBytes) * 1e6) / 1e6,
      },
      status_poll: {
        rps: poll304.rps,
        p99_ms: poll304.p99_ms,
        rps_200: poll200.rps,
        p99_ms_200: poll200.p99_ms,
        baseline_rps: baseline.rps,
        baseline_p99_ms: baseline.p99_ms,
        ratio: Math.round((poll304.rps / baseline.rps) * 100) / 100,
        ratio_200: Math.round((poll200.rps / baseline.rps) * 100) / 100,
        connections: LOAD.connections,
        seconds: LOAD.duration,
      },
      mirror_push: {
        files: cold.files,
        bytes: fixture.bytes,
        uploaded_bytes: cold.uploaded_bytes,
        ms: Math.round(pushMs),
        repush_ms: Math.round(repushMs),
      },
      ai_job_ms: { p50: percentile(aiTimes, 50), n: aiTimes.length },
    };
    const goals = {
      "time to preview p50 ≤ 500 ms": results.time_to_preview_ms.p50 <= 500,
      "one-file re-preview ≤ 2 % up": results.repreview.upload_ratio <= 0.02,
      "one-file re-preview ≤ 2 % down": results.repreview.download_ratio <= 0.02,
      "status poll ≥ 0.5 × empty route": results.status_poll.ratio >= 0.5,
    };
    await mkdir(path.join(import.meta.dirname, "results"), { recursive: true });
    await writeFile(
      path.join(import.meta.dirname, "results/latest.json"),
      `${JSON.stringify({ ...results, goals }, null, 2)}\n`,
    );

    const rows: [string, string][] = [
      ["project", `${results.project.files} files, ${(results.project.bytes / 1e6).toFixed(2)} MB`],
      [
        "time to preview",
        `p50 ${results.time_to_preview_ms.p50} ms, p95 ${results.time_to_preview_ms.p95} ms, max ${results.time_to_preview_ms.max} ms (n=${times.length})`,
      ],
      [
        "one-file re-preview",
        `up ${results.repreview.delta_upload_bytes} B, down ${results.repreview.delta_download_bytes} B of ${results.repreview.full_bytes} B (${(results.repreview.download_ratio * 100).toFixed(3)} %)`,
      ],
      ["status poll (304)", `${results.status_poll.rps} req/s, p99 ${results.status_poll.p99_ms} ms`],
      ["status poll (200)", `${results.status_poll.rps_200} req/s, p99 ${results.status_poll.p99_ms_200} ms`],
      [
        "empty route (/health)",
        `${results.status_poll.baseline_rps} req/s, p99 ${results.status_poll.baseline_p99_ms} ms → ratio ${results.status_poll.ratio}`,
      ],
      [
        "mirror push",
        `cold ${results.mirror_push.ms} ms (${results.mirror_push.files} files), unchanged ${results.mirror_push.repush_ms} ms`,
      ],
      ["AI job (local)", `p50 ${results.ai_job_ms.p50} ms (n=${aiTimes.length})`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log(
      `\nHiveSync benchmark — ${results.machine.cpus} cores, ${results.machine.memory_gb} GiB, ${results.machine.node}\n`,
    );
    for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
    console.log("");
    for (const [goal, met] of Object.entries(goals)) console.log(`  ${met ? "✓" : "✗"} ${goal}`);
    console.log("\nWrote bench/results/latest.json");
    process.exitCode = Object.values(goals).every(Boolean) ? 0 : 1;
  } finally {
    await stack.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
