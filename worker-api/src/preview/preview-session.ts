import { DurableObject } from "cloudflare:workers";
import type { PreviewStatusResponse } from "../../../schema/api/previews";
import { r2Keys } from "../../../schema/storage-keys";
import { database } from "../db";
import type { Env } from "../env";
import { notify } from "../notifications/notify";
import {
  canMove,
  effectiveStatus,
  hasExpired,
  isTerminal,
  type PreviewCaller,
  type ReadOutcome,
  readOutcome,
} from "./session-rules";
import type { BuildStart, LiveMessage, PreviewInit, PreviewReport, PreviewState } from "./session-state";
import { recordTerminalStatus } from "./session-store";
import { manifestPath, statusView } from "./session-view";

const MAX_WAIT_MS = 25_000;
/**
 * Sockets one session holds at most; past it a page long-polls instead (the live route answers 429,
 * and a page whose socket does not open falls back to polling). A hibernatable socket costs the
 * object nothing while idle, but every change is sent to each one in turn.
 */
export const MAX_LIVE_SOCKETS = 2_000;
/** How many of the newest opens a session lists (`GET /preview/sessions/:id`); older ones are only counted. */
export const RECENT_OPENS = 20;
/** The owner hears of opens at most once per this: the first open at once, later ones as a digest. */
export const OPEN_DIGEST_MS = 60_000;
/**
 * A fan-out's work per event-loop turn: long-polls woken (each then costs an RPC reply and an HTTP
 * response, ~0.3–0.5 ms locally) and sockets sent to (a queued frame each, ~30–75 µs). Small turns
 * keep what waits behind one short: with 300 pollers a cancel took 1.6 × its time alone at 8 per
 * turn, 2.0 × at 25 (bench/scenarios/long-poll-fanout.ts, direct).
 */
const WAKE_PER_TURN = 8;
const SEND_PER_TURN = 200;
/** The header worker-api puts the already identified caller in when it hands a socket to the object. */
export const LIVE_CALLER_HEADER = "x-hivesync-preview-caller";
/** Close code of a socket whose session ended (an application code, 4000–4999). */
export const LIVE_ENDED_CLOSE = 4000;
/** Close code of an owner's socket whose sign-in was revoked (logout, device revocation). */
export const LIVE_REVOKED_CLOSE = 4001;
/**
 * How long the object refuses a revoked auth session by itself. worker-api refuses it from the
 * moment its revocation has answered (`assertSessionLive`); this covers a request it admitted from
 * a lease just before (≤ `SESSION_LEASE_MS`, 2 s) that reaches the object after the revocation.
 */
const REVOKED_KEEP_MS = 60_000;
/** Storage key of the revoked auth sessions the object still refuses: `[sid, revoked at (ms)][]`. */
const REVOKED_KEY = "revoked-auth-sessions";

/** What a read of the session answers: `revoked` is an owner's auth session that was revoked. */
export type PollOutcome = ReadOutcome | "revoked";

/** The hibernation tag of the sockets an owner opened with auth session `sid` (preview tokens have none). */
const authSessionTag = (sid: string) => `sid:${sid}`;

/** What readers are still to hear after a change: parked long-polls, and frames for the sockets. */
type FanOut = {
  waiters: (() => void)[];
  /** One entry per change, in order: its version and its frames, each serialised once. */
  changes: { version: number; frames: string[] }[];
  /** The session ended: close every socket after its last frames. */
  close: boolean;
};

/**
 * One preview session's live state (one object per session, `idFromName(session_id)`). It alone
 * decides transitions, so late or duplicate worker reports can never move a session backwards;
 * every change bumps `version` and wakes long-polls waiting for it. Status reads never touch D1.
 *
 * Writers don't wait for readers: a change is stored, and its readers — parked long-polls, open
 * sockets — are told afterwards, on timers, beside whatever the writer still does (`fanOut`,
 * docs/scale.md §"The fan-out, measured").
 */
