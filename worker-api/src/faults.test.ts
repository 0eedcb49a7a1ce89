// Fault injection against the real consumer handlers and this Worker's real RPC entrypoint:
// handlers that throw and are retried, run twice, or whose report fails after their R2 write must
// still leave the right end state, once, with nothing orphaned.
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ProviderError } from "../../worker-consumers/src/ai/provider";
import type { Env as ConsumerEnv } from "../../worker-consumers/src/env";
import { handleAiRun } from "../../worker-consumers/src/handlers/ai-run";
import { handlePreviewBuild } from "../../worker-consumers/src/handlers/preview-build";
import { handleRepoSync } from "../../worker-consumers/src/handlers/repo-sync";
import { call, createProject, json, pushFiles, registerUser, sha256Of } from "../test/helpers";

const realApi = exports.Internal;
const consumerEnv = (overrides: Partial<ConsumerEnv> = {}) =>
  ({ BLOBS: env.BLOBS, API: realApi, AI_PROVIDER: "local", ...overrides }) as unknown as ConsumerEnv;

async function projectWithFile() {
  const user = await registerUser();
  const project = await createProject(user);
  await pushFiles(user, project.id, {
    "src/a.ts": "/** Adds. */\nexport function add(a: number, b: number) {\n  return a + b;\n}\n",
  });
  return { user, project };
}

async function aiJob(user: { access: string }, projectId: string) {
  const res = await call("/api/v1/ai/jobs", {
    token: user.access,
    body: { project_id: projectId, type: "summarize_file", file_path: "src/a.ts", post_as_comment: true },
  });
  return (await json<{ job_id: string }>(res)).job_id;
}

const jobStatus = async (user: { access: string }, id: string) =>
  json<{ status: string; error?: { code: string }; result?: { provider: string } }>(
    await call(`/api/v1/ai/jobs/${id}`, { token: user.access }),
  );

describe("AI jobs under provider failures", () => {
  it("retries a flaky provider (throws on the first 2 deliveries) and ends succeeded with one comment", async () => {
    const { user, project } = await projectWithFile();
    const jobId = await aiJob(user, project.id);
    let calls = 0;
    const flaky = {
      run: async () => {
        calls += 1;
        if (calls <= 2) throw new Error("3040: Capacity temporarily exceeded");
        return {
          response: {
            summary: "Adds two numbers.",
            sections: [{ title: "add", line_start: 2, line_end: 4, text: "adds" }],
          },
        };
      },
    };
    const faultyEnv = consumerEnv({ AI_PROVIDER: "workers-ai", AI: flaky as unknown as Ai });
    for (const attempts of [1, 2]) {
      await expect(
        handleAiRun({ kind: "ai.run", job_id: jobId }, faultyEnv, { attempts }),
      ).rejects.toBeInstanceOf(ProviderError);
      expect((await jobStatus(user, jobId)).status).toBe("running");
    }
    await handleAiRun({ kind: "ai.run", job_id: jobId }, faultyEnv, { attempts: 3 });
    const done = await jobStatus(user, jobId);
    expect(done.status).toBe("succeeded");
    expect(done.result?.provider).toBe("workers-ai");
    // A duplicate delivery after success does nothing.
    await handleAiRun({ kind: "ai.run", job_id: jobId }, faultyEnv, { attempts: 1 });
    expect(calls).toBe(3);
    const comments = await json<{ items: unknown[] }>(
      await call(`/api/v1/projects/${project.id}/comments`, { token: user.access }),
    );
    expect(comments.items).toHaveLength(1);
  });

  it("marks the job failed with the provider's code on the last delivery instead of retrying again", async () => {
    const { user, project } = await projectWithFile();
    const jobId = await aiJob(user, project.id);
    const down = { run: async () => Promise.reject(new Error("upstream timed out")) };
    await handleAiRun(
      { kind: "ai.run", job_id: jobId },
      consumerEnv({ AI_PROVIDER: "workers-ai", AI: down as unknown as Ai }),
      { attempts: 6 },
    );
    const failed = await jobStatus(user, jobId);
    expect(failed.status).toBe("failed");
    expect(failed.error?.code).toBe("provider_timeout");
  });

  it("fails at once, without retries, on a permanent provider error", async () => {
    const { user, project } = await projectWithFile();
    const jobId = await aiJob(user, project.id);
    const rejecting = { run: async () => Promise.reject(new Error("5007: No such model")) };
    await handleAiRun(
      { kind: "ai.run", job_id: jobId },
      consumerEnv({ AI_PROVIDER: "workers-ai", AI: rejecting as unknown as Ai }),
      { attempts: 1 },
    );
    expect((await jobStatus(user, jobId)).error?.code).toBe("provider_rejected");
  });

  it("two concurrent deliveries of one job store one result and one comment", async () => {
    const { user, project } = await projectWithFile();
    const jobId = await aiJob(user, project.id);
    await Promise.all(
      [1, 2].map(() => handleAiRun({ kind: "ai.run", job_id: jobId }, consumerEnv(), { attempts: 1 })),
    );
    expect((await jobStatus(user, jobId)).status).toBe("succeeded");
    const comments = await json<{ items: unknown[] }>(
      await call(`/api/v1/projects/${project.id}/comments`, { token: user.access }),
    );
    expect(comments.items).toHaveLength(1);
  });
});

