// Soak: ≥ 500 mixed jobs (repo syncs, AI jobs, preview builds) against the local stack while the
// consumers inject faults — crashes before a handler runs and lost acks after it ran (duplicates).
// Every job must end succeeded or failed (none stuck), each effect exactly once.
// Run with `npm run test:soak`.
import { createHash } from "node:crypto";
import { describe, expect, inject, it } from "vitest";

const USERS = 12;
const SYNCS_PER_USER = 6;
const AI_JOBS_PER_USER = 26;
const PREVIEWS_PER_USER = 10;

const base = () => `${inject("apiUrl")}/api/v1`;
const sha256 = (data: string) => createHash("sha256").update(data).digest("hex");

async function api<T = Record<string, unknown>>(
  route: string,
  init: { token?: string; json?: unknown; method?: string; body?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.json !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${base()}${route}`, {
    method: init.method ?? (init.json !== undefined ? "POST" : "GET"),
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  const text = await res.text();
  if (res.status >= 500) throw new Error(`${res.status} on ${route}: ${text}`);
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

type Work = {
  token: string;
  syncs: [string, string][];
  jobs: string[];
  previews: string[];
  commentJobs: number;
  projects: string[];
};

async function commit(
  token: string,
  projectId: string,
  base_revision: number,
  files: Record<string, string>,
) {
  for (const content of Object.values(files)) {
    await api(`/projects/${projectId}/blobs/${sha256(content)}`, { token, method: "PUT", body: content });
  }
  const res = await api<{ revision: number; sync_id: string }>(`/projects/${projectId}/mirror/changes`, {
    token,
    json: {
      base_revision,
      changes: Object.entries(files).map(([path, c]) => ({
        op: "put",
        path,
        sha256: sha256(c),
        size: Buffer.byteLength(c),
      })),
    },
  });
  expect(res.status).toBe(202);
  return res.body;
}

async function userWork(n: number): Promise<Work> {
  const name = `soak${n}_${Date.now().toString(36)}`;
  const reg = await api<{ tokens: { access_token: string } }>("/auth/register", {
    json: { email: `${name}@example.com`, username: name, password: "a long enough password" },
  });
  const token = reg.body.tokens.access_token;
  const projects = [];
  for (const p of [0, 1])
    projects.push(
      (await api<{ id: string }>("/projects", { token, json: { name: `${name}-${p}` } })).body.id,
    );
  const work: Work = { token, syncs: [], jobs: [], previews: [], commentJobs: 0, projects };
  for (let i = 0; i < SYNCS_PER_USER; i++) {
    const projectId = projects[i % 2] as string;
    const revision = Math.floor(i / 2);
    const { sync_id } = await commit(token, projectId, revision, {
      [`src/file${i}.ts`]: `/** File ${i} of ${name}. */\nexport function f${i}(x: number): number {\n  return x * ${i};\n}\n`,
    });
    work.syncs.push([projectId, sync_id]);
  }
  for (let i = 0; i < AI_JOBS_PER_USER; i++) {
    const projectId = projects[i % 2] as string;
    const post = i % 4 === 0;
    const res = await api<{ job_id: string }>("/ai/jobs", {
      token,
      json: {
        project_id: projectId,
        type: i % 3 === 0 ? "document_symbols" : "summarize_file",
        file_path: `src/file${i % 2}.ts`,
        post_as_comment: post,
      },
    });
    expect(res.status).toBe(202);
    work.jobs.push(res.body.job_id);
    if (post) work.commentJobs += 1;
  }
  for (let i = 0; i < PREVIEWS_PER_USER; i++) {
    const res = await api<{ session_id: string }>("/preview/start", {
      token,
      json: { project_id: projects[i % 2], platform: "web" },
    });
    expect(res.status).toBe(202);
    work.previews.push(res.body.session_id);
  }
  return work;
}

async function settle(work: Work, deadline: number) {
  const terminal = new Set(["succeeded", "failed", "ready", "cancelled", "expired"]);
  const states: Record<string, string> = {};
  const urls: [string, string][] = [
    ...work.syncs.map(([projectId, id]): [string, string] => [id, `/projects/${projectId}/syncs/${id}`]),
    ...work.jobs.map((id): [string, string] => [id, `/ai/jobs/${id}`]),
    ...work.previews.map((id): [string, string] => [id, `/preview/sessions/${id}/status`]),
  ];
  for (;;) {
    const open = urls.filter(([id]) => !terminal.has(states[id] ?? ""));
    if (open.length === 0 || Date.now() > deadline) return states;
    await Promise.all(
      open.map(async ([id, url]) => {
        states[id] = (await api<{ status: string }>(url, { token: work.token })).body.status;
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** How many times each value occurs. */
function tally(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

describe("soak", () => {
  it(`${USERS * (SYNCS_PER_USER + AI_JOBS_PER_USER + PREVIEWS_PER_USER)} mixed jobs with injected faults all finish, once each`, async () => {
    const started = Date.now();
    const work = await Promise.all(Array.from({ length: USERS }, (_, n) => userWork(n)));
    const deadline = Date.now() + 240_000;
    const states = await Promise.all(work.map((w) => settle(w, deadline)));
    const all = states.flatMap((s) => Object.values(s));
    const counts = tally(all);
    console.log(
      `soak: ${all.length} jobs in ${((Date.now() - started) / 1000).toFixed(1)} s → ${JSON.stringify(counts)}`,
    );
    expect(all.length).toBeGreaterThanOrEqual(500);
    expect(Object.keys(counts).sort()).toEqual(["ready", "succeeded"]);

    // Exactly-once effects: one notification per event, one AI comment per job that asked for one.
    await new Promise((r) => setTimeout(r, 3000)); // let trailing notification deliveries land
    for (const w of work) {
      const notes = await api<{ items: { type: string; payload: Record<string, string> }[] }>(
        "/notifications?limit=100",
        { token: w.token },
      );
      const keys = notes.body.items.map(
        (n) => `${n.type}:${n.payload.sync_id ?? n.payload.job_id ?? n.payload.session_id}`,
      );
      expect(new Set(keys).size).toBe(keys.length);
      const byType = tally(notes.body.items.map((n) => n.type));
      expect(byType).toEqual({
        repo_sync_succeeded: SYNCS_PER_USER,
        ai_job_succeeded: AI_JOBS_PER_USER,
        preview_started: PREVIEWS_PER_USER,
        preview_ready: PREVIEWS_PER_USER,
      });
      let comments = 0;
      for (const projectId of w.projects) {
        comments += (
          await api<{ items: unknown[] }>(`/projects/${projectId}/comments?limit=100`, { token: w.token })
        ).body.items.length;
      }
      expect(comments).toBe(w.commentJobs);
    }
  });
});
