import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createProject, json, pushFiles, registerUser } from "../test/helpers";

const Internal = exports.Internal;
const stats = { file_count: 1, total_bytes: 1, languages: { Other: 1 } };
const syncRow = (id: string) =>
  env.DB.prepare("SELECT status, stats, error FROM mirror_syncs WHERE id = ?")
    .bind(id)
    .first<{ status: string; stats: string | null; error: string | null }>();

describe("Internal RPC entrypoint (what worker-consumers calls)", () => {
  it("is not reachable over the public HTTP API", async () => {
    for (const path of ["/Internal/startSync", "/api/v1/Internal/recordSyncResult", "/startSync"]) {
      expect((await call(path, { body: {} })).status).toBe(404);
    }
  });

  it("returns a project's files at any revision", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await pushFiles(user, project.id, { "a.txt": "a", "b.txt": "b" });
    await pushFiles(user, project.id, { "a.txt": "A!" }, 1);
    const r1 = await Internal.getMirrorFiles(project.id, 1);
    const r2 = await Internal.getMirrorFiles(project.id, 2);
    expect(r1.map((f) => [f.path, f.size])).toEqual([
      ["a.txt", 1],
      ["b.txt", 1],
    ]);
    expect(r2.map((f) => [f.path, f.size])).toEqual([
      ["a.txt", 2],
      ["b.txt", 1],
    ]);
  });

  it("moves a sync queued → running → succeeded once; duplicates and late reports change nothing", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const { sync_id, revision } = await pushFiles(user, project.id, { "a.txt": "a" });
    expect(await Internal.startSync(sync_id)).toEqual({ sync_id, project_id: project.id, revision });
    expect((await syncRow(sync_id))?.status).toBe("running");
    expect(await Internal.recordSyncResult(sync_id, { status: "succeeded", stats })).toEqual({
      changed: true,
    });
    expect(await Internal.recordSyncResult(sync_id, { status: "succeeded", stats })).toEqual({
      changed: false,
    });
    // A late failure (the dead-letter queue reporting after the sync succeeded) changes nothing either.
    expect(
      await Internal.recordSyncResult(sync_id, {
        status: "failed",
        error: { code: "dead_lettered", message: "late" },
      }),
    ).toEqual({
      changed: false,
    });
    expect(await Internal.startSync(sync_id)).toBeNull();
    const row = await syncRow(sync_id);
    expect(row?.status).toBe("succeeded");
    expect(JSON.parse(row?.stats ?? "null")).toEqual(stats);
    expect(row?.error).toBeNull();
  });

  it("starts and finishes an AI job once, posting the summary as an ai comment when asked", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await pushFiles(user, project.id, { "src/a.ts": "export const a = 1;\n" });
    const created = await json<{ job_id: string }>(
      await call("/api/v1/ai/jobs", {
        token: user.access,
        body: {
          project_id: project.id,
          type: "summarize_file",
          file_path: "src/a.ts",
          post_as_comment: true,
        },
      }),
    );
    const task = await Internal.startAiJob(created.job_id);
    expect(task).toMatchObject({
      job_id: created.job_id,
      project_id: project.id,
      file_path: "src/a.ts",
      type: "summarize_file",
      selection: null,
    });
    const result = {
      summary: "src/a.ts exports a.",
      sections: [{ title: "a", line_start: 1, line_end: 1, text: "a constant" }],
      provider: "local",
      model: "static-analysis",
    };
    expect(await Internal.finishAiJob(created.job_id, { status: "succeeded", result })).toEqual({
      changed: true,
    });
    expect(await Internal.finishAiJob(created.job_id, { status: "succeeded", result })).toEqual({
      changed: false,
    });
    expect(await Internal.startAiJob(created.job_id)).toBeNull();

    const job = await json(await call(`/api/v1/ai/jobs/${created.job_id}`, { token: user.access }));
    expect(job).toMatchObject({ status: "succeeded", result });
    const comments = await json<{ items: { body: string; author: { type: string }; line_start: number }[] }>(
      await call(`/api/v1/projects/${project.id}/comments`, { token: user.access }),
    );
    expect(comments.items).toHaveLength(1);
    expect(comments.items[0]).toMatchObject({
      body: "src/a.ts exports a.",
      author: { type: "ai" },
      line_start: 1,
    });
  });

  it("stores a notification once per id, and not for a user that no longer exists", async () => {
    const user = await registerUser();
    const message = {
      kind: "notify" as const,
      notification_id: "ntf_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      user_id: user.id,
      type: "repo_sync_succeeded" as const,
      payload: { sync_id: "syn_x", revision: 1 },
      created_at: new Date().toISOString(),
    };
    expect(await Internal.createNotification(message)).toEqual({ created: true });
    expect(await Internal.createNotification(message)).toEqual({ created: false });
    expect(
      await Internal.createNotification({
        ...message,
        notification_id: "ntf_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        user_id: "usr_gone000000000000",
      }),
    ).toEqual({ created: false });
    const list = await json<{ items: unknown[]; unread_count: number }>(
      await call("/api/v1/notifications", { token: user.access }),
    );
    expect(list.items).toHaveLength(1);
    expect(list.unread_count).toBe(1);
  });
});
