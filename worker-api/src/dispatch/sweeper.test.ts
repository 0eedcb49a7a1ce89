import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { PreviewStatusResponse } from "../../../schema/api/previews";
import type { QueueMessage } from "../../../schema/queue-messages";
import { call, createProject, json, pushFiles, registerUser, type TestUser } from "../../test/helpers";
import { database } from "../db";
import type { Env } from "../env";
import { insertSessionUnderCap } from "../preview/session-store";
import { previewStub } from "../preview/stub";
import { sweeperStub } from "./arm";
import type { JobSweeper } from "./job-sweeper";
import { findOutboxRow, followJobId, insertOutboxRow, removeSweptOutboxRow } from "./outbox-store";
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

/** The summary a build reports (the sweeper never reads the bundle). */
const BUNDLE = { file_count: 1, total_bytes: 1, manifest_sha256: "0".repeat(64) };

/** A fresh project's live session serving revision 1, built by hand as a consumer would. */
async function liveAtRevision1(user: TestUser) {
  const project = await createProject(user);
  await pushFiles(user, project.id, { "App.js": "export default 1;\n" });
  const { session_id } = await json<{ session_id: string }>(
    await call("/api/v1/preview/start", {
      token: user.access,
      body: { project_id: project.id, platform: "web" },
    }),
  );
  expect(await Internal.startPreviewBuild(session_id)).not.toBeNull();
  await Internal.reportPreviewResult(session_id, { status: "ready", bundle: BUNDLE });
  return { project, session_id };
}

/** Commits `revision` on top of the one before; only follow rows are kept in the outbox after it. */
async function commitRevision(user: TestUser, projectId: string, revision: number) {
  await pushFiles(user, projectId, { [`r${revision}.js`]: `export default ${revision};\n` }, revision - 1);
  await env.DB.exec("DELETE FROM job_outbox WHERE job_id NOT LIKE 'follow:%'");
}

const revisionOf = async (jobId: string) => {
  const row = await findOutboxRow(db, jobId);
  return row ? (JSON.parse(row.message) as { revision: number }).revision : null;
};

