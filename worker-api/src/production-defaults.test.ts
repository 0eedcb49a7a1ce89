// A deploy that forgets ENVIRONMENT=production must not serve with the public development JWT
// secret: with it (or with no or a short secret) the API answers only requests to a local stack.
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { expectError } from "../test/helpers";
import { createApp } from "./app";
import type { Env } from "./env";
import { isLocalUrl } from "./lib/local-host";

// The secret wrangler.toml ships for local development (written out: the test must not trust the
// constant the code compares with).
const DEV_SECRET = "insecure-dev-secret-change-me-0123456789abcdef";

/** The test bindings with `vars`; ENVIRONMENT undefined means not set at all. */
function bindings(vars: { ENVIRONMENT?: string; JWT_SECRET?: string }): Env {
  const { ENVIRONMENT: _, ...rest } = env as Env;
  return { ...rest, JWT_SECRET: DEV_SECRET, ...vars } as Env;
}

let seq = 0;
function registration(ip: string): RequestInit {
  seq += 1;
  const tag = `${seq}${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}`;
  return {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": ip },
    body: JSON.stringify({
      email: `dflt${tag}@example.com`,
      username: `dflt_${tag}`,
      password: "a long password",
    }),
  };
}

/** A session id's preview origin label, as the local stack serves it. */
const PREVIEW_LABEL = `pvs-${"0".repeat(36)}`;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the development JWT secret outside production", () => {
  expect(env.JWT_SECRET).toBe(DEV_SECRET); // what wrangler.toml ships, and the tests run with

  for (const environment of [undefined, "development", "staging"]) {
    it(`refuses a deployment's host with the misconfiguration error (ENVIRONMENT ${environment ?? "unset"})`, async () => {
      const errors = vi.spyOn(console, "error").mockImplementation(() => {});
      const app = createApp();
      const vars = bindings(environment === undefined ? {} : { ENVIRONMENT: environment });
      const origin = "https://hivesync.example.workers.dev";
      const answers: Response[] = [
        await app.request(`${origin}/api/v1/auth/me`, {}, vars),
        await app.request(`${origin}/health`, {}, vars),
        await app.request(`${origin}/api/v1/openapi.json`, {}, vars),
        await app.request(`${origin}/api/v1/auth/register`, registration("192.0.2.40"), vars),
      ];
      for (const res of answers) {
        const text = await res.clone().text();
        expect(text).not.toContain(DEV_SECRET);
        for (const [, value] of res.headers) expect(value).not.toContain(DEV_SECRET);
        const error = await expectError(res, 500, "MISCONFIGURED");
        expect(error.message).toBe("The service is misconfigured; the operators have been told.");
      }
      // Logged for the operators (why, never the secret), and nothing was written.
      const lines = errors.mock.calls.map((args) => args.map(String).join(" "));
      expect(lines.some((l) => /misconfigured/i.test(l) && l.includes("development default"))).toBe(true);
      for (const line of lines) expect(line).not.toContain(DEV_SECRET);
      const users = await env.DB.prepare("SELECT COUNT(*) AS n FROM users WHERE email LIKE 'dflt%'").first<{
        n: number;
      }>();
      expect(users?.n).toBe(0);
    });
  }

  it("serves a local stack: loopback, *.localhost, the preview origins, the LAN, *.local", async () => {
    const app = createApp();
    for (const environment of [undefined, "development"]) {
      const vars = bindings(environment === undefined ? {} : { ENVIRONMENT: environment });
      for (const origin of [
        "http://127.0.0.1:8787",
        "http://localhost:8787",
        "http://[::1]:8787",
        "http://192.168.1.20:8787",
        "http://10.0.2.2:8787",
        "http://172.20.0.5:8787",
        "http://devbox.local:8787",
      ]) {
        const res = await app.request(`${origin}/health`, {}, vars);
        expect(res.status, origin).toBe(200);
        await res.arrayBuffer();
      }
      const registered = await app.request(
        "http://127.0.0.1:8787/api/v1/auth/register",
        registration("192.0.2.41"),
        vars,
      );
      expect(registered.status).toBe(201);
      await registered.arrayBuffer();
      // A preview origin of the local stack: its frame, and (a label naming no session) a plain 404.
      const frame = await app.request(`http://${PREVIEW_LABEL}.preview.localhost:8787/`, {}, vars);
      expect(frame.status).toBe(200);
      expect(frame.headers.get("content-type")).toMatch(/^text\/html/);
      await frame.arrayBuffer();
      await expectError(
        await app.request("http://pvs-x.preview.localhost:8787/", {}, vars),
        404,
        "NOT_FOUND",
      );
    }
    await env.DB.prepare("DELETE FROM users WHERE email LIKE 'dflt%'").run();
  });

  it("serves any host with a real secret, and refuses a missing or short one off the local stack", async () => {
    const app = createApp();
    const origin = "https://hivesync.example.workers.dev";
    const real = await app.request(
      `${origin}/health`,
      {},
      bindings({ JWT_SECRET: `real-${"s".repeat(40)}` }),
    );
    expect(real.status).toBe(200);
    await real.arrayBuffer();
    vi.spyOn(console, "error").mockImplementation(() => {});
    for (const secret of ["", "a-secret-of-just-31-bytes-xxxxx"]) {
      const vars = bindings({ ENVIRONMENT: "development", JWT_SECRET: secret });
      await expectError(await app.request(`${origin}/health`, {}, vars), 500, "MISCONFIGURED");
    }
  });

  it("production refuses the development secret even on a local host", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await createApp().request(
      "http://127.0.0.1:8787/health",
      {},
      bindings({ ENVIRONMENT: "production" }),
    );
    await expectError(res, 500, "MISCONFIGURED");
  });
});

describe("isLocalUrl", () => {
  it("knows a local stack's hosts", () => {
    for (const url of [
      "http://localhost/",
      "http://LOCALHOST:8787/",
      "http://localhost./",
      "http://hivesync.localhost/",
      `http://${PREVIEW_LABEL}.preview.localhost:8787/`,
      "http://127.0.0.1/",
      "http://127.255.0.9/",
      "http://0x7f.1/", // 127.0.0.1, as the URL parser writes it
      "http://[::1]:8787/",
      "http://10.1.2.3/",
      "http://172.16.0.1/",
      "http://172.31.255.254/",
      "http://192.168.0.10/",
      "http://169.254.10.1/",
      "http://macbook.local/",
    ])
      expect(isLocalUrl(url), url).toBe(true);
  });

  it("takes nothing else for one", () => {
    for (const url of [
      "https://hivesync.example.workers.dev/",
      "https://api.example.com/",
      "https://hivesync.test/",
      "http://localhost.example.com/",
      "http://127.0.0.1.nip.io/",
      "http://localhost-evil.com/",
      "http://example.local.com/",
      "http://172.15.0.1/",
      "http://172.32.0.1/",
      "http://192.169.0.1/",
      "http://11.0.0.1/",
      "http://8.8.8.8/",
      "http://[::ffff:8.8.8.8]/",
      "http://[2001:db8::1]/",
      "not a url",
    ])
      expect(isLocalUrl(url), url).toBe(false);
  });
});
