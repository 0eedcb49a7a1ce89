// Captures every log line of a full run — including failures — and checks that no password,
// token, refresh token, code or file content ever reaches the logs.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Env as ConsumerEnv } from "../../worker-consumers/src/env";
import { handlePreviewBuild } from "../../worker-consumers/src/handlers/preview-build";
import { call, freshIp, json } from "../test/helpers";

const lines: string[] = [];
const spies: ReturnType<typeof vi.spyOn>[] = [];

beforeAll(() => {
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    spies.push(
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
      }),
    );
  }
});
afterAll(() => {
  for (const spy of spies) spy.mockRestore();
});

describe("logs", () => {
  it("never contain passwords, tokens, codes or file contents", async () => {
    const password = "Tr0ub4dor&3-very-secret";
    const fileContent = "const SUPER_SECRET_FILE_CONTENT = 'hunter2';\n";
    const secrets: string[] = [password, fileContent.trim(), "SUPER_SECRET_FILE_CONTENT"];

    const reg = await json<{ user: { id: string }; tokens: { access_token: string; refresh_token: string } }>(
      await call("/api/v1/auth/register", {
        body: { email: "logs@example.com", username: "logs_user", password },
        ip: freshIp(),
      }),
    );
    secrets.push(reg.tokens.access_token, reg.tokens.refresh_token);
    const token = reg.tokens.access_token;
    await call("/api/v1/auth/login", {
      body: { login: "logs_user", password: `${password}-wrong` },
      ip: freshIp(),
    });
    const login = await json<{ tokens: { access_token: string; refresh_token: string } }>(
      await call("/api/v1/auth/login", { body: { login: "logs@example.com", password }, ip: freshIp() }),
    );
    secrets.push(login.tokens.access_token, login.tokens.refresh_token);
    const refreshed = await json<{ tokens: { access_token: string; refresh_token: string } }>(
      await call("/api/v1/auth/refresh", { body: { refresh_token: login.tokens.refresh_token } }),
    );
    secrets.push(refreshed.tokens.access_token, refreshed.tokens.refresh_token);
    await call("/api/v1/auth/refresh", { body: { refresh_token: login.tokens.refresh_token } }); // reuse → revoke

    const project = await json<{ id: string }>(
      await call("/api/v1/projects", { token, body: { name: "logs" } }),
    );
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(fileContent));
    const sha = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    await call(`/api/v1/projects/${project.id}/blobs/${sha}`, {
      method: "PUT",
      token,
      body: fileContent,
      headers: { "content-type": "application/octet-stream" },
    });
    await call(`/api/v1/projects/${project.id}/blobs/${"0".repeat(64)}`, {
      method: "PUT",
      token,
      body: fileContent,
      headers: { "content-type": "application/octet-stream" },
    });
    await call(`/api/v1/projects/${project.id}/mirror/changes`, {
      token,
      body: {
        base_revision: 0,
        changes: [{ op: "put", path: "secret.js", sha256: sha, size: fileContent.length }],
      },
    });
    await call(`/api/v1/projects/${project.id}/mirror/file?path=secret.js`, { token });

    const started = await json<{ session_id: string; code: string }>(
      await call("/api/v1/preview/start", { token, body: { project_id: project.id, platform: "ios" } }),
    );
    secrets.push(started.code, started.code.replace("-", ""));
    await handlePreviewBuild(
      { kind: "preview.build", session_id: started.session_id, project_id: project.id, revision: 1 },
      { BLOBS: env.BLOBS, API: exports.Internal } as unknown as ConsumerEnv,
    );
    const resolved = await json<{ access_token: string }>(
      await call("/api/v1/preview/resolve", { body: { code: started.code }, ip: freshIp() }),
    );
    secrets.push(resolved.access_token);
    await call(`/api/v1/preview/bundle/${started.session_id}`, { token: resolved.access_token });
    await call(`/api/v1/preview/bundle/${started.session_id}/files/${sha}`, { token: resolved.access_token });
    await call(`/p/${started.code}`, { ip: freshIp() });
    await call("/api/v1/preview/resolve", { body: { code: "WRNG-CODE" }, ip: freshIp() });

    const link = await json<{ code: string }>(await call("/api/v1/devices/link", { method: "POST", token }));
    secrets.push(link.code, link.code.replace("-", ""));
    const device = await json<{ tokens: { access_token: string; refresh_token: string } }>(
      await call("/api/v1/devices/link/claim", {
        body: { code: link.code, device_name: "phone", platform: "ios" },
        ip: freshIp(),
      }),
    );
    secrets.push(device.tokens.access_token, device.tokens.refresh_token);
    await call(`/l/${link.code}`, { ip: freshIp() });
    await call("/api/v1/auth/logout", { method: "POST", token });
    await call("/api/v1/projects", { token }); // a revoked token: logged as a 401

    expect(lines.length).toBeGreaterThan(20);
    const all = lines.join("\n");
    for (const secret of secrets) {
      expect(all.includes(secret), `a log line contains ${secret.slice(0, 12)}…`).toBe(false);
    }
    // Structured: every request line is JSON with a request id.
    const requestLines = lines.filter((l) => l.includes('"msg":"request"'));
    expect(requestLines.length).toBeGreaterThan(20);
    for (const line of requestLines) expect(JSON.parse(line).request_id).toMatch(/^req_/);
  });
});
