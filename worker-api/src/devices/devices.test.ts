import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  BASE,
  call,
  createProject,
  expectError,
  freshIp,
  json,
  pushFiles,
  registerUser,
  wrongCode,
} from "../../test/helpers";
import { createApp } from "../app";
import type { Env } from "../env";

type Link = { code: string; link_url: string; deep_link: string; qr_svg: string; expires_at: string };
type Claimed = {
  device: { id: string; name: string; platform: string; current: boolean };
  tokens: { access_token: string; refresh_token: string };
};

const claim = (code: string, ip = freshIp()) =>
  call("/api/v1/devices/link/claim", { body: { code, device_name: "Ana's Pixel", platform: "android" }, ip });

describe("device linking", () => {
  it("links a phone with a 10-minute single-use code; the phone then acts as the user", async () => {
    const user = await registerUser();
    const res = await call("/api/v1/devices/link", { method: "POST", token: user.access });
    expect(res.status).toBe(201);
    const link = await json<Link>(res);
    expect(link.code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(link.link_url).toBe(`https://hivesync.localhost/l/${link.code}`);
    expect(link.deep_link).toBe(`hivesync://link?code=${link.code}`);
    expect(link.qr_svg.startsWith("<svg")).toBe(true);
    const ttl = new Date(link.expires_at).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);

    const claimed = await claim(link.code.toLowerCase());
    expect(claimed.status).toBe(201);
    const phone = await json<Claimed>(claimed);
    expect(phone.device).toMatchObject({ name: "Ana's Pixel", platform: "android", current: true });
    // Single use.
    await expectError(await claim(link.code), 404, "NOT_FOUND");

    const project = await createProject(user, { name: "Shared" });
    const seen = await json<{ items: { id: string }[] }>(
      await call("/api/v1/projects", { token: phone.tokens.access_token }),
    );
    expect(seen.items.map((p) => p.id)).toEqual([project.id]);
    const devices = await json<{ items: { id: string; current: boolean }[] }>(
      await call("/api/v1/devices", { token: user.access }),
    );
    expect(devices.items).toEqual([expect.objectContaining({ id: phone.device.id, current: false })]);
  });

  it("lets a linked phone list and open its owner's previews without a code", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await pushFiles(user, project.id, { "index.js": "x" });
    const started = await json<{ session_id: string }>(
      await call("/api/v1/preview/start", {
        token: user.access,
        body: { project_id: project.id, platform: "android" },
      }),
    );
    const link = await json<Link>(await call("/api/v1/devices/link", { method: "POST", token: user.access }));
    const phone = await json<Claimed>(await claim(link.code));
    const list = await json<{ items: { id: string; status: string }[] }>(
      await call(`/api/v1/preview/sessions?project_id=${project.id}&active=true`, {
        token: phone.tokens.access_token,
      }),
    );
    expect(list.items.map((s) => s.id)).toEqual([started.session_id]);
    const status = await call(`/api/v1/preview/sessions/${started.session_id}/status`, {
      token: phone.tokens.access_token,
    });
    expect(status.status).toBe(200);
  });

  it("revoking a device stops its tokens at once, on normal routes and on the status poll", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await pushFiles(user, project.id, { "index.js": "x" });
    const started = await json<{ session_id: string }>(
      await call("/api/v1/preview/start", {
        token: user.access,
        body: { project_id: project.id, platform: "ios" },
      }),
    );
    const link = await json<Link>(await call("/api/v1/devices/link", { method: "POST", token: user.access }));
    const phone = await json<Claimed>(await claim(link.code));
    expect(
      (await call(`/api/v1/devices/${phone.device.id}`, { method: "DELETE", token: user.access })).status,
    ).toBe(204);
    await expectError(
      await call("/api/v1/projects", { token: phone.tokens.access_token }),
      401,
      "UNAUTHENTICATED",
    );
    await expectError(
      await call(`/api/v1/preview/sessions/${started.session_id}/status`, {
        token: phone.tokens.access_token,
      }),
      401,
      "UNAUTHENTICATED",
    );
    await expectError(
      await call("/api/v1/auth/refresh", { body: { refresh_token: phone.tokens.refresh_token } }),
      401,
      "INVALID_REFRESH_TOKEN",
    );
    expect(
      (await json<{ items: unknown[] }>(await call("/api/v1/devices", { token: user.access }))).items,
    ).toEqual([]);
    // The owner's own session is untouched.
    expect((await call("/api/v1/projects", { token: user.access })).status).toBe(200);
  });

  it("a revocation cut off half-way is finished by the retry, never leaving a revoked-looking device that works", async () => {
    const user = await registerUser();
    const link = await json<Link>(await call("/api/v1/devices/link", { method: "POST", token: user.access }));
    const phone = await json<Claimed>(await claim(link.code));
    const remove = (bindings: Env) =>
      createApp().request(
        `${BASE}/api/v1/devices/${phone.device.id}`,
        {
          method: "DELETE",
          headers: { authorization: `Bearer ${user.access}`, "cf-connecting-ip": freshIp() },
        },
        bindings,
      );
    // The user's session object fails to take the revocation: nothing may look done.
    const failing = {
      idFromName: (name: string) => env.USER_SESSIONS.idFromName(name),
      get: (id: DurableObjectId) => {
        const stub = env.USER_SESSIONS.get(id);
        return {
          admit: (...args: Parameters<typeof stub.admit>) => stub.admit(...args),
          revoke: () => Promise.reject(new Error("object unavailable")),
        };
      },
    };
    await expectError(
      await remove({ ...env, USER_SESSIONS: failing } as unknown as Env),
      500,
      "INTERNAL_ERROR",
    );
    const listed = await json<{ items: { id: string }[] }>(
      await call("/api/v1/devices", { token: user.access }),
    );
    expect(listed.items.map((d) => d.id)).toEqual([phone.device.id]);
    // The retry finds the device still listed and revokes it for good.
    expect((await remove(env)).status).toBe(204);
    await expectError(
      await call("/api/v1/projects", { token: phone.tokens.access_token }),
      401,
      "UNAUTHENTICATED",
    );
    expect(
      (await json<{ items: unknown[] }>(await call("/api/v1/devices", { token: user.access }))).items,
    ).toEqual([]);
  });

  it("keeps devices private (404 on someone else's) and guards claims against guessing", async () => {
    const user = await registerUser();
    const other = await registerUser();
    const link = await json<Link>(await call("/api/v1/devices/link", { method: "POST", token: user.access }));
    const phone = await json<Claimed>(await claim(link.code));
    await expectError(
      await call(`/api/v1/devices/${phone.device.id}`, { method: "DELETE", token: other.access }),
      404,
      "NOT_FOUND",
    );
    expect((await call("/api/v1/projects", { token: phone.tokens.access_token })).status).toBe(200);

    const ip = freshIp();
    for (let i = 0; i < 5; i++) await expectError(await claim(wrongCode(), ip), 404, "NOT_FOUND");
    const fresh = await json<Link>(
      await call("/api/v1/devices/link", { method: "POST", token: user.access }),
    );
    const blocked = await claim(fresh.code, ip);
    await expectError(blocked, 429, "TOO_MANY_ATTEMPTS");
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    await expectError(await claim("not a code", freshIp()), 404, "NOT_FOUND");
    await expectError(
      await call("/api/v1/devices/link/claim", {
        body: { code: fresh.code, device_name: "", platform: "android" },
      }),
      400,
      "VALIDATION_FAILED",
    );
  });
});
