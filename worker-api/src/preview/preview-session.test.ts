import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { OPEN_DIGEST_MS, type PreviewSession, RECENT_OPENS } from "./preview-session";
import type { PreviewInit, PreviewReport, PreviewState } from "./session-state";

const OWNER = { kind: "owner" as const, userId: "usr_test0000000000000000", authSessionId: "ses_x" };
const bundle = { file_count: 2, total_bytes: 10, manifest_sha256: "a".repeat(64) };
const failure = { code: "entry_missing" as const, message: "no entry" };

let n = 0;
async function fresh(overrides: Partial<PreviewInit> = {}) {
  n += 1;
  const sessionId = `pvs_test${String(n).padStart(20, "0")}`;
  const stub = env.PREVIEW_SESSION.get(env.PREVIEW_SESSION.idFromName(sessionId));
  const state = await stub.init({
    session_id: sessionId,
    project_id: "prj_test0000000000000000",
    project_name: "Demo",
    owner_id: "usr_test0000000000000000",
    platform: "ios",
    revision: 1,
    created_at: new Date().toISOString(),
    expires_at: new Date(Date.now() + 60_000).toISOString(),
    ...overrides,
  });
  return { stub, state, sessionId };
}

const to = (status: PreviewState["status"]): PreviewReport =>
  status === "ready"
    ? { status, bundle }
    : status === "failed"
      ? { status, error: failure }
      : status === "building"
        ? { status, stage: "resolving_files", progress: 0.1 }
        : ({ status } as PreviewReport);

/** Walks a fresh session to `status` along legal edges. */
async function at(status: PreviewState["status"]) {
  const s = await fresh();
  const path: Record<PreviewState["status"], PreviewState["status"][]> = {
    pending: [],
    building: ["building"],
    ready: ["building", "ready"],
    failed: ["failed"],
    cancelled: ["cancelled"],
    expired: [],
  };
  for (const step of path[status]) await s.stub.report(to(step));
  if (status === "expired") await runDurableObjectAlarm(s.stub);
  return s;
}

const ALL: PreviewState["status"][] = ["pending", "building", "ready", "failed", "cancelled", "expired"];
const LEGAL: Record<string, string[]> = {
  pending: ["building", "failed", "cancelled"],
  building: ["building", "ready", "failed", "cancelled"],
  ready: ["cancelled"],
  failed: [],
  cancelled: [],
  expired: [],
};