describe("preview builds under faults", () => {
  async function started() {
    const { user, project } = await projectWithFile();
    const res = await json<{ session_id: string }>(
      await call("/api/v1/preview/start", {
        token: user.access,
        body: { project_id: project.id, platform: "ios" },
      }),
    );
    return { user, project, sessionId: res.session_id };
  }

  it("a report that fails after the manifest was written is retried and ends ready with that same manifest", async () => {
    const { user, project, sessionId } = await started();
    let failNext = true;
    const flakyApi = {
      startPreviewBuild: (id: string) => realApi.startPreviewBuild(id),
      getMirrorFiles: (projectId: string, revision: number) => realApi.getMirrorFiles(projectId, revision),
      getDependencies: (projectId: string) => realApi.getDependencies(projectId),
      reportPreviewStage: (id: string, stage: string, progress: number) =>
        realApi.reportPreviewStage(id, stage, progress),
      reportPreviewResult: async (...args: Parameters<typeof realApi.reportPreviewResult>) => {
        if (failNext) {
          failNext = false;
          throw new Error("RPC connection lost");
        }
        return realApi.reportPreviewResult(...args);
      },
    };
    const message = {
      kind: "preview.build" as const,
      session_id: sessionId,
      project_id: project.id,
      revision: 1,
    };
    await expect(
      handlePreviewBuild(message, consumerEnv({ API: flakyApi as unknown as ConsumerEnv["API"] })),
    ).rejects.toThrow("RPC connection lost");
    const key = `p/${project.id}/bundles/${sessionId}/1.json`;
    const firstManifest = await (await env.BLOBS.get(key))!.text();

    await handlePreviewBuild(message, consumerEnv()); // the queue's retry
    const status = await json<{ status: string; bundle: { manifest_sha256: string } }>(
      await call(`/api/v1/preview/sessions/${sessionId}/status`, { token: user.access }),
    );
    expect(status.status).toBe("ready");
    expect(status.bundle.manifest_sha256).toBe(await sha256Of(firstManifest));
    // One manifest of the revision, and the one its viewers get (schema/viewer-manifest.ts).
    expect((await env.BLOBS.list({ prefix: `p/${project.id}/bundles/` })).objects.map((o) => o.key)).toEqual([
      `p/${project.id}/bundles/${sessionId}/1.json`,
      `p/${project.id}/bundles/${sessionId}/1.viewer.json`,
    ]);
    // And a third, duplicate delivery changes nothing.
    const before = await (
      await call(`/api/v1/preview/sessions/${sessionId}/status`, { token: user.access })
    ).text();
    await handlePreviewBuild(message, consumerEnv());
    expect(
      await (await call(`/api/v1/preview/sessions/${sessionId}/status`, { token: user.access })).text(),
    ).toBe(before);
  });

  it("a session that expires while its build runs leaves no orphaned manifest", async () => {
    const { user, project, sessionId } = await started();
    const stub = env.PREVIEW_SESSION.get(env.PREVIEW_SESSION.idFromName(sessionId));
    const slowApi = {
      startPreviewBuild: (id: string) => realApi.startPreviewBuild(id),
      getMirrorFiles: (projectId: string, revision: number) => realApi.getMirrorFiles(projectId, revision),
      getDependencies: (projectId: string) => realApi.getDependencies(projectId),
      reportPreviewStage: (id: string, stage: string, progress: number) =>
        realApi.reportPreviewStage(id, stage, progress),
      previewStatus: (id: string) => realApi.previewStatus(id),
      reportPreviewResult: async (...args: Parameters<typeof realApi.reportPreviewResult>) => {
        await runDurableObjectAlarm(stub); // the session's time runs out just before the report
        return realApi.reportPreviewResult(...args);
      },
    };
    await handlePreviewBuild(
      { kind: "preview.build", session_id: sessionId, project_id: project.id, revision: 1 },
      consumerEnv({ API: slowApi as unknown as ConsumerEnv["API"] }),
    );
    expect(await env.BLOBS.head(`p/${project.id}/bundles/${sessionId}/1.json`)).toBeNull();
    expect(await env.BLOBS.head(`p/${project.id}/bundles/${sessionId}/1.viewer.json`)).toBeNull();
    const status = await json<{ status: string }>(
      await call(`/api/v1/preview/sessions/${sessionId}/status`, { token: user.access }),
    );
    expect(status.status).toBe("expired");
  });

  it("a redelivered build does not move the stage backwards", async () => {
    const { user, sessionId } = await started();
    await realApi.startPreviewBuild(sessionId);
    await realApi.reportPreviewStage(sessionId, "writing_manifest", 0.6);
    await realApi.startPreviewBuild(sessionId); // the redelivery
    const status = await json<{ stage: string; version: number }>(
      await call(`/api/v1/preview/sessions/${sessionId}/status`, { token: user.access }),
    );
    expect(status).toMatchObject({ stage: "writing_manifest", version: 3 });
  });

  it("a session that expired before its build ran gets no manifest", async () => {
    const { user, project, sessionId } = await started();
    await runDurableObjectAlarm(env.PREVIEW_SESSION.get(env.PREVIEW_SESSION.idFromName(sessionId)));
    await handlePreviewBuild(
      { kind: "preview.build", session_id: sessionId, project_id: project.id, revision: 1 },
      consumerEnv(),
    );
    expect(await env.BLOBS.head(`p/${project.id}/bundles/${sessionId}/1.json`)).toBeNull();
    expect(await env.BLOBS.head(`p/${project.id}/bundles/${sessionId}/1.viewer.json`)).toBeNull();
    const status = await json<{ status: string }>(
      await call(`/api/v1/preview/sessions/${sessionId}/status`, { token: user.access }),
    );
    expect(status.status).toBe("expired");
  });
});

describe("repo-sync under duplicate delivery", () => {
  it("two concurrent runs of one sync end succeeded once with one snapshot", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const { sync_id, revision } = await pushFiles(user, project.id, { "a.txt": "a", "b.txt": "bb" });
    const message = { kind: "repo.sync" as const, sync_id, project_id: project.id, revision };
    await Promise.all([handleRepoSync(message, consumerEnv()), handleRepoSync(message, consumerEnv())]);
    const sync = await json<{ status: string; stats: { file_count: number; total_bytes: number } }>(
      await call(`/api/v1/projects/${project.id}/syncs/${sync_id}`, { token: user.access }),
    );
    expect(sync.status).toBe("succeeded");
    expect(sync.stats).toMatchObject({ file_count: 2, total_bytes: 3 });
    expect((await env.BLOBS.list({ prefix: `p/${project.id}/mirror/` })).objects.map((o) => o.key)).toEqual([
      `p/${project.id}/mirror/1.json`,
    ]);
  });
});
