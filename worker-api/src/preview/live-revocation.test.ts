// Revocation cuts live channels (issue 19, item 6): a logout or a device revocation closes the
// preview sockets that sign-in opened (4001 "revoked") and answers its parked status long-polls
// 401, before it has answered; the revoked token opens nothing afterwards, in any isolate. Preview
// tokens are not a sign-in: their channels stay. A session that ends closes every socket (4000).
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { PreviewStatusResponse } from "../../../schema/api/previews";
import { countedBindings } from "../../test/counted-bindings";
import {
  BASE,
  call,
  createProject,
  expectError,
  freshIp,
  json,
  pushFiles,
  registerUser,
  type TestUser,
} from "../../test/helpers";
import type { PreviewSession } from "./preview-session";
import type { LiveMessage } from "./session-state";
import { previewStub } from "./stub";

/** How long after a revocation has answered its sockets may take to see their close (delivery only). */
const CLOSE_BOUND_MS = 1_000;

type Tokens = { access_token: string; refresh_token: string };

/** A second sign-in of the same user (another auth session). */
async function signIn(user: TestUser): Promise<string> {
  const res = await call("/api/v1/auth/login", {
    body: { login: user.email, password: user.password },
    ip: freshIp(),
  });
  expect(res.status).toBe(200);
  return (await json<{ tokens: Tokens }>(res)).tokens.access_token;
}

/** Starts a preview of a new project of `user` (pending: sockets and long-polls work on it already). */
async function startPreview(user: TestUser) {
  const project = await createProject(user, { name: "Live app", framework: "expo" });
  await pushFiles(user, project.id, { "App.js": "export default function App() { return null; }\n" });
  const res = await call("/api/v1/preview/start", {
    token: user.access,
    body: { project_id: project.id, platform: "android" },
  });
  expect(res.status).toBe(202);
  return json<{ session_id: string; code: string }>(res);
}

async function previewToken(code: string): Promise<string> {
  const res = await call("/api/v1/preview/resolve", { body: { code }, ip: freshIp() });
  expect(res.status).toBe(200);
  return (await json<{ access_token: string }>(res)).access_token;
}

type Auth = { token?: string; protocols?: string[] };
type Fetcher = (url: string, init: RequestInit) => Response | Promise<Response>;
const viaSelf: Fetcher = (url, init) => SELF.fetch(url, init);
const header = (token: string): Auth => ({ token });
const subprotocol = (token: string): Auth => ({ protocols: ["hivesync", `bearer.${token}`] });

/** Opens the live channel; an open socket records its frames and when (and how) it closed. */
async function openLive(sessionId: string, auth: Auth, fetcher: Fetcher = viaSelf) {
  const headers: Record<string, string> = { upgrade: "websocket", "cf-connecting-ip": freshIp() };
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (auth.protocols) headers["sec-websocket-protocol"] = auth.protocols.join(", ");
  const res = await fetcher(`${BASE}/api/v1/preview/sessions/${sessionId}/live`, { headers });
  const ws = res.webSocket;
  const frames: LiveMessage[] = [];
  let close: { code: number; reason: string; at: number } | null = null;
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) => {
    ws?.addEventListener("close", (event) => {
      close = { code: event.code, reason: event.reason, at: Date.now() };
      resolve(close);
    });
  });
  ws?.addEventListener("message", (event) => {
    if (typeof event.data === "string" && event.data !== "pong") frames.push(JSON.parse(event.data));
  });
  ws?.accept();
  return {
    res,
    ws,
    frames,
    closed,
    isOpen: () => close === null,
    /** The close, or null if none came within `ms`. */
    closeWithin: (ms: number) =>
      Promise.race([closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), ms))]),
  };
}

type Live = Awaited<ReturnType<typeof openLive>>;

/** Resolves once `check` holds (polling), or fails naming `what`. */
async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 3_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A socket still open and still served: asked for the status, it answers with a new frame. */
async function expectServed(socket: Live) {
  expect(socket.isOpen()).toBe(true);
  const before = socket.frames.length;
  socket.ws?.send("status?");
  await until(() => socket.frames.length > before, "a status frame on a socket that should be open");
  expect(socket.frames.at(-1)?.type).toBe("status");
}

const parkedPolls = (sessionId: string) =>
  runInDurableObject(
    previewStub(env, sessionId),
    async (instance: PreviewSession) =>
      (instance as unknown as { waiters: Map<unknown, unknown> }).waiters.size,
  );

