import { env } from "cloudflare:test";
import { sha256Hex } from "../../worker-api/src/lib/crypto";
import { pushFilesVia } from "../../worker-api/test/push-files";

type Init = {
  method?: string;
  body?: unknown;
  token?: string;
  raw?: BodyInit;
  headers?: Record<string, string>;
};

/** Calls the auxiliary worker-api over its public HTTP. */
export async function api<T = Record<string, unknown>>(
  path: string,
  init: Init = {},
): Promise<{ status: number; body: T }> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  headers.set("cf-connecting-ip", "192.0.2.10");
  const res = await env.API_HTTP.fetch(`https://hivesync.localhost${path}`, {
    method: init.method ?? (init.body !== undefined || init.raw !== undefined ? "POST" : "GET"),
    headers,
    body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** SHA-256 hex of text (the API's own helper). */
export const sha256 = sha256Hex;

/** A new user with one project; returns the access token and project id. */
export async function userWithProject(): Promise<{ token: string; userId: string; projectId: string }> {
  const name = `u${crypto.randomUUID().replace(/-/g, "").slice(0, 12)}`;
  const reg = await api<{ user: { id: string }; tokens: { access_token: string } }>("/api/v1/auth/register", {
    body: { email: `${name}@example.com`, username: name, password: "a long enough password" },
  });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${JSON.stringify(reg.body)}`);
  const token = reg.body.tokens.access_token;
  const project = await api<{ id: string }>("/api/v1/projects", { token, body: { name: "pipeline" } });
  return { token, userId: reg.body.user.id, projectId: project.body.id };
}

/** Uploads the files' blobs and commits them as one change set; returns the sync. */
export function pushFiles(token: string, projectId: string, files: Record<string, string>, baseRevision = 0) {
  return pushFilesVia(
    (path, init) => env.API_HTTP.fetch(`https://hivesync.localhost${path}`, init),
    token,
    projectId,
    files,
    baseRevision,
  );
}

/**
 * Writes a committed revision straight into D1 and R2, with no queue message behind it, so a test
 * can deliver the repo-sync message itself and nothing else races it.
 */
export async function seedSync(
  projectId: string,
  files: Record<string, string>,
  revision = 1,
): Promise<{ sync_id: string; revision: number }> {
  const syncId = `syn_${crypto.randomUUID().replace(/-/g, "")}`;
  const now = new Date().toISOString();
  const statements = [];
  for (const [path, content] of Object.entries(files)) {
    const hash = await sha256(content);
    await env.BLOBS.put(`p/${projectId}/blobs/${hash}`, content);
    statements.push(
      env.DB.prepare(
        "INSERT INTO mirror_files (project_id, path, revision_from, sha256, size) VALUES (?, ?, ?, ?, ?)",
      ).bind(projectId, path, revision, hash, new TextEncoder().encode(content).length),
    );
  }
  statements.push(
    env.DB.prepare(
      "INSERT INTO mirror_syncs (id, project_id, revision, status, created_at, updated_at) VALUES (?, ?, ?, 'queued', ?, ?)",
    ).bind(syncId, projectId, revision, now, now),
    env.DB.prepare("UPDATE projects SET mirror_revision = ? WHERE id = ?").bind(revision, projectId),
  );
  await env.DB.batch(statements);
  return { sync_id: syncId, revision };
}