export class PreviewSession extends DurableObject<Env> {
  private state: PreviewState | null = null;
  /** Parked long-polls: each one's wake-up, with the auth session of an owner's (null: a preview token). */
  private waiters = new Map<() => void, string | null>();
  /** Revoked auth session → when (ms): refused here for REVOKED_KEEP_MS (read by `load`). */
  private revoked: Map<string, number> | null = null;
  /** The status body of `state`, built once per change for every reader of it. */
  private view: { of: PreviewState; status: PreviewStatusResponse } | null = null;
  /** Readers not yet told of the changes stored since the last fan-out. */
  private due: FanOut | null = null;
  private fanOutTimer: ReturnType<typeof setTimeout> | null = null;
  /** Sockets accepted while a fan-out was due, with the version their first frame already had. */
  private joinedAt = new Map<WebSocket, number>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Keep-alives are answered without waking a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /** The state, read once per life of the object — with the revoked auth sessions, in the same read. */
  private async load(): Promise<PreviewState | null> {
    if (!this.state) {
      const stored = await this.ctx.storage.get<unknown>(["state", REVOKED_KEY]);
      this.state = withoutLegacyFields(stored.get("state") as LegacyState | undefined);
      this.revoked ??= new Map((stored.get(REVOKED_KEY) as [string, number][] | undefined) ?? []);
    }
    return this.state;
  }

  /**
   * Stores the next state and notes who must hear of it: the long-polls parked now and every open
   * socket. They are told by `fanOut`, never inside the writer's call: the writer goes on (to its
   * answer, or to its bookkeeping) as soon as the state is durable.
   */
  private async save(next: PreviewState): Promise<void> {
    const previous = this.state;
    this.state = next;
    await this.ctx.storage.put("state", next);
    const due = this.due ?? { waiters: [], changes: [], close: false };
    for (const wake of this.waiters.keys()) due.waiters.push(wake);
    this.waiters.clear();
    const frames = liveMessages(previous, next).map((m) => JSON.stringify(m));
    if (frames.length > 0) due.changes.push({ version: next.version, frames });
    if (isTerminal(next.status)) due.close = true;
    this.due = due;
    this.scheduleFanOut();
  }

  /**
   * Starts the fan-out of what is due on a zero-delay timer. workerd runs a timer only once the
   * work already queued is done: a writer with nothing left to do is answered (reply and, when
   * worker-api shares the isolate as it does locally, its HTTP response) before any reader is
   * told; one with bookkeeping left (a terminal status's D1 row and manifests, `preview_ready`)
   * has it run while readers are told, each of its I/O steps waiting for one turn at most. While
   * a fan-out is running, the next one waits for it (sockets get changes in order).
   */
  private scheduleFanOut(): void {
    if (!this.due || this.fanOutTimer !== null) return;
    this.fanOutTimer = setTimeout(() => this.fanOut(), 0);
  }

  /**
   * Tells every reader of the changes since the last fan-out: each parked long-poll is woken (it
   * answers with the state of now), and each socket gets every change's frames — the same strings
   * for all (`send` only queues them) — except those it already had when it joined — and, when the
   * session ended, is then closed. It goes in turns of WAKE_PER_TURN waiters and SEND_PER_TURN
   * sockets (sends or closes), each turn on a zero-delay timer:
   * what a turn set off (replies, HTTP responses) drains before the next, so nothing else waiting
   * on this isolate — a writer's response still being written, a new request — queues behind the
   * whole fan-out. When the last turn is done no timer is left, and the object can hibernate.
   */
  private fanOut(): void {
    // Only ever started by scheduleFanOut, which starts it only with a change due.
    const due = this.due as NonNullable<typeof this.due>;
    const joined = this.joinedAt;
    this.due = null;
    this.joinedAt = new Map();
    const waiters = due.waiters;
    const sockets = due.changes.length > 0 || due.close ? this.ctx.getWebSockets() : [];
    // Every socket's frames first, then (the session ended) every close: a close costs its reader
    // (and any proxy between) more than a frame, and must not hold up another socket's frame.
    const steps = due.close ? 2 * sockets.length : sockets.length;
    let w = 0;
    let s = 0;
    const turn = () => {
      for (const end = Math.min(waiters.length, w + WAKE_PER_TURN); w < end; w++) waiters[w]?.();
      for (const end = Math.min(steps, s + SEND_PER_TURN); s < end; s++) {
        if (s < sockets.length) this.push(sockets[s] as WebSocket, due, joined);
        else closeQuietly(sockets[s - sockets.length] as WebSocket, LIVE_ENDED_CLOSE, "preview ended");
      }
      if (w < waiters.length || s < steps) {
        this.fanOutTimer = setTimeout(turn, 0);
        return;
      }
      this.fanOutTimer = null;
      this.scheduleFanOut(); // changes stored meanwhile
    };
    turn();
  }

