// 1,000 WebSocket subscribers on one session (`GET /preview/sessions/:id/live`, the subprotocols
// `hivesync, bearer.<token>` as the preview page sends them), then the writer cancels it: the time
// from sending the cancel to each socket's status frame of the new version (p50, p99, last), and
// the writer's response time with the sockets against a cancel nobody listens to. The session is
// ready before the sockets connect, so the only frame after the first is the change's.
//
// The subscribers live in a child process of their own (this file, run with SUBSCRIBERS_ENV set):
// in the writer's process, its response would wait for Node to handle a thousand frames first, and
// the writer's time would measure the bench, not the server. Both processes stamp times with
// `process.hrtime` — the machine's monotonic clock (CLOCK_MONOTONIC on Linux), one for every
// process. Not `performance.timeOrigin + performance.now()`: a wall-clock step between the two
// processes' starts shifts it (a full run measured every notification 17.9 s "late" that way).
import { type ChildProcess, fork } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type HiveSyncClient, syncFolder } from "../../clients/desktop/src";
import type { Scenario } from "../harness/types";
import { bearerHeader, signUp } from "../support/account";
import { previewReady } from "../support/preview";
import { timed } from "../support/timing";

const SUBSCRIBERS = 1000;
// Handshakes in flight at once while connecting (the connect phase is not what is measured).
const CONNECT_PARALLEL = 50;
const NOTIFY_TIMEOUT_MS = 20_000;
const SUBSCRIBERS_ENV = "HIVESYNC_BENCH_WS_SUBSCRIBERS";

/** Milliseconds on a clock the bench and its subscriber process share (monotonic, machine-wide). */
const clock = () => Number(process.hrtime.bigint()) / 1e6;

type State = { url: string; client: HiveSyncClient; projectId: string };
type Job = { url: string; sessionId: string; token: string; count: number };
type Heard = { at: number; frame: string };
type FromSubscribers =
  | { kind: "ready"; connect_ms: number }
  | { kind: "done"; heard: Heard[]; codes: number[]; extra: number }
  | { kind: "error"; message: string };

type Subscriber = {
  socket: WebSocket;
  /** When the first frame after connecting arrived (`clock()`), and what it said. */
  heard: Promise<Heard>;
  /** Frames after the first status (exactly one is expected: the change's status). */
  frames: string[];
  /** The close code, once closed (the session's end closes every socket with 4000). */
  closed: Promise<number>;
};

/** Opens one live socket and resolves once its first status frame arrived. */
function subscribe(url: string, sessionId: string, token: string): Promise<Subscriber> {
  const wsUrl = `${url.replace(/^http/, "ws")}/api/v1/preview/sessions/${sessionId}/live`;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, ["hivesync", `bearer.${token}`]);
    const frames: string[] = [];
    let hear: (v: Heard) => void = () => {};
    let fail: (e: Error) => void = () => {};
    const heard = new Promise<Heard>((res, rej) => {
      hear = res;
      fail = rej;
    });
    heard.catch(() => {}); // judged by the round, not an unhandled rejection
    let onClosed: (code: number) => void = () => {};
    const closed = new Promise<number>((res) => {
      onClosed = res;
    });
    let first = true;
    socket.onmessage = (event) => {
      const at = clock();
      const frame = String(event.data);
      if (first) {
        first = false;
        resolve({ socket, heard, frames, closed });
        return;
      }
      frames.push(frame);
      if (frames.length === 1) hear({ at, frame });
    };
    socket.onerror = () => {
      const error = new Error(`live socket ${first ? "did not open" : "failed"}`);
      reject(error);
      fail(error);
    };
    socket.onclose = (event) => {
      onClosed(event.code);
      if (first) reject(new Error(`live socket closed before its first frame (${event.code})`));
      fail(new Error(`live socket closed (${event.code}) with no frame after the first`));
    };
  });
}

async function subscribeAll(job: Job): Promise<Subscriber[]> {
  const subscribers: Subscriber[] = [];
  let next = 0;
  const lanes = Array.from({ length: CONNECT_PARALLEL }, async () => {
    while (next < job.count) {
      next++;
      subscribers.push(await subscribe(job.url, job.sessionId, job.token));
    }
  });
  try {
    await Promise.all(lanes);
  } catch (error) {
    for (const s of subscribers) s.socket.close();
    throw error;
  }
  return subscribers;
}

/** `promise`, or a failure naming `what` after NOTIFY_TIMEOUT_MS. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`not within ${NOTIFY_TIMEOUT_MS} ms: ${what}`)),
      NOTIFY_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The subscriber process: connects, says ready, then reports what every socket heard and how it closed. */
async function runSubscribers(job: Job, send: (m: FromSubscribers) => Promise<void>): Promise<void> {
  const connecting = await timed(() => subscribeAll(job));
  const subscribers = connecting.value;
  try {
    if (subscribers.some((s) => s.frames.length > 0))
      throw new Error("a socket heard a change before the write");
    await send({ kind: "ready", connect_ms: connecting.ms });
    const heard = await within(Promise.all(subscribers.map((s) => s.heard)), "every socket heard the change");
    const codes = await within(Promise.all(subscribers.map((s) => s.closed)), "every socket was closed");
    await send({
      kind: "done",
      heard,
      codes,
      extra: subscribers.filter((s) => s.frames.length !== 1).length,
    });
  } finally {
    for (const s of subscribers) s.socket.close();
  }
}