describe("a logout cuts that sign-in's live channels", () => {
  it("closes its sockets (Authorization header and bearer subprotocol) with 4001 'revoked' by the time it has answered", async () => {
    const user = await registerUser();
    const desktop = await signIn(user); // the same user, another sign-in
    const s = await startPreview(user);
    const byHeader = await openLive(s.session_id, header(user.access));
    const bySubprotocol = await openLive(s.session_id, subprotocol(user.access));
    const otherSignIn = await openLive(s.session_id, subprotocol(desktop));
    for (const socket of [byHeader, bySubprotocol, otherSignIn]) expect(socket.res.status).toBe(101);
    await until(() => byHeader.frames.length > 0 && bySubprotocol.frames.length > 0, "first frames");

    const logout = await call("/api/v1/auth/logout", { method: "POST", token: user.access });
    expect(logout.status).toBe(204);
    const answeredAt = Date.now();
    for (const socket of [byHeader, bySubprotocol]) {
      const close = await socket.closeWithin(CLOSE_BOUND_MS);
      expect(close, "the socket was not closed within the bound").toMatchObject({
        code: 4001,
        reason: "revoked",
      });
      expect((close?.at ?? Infinity) - answeredAt).toBeLessThan(CLOSE_BOUND_MS);
    }
    // The other sign-in of the same user keeps its socket, and it keeps hearing changes.
    await expectServed(otherSignIn);
    expect(await previewStub(env, s.session_id).liveSockets()).toBe(1);
    await call(`/api/v1/preview/sessions/${s.session_id}/cancel`, { method: "POST", token: desktop });
    await until(
      () => otherSignIn.frames.some((f) => f.type === "status" && f.status === "cancelled"),
      "the cancel on the other sign-in's socket",
    );
  });

  it("answers that sign-in's parked long-poll 401 at once (not after its 25 s), and leaves a preview token's parked", async () => {
    const user = await registerUser();
    const s = await startPreview(user);
    const phone = await previewToken(s.code);
    const url = `/api/v1/preview/sessions/${s.session_id}/status?wait=25`;
    const first = await call(url.replace("?wait=25", ""), { token: user.access });
    const etag = first.headers.get("etag") as string;
    expect(etag).toMatch(/^"\d+"$/);
    const ownerPoll = call(url, { token: user.access, headers: { "if-none-match": etag }, ip: freshIp() });
    let phoneAnswered = false;
    const phonePoll = call(url, { token: phone, headers: { "if-none-match": etag }, ip: freshIp() }).then(
      (res) => {
        phoneAnswered = true;
        return res;
      },
    );
    await until(async () => (await parkedPolls(s.session_id)) === 2, "both long-polls parked");

    const started = Date.now();
    expect((await call("/api/v1/auth/logout", { method: "POST", token: user.access })).status).toBe(204);
    const error = await expectError(await ownerPoll, 401, "UNAUTHENTICATED");
    expect(error.message).toMatch(/revoked/);
    expect(Date.now() - started).toBeLessThan(3_000);
    // The preview token's poll is not the owner's sign-in: still parked until the session changes.
    expect(await parkedPolls(s.session_id)).toBe(1);
    expect(phoneAnswered).toBe(false);
    const desktop = await signIn(user);
    await call(`/api/v1/preview/sessions/${s.session_id}/cancel`, { method: "POST", token: desktop });
    const res = await phonePoll;
    expect(res.status).toBe(200);
    expect((await json<PreviewStatusResponse>(res)).status).toBe("cancelled");
  });

  it("does not close a socket opened with the session's preview token", async () => {
    const user = await registerUser();
    const s = await startPreview(user);
    const page = await openLive(s.session_id, subprotocol(await previewToken(s.code)));
    const owner = await openLive(s.session_id, header(user.access));
    expect(page.res.status).toBe(101);
    expect(owner.res.status).toBe(101);

    expect((await call("/api/v1/auth/logout", { method: "POST", token: user.access })).status).toBe(204);
    expect((await owner.closeWithin(CLOSE_BOUND_MS))?.code).toBe(4001);
    expect(await page.closeWithin(300)).toBeNull();
    await expectServed(page);
  });

  it("after it, the old token opens no live channel — header or subprotocol, in this isolate or a fresh one", async () => {
    const user = await registerUser();
    const desktop = await signIn(user);
    expect((await call("/api/v1/auth/logout", { method: "POST", token: user.access })).status).toBe(204);
    // A preview the logout never heard of (started afterwards by the other sign-in): its object
    // knows nothing of the revocation, so only the route's own check of the sign-in can refuse.
    const s = await startPreview({ ...user, access: desktop });
    const fresh = countedBindings(); // an isolate with no memory of the session
    const inFreshIsolate: Fetcher = (url, init) => fresh.request(url, init);
    for (const fetcher of [viaSelf, inFreshIsolate]) {
      for (const auth of [header(user.access), subprotocol(user.access)]) {
        const refused = await openLive(s.session_id, auth, fetcher);
        expect(refused.ws).toBeNull();
        const error = await expectError(refused.res, 401, "UNAUTHENTICATED");
        expect(error.message).toMatch(/revoked/);
      }
    }
    expect(await previewStub(env, s.session_id).liveSockets()).toBe(0);
    // Control: the live sign-in opens it, in both isolates.
    for (const fetcher of [viaSelf, inFreshIsolate])
      expect((await openLive(s.session_id, subprotocol(desktop), fetcher)).res.status).toBe(101);
  });

  it("the session's object itself refuses the revoked sign-in for a while (a request admitted just before the revocation)", async () => {
    const user = await registerUser();
    const s = await startPreview(user);
    const { sub, sid } = JSON.parse(
      atob((user.access.split(".")[1] as string).replace(/-/g, "+").replace(/_/g, "/")),
    );
    expect((await call("/api/v1/auth/logout", { method: "POST", token: user.access })).status).toBe(204);
    // What worker-api would hand the object had it admitted the token from a lease a moment earlier.
    const caller = { kind: "owner" as const, userId: sub as string, authSessionId: sid as string };
    const stub = previewStub(env, s.session_id);
    const socket = await stub.fetch("https://preview-session/live", {
      headers: { upgrade: "websocket", "x-hivesync-preview-caller": JSON.stringify(caller) },
    });
    expect(socket.status).toBe(401);
    expect(await socket.text()).toBe("revoked");
    expect((await stub.poll(caller, null, 0)).outcome).toBe("revoked");
  });
});

