import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, pushFiles, seedSync, userWithProject } from "../test/api-client";
import consumer from "./index";

type Notification = { type: string; payload: Record<string, unknown> };
const notifications = async (token: string) =>
  (await api<{ items: Notification[]; unread_count: number }>("/api/v1/notifications", { token })).body;

async function deliver(queue: string, bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await consumer.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

const SOURCE = `import { Hono } from "hono";

/** Builds the HTTP app. */
export function createApp(name: string): Hono {
  // TODO: add auth
  return new Hono();
}
`;

describe("the pipeline through real queues (API → queue → consumer → RPC → API)", () => {
  it("upload + commit → repo-sync succeeds with stats and a snapshot → repo_sync_succeeded", async () => {
    const { token, projectId } = await userWithProject();
    const { sync_id, revision } = await pushFiles(token, projectId, {
      "src/app.ts": SOURCE,
      "README.md": "# Demo\n",
      "package.json": '{"name":"demo"}',
    });
    expect(revision).toBe(1);
    await expect
      .poll(
        async () =>
          (await api<{ status: string }>(`/api/v1/projects/${projectId}/syncs/${sync_id}`, { token })).body
            .status,
        {
          timeout: 10_000,
          interval: 50,
        },
      )
      .toBe("succeeded");
    const sync = (
      await api<{ stats: Record<string, unknown> }>(`/api/v1/projects/${projectId}/syncs/${sync_id}`, {
        token,
      })
    ).body;
    expect(sync.stats).toEqual({
      file_count: 3,
      total_bytes: SOURCE.length + 7 + 15,
      languages: { TypeScript: 1, Markdown: 1, JSON: 1 },
    });
    const snapshot = await env.BLOBS.get(`p/${projectId}/mirror/1.json`);
    const body = (await snapshot?.json()) as { files: { path: string }[] };
    expect(body.files.map((f) => f.path)).toEqual(["README.md", "package.json", "src/app.ts"]);

    await expect
      .poll(async () => (await notifications(token)).items.map((n) => n.type), { timeout: 10_000 })
      .toEqual(["repo_sync_succeeded"]);
    const [note] = (await notifications(token)).items;
    expect(note?.payload).toMatchObject({ sync_id, project_name: "pipeline", revision: 1 });
  });

  it("an AI summarize_file job succeeds with the file's real symbols → ai_job_succeeded, and can post a comment", async () => {
    const { token, projectId } = await userWithProject();
    await pushFiles(token, projectId, { "src/app.ts": SOURCE });
    const created = await api<{ job_id: string; status: string }>("/api/v1/ai/jobs", {
      token,
      body: { project_id: projectId, type: "summarize_file", file_path: "src/app.ts", post_as_comment: true },
    });
    expect(created.status).toBe(202);
    expect(created.body.status).toBe("queued");
    const jobUrl = `/api/v1/ai/jobs/${created.body.job_id}`;
    await expect
      .poll(async () => (await api<{ status: string }>(jobUrl, { token })).body.status, {
        timeout: 10_000,
        interval: 50,
      })
      .toBe("succeeded");
    const job = (
      await api<{
        result: { summary: string; provider: string; model: string; sections: { title: string }[] };
      }>(jobUrl, { token })
    ).body;
    expect(job.result.provider).toBe("local");
    expect(job.result.model).toBe("static-analysis");
    expect(job.result.summary).toContain("createApp");
    expect(JSON.stringify(job.result.sections)).toContain("createApp");

    const comments = (
      await api<{ items: { author: { type: string }; body: string }[] }>(
        `/api/v1/projects/${projectId}/comments?file_path=src/app.ts`,
        { token },
      )
    ).body.items;
    expect(comments).toHaveLength(1);
    expect(comments[0]?.author.type).toBe("ai");
    await expect
      .poll(async () => (await notifications(token)).items.map((n) => n.type), { timeout: 10_000 })
      .toContain("ai_job_succeeded");
  });
});

describe("the dispatcher, message by message", () => {
  it("acks malformed messages and logs them instead of retrying forever", async () => {
    const result = await deliver("hivesync-repo-sync", [
      { kind: "repo.sync" },
      "not even an object",
      { kind: "unknown" },
    ]);
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1", "m2"]);
    expect(result.retryMessages).toEqual([]);
  });

  it("a duplicate repo-sync delivery has one effect and sends one notification", async () => {
    const { token, projectId } = await userWithProject();
    const { sync_id, revision } = await seedSync(projectId, { "a.txt": "a" });
    const message = { kind: "repo.sync", sync_id, project_id: projectId, revision };
    const first = await deliver("hivesync-repo-sync", [message, message]);
    expect(first.explicitAcks.sort()).toEqual(["m0", "m1"]);
    await deliver("hivesync-repo-sync", [message]);
    await expect.poll(async () => (await notifications(token)).items.length, { timeout: 10_000 }).toBe(1);
    // The duplicates re-sent the same notification id; give them time to arrive, then count again.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await notifications(token)).items.map((n) => n.type)).toEqual(["repo_sync_succeeded"]);
    const sync = (await api<{ status: string }>(`/api/v1/projects/${projectId}/syncs/${sync_id}`, { token }))
      .body;
    expect(sync.status).toBe("succeeded");
  });

  it("a duplicate notify delivery stores one notification", async () => {
    const { token, userId } = await userWithProject();
    const message = {
      kind: "notify",
      notification_id: "ntf_0123456789abcdef0123456789abcdef",
      user_id: userId,
      type: "device_linked",
      payload: { device_name: "Pixel" },
      created_at: new Date().toISOString(),
    };
    const result = await deliver("hivesync-notifications", [message, message]);
    expect(result.explicitAcks).toHaveLength(2);
    const list = await notifications(token);
    expect(list.items.map((n) => n.type)).toEqual(["device_linked"]);
    expect(list.unread_count).toBe(1);
  });

  it("a blob missing from R2 fails the sync permanently with blob_missing → repo_sync_failed", async () => {
    const { token, projectId } = await userWithProject();
    const { sync_id, revision } = await seedSync(projectId, { "gone.txt": "soon gone", "kept.txt": "kept" });
    const listed = await env.BLOBS.list({ prefix: `p/${projectId}/blobs/` });
    const gone = listed.objects.find((o) => o.size === "soon gone".length);
    await env.BLOBS.delete(gone!.key);
    const result = await deliver("hivesync-repo-sync", [
      { kind: "repo.sync", sync_id, project_id: projectId, revision },
    ]);
    expect(result.explicitAcks).toEqual(["m0"]);
    const sync = (
      await api<{ status: string; error?: { code: string; message: string } }>(
        `/api/v1/projects/${projectId}/syncs/${sync_id}`,
        { token },
      )
    ).body;
    expect(sync.status).toBe("failed");
    expect(sync.error?.code).toBe("blob_missing");
    expect(sync.error?.message).toContain("gone.txt");
    expect(await env.BLOBS.head(`p/${projectId}/mirror/${revision}.json`)).toBeNull();
    await expect
      .poll(async () => (await notifications(token)).items.map((n) => n.type), { timeout: 10_000 })
      .toEqual(["repo_sync_failed"]);
  });

  it("a handler that throws is retried with an exponential delay, and a dead letter marks the job failed and notifies", async () => {
    const { token, projectId } = await userWithProject();
    const { sync_id, revision } = await seedSync(projectId, { "x.txt": "x" });
    const message = { kind: "repo.sync", sync_id, project_id: projectId, revision };
    const failingEnv = {
      ...env,
      API: {
        startSync: async () => {
          throw new Error("API unavailable");
        },
      } as unknown as typeof env.API,
    };
    for (const [attempts, delay] of [
      [1, 10],
      [2, 20],
      [3, 40],
      [5, 160],
      [6, 300],
    ] as const) {
      // A hand-made message records the retry options (the test pool's batch does not keep them).
      const retried: unknown[] = [];
      const acked: string[] = [];
      const msg = {
        id: "r",
        timestamp: new Date(),
        attempts,
        body: message,
        ack: () => acked.push("r"),
        retry: (options?: unknown) => retried.push(options),
      };
      const batch = {
        queue: "hivesync-repo-sync",
        messages: [msg],
        ackAll() {},
        retryAll() {},
      } as unknown as MessageBatch;
      await consumer.queue(batch, failingEnv, createExecutionContext());
      expect(retried).toEqual([{ delaySeconds: delay }]);
      expect(acked).toEqual([]);
    }

    // After max_retries the queue hands the message to the dead-letter queue.
    const dead = await deliver("hivesync-dead-letters", [message]);
    expect(dead.explicitAcks).toEqual(["m0"]);
    const sync = (
      await api<{ status: string; error?: { code: string } }>(
        `/api/v1/projects/${projectId}/syncs/${sync_id}`,
        { token },
      )
    ).body;
    expect(sync.status).toBe("failed");
    expect(sync.error?.code).toBe("dead_lettered");
    await expect
      .poll(async () => (await notifications(token)).items.map((n) => n.type), { timeout: 10_000 })
      .toEqual(["repo_sync_failed"]);
    // A late success report cannot move a dead-lettered sync back.
    await deliver("hivesync-repo-sync", [message]);
    expect(
      (await api<{ status: string }>(`/api/v1/projects/${projectId}/syncs/${sync_id}`, { token })).body
        .status,
    ).toBe("failed");
  });
});