if (process.env[SUBSCRIBERS_ENV] && process.send) {
  const job = JSON.parse(process.env[SUBSCRIBERS_ENV]) as Job;
  // Each message is out before the next step (and before the channel closes at the end).
  const send = (m: FromSubscribers) =>
    new Promise<void>((resolve) => process.send?.(m, undefined, {}, () => resolve()));
  // Open client WebSockets do not keep Node running by themselves (nor does the IPC channel).
  const alive = setInterval(() => {}, 1000);
  runSubscribers(job, send)
    .catch((error: unknown) => send({ kind: "error", message: String(error) }))
    .finally(() => {
      clearInterval(alive);
      process.disconnect?.();
    });
}

/** The subscriber process for one round, with a way to wait for its next message of a kind. */
function startSubscribers(job: Job) {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, [SUBSCRIBERS_ENV]: JSON.stringify(job) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const inbox: FromSubscribers[] = [];
  let wake = () => {};
  let gone: string | null = null;
  child.on("message", (m) => {
    inbox.push(m as FromSubscribers);
    wake();
  });
  child.on("close", (code) => {
    gone = `the subscriber process exited (${code})`;
    wake();
  });
  async function next<K extends FromSubscribers["kind"]>(
    kind: K,
  ): Promise<Extract<FromSubscribers, { kind: K }>> {
    const deadline = Date.now() + 2 * NOTIFY_TIMEOUT_MS + 60_000;
    for (;;) {
      const failed = inbox.find((m) => m.kind === "error");
      if (failed?.kind === "error") throw new Error(failed.message);
      const found = inbox.find((m) => m.kind === kind);
      if (found) return found as Extract<FromSubscribers, { kind: K }>;
      if (gone) throw new Error(gone);
      if (Date.now() > deadline) throw new Error(`no ${kind} from the subscriber process`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 1000);
      });
    }
  }
  return { next, stop: () => child.exitCode === null && child.kill() };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export const wsFanout: Scenario<State> = {
  id: "websocket-fanout",
  title: `${SUBSCRIBERS.toLocaleString("en")} WebSocket subscribers, then one write`,
  targets: ["wrangler-dev", "direct"],
  figures: {
    connect_ms: { label: `${SUBSCRIBERS} sockets connected`, kind: "ms" },
    notify_p50_ms: { label: "write sent → socket notified, p50", kind: "ms" },
    notify_p99_ms: { label: "write sent → socket notified, p99", kind: "ms" },
    notify_last_ms: { label: "write sent → last socket notified", kind: "ms" },
    cancel_with_sockets_ms: { label: `cancel, ${SUBSCRIBERS} sockets`, kind: "ms" },
    cancel_alone_ms: { label: "cancel, nobody listening", kind: "ms" },
  },
  goals: [
    {
      id: "websocket-p99",
      text: "1,000 WebSocket subscribers notified ≤ 250 ms p99",
      source: "issue 13",
      target: "direct",
      op: "<=",
      unit: "ms",
      value: (m) => m.notify_p99_ms ?? null,
      threshold: 250,
    },
  ],
  async setup({ target, work }) {
    const client = await signUp(target.url, "wsfanout");
    const dir = path.join(work, "tiny-app");
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "App.tsx"), "export default function App() {\n  return null;\n}\n");
    const project = await client.projects.create({ name: "ws-fanout", framework: "expo", entry: "App.tsx" });
    await syncFolder(client, project.id, dir);
    return { url: target.url, client, projectId: project.id };
  },
  async round({ url, client, projectId }) {
    const watched = await previewReady(client, projectId);
    const alone = await previewReady(client, projectId);
    const token = (await bearerHeader(client)).authorization.slice("Bearer ".length);

    const subscribers = startSubscribers({ url, sessionId: watched.session_id, token, count: SUBSCRIBERS });
    try {
      const { connect_ms } = await subscribers.next("ready");
      const sent = clock();
      const withSockets = await timed(() => client.previews.cancel(watched.session_id));
      const { heard, codes, extra } = await subscribers.next("done");
      const expected = watched.version + 1;
      const wrong = heard.filter((h) => {
        const frame = JSON.parse(h.frame) as { type?: string; status?: string; version?: number };
        return frame.type !== "status" || frame.status !== "cancelled" || frame.version !== expected;
      });
      if (wrong.length > 0) {
        throw new Error(
          `${wrong.length} sockets heard something else first (first: ${wrong[0]?.frame.slice(0, 160)})`,
        );
      }
      // The session ended, so the server closes every socket (4000) after its last status.
      const unclean = codes.filter((c) => c !== 4000).length;
      if (unclean > 0) throw new Error(`${unclean} sockets closed with another code than 4000`);
      if (extra > 0) throw new Error(`${extra} sockets got more than one frame for one change`);
      const times = heard.map((h) => h.at - sent).sort((a, b) => a - b);

      const without = await timed(() => client.previews.cancel(alone.session_id));
      return {
        connect_ms,
        notify_p50_ms: percentile(times, 50),
        notify_p99_ms: percentile(times, 99),
        notify_last_ms: times.at(-1) as number,
        cancel_with_sockets_ms: withSockets.ms,
        cancel_alone_ms: without.ms,
      };
    } finally {
      subscribers.stop();
    }
  },
};
