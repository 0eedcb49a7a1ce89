import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, createProject, expectError, json, pushFiles, registerUser } from "../../test/helpers";
import { createApp } from "../app";

describe("AI job routes", () => {
  it("queues a job for a mirrored file and lists it", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await pushFiles(user, project.id, { "src/a.ts": "export const a = 1;\n" });
    const res = await call("/api/v1/ai/jobs", {
      token: user.access,
      body: {
        project_id: project.id,
        type: "explain_selection",
        file_path: "src/a.ts",
        selection: { start_line: 1, end_line: 1 },
      },
    });
    expect(res.status).toBe(202);
    const { job_id, status } = await json<{ job_id: string; status: string }>(res);
    expect(status).toBe("queued");
    const job = await json(await call(`/api/v1/ai/jobs/${job_id}`, { token: user.access }));
    expect(job).toMatchObject({
      id: job_id,
      type: "explain_selection",
      status: "queued",
      selection: { start_line: 1, end_line: 1 },
    });
    const list = await json<{ items: { id: string }[] }>(
      await call(`/api/v1/ai/jobs?project_id=${project.id}`, { token: user.access }),
    );
    expect(list.items.map((j) => j.id)).toEqual([job_id]);
  });

  it("rejects files outside the mirror (404 FILE_NOT_FOUND), too large files (413) and bad requests (400)", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await pushFiles(user, project.id, { "big.ts": "x".repeat(300) });
    const body = { project_id: project.id, type: "summarize_file", file_path: "missing.ts" };
    await expectError(await call("/api/v1/ai/jobs", { token: user.access, body }), 404, "FILE_NOT_FOUND");
    const app = createApp();
    const tooBig = await app.request(
      "/api/v1/ai/jobs",
      {
        method: "POST",
        headers: { authorization: `Bearer ${user.access}`, "content-type": "application/json" },
        body: JSON.stringify({ ...body, file_path: "big.ts" }),
      },
      { ...env, MAX_AI_INPUT_BYTES: "100" },
    );
    await expectError(tooBig, 413, "PAYLOAD_TOO_LARGE");
    await expectError(
      await call("/api/v1/ai/jobs", {
        token: user.access,
        body: { ...body, file_path: "big.ts", type: "explain_selection" },
      }),
      400,
      "VALIDATION_FAILED",
    );
    await expectError(
      await call("/api/v1/ai/jobs", { token: user.access, body: { ...body, type: "poem" } }),
      400,
      "VALIDATION_FAILED",
    );
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM ai_jobs WHERE project_id = ?")
      .bind(project.id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });

  it("keeps jobs private: another user gets 404 for the job, the project's list and creating on it", async () => {
    const owner = await registerUser();
    const other = await registerUser();
    const project = await createProject(owner);
    await pushFiles(owner, project.id, { "a.ts": "a" });
    const { job_id } = await json<{ job_id: string }>(
      await call("/api/v1/ai/jobs", {
        token: owner.access,
        body: { project_id: project.id, type: "summarize_file", file_path: "a.ts" },
      }),
    );
    await expectError(await call(`/api/v1/ai/jobs/${job_id}`, { token: other.access }), 404, "NOT_FOUND");
    await expectError(
      await call(`/api/v1/ai/jobs?project_id=${project.id}`, { token: other.access }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call("/api/v1/ai/jobs", {
        token: other.access,
        body: { project_id: project.id, type: "summarize_file", file_path: "a.ts" },
      }),
      404,
      "NOT_FOUND",
    );
  });

  it("limits AI jobs per user per hour with 429 and Retry-After", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await pushFiles(user, project.id, { "a.ts": "a" });
    const app = createApp();
    const limited = { ...env, RATE_LIMIT_AI_JOBS_PER_HOUR: "2" };
    const send = () =>
      app.request(
        "/api/v1/ai/jobs",
        {
          method: "POST",
          headers: { authorization: `Bearer ${user.access}`, "content-type": "application/json" },
          body: JSON.stringify({ project_id: project.id, type: "summarize_file", file_path: "a.ts" }),
        },
        limited,
      );
    expect((await send()).status).toBe(202);
    expect((await send()).status).toBe(202);
    const res = await send();
    await expectError(res, 429, "RATE_LIMITED");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