describe("PreviewSession Durable Object", () => {
  it("starts pending at version 1 with its expiry alarm set, and init is idempotent", async () => {
    const { stub, state, sessionId } = await fresh();
    expect(state).toMatchObject({ status: "pending", version: 1, progress: 0, stage: null });
    expect(state.opens).toBeUndefined();
    const again = await stub.init({ ...state, project_name: "Other" });
    expect(again.project_name).toBe("Demo");
    await runInDurableObject(stub, async (_instance: PreviewSession, ctx) => {
      expect(await ctx.storage.getAlarm()).toBe(new Date(state.expires_at).getTime());
    });
    expect(sessionId).toMatch(/^pvs_/);
  });

  for (const from of ALL) {
    for (const target of ALL.filter((s) => s !== "expired")) {
      const legal = LEGAL[from]?.includes(target) ?? false;
      it(`${from} → ${target} is ${legal ? "applied" : "refused"}`, async () => {
        const { stub } = await at(from);
        const before = (await stub.get())!;
        const report =
          target === "building" && from === "building"
            ? { status: "building" as const, stage: "writing_manifest", progress: 0.6 }
            : to(target);
        const { applied, state } = await stub.report(report);
        expect(applied).toBe(legal);
        if (legal) {
          expect(state?.status).toBe(target);
          expect(state?.version).toBe(before.version + 1);
        } else {
          expect(state).toEqual(before);
        }
      });
    }
  }

  it("refuses a duplicate stage report and never lets progress go backwards", async () => {
    const { stub } = await fresh();
    await stub.report({ status: "building", stage: "resolving_files", progress: 0.4 });
    const dup = await stub.report({ status: "building", stage: "resolving_files", progress: 0.4 });
    expect(dup.applied).toBe(false);
    const back = await stub.report({ status: "building", stage: "writing_manifest", progress: 0.1 });
    expect(back.state?.progress).toBe(0.4);
    expect(back.state?.stage).toBe("writing_manifest");
  });

  it("a duplicate ready report changes nothing (no version bump)", async () => {
    const { stub } = await at("ready");
    const before = (await stub.get())!;
    expect((await stub.report({ status: "ready", bundle: { ...bundle, file_count: 99 } })).applied).toBe(
      false,
    );
    expect(await stub.get()).toEqual(before);
  });

  it("a worker cannot report expired before the session's time", async () => {
    const { stub } = await fresh();
    expect((await stub.report({ status: "expired" })).applied).toBe(false);
  });

  it("long-poll wakes as soon as the version moves", async () => {
    const { stub } = await fresh();
    const started = Date.now();
    const waiting = stub.poll(OWNER, 1, 10_000).then((r) => r.status);
    await new Promise((r) => setTimeout(r, 50));
    await stub.report({ status: "building", stage: "resolving_files", progress: 0.1 });
    const view = await waiting;
    expect(view?.version).toBe(2);
    expect(view?.status).toBe("building");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("long-poll returns the unchanged state when the wait ends, and answers at once for an old version", async () => {
    const { stub } = await fresh();
    const started = Date.now();
    const view = (await stub.poll(OWNER, 1, 300)).status;
    expect(view?.version).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    const immediate = (await stub.poll(OWNER, 0, 10_000)).status;
    expect(immediate?.version).toBe(1);
  });

  it("the expiry alarm expires the session, deletes the manifest, updates D1 — and running twice is harmless", async () => {
    const { stub, state } = await fresh();
    await stub.report({ status: "building" });
    await stub.report({ status: "ready", bundle });
    const key = `p/${state.project_id}/bundles/${state.session_id}/1.json`;
    await env.BLOBS.put(key, "{}");
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = (await stub.get())!;
    expect(after.status).toBe("expired");
    expect(await env.BLOBS.head(key)).toBeNull();
    await runInDurableObject(stub, async (instance: PreviewSession) => {
      await instance.alarm();
      await instance.alarm();
    });
    expect(await stub.get()).toEqual(after);
  });

  it("a session that expires while building ends expired, and a late ready report is refused", async () => {
    const { stub } = await fresh();
    await stub.report({ status: "building", stage: "resolving_files", progress: 0.2 });
    await runDurableObjectAlarm(stub);
    expect((await stub.get())?.status).toBe("expired");
    expect((await stub.report({ status: "ready", bundle })).applied).toBe(false);
  });

  it("answers a poll only for its owner or a viewer, and a viewer only until it expires", async () => {
    const { stub } = await fresh({ expires_at: new Date(Date.now() + 400).toISOString() });
    expect((await stub.poll({ ...OWNER, userId: "usr_other000000000000000" }, null, 0)).outcome).toBe(
      "not_found",
    );
    const ok = await stub.poll({ kind: "viewer", viewerId: "v".repeat(16) }, null, 0);
    expect(ok.outcome).toBe("ok");
    expect(ok.status?.status).toBe("pending");
    await new Promise((r) => setTimeout(r, 450));
    expect((await stub.poll({ kind: "viewer", viewerId: "v".repeat(16) }, null, 0)).outcome).toBe(
      "unauthenticated",
    );
  });

  it("counts opens in a bounded record, without bumping the version", async () => {
    const { stub } = await at("ready");
    const before = (await stub.get())!;
    for (let i = 0; i < 30; i++)
      await stub.noteOpen({ device_id: i === 29 ? "dev_1" : null, platform: "ios" });
    const after = (await stub.get())!;
    expect(after.opens?.total).toBe(30);
    expect(after.opens?.recent).toHaveLength(RECENT_OPENS);
    expect(after.opens?.recent.at(-1)).toMatchObject({ device_id: "dev_1", platform: "ios" });
    expect(after.version).toBe(before.version);
    // The stored record is the same size after 30 opens as after 300.
    const size = JSON.stringify(after).length;
    for (let i = 0; i < 270; i++) await stub.noteOpen({ device_id: null, platform: "web" });
    expect(JSON.stringify(await stub.get()).length).toBeLessThanOrEqual(size + 8);
  });

  it("tells the owner of opens as a digest: the first at once, the rest once a minute, by the alarm", async () => {
    const { stub } = await at("ready");
    const told: Record<string, unknown>[] = [];
    await runInDurableObject(stub, (instance: PreviewSession) => {
      const own = instance as unknown as { env: Record<string, unknown> };
      own.env = {
        ...own.env,
        NOTIFICATIONS: {
          send: async (m: { type: string; payload: Record<string, unknown> }) => {
            if (m.type === "preview_opened") told.push(m.payload);
          },
        },
      };
    });
    for (let i = 0; i < 100; i++) await stub.noteOpen({ device_id: null, platform: "ios" });
    expect(told).toEqual([expect.objectContaining({ opens: 1, total_opens: 1 })]);
    // The alarm was moved up to the digest's time (well before the expiry): it tells the other 99.
    const alarm = await runInDurableObject(stub, (_i, ctx) => ctx.storage.getAlarm());
    expect(alarm).toBeLessThanOrEqual(Date.now() + OPEN_DIGEST_MS);
    await runInDurableObject(stub, async (instance: PreviewSession) => {
      const own = instance as unknown as { state: PreviewState };
      // As if a minute had passed since the first open was told.
      own.state = { ...own.state, opens: { ...own.state.opens!, told_at: Date.now() - OPEN_DIGEST_MS } };
    });
    await runDurableObjectAlarm(stub);
    expect(told).toEqual([
      expect.objectContaining({ opens: 1, total_opens: 1 }),
      expect.objectContaining({ opens: 99, total_opens: 100 }),
    ]);
    // Nothing new to tell: the alarm goes back to the expiry, and the session is not expired by it.
    expect((await stub.get())?.status).toBe("ready");
    const next = await runInDurableObject(stub, (_i, ctx) => ctx.storage.getAlarm());
    expect(next).toBe(new Date((await stub.get())!.expires_at).getTime());
  });

  it("forgets what an older version stored per open and per token", async () => {
    const { stub } = await at("ready");
    await runInDurableObject(stub, async (instance: PreviewSession, ctx) => {
      const state = (await ctx.storage.get<PreviewState>("state"))!;
      await ctx.storage.put("state", {
        ...state,
        opened: [{ key: "token:x" }],
        token_hashes: ["f".repeat(64)],
      });
      (instance as unknown as { state: PreviewState | null }).state = null;
    });
    const loaded = (await stub.get()) as PreviewState & { opened?: unknown; token_hashes?: unknown };
    expect(loaded.status).toBe("ready");
    expect(loaded.opened).toBeUndefined();
    expect(loaded.token_hashes).toBeUndefined();
  });
});

describe("PreviewSession following its project (updates)", () => {
  const bundle2 = { ...bundle, manifest_sha256: "b".repeat(64) };
  const syntax = {
    code: "build_error" as const,
    message: "SyntaxError: x",
    file: "App.js",
    line: 3,
    column: 7,
  };

  it("a ready session stays ready while it builds a newer revision, then swaps to it", async () => {
    const { stub } = await at("ready");
    const ready = (await stub.get())!;
    expect(await stub.beginBuild(1)).toBeNull(); // the revision it serves
    expect(await stub.beginBuild(2)).toEqual({ kind: "update", revision: 2, previous_revision: 1 });
    const updating = (await stub.get())!;
    expect(updating).toMatchObject({ status: "ready", stage: "updating", revision: 1, building_revision: 2 });
    expect(updating.version).toBe(ready.version + 1);
    expect(await stub.beginBuild(2)).toEqual({ kind: "update", revision: 2, previous_revision: 1 }); // redelivery
    expect((await stub.get())!.version).toBe(updating.version);
    const swapped = await stub.report({ status: "ready", bundle: bundle2, revision: 2 });
    expect(swapped.applied).toBe(true);
    expect(swapped.state).toMatchObject({
      status: "ready",
      stage: null,
      revision: 2,
      building_revision: null,
      bundle: bundle2,
    });
    // A late or repeated report of an older or the same revision changes nothing.
    expect((await stub.report({ status: "ready", bundle, revision: 1 })).applied).toBe(false);
    expect((await stub.report({ status: "ready", bundle: bundle2, revision: 2 })).applied).toBe(false);
    expect((await stub.report({ status: "failed", error: syntax, revision: 2 })).applied).toBe(false);
  });

  it("an update that fails keeps the last good revision and records where; a newer good one clears it", async () => {
    const { stub } = await at("ready");
    await stub.beginBuild(2);
    const failed = await stub.report({ status: "failed", error: syntax, revision: 2 });
    expect(failed.applied).toBe(true);
    expect(failed.state).toMatchObject({
      status: "ready",
      revision: 1,
      stage: null,
      building_revision: null,
      build_error: { revision: 2, code: "build_error", file: "App.js", line: 3, column: 7 },
    });
    await stub.beginBuild(3);
    const fixed = await stub.report({ status: "ready", bundle: bundle2, revision: 3 });
    expect(fixed.state?.revision).toBe(3);
    expect(fixed.state?.build_error).toBeUndefined();
  });

  it("a newer update supersedes an older one still building: the older neither starts again nor lands", async () => {
    const { stub } = await at("ready");
    await stub.beginBuild(2);
    await stub.beginBuild(3);
    expect(await stub.beginBuild(2)).toBeNull();
    await stub.report({ status: "ready", bundle: bundle2, revision: 3 });
    expect((await stub.report({ status: "ready", bundle, revision: 2 })).applied).toBe(false);
    expect((await stub.get())?.revision).toBe(3);
  });

  it("a commit during the first build is built too: the first to land serves, the newer follows as an update", async () => {
    const { stub } = await fresh();
    expect(await stub.beginBuild(1)).toEqual({ kind: "first", revision: 1, previous_revision: null });
    expect(await stub.beginBuild(2)).toEqual({ kind: "first", revision: 2, previous_revision: null });
    expect((await stub.get())?.building_revision).toBe(2);
    const first = await stub.report({ status: "ready", bundle, revision: 1 });
    expect(first.state).toMatchObject({
      status: "ready",
      revision: 1,
      stage: "updating",
      building_revision: 2,
    });
    const second = await stub.report({ status: "ready", bundle: bundle2, revision: 2 });
    expect(second.state).toMatchObject({
      status: "ready",
      revision: 2,
      stage: null,
      building_revision: null,
    });
  });

  it("a first build that fails while a newer revision builds waits for it instead of failing the session", async () => {
    const { stub } = await fresh();
    await stub.beginBuild(1);
    await stub.beginBuild(2);
    const kept = await stub.report({ status: "failed", error: syntax, revision: 1 });
    expect(kept.state).toMatchObject({ status: "building", build_error: { revision: 1 } });
    const ready = await stub.report({ status: "ready", bundle: bundle2, revision: 2 });
    expect(ready.state).toMatchObject({ status: "ready", revision: 2 });
    expect(ready.state?.build_error).toBeUndefined();
  });

  it("an ended session builds nothing", async () => {
    for (const status of ["cancelled", "failed", "expired"] as const) {
      const { stub } = await at(status);
      expect(await stub.beginBuild(2)).toBeNull();
    }
  });
});
