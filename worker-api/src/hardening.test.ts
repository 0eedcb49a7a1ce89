// Issue 12, server items 2–7: inputs that must not disguise themselves or be stored other than
// sent, bearer schemes in any case, idempotent replays that stay with their caller, lockouts that
// link no names, and codes of deleted previews. Plus one precedence pin of item 17 (mirror commit).
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { mirrorPathProblem } from "../../schema/api/paths";
import {
  BASE,
  call,
  createProject,
  expectError,
  freshIp,
  json,
  pushFiles,
  registerUser,
  sha256Of,
  type TestUser,
  wrongCode,
} from "../test/helpers";
import { createApp } from "./app";

async function countProjects(user: TestUser): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM projects WHERE owner_id = ?")
    .bind(user.id)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** POSTs raw bytes as JSON, exactly as given (no re-encoding on the way). */
function postBytes(path: string, bytes: Uint8Array, token?: string): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "cf-connecting-ip": freshIp(),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: bytes,
  });
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

describe("item 2: mirror paths cannot disguise themselves", () => {
  it("refuses C1 controls, bidirectional controls and invisible zero-width characters", () => {
    const refused = [
      "src/\u0085App.tsx", // NEL, a C1 control
      "src/App\u0080.tsx",
      "src/App\u009f.tsx",
      "invoice\u202efdp.exe", // RIGHT-TO-LEFT OVERRIDE: shows as "invoiceexe.pdf"
      "a\u202ab.ts",
      "a\u202db.ts",
      "a\u2066b.ts", // isolates
      "a\u2069b.ts",
      "a\u200eb.ts", // LRM / RLM / ALM
      "a\u200fb.ts",
      "a\u061cb.ts",
      "App\u200b.tsx", // ZWSP
      "App\u2060.tsx", // word joiner
      "\ufeffApp.tsx", // BOM
      "App\u200d.tsx", // ZWJ next to ASCII joins nothing
      "src/\u200cApp.tsx", // ZWNJ at a name's edge
      "\u200d",
    ];
    for (const path of refused) expect(mirrorPathProblem(path), JSON.stringify(path)).not.toBeNull();
  });

  it("keeps ZWNJ/ZWJ where scripts and emoji need them, and ordinary non-ASCII names", () => {
    const accepted = [
      "docs/\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645.md", // Persian "می‌خواهم" with ZWNJ
      "assets/\u{1f468}\u200d\u{1f469}\u200d\u{1f467}.png", // family emoji, a ZWJ sequence
      "src/caf\u00e9.ts", // é (U+00E9) is just above the C1 range
      "src/\u00a0nbsp.ts", // U+00A0 is not a control
    ];
    for (const path of accepted) expect(mirrorPathProblem(path), JSON.stringify(path)).toBeNull();
  });

  it("answers 422 INVALID_PATH on the API for every field that follows the path rules, storing nothing", async () => {
    const user = await registerUser();
    for (const entry of ["App\u0085.tsx", "App\u202e.tsx", "App\u2067.tsx", "App\u200b.tsx"]) {
      await expectError(
        await call("/api/v1/projects", { token: user.access, body: { name: "p", entry } }),
        422,
        "INVALID_PATH",
      );
    }
    expect(await countProjects(user)).toBe(0);
    const project = await createProject(user);
    const hash = await sha256Of("x");
    await call(`/api/v1/projects/${project.id}/blobs/${hash}`, {
      method: "PUT",
      token: user.access,
      body: "x",
      headers: { "content-type": "application/octet-stream" },
    });
    await expectError(
      await call(`/api/v1/projects/${project.id}/mirror/changes`, {
        token: user.access,
        body: {
          base_revision: 0,
          changes: [{ op: "put", path: "invoice\u202efdp.exe", sha256: hash, size: 1 }],
        },
      }),
      422,
      "INVALID_PATH",
    );
    const mirror = await json<{ revision: number }>(
      await call(`/api/v1/projects/${project.id}/mirror`, { token: user.access }),
    );
    expect(mirror.revision).toBe(0);
  });
});

