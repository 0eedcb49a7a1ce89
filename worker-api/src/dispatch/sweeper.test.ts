import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { QueueMessage } from "../../../schema/queue-messages";
import { call, createProject, json, pushFiles, registerUser, type TestUser } from "../../test/helpers";
import { database } from "../db";
import type { Env } from "../env";
import { insertSessionUnderCap } from "../preview/session-store";
import { previewStub } from "../preview/stub";
import { sweeperStub } from "./arm";
import type { JobSweeper } from "./job-sweeper";
import { findOutboxRow, insertOutboxRow } from "./outbox-store";
import { SWEEP } from "./policy";
import { sweep } from "./sweep";

const Internal = exports.Internal;
const db = database(env);

/** Queue producers that record what is sent (or refuse every send), so a sweep's sends can be read. */
function capturingEnv(options: { refuse?: boolean } = {}) {
  const sent: QueueMessage[] = [];
  const queue = {
    async send(message: QueueMessage) {
      if (options.refuse) throw new Error("queue unavailable");
      sent.push(message);
    },
    async sendBatch() {
      throw new Error("not used");
    },
  };
  const swept: Env = {
    ...env,
    PREVIEW_TASKS: queue,
    AI_JOBS: queue,
    REPO_SYNC: queue,
    NOTIFICATIONS: queue,
  } as unknown as Env;
  return { env: swept, sent };
}

/** The three kinds of accepted work on one fresh project: a repo sync, an AI job and a preview. */
async function acceptThree(user: TestUser) {
  const project = await createProject(user);
  const { sync_id, revision } = await pushFiles(user, project.id, { "src/a.ts": "export const a = 1;\n" });
  const job = await json<{ job_id: string }>(
    await call("/api/v1/ai/jobs", {
      token: user.access,
      body: { project_id: project.id, type: "summarize_file", file_path: "src/a.ts" },
    }),
  );
  const preview = await json<{ session_id: string }>(
    await call("/api/v1/preview/start", {
      token: user.access,
      body: { project_id: project.id, platform: "web" },
    }),
  );
  return { project, sync_id, revision, job_id: job.job_id, session_id: preview.session_id };
}

const createdAt = async (jobId: string) => Date.parse((await findOutboxRow(db, jobId))?.createdAt ?? "");
const plus = (t: number, ms: number) => new Date(t + ms);
const syncRow = (id: string) =>
  env.DB.prepare("SELECT status, error FROM mirror_syncs WHERE id = ?")
    .bind(id)
    .first<{ status: string; error: string | null }>();
const aiRow = (id: string) =>
  env.DB.prepare("SELECT status, error FROM ai_jobs WHERE id = ?")
    .bind(id)
    .first<{ status: string; error: string | null }>();
const codeOf = (row: { error: string | null } | null) =>
  row?.error ? (JSON.parse(row.error) as { code: string }).code : null;

beforeEach(async () => {
  // Storage is shared by the tests of a file: each test sweeps only its own rows.
  await env.DB.exec("DELETE FROM job_outbox");
});

describe("the dispatch outbox", () => {
  it("every accepted job gets its outbox row (the message that starts it) and the sweeper is armed", async () => {
    const user = await registerUser();
    const { project, sync_id, revision, job_id, session_id } = await acceptThree(user);
    const rows = await Promise.all([sync_id, job_id, session_id].map((id) => findOutboxRow(db, id)));
    expect(
      rows.map((r) => r && { kind: r.kind, message: JSON.parse(r.message), attempts: r.attempts }),
    ).toEqual([
      {
        kind: "repo.sync",
        message: { kind: "repo.sync", sync_id, project_id: project.id, revision },
        attempts: 0,
      },
      { kind: "ai.run", message: { kind: "ai.run", job_id }, attempts: 0 },
      {
        kind: "preview.build",
        message: { kind: "preview.build", session_id, project_id: project.id, revision },
        attempts: 0,
      },
    ]);
    for (const row of rows) {
      expect(Date.parse(row?.checkAt ?? "") - Date.parse(row?.createdAt ?? "")).toBe(SWEEP.firstCheckMs);
    }
    const alarm = await runInDurableObject(sweeperStub(env), (_: JobSweeper, ctx) => ctx.storage.getAlarm());
    expect(alarm).not.toBeNull();
  });

  it("a commit that loses its revision race writes no outbox row (one batch with the change set)", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await pushFiles(user, project.id, { "a.txt": "a" });
    await env.DB.exec("DELETE FROM job_outbox");
    await expect(pushFiles(user, project.id, { "b.txt": "b" }, 0)).rejects.toThrow(/409/);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM job_outbox").first<{ n: number }>())?.n).toBe(0);
  });
});