describe("follow rebuilds: a live session's rebuild of each commit", () => {
  it("is written with the commit: one follow row per live session asking for the newest revision, counted afresh", async () => {
    const user = await registerUser();
    const { project, session_id } = await liveAtRevision1(user);
    const ended = await json<{ session_id: string }>(
      await call("/api/v1/preview/start", {
        token: user.access,
        body: { project_id: project.id, platform: "ios" },
      }),
    );
    await call(`/api/v1/preview/sessions/${ended.session_id}/cancel`, { method: "POST", token: user.access });
    await env.DB.exec("DELETE FROM job_outbox");

    await commitRevision(user, project.id, 2);
    const row = await findOutboxRow(db, followJobId(session_id));
    expect(row && { kind: row.kind, message: JSON.parse(row.message), attempts: row.attempts }).toEqual({
      kind: "preview.build",
      message: { kind: "preview.build", session_id, project_id: project.id, revision: 2 },
      attempts: 0,
    });
    expect(Date.parse(row?.checkAt ?? "") - Date.parse(row?.createdAt ?? "")).toBe(SWEEP.firstCheckMs);
    // The ended session has nothing to follow.
    expect(await findOutboxRow(db, followJobId(ended.session_id))).toBeUndefined();

    // Re-sent twice already, then a newer commit: the row asks for it, with its own first look.
    await env.DB.prepare("UPDATE job_outbox SET attempts = 2 WHERE job_id = ?")
      .bind(followJobId(session_id))
      .run();
    const stale = await findOutboxRow(db, followJobId(session_id));
    await commitRevision(user, project.id, 3);
    const newer = await findOutboxRow(db, followJobId(session_id));
    expect(await revisionOf(followJobId(session_id))).toBe(3);
    expect(newer?.attempts).toBe(0);
    expect(Date.parse(newer?.checkAt ?? "")).toBeGreaterThan(Date.parse(row?.checkAt ?? ""));
    // A commit that loses its race writes nothing; what the sweeper read before the newer commit
    // cannot remove the newer row.
    await expect(pushFiles(user, project.id, { "x.js": "x" }, 2)).rejects.toThrow(/409/);
    await removeSweptOutboxRow(db, stale as NonNullable<typeof stale>);
    expect(await revisionOf(followJobId(session_id))).toBe(3);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM job_outbox").first<{ n: number }>())?.n).toBe(1);
  });

  it("whose consumer died after it began (ready, updating r2) is re-sent a lease later, then stranded as r2's build error: no longer updating", async () => {
    const user = await registerUser();
    const { project, session_id } = await liveAtRevision1(user);
    await commitRevision(user, project.id, 2);
    const id = followJobId(session_id);
    const started = Date.now();
    expect(await Internal.startPreviewBuild(session_id, 2)).toMatchObject({ revision: 2, update: true });
    expect(await previewStub(env, session_id).get()).toMatchObject({
      status: "ready",
      revision: 1,
      stage: "updating",
      building_revision: 2,
    });
    // Beginning the build is a sign of life: the next look is a lease away.
    expect((await findOutboxRow(db, id))?.attempts).toBe(0);
    expect(Date.parse((await findOutboxRow(db, id))?.checkAt ?? "")).toBeGreaterThanOrEqual(
      started + SWEEP.leaseMs,
    );
    const { env: swept, sent } = capturingEnv();
    expect((await sweep(swept, plus(started, SWEEP.leaseMs - 1000))).resent).toEqual([]);

    // The build died with the process: re-sent every 20 s from the end of the lease.
    for (let i = 0; i < SWEEP.maxResends; i++) {
      const report = await sweep(swept, plus(started, SWEEP.leaseMs + 1000 + i * SWEEP.resendEveryMs));
      expect(report.resent).toEqual([id]);
    }
    expect(sent).toEqual(
      Array(SWEEP.maxResends).fill({
        kind: "preview.build",
        session_id,
        project_id: project.id,
        revision: 2,
      }),
    );
    const giveUp = plus(started, SWEEP.leaseMs + 1000 + SWEEP.maxResends * SWEEP.resendEveryMs);
    expect((await sweep(swept, giveUp)).stranded).toEqual([id]);

    // Shown as r2's build error over r1, which keeps running; nothing says `updating` any more.
    const status = await json<PreviewStatusResponse>(
      await call(`/api/v1/preview/sessions/${session_id}/status`, { token: user.access }),
    );
    expect(status).toMatchObject({
      status: "ready",
      revision: 1,
      stage: null,
      building_revision: null,
      build_error: { revision: 2, code: "stranded" },
    });
    expect(status.build_error?.message).toMatch(/never finished/);
    expect(await findOutboxRow(db, id)).toBeUndefined();
    // A late duplicate of the message cannot put it back to `updating` with nobody building.
    expect(await Internal.startPreviewBuild(session_id, 2)).toBeNull();
    expect((await previewStub(env, session_id).get())?.stage).toBeNull();
    const after = await sweep(swept, new Date(giveUp.getTime() + 60_000));
    expect([...after.resent, ...after.stranded, ...after.removed]).toEqual([]);
  });

  it("whose message never arrived is re-sent 20 s after the commit; the rebuild's report removes the row", async () => {
    const user = await registerUser();
    const { project, session_id } = await liveAtRevision1(user);
    await commitRevision(user, project.id, 2);
    const id = followJobId(session_id);
    const t0 = await createdAt(id);
    const { env: swept, sent } = capturingEnv();
    expect((await sweep(swept, plus(t0, SWEEP.firstCheckMs - 1000))).resent).toEqual([]);
    expect((await sweep(swept, plus(t0, SWEEP.firstCheckMs + 1000))).resent).toEqual([id]);
    expect(sent).toEqual([{ kind: "preview.build", session_id, project_id: project.id, revision: 2 }]);

    // The re-sent message is delivered: the update begins (a sign of life) and lands.
    expect(await Internal.startPreviewBuild(session_id, 2)).toMatchObject({ update: true });
    expect((await findOutboxRow(db, id))?.attempts).toBe(0);
    await Internal.reportPreviewResult(session_id, { status: "ready", bundle: BUNDLE, revision: 2 });
    expect(await findOutboxRow(db, id)).toBeUndefined();
    expect(await previewStub(env, session_id).get()).toMatchObject({
      revision: 2,
      stage: null,
      building_revision: null,
    });
  });

  it("is done, dropped with nothing sent, once the session serves that revision or a newer one, failed to build it, began a newer one, or ended", async () => {
    const user = await registerUser();
    const cases = {
      serves: (s: ReturnType<typeof previewStub>) =>
        s.report({ status: "ready", bundle: BUNDLE, revision: 2 }),
      newer: (s: ReturnType<typeof previewStub>) =>
        s.report({ status: "ready", bundle: BUNDLE, revision: 3 }),
      failed: (s: ReturnType<typeof previewStub>) =>
        s.report({ status: "failed", error: { code: "build_error", message: "no" }, revision: 2 }),
      superseded: (s: ReturnType<typeof previewStub>) => s.beginBuild(3),
      ended: (s: ReturnType<typeof previewStub>) => s.report({ status: "cancelled" }),
    };
    const ids: string[] = [];
    for (const change of Object.values(cases)) {
      const { project, session_id } = await liveAtRevision1(user);
      await commitRevision(user, project.id, 2);
      // Straight to the session's object: the consumer's report would remove the row itself.
      await change(previewStub(env, session_id));
      ids.push(followJobId(session_id));
    }
    // One still open beside them, to show the sweep did look.
    const open = await liveAtRevision1(user);
    await commitRevision(user, open.project.id, 2);
    // And one whose session's object does not exist (gone): nothing to rebuild, nothing to end.
    const gone = `pvs_${crypto.randomUUID().replaceAll("-", "")}`;
    await env.DB.prepare(
      "INSERT INTO job_outbox (job_id, kind, message, attempts, check_at, created_at) VALUES (?, 'preview.build', ?, 0, ?, ?)",
    )
      .bind(
        followJobId(gone),
        JSON.stringify({ kind: "preview.build", session_id: gone, project_id: open.project.id, revision: 2 }),
        new Date().toISOString(),
        new Date().toISOString(),
      )
      .run();
    ids.push(followJobId(gone));
    const { env: swept, sent } = capturingEnv();
    const report = await sweep(swept, new Date(Date.now() + SWEEP.firstCheckMs + 1000));
    expect(report.removed.sort()).toEqual([...ids].sort());
    expect(report.resent).toEqual([followJobId(open.session_id)]);
    expect(sent.map((m) => m.kind === "preview.build" && m.session_id)).toEqual([open.session_id]);
  });

  it("of a session whose first build is still under way waits for it (no re-send, none counted), then is re-sent", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await pushFiles(user, project.id, { "App.js": "export default 1;\n" });
    const { session_id } = await json<{ session_id: string }>(
      await call("/api/v1/preview/start", {
        token: user.access,
        body: { project_id: project.id, platform: "web" },
      }),
    );
    await commitRevision(user, project.id, 2);
    const id = followJobId(session_id);
    const t0 = await createdAt(id);
    const { env: swept, sent } = capturingEnv();
    for (let i = 0; i <= SWEEP.maxResends; i++) {
      const report = await sweep(swept, plus(t0, SWEEP.firstCheckMs + 1000 + i * SWEEP.resendEveryMs));
      expect(report.waiting).toEqual([id]);
    }
    expect(sent).toEqual([]);
    expect((await findOutboxRow(db, id))?.attempts).toBe(0);
    expect((await previewStub(env, session_id).get())?.status).toBe("pending");

    // The first build lands at r1 without r2 (its message was lost): the rebuild is next.
    await Internal.startPreviewBuild(session_id);
    await Internal.reportPreviewResult(session_id, { status: "ready", bundle: BUNDLE });
    expect(await revisionOf(id)).toBe(2);
    const next = await sweep(
      swept,
      plus(t0, SWEEP.firstCheckMs + 1000 + (SWEEP.maxResends + 1) * SWEEP.resendEveryMs),
    );
    expect(next.resent).toEqual([id]);
    expect(sent).toEqual([{ kind: "preview.build", session_id, project_id: project.id, revision: 2 }]);
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