describe("item 3: JSON means valid UTF-8", () => {
  it("answers 400 INVALID_JSON to bytes that are not UTF-8 instead of storing U+FFFD", async () => {
    const user = await registerUser();
    const latin1 = concat(utf8('{"name":"caf'), new Uint8Array([0xe9]), utf8('"}')); // é in Latin-1
    await expectError(await postBytes("/api/v1/projects", latin1, user.access), 400, "INVALID_JSON");
    const overlong = concat(utf8('{"name":"'), new Uint8Array([0xc0, 0xaf]), utf8('"}')); // overlong "/"
    await expectError(await postBytes("/api/v1/projects", overlong, user.access), 400, "INVALID_JSON");
    const cesu = concat(utf8('{"name":"'), new Uint8Array([0xed, 0xa0, 0x80]), utf8('"}')); // UTF-8 of U+D800
    await expectError(await postBytes("/api/v1/projects", cesu, user.access), 400, "INVALID_JSON");
    expect(await countProjects(user)).toBe(0);
    // The same name sent as UTF-8 is fine.
    const ok = await postBytes("/api/v1/projects", utf8('{"name":"café"}'), user.access);
    expect(ok.status).toBe(201);
    expect((await json<{ name: string }>(ok)).name).toBe("café");
  });

  it("answers 400 INVALID_JSON to a lone surrogate escape in a value or a key, and accepts a pair", async () => {
    const user = await registerUser();
    for (const body of [
      '{"name":"a\\ud800"}',
      '{"name":"\\udc00b"}',
      '{"name":"ok","description":"\\ud83d"}',
      '{"name":"ok","\\ud800":1}',
      '{"name":"ok","x":[{"y":"\\udfff"}]}',
    ]) {
      await expectError(await call("/api/v1/projects", { token: user.access, body }), 400, "INVALID_JSON");
    }
    expect(await countProjects(user)).toBe(0);
    const pair = await call("/api/v1/projects", { token: user.access, body: '{"name":"\\ud83d\\ude00"}' });
    expect(pair.status).toBe(201);
    expect((await json<{ name: string }>(pair)).name).toBe("😀");
  });

  it("stores no account from a registration that is not UTF-8", async () => {
    const email = `utf8${crypto.randomUUID().slice(0, 8)}@example.com`;
    const body = concat(
      utf8(`{"email":"${email}","username":"u${crypto.randomUUID().slice(0, 8)}","password":"pass`),
      new Uint8Array([0xff]),
      utf8('word long enough"}'),
    );
    await expectError(await postBytes("/api/v1/auth/register", body), 400, "INVALID_JSON");
    const row = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE email = ?").bind(email).first();
    expect(row?.n).toBe(0);
  });
});

describe("item 4: the Authorization scheme is case-insensitive", () => {
  it("accepts bearer, BEARER and BeArEr for access tokens, preview tokens and the ops token", async () => {
    const user = await registerUser();
    for (const scheme of ["bearer", "BEARER", "BeArEr"]) {
      const res = await call("/api/v1/auth/me", { headers: { authorization: `${scheme} ${user.access}` } });
      expect(res.status, scheme).toBe(200);
    }
    // …and on routes behind requireAuth, where a lowercase scheme used to be "signed out".
    expect(
      (await call("/api/v1/projects", { headers: { authorization: `bearer ${user.access}` } })).status,
    ).toBe(200);

    const project = await createProject(user);
    await pushFiles(user, project.id, { "index.js": "x" });
    const started = await json<{ session_id: string; code: string }>(
      await call("/api/v1/preview/start", {
        token: user.access,
        body: { project_id: project.id, platform: "web" },
      }),
    );
    const scoped = await json<{ access_token: string }>(
      await call("/api/v1/preview/resolve", { body: { code: started.code }, ip: freshIp() }),
    );
    const status = await call(`/api/v1/preview/sessions/${started.session_id}/status`, {
      headers: { authorization: `bearer ${scoped.access_token}` },
    });
    expect(status.status).toBe(200);

    const opsEnv = { ...env, OPS_TOKEN: "ops-secret-token" };
    const deep = await createApp().request(
      "/health/deep",
      { headers: { authorization: "BEARER ops-secret-token" } },
      opsEnv,
    );
    expect(deep.status).toBe(200);
  });
});