describe("the sweeper's decisions", () => {
  it("re-sends lost work after 20 s without a sign of life, every 20 s, then fails it with `stranded` once", async () => {
    const user = await registerUser();
    const { sync_id, job_id, session_id } = await acceptThree(user);
    const t0 = await createdAt(session_id);
    const { env: swept, sent } = capturingEnv();

    // Not yet: a healthy job is delivered in milliseconds; its row is looked at after 20 s.
    expect((await sweep(swept, plus(t0, SWEEP.firstCheckMs - 1000))).resent).toEqual([]);
    const resends: string[][] = [];
    for (let i = 1; i <= SWEEP.maxResends; i++) {
      const at = t0 + 1000 + SWEEP.firstCheckMs + (i - 1) * SWEEP.resendEveryMs;
      const report = await sweep(swept, new Date(at));
      resends.push([...report.resent].sort());
      // Half-way to the next look: nothing is due.
      expect((await sweep(swept, new Date(at + SWEEP.resendEveryMs / 2))).resent).toEqual([]);
    }
    expect(resends).toEqual(Array(SWEEP.maxResends).fill([sync_id, job_id, session_id].sort()));
    expect(sent.filter((m) => m.kind !== "notify")).toHaveLength(3 * SWEEP.maxResends);
    expect(new Set(sent.map((m) => JSON.stringify(m)))).toEqual(
      new Set(
        await Promise.all(
          [sync_id, job_id, session_id].map(async (id) => (await findOutboxRow(db, id))?.message),
        ),
      ),
    );
    expect((await findOutboxRow(db, job_id))?.attempts).toBe(SWEEP.maxResends);

    const giveUp = t0 + 1000 + SWEEP.firstCheckMs + SWEEP.maxResends * SWEEP.resendEveryMs;
    const last = await sweep(swept, new Date(giveUp));
    expect(last.stranded.sort()).toEqual([sync_id, job_id, session_id].sort());
    expect(last.resent).toEqual([]);
    expect(codeOf(await syncRow(sync_id))).toBe("stranded");
    expect((await syncRow(sync_id))?.status).toBe("failed");
    expect((await aiRow(job_id))?.status).toBe("failed");
    expect(codeOf(await aiRow(job_id))).toBe("stranded");
    const state = await previewStub(env, session_id).get();
    expect(state?.status).toBe("failed");
    expect(state?.error?.code).toBe("stranded");
    for (const id of [sync_id, job_id, session_id]) expect(await findOutboxRow(db, id)).toBeUndefined();
    // Through the same paths as any other end: one failure notification each (the preview's
    // object notifies through its own queue binding).
    const notes = sent.filter((m) => m.kind === "notify");
    expect(notes.map((m) => m.kind === "notify" && [m.type, m.payload.error_code]).sort()).toEqual([
      ["ai_job_failed", "stranded"],
      ["repo_sync_failed", "stranded"],
    ]);
    // A later sweep finds nothing left to do.
    const after = await sweep(swept, new Date(giveUp + 60_000));
    expect([...after.resent, ...after.stranded, ...after.removed]).toEqual([]);
  });

  it("a consumer starting the job is a sign of life: re-sends start over, the next look is a lease away", async () => {
    const user = await registerUser();
    const { sync_id, job_id, session_id } = await acceptThree(user);
    const { env: swept } = capturingEnv();
    const t0 = await createdAt(job_id);
    await sweep(swept, plus(t0, SWEEP.firstCheckMs + 1000));
    expect((await findOutboxRow(db, job_id))?.attempts).toBe(1);

    const started = Date.now();
    expect(await Internal.startAiJob(job_id)).not.toBeNull();
    expect(await Internal.startSync(sync_id)).not.toBeNull();
    expect(await Internal.startPreviewBuild(session_id)).not.toBeNull();
    for (const id of [sync_id, job_id, session_id]) {
      const row = await findOutboxRow(db, id);
      expect(row?.attempts).toBe(0);
      expect(Date.parse(row?.checkAt ?? "")).toBeGreaterThanOrEqual(started + SWEEP.leaseMs);
    }
    // Running within its lease: left alone.
    expect((await sweep(swept, plus(started, SWEEP.leaseMs - 1000))).resent).toEqual([]);
    // The lease ran out with no report: the run died with its message, so it is sent again.
    const report = await sweep(swept, plus(started, SWEEP.leaseMs + 1000));
    expect(report.resent.sort()).toEqual([sync_id, job_id, session_id].sort());

    // Reports that end the work remove the rows (in the job's own batch for syncs and AI jobs).
    const stats = { file_count: 1, total_bytes: 1, languages: { TypeScript: 1 } };
    await Internal.recordSyncResult(sync_id, { status: "succeeded", stats });
    await Internal.finishAiJob(job_id, {
      status: "succeeded",
      result: { summary: "s", sections: [], provider: "local", model: "static-analysis" },
    });
    await Internal.reportPreviewResult(session_id, {
      status: "ready",
      bundle: { file_count: 1, total_bytes: 1, manifest_sha256: "0".repeat(64) },
    });
    for (const id of [sync_id, job_id, session_id]) expect(await findOutboxRow(db, id)).toBeUndefined();
  });

  it("a sign of life that lands while the sweeper looks wins over its re-send count", async () => {
    const user = await registerUser();
    const { job_id } = await acceptThree(user);
    const t0 = await createdAt(job_id);
    const { env: swept } = capturingEnv();
    for (let i = 0; i < SWEEP.maxResends; i++)
      await sweep(swept, plus(t0, 1000 + SWEEP.firstCheckMs * (i + 1)));
    expect((await findOutboxRow(db, job_id))?.attempts).toBe(SWEEP.maxResends);
    // The consumer finally got a message: the job is alive again and is not given up.
    await Internal.startAiJob(job_id);
    const report = await sweep(swept, plus(t0, 1000 + SWEEP.firstCheckMs * (SWEEP.maxResends + 1)));
    expect(report.stranded).not.toContain(job_id);
    expect(report.resent).toContain(job_id);
    expect((await aiRow(job_id))?.status).toBe("running");
  });

  it("a queue that refuses every re-send still ends the work with `stranded` after the same number of looks", async () => {
    const user = await registerUser();
    const { sync_id, job_id, session_id } = await acceptThree(user);
    const t0 = await createdAt(session_id);
    const { env: swept, sent } = capturingEnv({ refuse: true });
    const stranded: string[] = [];
    for (let i = 0; i <= SWEEP.maxResends; i++) {
      const report = await sweep(swept, new Date(t0 + 1000 + SWEEP.firstCheckMs + i * SWEEP.resendEveryMs));
      expect(report.resent).toEqual([]);
      stranded.push(...report.stranded);
    }
    expect(stranded.sort()).toEqual([sync_id, job_id, session_id].sort());
    expect(sent).toEqual([]);
    expect(codeOf(await syncRow(sync_id))).toBe("stranded");
    expect(codeOf(await aiRow(job_id))).toBe("stranded");
    expect((await previewStub(env, session_id).get())?.error?.code).toBe("stranded");
  });

  it("drops rows of finished or deleted work without re-sending anything", async () => {
    const user = await registerUser();
    const { sync_id, job_id, session_id } = await acceptThree(user);
    await previewStub(env, session_id).report({ status: "cancelled" });
    // A job whose outbox row outlived it (e.g. deleted with its project).
    await env.DB.prepare("DELETE FROM ai_jobs WHERE id = ?").bind(job_id).run();
    await env.DB.prepare("UPDATE mirror_syncs SET status = 'succeeded' WHERE id = ?").bind(sync_id).run();
    const { env: swept, sent } = capturingEnv();
    const report = await sweep(swept, plus(await createdAt(session_id), SWEEP.firstCheckMs + 1000));
    expect(report.removed.sort()).toEqual([sync_id, job_id, session_id].sort());
    expect(sent).toEqual([]);
  });

  it("a preview start that died before creating its session: kept for the grace, then its index row ends `failed`", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await pushFiles(user, project.id, { "a.ts": "a" });
    await env.DB.exec("DELETE FROM job_outbox"); // the push's own sync is not what this test sweeps
    const sessionId = `pvs_${crypto.randomUUID().replaceAll("-", "")}`;
    const now = new Date();
    // What the start handler writes before the process died: the outbox row, then the D1 index row,
    // but never the session's object.
    await insertOutboxRow(db, {
      kind: "preview.build",
      session_id: sessionId,
      project_id: project.id,
      revision: 1,
    });
    await insertSessionUnderCap(
      db,
      {
        id: sessionId,
        projectId: project.id,
        userId: user.id,
        platform: "web",
        revision: 1,
        codeHash: crypto.randomUUID().replaceAll("-", "").repeat(2),
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 1_800_000).toISOString(),
      },
      10,
    );
    // And a row whose start never got as far as the D1 row (or lost the race for the cap).
    const orphanId = `pvs_${crypto.randomUUID().replaceAll("-", "")}`;
    await insertOutboxRow(db, {
      kind: "preview.build",
      session_id: orphanId,
      project_id: project.id,
      revision: 1,
    });
    const t0 = await createdAt(orphanId);
    const { env: swept, sent } = capturingEnv();

    const early = await sweep(swept, plus(t0, SWEEP.firstCheckMs + 1000));
    expect(early.waiting.sort()).toEqual([sessionId, orphanId].sort());
    expect(await findOutboxRow(db, orphanId)).toBeDefined();
    const late = await sweep(swept, plus(t0, SWEEP.orphanGraceMs + 1000));
    expect(late.removed.sort()).toEqual([sessionId, orphanId].sort());
    expect(sent).toEqual([]);
    const row = await env.DB.prepare("SELECT status FROM preview_sessions WHERE id = ?")
      .bind(sessionId)
      .first<{ status: string }>();
    expect(row?.status).toBe("failed");
  });
});