  /** One socket's frames of a fan-out: those of each change it has not seen. */
  private push(ws: WebSocket, due: FanOut, joined: Map<WebSocket, number>): void {
    const seen = joined.get(ws) ?? 0;
    try {
      for (const change of due.changes) {
        if (change.version <= seen) continue;
        for (const frame of change.frames) ws.send(frame);
      }
    } catch {
      // A socket that is closing: its reader reconnects (or long-polls) and catches up.
    }
  }

  /** The status body of the current state (built once per change, shared by all its readers). */
  private statusOf(state: PreviewState): PreviewStatusResponse {
    if (this.view?.of !== state) this.view = { of: state, status: statusView(state) };
    return this.view.status;
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
      building_revision: null,
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
  ): Promise<{ outcome: PollOutcome; status?: PreviewStatusResponse }> {
    const state = await this.load(); // the last await before parking: no change can slip in between
    const outcome = readOutcome(state, caller);
    if (outcome !== "ok" || !state) return { outcome };
    if (this.isRevoked(caller)) return { outcome: "revoked" };
    if (sinceVersion === null || state.version !== sinceVersion || waitMs <= 0 || isTerminal(state.status)) {
      return { outcome, status: this.statusOf(state) };
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done); // a wait that times out leaves nothing behind
        resolve();
      };
      const timer = setTimeout(done, Math.min(waitMs, MAX_WAIT_MS));
      this.waiters.set(done, caller.kind === "owner" ? caller.authSessionId : null);
    });
    // Woken by a change, the timeout, or the revocation of the caller's sign-in (`endAuthSession`).
    if (this.isRevoked(caller)) return { outcome: "revoked" };
    return { outcome, status: this.statusOf(this.state ?? state) };
  }

  /**
   * Decides whether a build of `revision` should run: the first build (pending → building, or a
   * redelivery while building), an update of a ready session to a newer revision (ready stays
   * ready, stage `updating`, `building_revision` set), or nothing (null: the session ended, already
   * serves that revision or a newer one, a newer update has started, or that revision or a newer
   * one already failed to build — updates are idempotent by session and revision, so a late
   * duplicate of a failed update cannot put the session back to `updating` with nobody building).
   */
  async beginBuild(revision: number): Promise<BuildStart | null> {
    const state = await this.load();
    if (!state || isTerminal(state.status) || hasExpired(state)) return null;
    if (state.status === "ready") {
      if (revision <= state.revision || revision < (state.building_revision ?? 0)) return null;
      if ((state.build_error?.revision ?? 0) >= revision) return null;
      if (revision !== state.building_revision) {
        await this.save({
          ...state,
          building_revision: revision,
          stage: "updating",
          version: state.version + 1,
        });
      }
      return { kind: "update", revision, previous_revision: state.revision };
    }
    if (revision < state.revision) return null;
    if (revision > state.revision) {
      // A commit landed before the first build finished: build it too; whichever lands first serves.
      if (revision > (state.building_revision ?? 0)) {
        await this.save({ ...state, building_revision: revision, version: state.version + 1 });
      }
      return { kind: "first", revision, previous_revision: null };
    }
    if (state.status === "pending") {
      await this.report({ status: "building", stage: "resolving_files", progress: 0.1 });
    }
    return { kind: "first", revision, previous_revision: null };
  }

  /** Applies a report if the graph allows it; returns whether it did and the state after. */
  async report(update: PreviewReport): Promise<{ applied: boolean; state: PreviewState | null }> {
    const state = await this.load();
    if (!state) return { applied: false, state: null };
    if (state.status === "ready" && (update.status === "ready" || update.status === "failed")) {
      return this.reportUpdate(state, update);
    }
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
      case "ready": {
        // The first build to land serves (a newer one still building follows as an update).
        const revision = update.revision ?? state.revision;
        const newer = Math.max(state.revision, state.building_revision ?? 0);
        Object.assign(next, {
          bundle: update.bundle,
          revision,
          building_revision: newer > revision ? newer : null,
          stage: newer > revision ? "updating" : null,
          progress: 1,
        });
        if (state.build_error && state.build_error.revision <= revision) next.build_error = undefined;
        break;
      }
      case "failed": {
        const revision = update.revision ?? state.revision;
        const newer = Math.max(state.revision, state.building_revision ?? 0);
        if (newer > revision) {
          // A newer revision is still building: it decides; this one's error is kept for the page.
          return this.keepBuildError(state, revision, update.error);
        }
        Object.assign(next, { error: update.error, stage: null });
        break;
      }
      default:
        next.stage = null;
    }
    await this.save(next);
    if (isTerminal(next.status)) await this.onTerminal(next);
    else if (next.status === "ready") await this.tell(next, "preview_ready");
    return { applied: true, state: next };
  }

  /**
   * A ready session's update ended: a newer revision that built is swapped in (the previous one
   * served until now); one that did not build is recorded as `build_error` while the last good
   * revision keeps running. Older or repeated reports change nothing.
   */
  private async reportUpdate(
    state: PreviewState,
    update: Extract<PreviewReport, { status: "ready" | "failed" }>,
  ): Promise<{ applied: boolean; state: PreviewState }> {
    const revision = update.revision ?? state.revision;
    if (revision <= state.revision) return { applied: false, state };
    if (update.status === "failed") return this.keepBuildError(state, revision, update.error);
    const building = state.building_revision ?? null;
    const next: PreviewState = {
      ...state,
      revision,
      bundle: update.bundle,
      building_revision: building !== null && building > revision ? building : null,
      stage: building !== null && building > revision ? "updating" : null,
      version: state.version + 1,
    };
    if (state.build_error && state.build_error.revision <= revision) next.build_error = undefined;
    await this.save(next);
    return { applied: true, state: next };
  }

  private async keepBuildError(
    state: PreviewState,
    revision: number,
    error: Extract<PreviewReport, { status: "failed" }>["error"],
  ): Promise<{ applied: boolean; state: PreviewState }> {
    if (state.build_error && state.build_error.revision >= revision) return { applied: false, state };
    const building = state.building_revision ?? null;
    const done = building === null || building <= revision;
    const next: PreviewState = {
      ...state,
      build_error: {
        revision,
        code: error.code,
        file: error.file ?? "",
        line: error.line ?? 1,
        column: error.column ?? 1,
        message: error.message,
        ...(error.frame ? { frame: error.frame } : {}),
        ...(error.errors ? { errors: error.errors } : {}),
      },
      building_revision: done ? null : building,
      stage: state.status === "ready" ? (done ? null : "updating") : state.stage,
      version: state.version + 1,
    };
    await this.save(next);
    return { applied: true, state: next };
  }

  /**
   * The live channel (`GET /preview/sessions/:id/live`, already authenticated by worker-api, which
   * passes the caller in LIVE_CALLER_HEADER): a hibernatable WebSocket that first gets the current
   * status, then every change. The object may be evicted while sockets stay open; the next change
   * wakes it and `getWebSockets()` still has them.
   */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    let caller: PreviewCaller | null = null;
    try {
      caller = JSON.parse(request.headers.get(LIVE_CALLER_HEADER) ?? "null") as PreviewCaller | null;
    } catch {
      caller = null;
    }
    const state = await this.load();
    let outcome: PollOutcome = caller ? readOutcome(state, caller) : "unauthenticated";
    if (outcome === "ok" && caller && this.isRevoked(caller)) outcome = "revoked";
    // The outcome is the body: worker-api answers it (`assertReadable`).
    if (outcome !== "ok" || !state || !caller)
      return new Response(outcome, { status: outcome === "not_found" ? 404 : 401 });
    if (this.ctx.getWebSockets().length >= MAX_LIVE_SOCKETS) return new Response("full", { status: 429 });
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    // An owner's socket is tagged with its auth session, so a revocation finds it (`endAuthSession`).
    this.ctx.acceptWebSocket(server, caller.kind === "owner" ? [authSessionTag(caller.authSessionId)] : []);
    server.send(JSON.stringify({ type: "status", ...this.statusOf(state) }));
    // Its first frame already has the current state: the fan-out due (if any) skips those changes.
    if (this.due) this.joinedAt.set(server, state.version);
    if (isTerminal(effectiveStatus(state))) closeQuietly(server, LIVE_ENDED_CLOSE, "preview ended");
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Anything a page sends asks for the current status again (a cheap resync after a doubt). */
  override async webSocketMessage(ws: WebSocket): Promise<void> {
    const state = await this.load();
    if (state) ws.send(JSON.stringify(liveStatus(state)));
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    closeQuietly(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  /**
   * The owner's auth session `sid` was revoked (logout, device revocation, refresh-token reuse:
   * `auth/sessions.ts` `revokeSession`): its sockets are closed now with LIVE_REVOKED_CLOSE
   * (`revoked`), its parked long-polls answer now (401), and for REVOKED_KEEP_MS it can open
   * neither here. Sockets and polls of preview tokens and of other sign-ins are untouched.
   * Idempotent; answers how many sockets it closed.
   */
  async endAuthSession(sid: string): Promise<number> {
    if (!(await this.load())) return 0; // no such session: nothing to close, nothing to store
    this.revoked ??= new Map();
    const revoked = this.revoked;
    const now = Date.now();
    for (const [id, at] of revoked) if (at <= now - REVOKED_KEEP_MS) revoked.delete(id);
    revoked.set(sid, now);
    await this.ctx.storage.put(REVOKED_KEY, [...revoked]);
    const sockets = this.ctx.getWebSockets(authSessionTag(sid));
    for (const ws of sockets) closeQuietly(ws, LIVE_REVOKED_CLOSE, "revoked");
    // Each wakes its poll, which sees the revocation (and leaves the map: deleting while iterating is safe).
    for (const [wake, of] of this.waiters) if (of === sid) wake();
    return sockets.length;
  }

  /** Whether `caller` is an owner whose auth session this object was told is revoked (after `load`). */
  private isRevoked(caller: PreviewCaller): boolean {
    if (caller.kind !== "owner") return false;
    const at = this.revoked?.get(caller.authSessionId);
    return at !== undefined && at > Date.now() - REVOKED_KEEP_MS;
  }

  /** How many pages and devices are listening (tests and operators). */
  async liveSockets(): Promise<number> {
    return this.ctx.getWebSockets().length;
  }

  /**
   * Counts an open of the session — a viewer's page or code, or a linked device — and tells the
   * owner: the first open at once, later ones as one digest per OPEN_DIGEST_MS ("12 more"), sent
   * by the next open after that or by the alarm. The state keeps a count and the newest
   * RECENT_OPENS, so it stays the same size whatever the number of opens; opening changes no
   * status, so it does not bump the version (no reader is woken).
   */
  async noteOpen(opener: { device_id: string | null; platform: string }): Promise<void> {
    const state = await this.load();
    if (!state || isTerminal(effectiveStatus(state))) return;
    const now = Date.now();
    const before = state.opens ?? { total: 0, recent: [], told: 0, told_at: null };
    const record = { ...opener, at: new Date(now).toISOString() };
    const opens = {
      ...before,
      total: before.total + 1,
      recent: [...before.recent, record].slice(-RECENT_OPENS),
    };
    const due = before.told_at === null || now - before.told_at >= OPEN_DIGEST_MS;
    const told = due ? { told: opens.total, told_at: now } : {};
    this.state = { ...state, opens: { ...opens, ...told } };
    await this.ctx.storage.put("state", this.state);
    if (due) await this.tellOpens(this.state, before.told, opener);
    else await this.armAlarm(this.state);
  }

  /** The `preview_opened` digest: how many opened since the last one said, and how many in all. */
  private async tellOpens(
    state: PreviewState,
    toldBefore: number,
    opener: { device_id: string | null; platform: string } | null,
  ): Promise<void> {
    const total = state.opens?.total ?? 0;
    await notify(this.env, {
      userId: state.owner_id,
      type: "preview_opened",
      projectId: state.project_id,
      payload: {
        session_id: state.session_id,
        project_name: state.project_name,
        platform: opener?.platform ?? state.platform,
        device_id: opener?.device_id ?? null,
        opens: total - toldBefore,
        total_opens: total,
      },
      eventKey: `preview:${state.session_id}:opened:${total}`,
    });
  }

  /** Sets the alarm to the earliest of the expiry and a digest of opens not yet told. */
  private async armAlarm(state: PreviewState): Promise<void> {
    const expiry = new Date(state.expires_at).getTime();
    const at = Math.min(expiry, digestDue(state) ?? expiry);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /**
   * The expiry alarm. Alarms are at least once, so it is idempotent: it (re)marks the session
   * expired only while it is live, and always makes sure the manifest is gone and D1 agrees.
   */
  override async alarm(): Promise<void> {
    const state = await this.load();
    const due = state ? digestDue(state) : null;
    // Set to the earlier of the expiry and a digest of opens (`armAlarm`): a digest that is due
    // before the expiry is told, and the alarm goes back to the expiry.
    if (state?.opens && due !== null && due <= Date.now() && !hasExpired(state)) {
      const before = state.opens.told;
      this.state = { ...state, opens: { ...state.opens, told: state.opens.total, told_at: Date.now() } };
      await this.ctx.storage.put("state", this.state);
      await this.tellOpens(this.state, before, null);
      await this.armAlarm(this.state);
      return;
    }
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
      await this.deleteManifests(state);
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
    if (state.status === "expired" || state.status === "cancelled") await this.deleteManifests(state);
    if (state.status === "expired") await this.tell(state, "preview_expired");
    if (state.status === "failed") await this.tell(state, "preview_failed");
  }

  /** Deletes every revision's manifest of the session (idempotent). */
  private async deleteManifests(state: PreviewState): Promise<void> {
    const prefix = r2Keys.bundlePrefix(state.project_id, state.session_id);
    for (;;) {
      const listed = await this.env.BLOBS.list({ prefix, limit: 1000 });
      if (listed.objects.length === 0) return;
      await this.env.BLOBS.delete(listed.objects.map((o) => o.key));
      if (!listed.truncated) return;
    }
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

/** A stored state as an older version wrote it: it listed every open and every token's hash. */
type LegacyState = PreviewState & { opened?: unknown; token_hashes?: unknown };

function withoutLegacyFields(stored: LegacyState | undefined): PreviewState | null {
  if (!stored) return null;
  const { opened: _opened, token_hashes: _tokens, ...state } = stored;
  return state;
}

/** When the opens not yet told are due as a digest (ms), or null when there are none. */
function digestDue(state: PreviewState): number | null {
  const opens = state.opens;
  if (!opens || opens.total <= opens.told) return null;
  return (opens.told_at ?? 0) + OPEN_DIGEST_MS;
}

/** The status frame every socket gets first and after every change. */
function liveStatus(state: PreviewState): LiveMessage {
  return { type: "status", ...statusView(state) };
}

/**
 * What a change means to a page: a newly served revision (fetch its manifest and swap it in), a
 * newer revision that failed to build (show its error over the running app), and always the
 * status.
 */
export function liveMessages(previous: PreviewState | null, next: PreviewState): LiveMessage[] {
  const messages: LiveMessage[] = [];
  if (next.status === "ready" && (previous?.status !== "ready" || previous.revision !== next.revision)) {
    messages.push({
      type: "revision",
      revision: next.revision,
      manifest_url: manifestPath(next.session_id, next.revision),
    });
  }
  if (next.build_error && next.build_error.revision !== previous?.build_error?.revision) {
    messages.push({ type: "build_error", revision: next.build_error.revision, error: next.build_error });
  }
  if (!previous || previous.version !== next.version) messages.push(liveStatus(next));
  return messages;
}

function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already closed
  }
}
