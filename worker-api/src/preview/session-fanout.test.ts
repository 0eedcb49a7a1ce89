// Writers don't wait for readers (issue 13, docs/scale.md): a change is stored and its writer
// answered first; the session's long-polls and sockets hear of it afterwards, each exactly once.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { PreviewStatusResponse } from "../../../schema/api/previews";
import type { Env } from "../env";
import { LIVE_CALLER_HEADER, LIVE_ENDED_CLOSE, type PreviewSession } from "./preview-session";
import type { LiveMessage, PreviewInit } from "./session-state";

const OWNER = { kind: "owner" as const, userId: "usr_fan00000000000000000", authSessionId: "ses_fan" };
const bundle = { file_count: 2, total_bytes: 10, manifest_sha256: "a".repeat(64) };

let n = 0;
async function fresh(overrides: Partial<PreviewInit> = {}) {
  n += 1;
  const sessionId = `pvs_fan${String(n).padStart(21, "0")}`;
  const stub = env.PREVIEW_SESSION.get(env.PREVIEW_SESSION.idFromName(sessionId));
  await stub.init({
    session_id: sessionId,
    project_id: "prj_fan00000000000000000",
    project_name: "Fan-out",
    owner_id: OWNER.userId,
    platform: "web",
    revision: 1,
    created_at: new Date().toISOString(),
    expires_at: new Date(Date.now() + 60_000).toISOString(),
    ...overrides,
  });
  return { stub, sessionId };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
/** Lets every queued microtask run (and those they queue), but no timer or I/O. */
async function drainMicrotasks() {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

/** A live socket straight to the object (worker-api's part, the caller header, done by hand). */
async function socket(stub: DurableObjectStub<PreviewSession>) {
  const res = await stub.fetch("https://preview-session/live", {
    headers: { upgrade: "websocket", [LIVE_CALLER_HEADER]: JSON.stringify(OWNER) },
  });
  const ws = res.webSocket;
  if (!ws) throw new Error(`no socket: ${res.status}`);
  ws.accept();
  const frames: LiveMessage[] = [];
  ws.addEventListener("message", (event) => frames.push(JSON.parse(String(event.data)) as LiveMessage));
  const closed = new Promise<number>((resolve) =>
    ws.addEventListener("close", (event) => resolve(event.code)),
  );
  return { ws, frames, closed };
}

async function until(check: () => boolean, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await tick(10);
  }
}

/** `db` with every statement held until `gate` opens (a slow D1). */
function heldD1(db: D1Database, gate: Promise<void>): D1Database {
  const hold = (statement: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(statement, {
      get(target, key) {
        const value = Reflect.get(target, key, target) as unknown;
        if (typeof value !== "function") return value;
        if (key === "bind") return (...args: unknown[]) => hold(target.bind(...args));
        return async (...args: unknown[]) => {
          await gate;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return new Proxy(db, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (key === "prepare") return (query: string) => hold(target.prepare(query));
      if (key === "batch")
        return async (statements: D1PreparedStatement[]) => {
          await gate;
          return target.batch(statements);
        };
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The object's bookkeeping of readers, looked at from a test. */
type Internals = {
  fanOutTimer: unknown;
  due: unknown;
  waiters: Set<unknown>;
  joinedAt: Map<unknown, number>;
};

const statuses = (frames: LiveMessage[]) =>
  frames.filter((f): f is Extract<LiveMessage, { type: "status" }> => f.type === "status");

describe("writers don't wait for readers", () => {
  it("answers the writer before it wakes any long-poll; then every waiter gets the new version once", async () => {
    const { stub } = await fresh();
    await runInDurableObject(stub, async (instance: PreviewSession) => {
      const order: string[] = [];
      const waiters = Array.from({ length: 50 }, (_, i) =>
        instance.poll(OWNER, 1, 10_000).then((r) => {
          order.push(`waiter ${i}`);
          return r.status;
        }),
      );
      const written = await instance.report({ status: "building", stage: "resolving_files", progress: 0.1 });
      order.push("writer");
      expect(written.state?.version).toBe(2);
      await drainMicrotasks();
      expect(order).toEqual(["writer"]); // stored and answered; readers are told in a later task
      const views = await Promise.all(waiters);
      expect(views.map((v) => v?.version)).toEqual(Array(50).fill(2));
      expect(views.every((v) => v?.status === "building")).toBe(true);
      expect(order).toHaveLength(51);
      expect(new Set(order).size).toBe(51); // each waiter answered once
    });
  });

  it("a terminal writer's bookkeeping runs while its readers are told: neither waits for the other", async () => {
    const { stub } = await fresh();
    const sockets = await Promise.all(Array.from({ length: 5 }, () => socket(stub)));
    await until(() => sockets.every((s) => s.frames.length === 1), "every socket's first status");
    await runInDurableObject(stub, async (instance: PreviewSession) => {
      // Hold the cancel's D1 write (its terminal bookkeeping) until the readers have heard.
      const inside = instance as unknown as { env: Env };
      const real = inside.env;
      let release = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      inside.env = { ...real, DB: heldD1(real.DB, gate) };
      try {
        const waiters = Array.from({ length: 20 }, () =>
          instance.poll(OWNER, 1, 10_000).then((r) => r.status),
        );
        let answered = false;
        const writing = instance.report({ status: "cancelled" }).then((r) => {
          answered = true;
          return r;
        });
        const views = await Promise.all(waiters);
        expect(views.every((v) => v?.status === "cancelled" && v.version === 2)).toBe(true);
        expect(await Promise.all(sockets.map((s) => s.closed))).toEqual(Array(5).fill(LIVE_ENDED_CLOSE));
        expect(answered).toBe(false); // the writer is still at its D1 write
        release();
        expect((await writing).state?.status).toBe("cancelled");
      } finally {
        inside.env = real;
        release();
      }
    });
    for (const s of sockets)
      expect(statuses(s.frames).map((f) => f.status)).toEqual(["pending", "cancelled"]);
  });

  it("a long-poll that arrives during the fan-out sees the new version; one that already has it waits for the next", async () => {
    const { stub } = await fresh();
    await runInDurableObject(stub, async (instance: PreviewSession) => {
      const late: Promise<PreviewStatusResponse | undefined>[] = [];
      const current: Promise<PreviewStatusResponse | undefined>[] = [];
      // Readers that join while the fan-out of version 2 is running (from inside it).
      const first = Array.from({ length: 30 }, (_, i) =>
        instance.poll(OWNER, 1, 10_000).then((r) => {
          if (i === 10) {
            late.push(instance.poll(OWNER, 1, 10_000).then((x) => x.status));
            current.push(instance.poll(OWNER, 2, 10_000).then((x) => x.status));
          }
          return r.status;
        }),
      );
      await instance.report({ status: "building", stage: "resolving_files", progress: 0.1 });
      // And readers that join after the writer was answered but before the fan-out ran.
      late.push(instance.poll(OWNER, 1, 10_000).then((x) => x.status));
      let currentAnswered = false;
      current.push(
        instance.poll(OWNER, 2, 10_000).then((x) => {
          currentAnswered = true;
          return x.status;
        }),
      );
      expect((await Promise.all(first)).every((v) => v?.version === 2)).toBe(true);
      expect((await Promise.all(late)).map((v) => v?.version)).toEqual([2, 2]);
      await tick(100);
      expect(currentAnswered).toBe(false); // not woken by the fan-out of the version it already has
      await instance.report({ status: "building", stage: "writing_manifest", progress: 0.6 });
      const next = await Promise.all(current);
      expect(next.map((v) => [v?.version, v?.stage])).toEqual([
        [3, "writing_manifest"],
        [3, "writing_manifest"],
      ]);
    });
  });

  it("every socket gets each change exactly once, with the change's version", async () => {
    const { stub } = await fresh();
    const sockets = await Promise.all(Array.from({ length: 40 }, () => socket(stub)));
    await until(() => sockets.every((s) => s.frames.length === 1), "every socket's first status");
    await stub.report({ status: "building", stage: "resolving_files", progress: 0.1 });
    await stub.report({ status: "ready", bundle });
    await until(() => sockets.every((s) => statuses(s.frames).length === 3), "both changes on every socket");
    await stub.report({ status: "cancelled" });
    const codes = await Promise.all(sockets.map((s) => s.closed));
    expect(codes).toEqual(Array(40).fill(LIVE_ENDED_CLOSE));
    for (const s of sockets) {
      expect(s.frames.map((f) => (f.type === "status" ? `status ${f.version} ${f.status}` : f.type))).toEqual(
        ["status 1 pending", "status 2 building", "revision", "status 3 ready", "status 4 cancelled"],
      );
    }
  });

  it("a socket that connects between a change and its fan-out is not told that change twice", async () => {
    const { stub } = await fresh();
    const before = await socket(stub);
    await until(() => before.frames.length === 1, "first status");
    const frames = await runInDurableObject(stub, async (instance: PreviewSession) => {
      await instance.report({ status: "building", stage: "resolving_files", progress: 0.1 });
      // The writer has its answer; the fan-out has not run yet. A page connects now.
      const res = await instance.fetch(
        new Request("https://preview-session/live", {
          headers: { upgrade: "websocket", [LIVE_CALLER_HEADER]: JSON.stringify(OWNER) },
        }),
      );
      const between = res.webSocket;
      if (!between) throw new Error("no socket");
      const got: LiveMessage[] = [];
      between.accept();
      between.addEventListener("message", (event) => got.push(JSON.parse(String(event.data)) as LiveMessage));
      await until(() => statuses(before.frames).length === 2, "the change on the older socket");
      await instance.report({ status: "building", stage: "writing_manifest", progress: 0.6 });
      await until(() => got.length >= 2 && statuses(before.frames).length === 3, "the next change");
      await tick(50);
      between.close(1000, "done");
      return got;
    });
    expect(frames.map((f) => (f.type === "status" ? f.version : f.type))).toEqual([2, 3]);
    expect(statuses(before.frames).map((f) => f.version)).toEqual([1, 2, 3]);
  });

  it("a change stored while a large fan-out is still going is told after it, in order, once per socket", async () => {
    const { stub } = await fresh();
    // More sockets and waiters than one turn of the fan-out handles.
    const sockets = await Promise.all(Array.from({ length: 450 }, () => socket(stub)));
    await until(() => sockets.every((s) => s.frames.length === 1), "every socket's first status");
    const views = await runInDurableObject(stub, async (instance: PreviewSession) => {
      let second: Promise<unknown> | null = null;
      const waiters = Array.from({ length: 60 }, (_, i) =>
        instance.poll(OWNER, 1, 10_000).then((r) => {
          // The first turn of the fan-out of version 2 is running: store version 3 now.
          if (i === 0)
            second = instance.report({ status: "building", stage: "writing_manifest", progress: 0.6 });
          return r.status;
        }),
      );
      await instance.report({ status: "building", stage: "resolving_files", progress: 0.1 });
      const answered = await Promise.all(waiters);
      await second;
      return answered;
    });
    expect(views[0]?.version).toBe(2);
    expect(views.every((v) => (v?.version ?? 0) >= 2)).toBe(true);
    await until(() => sockets.every((s) => s.frames.length >= 3), "both changes on every socket");
    await tick(50);
    for (const s of sockets) expect(statuses(s.frames).map((f) => f.version)).toEqual([1, 2, 3]);
    // Nothing is left behind once it is over: no timer keeps the object from hibernating.
    await runInDurableObject(stub, async (instance: PreviewSession) => {
      const inside = instance as unknown as Internals;
      expect(inside.fanOutTimer).toBeNull();
      expect(inside.due).toBeNull();
      expect(inside.waiters.size).toBe(0);
      expect(inside.joinedAt.size).toBe(0);
    });
  });

  it("when the session ends, every socket has its last status before any socket is closed", async () => {
    const { stub } = await fresh();
    const log: string[] = [];
    const sockets = await Promise.all(
      Array.from({ length: 450 }, async (_, i) => {
        const s = await socket(stub);
        s.ws.addEventListener("message", () => log.push(`frame ${i}`));
        s.ws.addEventListener("close", () => log.push(`close ${i}`));
        return s;
      }),
    );
    await until(() => sockets.every((s) => s.frames.length === 1), "every socket's first status");
    log.length = 0;
    await stub.report({ status: "cancelled" });
    await Promise.all(sockets.map((s) => s.closed));
    const lastFrame = log.findLastIndex((e) => e.startsWith("frame"));
    const firstClose = log.findIndex((e) => e.startsWith("close"));
    expect(log.filter((e) => e.startsWith("frame"))).toHaveLength(450);
    expect(lastFrame).toBeLessThan(firstClose);
  });

  it("a long-poll that times out leaves nothing behind", async () => {
    const { stub } = await fresh();
    await runInDurableObject(stub, async (instance: PreviewSession) => {
      const inside = instance as unknown as Internals;
      const view = await instance.poll(OWNER, 1, 30);
      expect(view.status?.version).toBe(1);
      expect(inside.waiters.size).toBe(0);
    });
  });
});