describe("item 5: idempotent replays stay with their caller", () => {
  const claim = (code: string, ip: string, key: string, device_name = "Ana's Pixel") =>
    call("/api/v1/devices/link/claim", {
      body: { code, device_name, platform: "android" },
      headers: { "idempotency-key": key },
      ip,
    });
  const linkCode = async (user: TestUser) =>
    (await json<{ code: string }>(await call("/api/v1/devices/link", { method: "POST", token: user.access })))
      .code;

  it("never hands a claimed device's tokens to another caller that sends the same code and key", async () => {
    const user = await registerUser();
    const code = await linkCode(user);
    const phone = freshIp();
    const first = await claim(code, phone, "claim-1");
    expect(first.status).toBe(201);
    const firstBody = await first.text();

    // Someone who saw the code on the screen, on another network, guessing the obvious key.
    const stranger = await claim(code, freshIp(), "claim-1");
    await expectError(stranger.clone(), 404, "NOT_FOUND");
    expect(stranger.headers.get("idempotent-replayed")).toBeNull();
    expect(await stranger.text()).not.toContain("access_token");

    // The phone itself still gets its answer back when it retries.
    const retry = await claim(code, phone, "claim-1");
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await retry.text()).toBe(firstBody);
  });

  it("does not let two unrelated anonymous callers with the same key collide", async () => {
    // Two phones behind one address (a carrier NAT), with a client that always sends the same key.
    const [alice, bob] = [await registerUser(), await registerUser()];
    const ip = freshIp();
    const a = await claim(await linkCode(alice), ip, "claim");
    const b = await claim(await linkCode(bob), ip, "claim");
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers.get("idempotent-replayed")).toBeNull();
    const [aBody, bBody] = [
      await json<{ device: { id: string } }>(a),
      await json<{ device: { id: string } }>(b),
    ];
    expect(aBody.device.id).not.toBe(bBody.device.id);

    // Two people signing up with the same key each get their own account.
    const signUp = (tag: string) =>
      call("/api/v1/auth/register", {
        body: { email: `${tag}@example.com`, username: tag, password: "a long enough password" },
        headers: { "idempotency-key": "signup" },
        ip: freshIp(),
      });
    const suffix = crypto.randomUUID().slice(0, 8);
    const first = await signUp(`first_${suffix}`);
    const second = await signUp(`second_${suffix}`);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBeNull();
  });

  it("keeps no address or email in clear in the idempotency records", async () => {
    const tag = `clear_${crypto.randomUUID().slice(0, 8)}`;
    const ip = freshIp();
    const res = await call("/api/v1/auth/register", {
      body: { email: `${tag}@example.com`, username: tag, password: "a long enough password" },
      headers: { "idempotency-key": `k-${tag}` },
      ip,
    });
    expect(res.status).toBe(201);
    const row = await env.DB.prepare("SELECT scope FROM idempotency_records WHERE key = ?")
      .bind(`k-${tag}`)
      .first<{ scope: string }>();
    expect(row?.scope).toMatch(/^anonymous:[0-9a-f]{64}$/);
  });
});

describe("item 6: lockouts link no login names", () => {
  const login = (name: string, password: string) =>
    call("/api/v1/auth/login", { body: { login: name, password }, ip: freshIp() });
  /** The statuses of 6 wrong-password logins with `name`. */
  async function sixWrong(name: string): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(name, `wrong password ${i}`)).status);
    return statuses;
  }
  const LOCKS_AFTER_FIVE = [401, 401, 401, 401, 401, 429];

  it("locking an email does not lock its username (or the reverse): both answer like any other name", async () => {
    const user = await registerUser();
    const stranger = await registerUser();
    const ghost = `ghost_${crypto.randomUUID().slice(0, 8)}`;
    expect(await sixWrong(user.email)).toEqual(LOCKS_AFTER_FIVE);
    // Were the counter shared, the username would answer 429 at once and give the pair away.
    expect(await sixWrong(user.username)).toEqual(LOCKS_AFTER_FIVE);
    expect(await sixWrong(stranger.username)).toEqual(LOCKS_AFTER_FIVE);
    expect(await sixWrong(ghost)).toEqual(LOCKS_AFTER_FIVE);
    expect(await sixWrong(`${ghost}@example.com`)).toEqual(LOCKS_AFTER_FIVE);

    const other = await registerUser();
    expect(await sixWrong(other.username)).toEqual(LOCKS_AFTER_FIVE);
    expect(await sixWrong(other.email)).toEqual(LOCKS_AFTER_FIVE);
  });

  it("a name locked by failures answers identically for a known and an unknown login", async () => {
    const user = await registerUser();
    const ghost = `ghost_${crypto.randomUUID().slice(0, 8)}`;
    await sixWrong(user.username);
    await sixWrong(ghost);
    const [known, unknown] = [await login(user.username, "wrong again"), await login(ghost, "wrong again")];
    const [k, u] = [
      await expectError(known, 429, "TOO_MANY_ATTEMPTS"),
      await expectError(unknown, 429, "TOO_MANY_ATTEMPTS"),
    ];
    expect(k.message).toBe(u.message);
    expect(Object.keys(k.details)).toEqual(Object.keys(u.details));
  });
});

