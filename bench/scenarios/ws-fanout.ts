// 1,000 WebSocket subscribers on one session (`GET /preview/sessions/:id/live`, the subprotocols
// `hivesync, bearer.<token>` as the preview page sends them), then the writer cancels it: the time
// from sending the cancel to each socket's status frame of the new version (p50, p99, last), and
// the writer's response time with the sockets against a cancel nobody listens to. The session is
// ready before the sockets connect, so the only frame after the first is the change's.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { type HiveSyncClient, syncFolder } from "../../clients/desktop/src";
import type { Scenario } from "../harness/types";
import { bearerHeader, signUp } from "../support/account";
import { previewReady } from "../support/preview";
import { timed } from "../support/timing";

const SUBSCRIBERS = 1000;
// Handshakes in flight at once while connecting (the connect phase is not what is measured).
const CONNECT_PARALLEL = 50;
const NOTIFY_TIMEOUT_MS = 20_000;

type State = { url: string; client: HiveSyncClient; projectId: string };

type Subscriber = {
  socket: WebSocket;
  /** When the first frame after connecting arrived (performance.now()), and what it said. */
  heard: Promise<{ at: number; frame: string }>;
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
    let hear: (v: { at: number; frame: string }) => void = () => {};
    let fail: (e: Error) => void = () => {};
    const heard = new Promise<{ at: number; frame: string }>((res, rej) => {
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
      const at = performance.now();
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
      const error = new Error(`live socket ${frames.length === 0 && first ? "did not open" : "failed"}`);
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

async function subscribeAll(url: string, sessionId: string, token: string): Promise<Subscriber[]> {
  const subscribers: Subscriber[] = [];
  let next = 0;
  const lanes = Array.from({ length: CONNECT_PARALLEL }, async () => {
    while (next < SUBSCRIBERS) {
      next++;
      subscribers.push(await subscribe(url, sessionId, token));
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

    const connecting = await timed(() => subscribeAll(url, watched.session_id, token));
    const subscribers = connecting.value;
    try {
      const early = subscribers.filter((s) => s.frames.length > 0).length;
      if (early > 0) throw new Error(`${early} of ${SUBSCRIBERS} sockets heard a change before the write`);
      const sent = performance.now();
      const withSockets = await timed(() => client.previews.cancel(watched.session_id));
      const heard = await within(
        Promise.all(subscribers.map((s) => s.heard)),
        "every socket heard the change",
      );
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
      const codes = await within(Promise.all(subscribers.map((s) => s.closed)), "every socket was closed");
      const unclean = codes.filter((c) => c !== 4000).length;
      if (unclean > 0) throw new Error(`${unclean} sockets closed with another code than 4000`);
      const extra = subscribers.filter((s) => s.frames.length !== 1).length;
      if (extra > 0) throw new Error(`${extra} sockets got more than one frame for one change`);
      const times = heard.map((h) => h.at - sent).sort((a, b) => a - b);

      const without = await timed(() => client.previews.cancel(alone.session_id));
      return {
        connect_ms: connecting.ms,
        notify_p50_ms: percentile(times, 50),
        notify_p99_ms: percentile(times, 99),
        notify_last_ms: times.at(-1) as number,
        cancel_with_sockets_ms: withSockets.ms,
        cancel_alone_ms: without.ms,
      };
    } finally {
      for (const s of subscribers) {
        try {
          s.socket.close();
        } catch {
          // already closed by the server
        }
      }
    }
  },
};