describe("a device revocation cuts the device's live channels", () => {
  it("closes the phone's socket with 4001 by the time DELETE /devices/:id has answered; the desktop's stays", async () => {
    const user = await registerUser();
    const link = await json<{ code: string }>(
      await call("/api/v1/devices/link", { method: "POST", token: user.access }),
    );
    const claimed = await call("/api/v1/devices/link/claim", {
      body: { code: link.code, device_name: "Ana's Pixel", platform: "android" },
      ip: freshIp(),
    });
    expect(claimed.status).toBe(201);
    const device = await json<{ device: { id: string }; tokens: Tokens }>(claimed);
    const s = await startPreview(user);
    const phone = await openLive(s.session_id, subprotocol(device.tokens.access_token));
    const desk = await openLive(s.session_id, header(user.access));
    expect(phone.res.status).toBe(101);
    expect(desk.res.status).toBe(101);

    const revoked = await call(`/api/v1/devices/${device.device.id}`, {
      method: "DELETE",
      token: user.access,
    });
    expect(revoked.status).toBe(204);
    const answeredAt = Date.now();
    const close = await phone.closeWithin(CLOSE_BOUND_MS);
    expect(close).toMatchObject({ code: 4001, reason: "revoked" });
    expect((close?.at ?? Infinity) - answeredAt).toBeLessThan(CLOSE_BOUND_MS);
    await expectServed(desk);
    await expectError(
      (await openLive(s.session_id, subprotocol(device.tokens.access_token))).res,
      401,
      "UNAUTHENTICATED",
    );
  });
});

describe("a session that ends closes its viewers' sockets with 4000", () => {
  it("cancelled, expired or failed: the owner's and the preview token's sockets hear the last status, then 4000", async () => {
    const user = await registerUser();
    const endings = {
      cancelled: (id: string) =>
        call(`/api/v1/preview/sessions/${id}/cancel`, { method: "POST", token: user.access }),
      expired: (id: string) => previewStub(env, id).expireNow(),
      failed: (id: string) =>
        previewStub(env, id).report({ status: "failed", error: { code: "build_error", message: "boom" } }),
    };
    for (const [status, end] of Object.entries(endings)) {
      const s = await startPreview(user);
      const sockets = [
        await openLive(s.session_id, header(user.access)),
        await openLive(s.session_id, subprotocol(await previewToken(s.code))),
      ];
      for (const socket of sockets) expect(socket.res.status).toBe(101);
      await end(s.session_id);
      for (const socket of sockets) {
        expect(await socket.closeWithin(CLOSE_BOUND_MS), status).toMatchObject({
          code: 4000,
          reason: "preview ended",
        });
        expect(socket.frames.at(-1)).toMatchObject({ type: "status", status });
      }
    }
  });
});
