import { DurableObject } from "cloudflare:workers";
import type { PreviewStatusResponse } from "../../../schema/api/previews";
import { r2Keys } from "../../../schema/storage-keys";
import { database } from "../db";
import type { Env } from "../env";
import { notify } from "../notifications/notify";
import {
  canMove,
  hasExpired,
  isTerminal,
  type PreviewCaller,
  type ReadOutcome,
  readOutcome,
} from "./session-rules";
import type { PreviewInit, PreviewReport, PreviewState } from "./session-state";
import { recordTerminalStatus } from "./session-store";
import { statusView } from "./session-view";

const MAX_WAIT_MS = 25_000;
const MAX_TOKENS = 50;

/**
 * One preview session's live state (one object per session, `idFromName(session_id)`). It alone
 * decides transitions, so late or duplicate worker reports can never move a session backwards;
 * every change bumps `version` and wakes long-polls waiting for it. Status reads never touch D1.
 */
export class PreviewSession extends DurableObject<Env> {
  private state: PreviewState | null = null;
  private waiters = new Set<() => void>();

  private async load(): Promise<PreviewState | null> {
    if (!this.state) this.state = (await this.ctx.storage.get<PreviewState>("state")) ?? null;
    return this.state;
  }

  private async save(next: PreviewState): Promise<void> {
    this.state = next;
    await this.ctx.storage.put("state", next);
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  /** Creates the session with its expiry alarm; calling it again for the same session changes nothing. */
  async init(init: PreviewInit): Promise<PreviewState> {
    const existing = await this.load();
    if (existing) return existing;
    const state: PreviewState = {
      ...init,
      status: "pending",
      stage: null,
      progress: 0,
      version: 1,
      opened: [],
      token_hashes: [],
    };
    await this.save(state);
    await this.ctx.storage.setAlarm(new Date(init.expires_at).getTime());
    return state;
  }

  async get(): Promise<PreviewState | null> {
    return this.load();
  }

  /**
   * A status poll in one call: checks that `caller` may read the session, then answers once
   * `version` has moved past `sinceVersion`, or with the unchanged status after `waitMs` (at most
   * 25 s). Without `sinceVersion` it answers at once.
   */
  async poll(
    caller: PreviewCaller,
    sinceVersion: number | null,
    waitMs: number,
  ): Promise<{ outcome: ReadOutcome; status?: PreviewStatusResponse }> {
    const state = await this.load();
    const outcome = readOutcome(state, caller);
    if (outcome !== "ok" || !state) return { outcome };
    if (sinceVersion === null || state.version !== sinceVersion || waitMs <= 0 || isTerminal(state.status)) {
      return { outcome, status: statusView(state) };
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(waitMs, MAX_WAIT_MS));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.add(done);
    });
    return { outcome, status: statusView((await this.load()) ?? state) };
  }

  /** Applies a report if the graph allows it; returns whether it did and the state after. */
  async report(update: PreviewReport): Promise<{ applied: boolean; state: PreviewState | null }> {
    const state = await this.load();
    if (!state) return { applied: false, state: null };
    if (!canMove(state.status, update.status)) {
      // A repeated terminal report (a retry after the bookkeeping failed) finishes that bookkeeping.
      if (update.status === state.status && isTerminal(state.status)) await this.onTerminal(state);
      return { applied: false, state };
    }
    // expired is the alarm's to set (it also cleans up); others reach it only after expires_at.
    if (update.status === "expired" && !hasExpired(state)) return { applied: false, state };
    const next: PreviewState = { ...state, status: update.status, version: state.version + 1 };
    switch (update.status) {
      case "building": {
        const progress = Math.min(1, Math.max(state.progress, update.progress ?? state.progress));
        const stage = update.stage ?? state.stage;
        if (state.status === "building" && stage === state.stage && progress === state.progress) {
          return { applied: false, state }; // a duplicate stage report
        }
        Object.assign(next, { stage, progress });
        break;
      }
      case "ready":
        Object.assign(next, { bundle: update.bundle, stage: null, progress: 1 });
        break;
      case "failed":
        Object.assign(next, { error: update.error, stage: null });
        break;
      default:
        next.stage = null;
    }
    await this.save(next);
    if (isTerminal(next.status)) await this.onTerminal(next);
    else if (next.status === "ready") await this.tell(next, "preview_ready");
    return { applied: true, state: next };
  }

  /**
   * Records that a device opened the bundle; true only the first time for that opener (`key`: a
   * device or a resolved token), which is also when `preview_opened` is sent.
   */
  async recordOpened(key: string, deviceId: string | null, platform: string): Promise<boolean> {
    const state = await this.load();
    if (!state || state.opened.some((o) => o.key === key)) return false;
    // Opening does not change the status, so it does not bump the version either.
    const record = { key, device_id: deviceId, platform, at: new Date().toISOString() };
    this.state = { ...state, opened: [...state.opened, record] };
    await this.ctx.storage.put("state", this.state);
    await notify(this.env, {
      userId: state.owner_id,
      type: "preview_opened",
      projectId: state.project_id,
      payload: {
        session_id: state.session_id,
        project_name: state.project_name,
        platform,
        device_id: deviceId,
      },
      eventKey: `preview:${state.session_id}:opened:${key}`,
    });
    return true;
  }

  /**
   * Remembers a preview-scoped token (its hash). Only the newest MAX_TOKENS are kept, so resolving a
   * code over and over cannot grow the session's state without bound; the oldest phones re-resolve.
   */
  async addToken(tokenHash: string): Promise<void> {
    const state = await this.load();
    if (!state || state.token_hashes.includes(tokenHash)) return;
    this.state = { ...state, token_hashes: [...state.token_hashes, tokenHash].slice(-MAX_TOKENS) };
    await this.ctx.storage.put("state", this.state);
  }

  /**
   * The expiry alarm. Alarms are at least once, so it is idempotent: it (re)marks the session
   * expired only while it is live, and always makes sure the manifest is gone and D1 agrees.
   */
  override async alarm(): Promise<void> {
    await this.expire();
  }

  /**
   * Expires the session now (its project was deleted): the same idempotent path as the alarm, which
   * is then cancelled.
   */
  async expireNow(): Promise<void> {
    await this.expire();
    await this.ctx.storage.deleteAlarm();
  }

  private async expire(): Promise<void> {
    const state = await this.load();
    if (!state) return;
    if (!isTerminal(state.status)) {
      const next: PreviewState = { ...state, status: "expired", stage: null, version: state.version + 1 };
      await this.save(next);
      await this.onTerminal(next);
    } else {
      // Already over: make sure D1, the manifest and the notification agree (each step is idempotent),
      // in case the first run of the bookkeeping failed half-way.
      await this.onTerminal(state);
      await this.env.BLOBS.delete(r2Keys.bundle(state.project_id, state.session_id));
    }
  }

  /** Terminal bookkeeping: D1 index row, the manifest of dead sessions, and the owner's notification. */
  private async onTerminal(state: PreviewState): Promise<void> {
    if (isTerminal(state.status)) {
      await recordTerminalStatus(
        database(this.env),
        state.session_id,
        state.status,
        new Date().toISOString(),
      );
    }
    if (state.status === "expired" || state.status === "cancelled") {
      await this.env.BLOBS.delete(r2Keys.bundle(state.project_id, state.session_id));
    }
    if (state.status === "expired") await this.tell(state, "preview_expired");
    if (state.status === "failed") await this.tell(state, "preview_failed");
  }

  private async tell(
    state: PreviewState,
    type: "preview_ready" | "preview_failed" | "preview_expired",
  ): Promise<void> {
    await notify(this.env, {
      userId: state.owner_id,
      type,
      projectId: state.project_id,
      payload: {
        session_id: state.session_id,
        project_name: state.project_name,
        platform: state.platform,
        ...(state.error ? { error_code: state.error.code } : {}),
      },
      eventKey: `preview:${state.session_id}:${type}`,
    });
  }
}