describe("the sweeper's alarm", () => {
  const stub = () => sweeperStub(env);
  const alarmOf = () => runInDurableObject(stub(), (_: JobSweeper, ctx) => ctx.storage.getAlarm());
  const forgetArming = () =>
    runInDurableObject(stub(), async (_: JobSweeper, ctx) => {
      await ctx.storage.put("armed_at", 0);
    });

  it("runs while the outbox holds work, lingers after the last arming, then stops; the cron's kick re-arms it", async () => {
    await stub().ensureArmed();
    expect(await alarmOf()).not.toBeNull();
    // Just armed, outbox empty: the alarm keeps running (a row may be on its way).
    expect(await runDurableObjectAlarm(stub())).toBe(true);
    const lingering = await alarmOf();
    expect(lingering).not.toBeNull();
    expect((lingering ?? 0) - Date.now()).toBeLessThanOrEqual(SWEEP.tickMs);

    // Long after the last arming, with an empty outbox: it stops.
    await forgetArming();
    expect(await runDurableObjectAlarm(stub())).toBe(true);
    expect(await alarmOf()).toBeNull();

    // Work in the outbox keeps it running, at most a tick apart.
    await insertOutboxRow(db, { kind: "ai.run", job_id: `job_${crypto.randomUUID().replaceAll("-", "")}` });
    await stub().kick();
    expect(await alarmOf()).not.toBeNull();
    await forgetArming();
    expect(await runDurableObjectAlarm(stub())).toBe(true);
    const next = await alarmOf();
    expect(next).not.toBeNull();
    expect((next ?? 0) - Date.now()).toBeLessThanOrEqual(SWEEP.tickMs);

    // kick() leaves an alarm that is set alone.
    await stub().kick();
    expect(await alarmOf()).toBe(next);
  });
});
