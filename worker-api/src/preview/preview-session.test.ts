import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { PreviewSession } from "./preview-session";
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
    expect(state).toMatchObject({ status: "pending", version: 1, progress: 0, stage: null, opened: [] });
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
    const key = `p/${state.project_id}/bundles/${state.session_id}.json`;
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

  it("answers a poll only for its owner or a token it handed out", async () => {
    const { stub } = await fresh();
    expect((await stub.poll({ ...OWNER, userId: "usr_other000000000000000" }, null, 0)).outcome).toBe(
      "not_found",
    );
    expect((await stub.poll({ kind: "token", tokenHash: "f".repeat(64) }, null, 0)).outcome).toBe(
      "unauthenticated",
    );
    await stub.addToken("f".repeat(64));
    const ok = await stub.poll({ kind: "token", tokenHash: "f".repeat(64) }, null, 0);
    expect(ok.outcome).toBe("ok");
    expect(ok.status?.status).toBe("pending");
  });

  it("records each opener once, without bumping the version", async () => {
    const { stub } = await at("ready");
    const before = (await stub.get())!;
    expect(await stub.recordOpened("device:dev_1", "dev_1", "ios")).toBe(true);
    expect(await stub.recordOpened("device:dev_1", "dev_1", "ios")).toBe(false);
    expect(await stub.recordOpened("token:abc", null, "ios")).toBe(true);
    const after = (await stub.get())!;
    expect(after.opened.map((o) => o.key)).toEqual(["device:dev_1", "token:abc"]);
    expect(after.version).toBe(before.version);
  });
});