describe("item 7: a deleted project's preview codes answer like expired ones", () => {
  async function livePreview() {
    const user = await registerUser();
    const project = await createProject(user);
    await pushFiles(user, project.id, { "index.js": "x" });
    const res = await call("/api/v1/preview/start", {
      token: user.access,
      body: { project_id: project.id, platform: "web" },
    });
    expect(res.status).toBe(202);
    return { user, project, started: await json<{ session_id: string; code: string }>(res) };
  }
  const remove = async (user: TestUser, projectId: string) =>
    expect(
      (await call(`/api/v1/projects/${projectId}`, { method: "DELETE", token: user.access })).status,
    ).toBe(204);

  it("410 PREVIEW_EXPIRED on resolve, never counted as a wrong guess", async () => {
    const { user, project, started } = await livePreview();
    await remove(user, project.id);
    const ip = freshIp();
    // More than the 5-failure budget: none of them is a failure.
    for (let i = 0; i < 7; i++) {
      await expectError(
        await call("/api/v1/preview/resolve", { body: { code: started.code }, ip }),
        410,
        "PREVIEW_EXPIRED",
      );
    }
    await expectError(
      await call("/api/v1/preview/resolve", { body: { code: "BBBB-BBBB" }, ip }),
      404,
      "NOT_FOUND",
    );
  });

  it("also for a preview that had already ended before its project was deleted", async () => {
    const { user, project, started } = await livePreview();
    await call(`/api/v1/preview/sessions/${started.session_id}/cancel`, {
      method: "POST",
      token: user.access,
    });
    await remove(user, project.id);
    await expectError(
      await call("/api/v1/preview/resolve", { body: { code: started.code }, ip: freshIp() }),
      410,
      "PREVIEW_EXPIRED",
    );
  });

  it("the landing page says expired (410), not unknown, and does not count it either", async () => {
    const { user, project, started } = await livePreview();
    await remove(user, project.id);
    const ip = freshIp();
    for (let i = 0; i < 6; i++) {
      const page = await call(`/p/${started.code}`, { ip });
      expect(page.status).toBe(410);
      expect(await page.text()).toContain("expired");
    }
    expect(await json(await call(`/p/${started.code}/status`, { ip }))).toEqual({
      status: "expired",
      label: "Expired",
      final: true,
    });
  });

  it("a code that never existed is still unknown (404) and counted", async () => {
    const ip = freshIp();
    for (let i = 0; i < 5; i++) {
      await expectError(
        await call("/api/v1/preview/resolve", { body: { code: wrongCode() }, ip }),
        404,
        "NOT_FOUND",
      );
    }
    await expectError(
      await call("/api/v1/preview/resolve", { body: { code: wrongCode() }, ip }),
      429,
      "TOO_MANY_ATTEMPTS",
    );
  });
});

describe("item 17: which error wins", () => {
  it("a stale base_revision that also names a missing blob is 409 REVISION_CONFLICT", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await pushFiles(user, project.id, { "a.js": "a" });
    const missing = await sha256Of("never uploaded");
    const err = await expectError(
      await call(`/api/v1/projects/${project.id}/mirror/changes`, {
        token: user.access,
        body: { base_revision: 0, changes: [{ op: "put", path: "b.js", sha256: missing, size: 14 }] },
      }),
      409,
      "REVISION_CONFLICT",
    );
    expect(err.details).toMatchObject({ current_revision: 1 });
  });
});
