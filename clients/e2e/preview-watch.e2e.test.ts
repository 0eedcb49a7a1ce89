// The README tour's live loop against the local stack: `hivesync preview --watch` on a copy of
// examples/hello-app, run as a child process the way a terminal runs it. Each save is pushed and
// reported in one line as the session reports it (over its WebSocket): an edit is `ready`, a
// syntax error is `build error App.js:<line>:<col>`, the fix is `ready` again; Ctrl-C ends it with
// exit code 0 and the preview still live.
import { type ChildProcess, spawn } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  HiveSyncClient,
  type PreviewLiveEvent,
  startPreview,
  syncFolder,
  watchPreview,
  watchPreviewEvents,
} from "../desktop/src";
import { registerWithCli, runCli } from "./cli-runner";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "clients/cli/bin/hivesync.mjs");
let work = "";
let env: NodeJS.ProcessEnv = {};
let child: ChildProcess | undefined;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "hivesync-watch-e2e-"));
  await cp(path.join(ROOT, "examples/hello-app"), path.join(work, "hello-app"), { recursive: true });
  env = { HIVESYNC_API: inject("apiUrl"), XDG_CONFIG_HOME: path.join(work, "config") };
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  if (work) await rm(work, { recursive: true, force: true });
});

async function hivesync(...argv: string[]) {
  return runCli(argv, { env, cwd: work });
}

describe("hivesync preview --watch", () => {
  it("pushes every save and prints each revision's result: ready, build error App.js:<line>:<col>, ready; Ctrl-C exits 0", async () => {
    const { run: reg } = await registerWithCli(hivesync, "watch");
    expect(reg.code, reg.stderr).toBe(0);

    const proc = spawn(process.execPath, [BIN, "preview", "hello-app", "--watch"], {
      cwd: work,
      env: { ...process.env, ...env },
    });
    child = proc;
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (chunk) => (stdout += chunk));
    proc.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
    const watched = () => stdout.split(/^Watching .*\n/m)[1] ?? "";
    const until = async (what: string, re: RegExp, ms = 30_000, text = watched) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const match = re.exec(text());
        if (match) return match;
        if (Date.now() > deadline || proc.exitCode !== null)
          throw new Error(`no ${what} within ${ms} ms:\n${stdout}\n--- stderr ---\n${stderr}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };

    await until("watch", /^Watching /m, 60_000, () => stdout);
    expect(stdout).toMatch(/^Pushed revision 1: 7 files, sent 7 /m);
    expect(stdout).toMatch(/^Ready: \d+ files\. Code [A-Z]{4}-[A-Z]{4}, valid until /m);
    // The link carries its key (opening it is no code guess).
    const link = /open (http\S+\/p\/[A-Z]{4}-[A-Z]{4}\?hs=[\w-]{22}),/.exec(stdout)?.[1] as string;
    expect(link).toBeTruthy();
    // The link the QR code holds is the running app's page.
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("data-session=");
    await new Promise((r) => setTimeout(r, 300)); // the folder watch is in place

    const app = path.join(work, "hello-app/App.js");
    const original = await readFile(app, "utf8");
    const edited = original.replace('name="HiveSync"', 'name="watch mode"');
    const t1 = performance.now();
    await writeFile(app, edited);
    await until("r2 ready", /^r2 ready in \d+ ms \(1 file changed\)$/m);
    const editToLine = performance.now() - t1;

    const broken = edited.replace("<StatusBar", "<StatusBar oops=");
    const brokenLine = broken.split("\n").findIndex((l) => l.includes("oops=")) + 1;
    const t2 = performance.now();
    await writeFile(app, broken);
    const error = await until("r3 build error", /^r3 build error App\.js:(\d+):(\d+) (.+)$/m);
    const errorToLine = performance.now() - t2;
    expect(Number(error[1])).toBe(brokenLine);
    expect(Number(error[2])).toBeGreaterThan(1);

    const t3 = performance.now();
    await writeFile(app, edited.replace('name="watch mode"', 'name="fixed"'));
    await until("r4 ready", /^r4 ready in \d+ ms \(1 file changed\)$/m);
    const fixToLine = performance.now() - t3;

    // The session serves r4 and stays live after Ctrl-C.
    proc.kill("SIGINT");
    expect(await exited).toBe(0);
    const lines = watched().trimEnd().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^r2 ready in \d+ ms \(1 file changed\)$/),
      expect.stringMatching(/^r3 build error App\.js:\d+:\d+ /),
      expect.stringMatching(/^r4 ready in \d+ ms \(1 file changed\)$/),
      `Stopped watching. The preview stays live at ${link} (code ${/\/p\/([A-Z]{4}-[A-Z]{4})/.exec(link)?.[1]}) until ${/valid until (\S+)\./.exec(stdout)?.[1]}.`,
    ]);
    expect(stderr).not.toMatch(/\n\s+at |^error:/im);
    expect(stderr).toContain("live: connected");
    const live = await hivesync("previews", "--json");
    expect(live.last.items).toMatchObject([{ status: "ready", revision: 4 }]);
    console.log(
      `preview --watch on the local stack: save → ready line ${Math.round(editToLine)} ms, → build error line ${Math.round(errorToLine)} ms, fix → ready line ${Math.round(fixToLine)} ms\n${watched()}`,
    );
  }, 180_000);

  it("the libraries follow the real live channel: watchPreview, and watchPreviewEvents over the socket and by long-poll", async () => {
    const dir = path.join(work, "lib-app");
    await cp(path.join(ROOT, "examples/hello-app"), dir, { recursive: true });
    const desktop = new HiveSyncClient({ baseUrl: inject("apiUrl") });
    const name = `lib${Date.now().toString(36)}`;
    await desktop.auth.register({
      email: `${name}@example.com`,
      username: name,
      password: "a long enough password",
    });
    const project = await desktop.projects.create({ name: "lib-app", framework: "expo" });
    await syncFolder(desktop, project.id, dir);
    const started = await startPreview(desktop, project.id, { platform: "web" });
    const seen: PreviewLiveEvent[] = [];
    const ready = await watchPreview(desktop, started.session_id, { onEvent: (e) => seen.push(e) });
    expect(ready).toMatchObject({ status: "ready", revision: 1 });
    expect(seen[0]).toEqual({ type: "connection", state: "live" });
    expect(seen).toContainEqual({ type: "revision", revision: 1 });

    const app = path.join(dir, "App.js");
    const original = await readFile(app, "utf8");
    // Over the socket, and through a socket that never opens (so: long-polls), the same story.
    const refused = (_url: string, protocols: string[]) => new WebSocket("ws://127.0.0.1:9/", protocols);
    for (const [via, webSocket] of [
      ["socket", undefined],
      ["long-poll", refused],
    ] as const) {
      const controller = new AbortController();
      const events: PreviewLiveEvent[] = [];
      const base = (await desktop.previews.status(started.session_id)).revision ?? 1;
      const watching = (async () => {
        for await (const event of watchPreviewEvents(desktop, started.session_id, {
          signal: controller.signal,
          knownRevision: base,
          reconnectMs: { initial: 50, max: 100 },
          ...(webSocket ? { webSocket } : {}),
        })) {
          events.push(event);
          if (event.type === "connection" && event.state !== "reconnecting") {
            // Connected (or fallen back): now the edits.
            await writeFile(app, original.replace('name="HiveSync"', `name="${via}"`));
            await syncFolder(desktop, project.id, dir);
          }
          if (event.type === "revision" && event.revision === base + 1) {
            await writeFile(app, original.replace("<StatusBar", "<StatusBar oops="));
            await syncFolder(desktop, project.id, dir);
          }
          if (event.type === "build_error") break;
        }
      })();
      const timeout = setTimeout(
        () => controller.abort(new Error(`${via}: ${JSON.stringify(events)}`)),
        30_000,
      );
      await watching;
      clearTimeout(timeout);
      const story = events.flatMap((e) =>
        e.type === "revision"
          ? [`r${e.revision - base} ready`]
          : e.type === "build_error"
            ? [`r${e.revision - base} ${e.error.file}:${e.error.line}`]
            : e.type === "connection"
              ? [e.state]
              : [],
      );
      const brokenLine = original.split("\n").findIndex((l) => l.includes("<StatusBar")) + 1;
      expect(story, via).toEqual(
        via === "socket"
          ? ["live", "r1 ready", `r2 App.js:${brokenLine}`]
          : ["reconnecting", "reconnecting", "long-poll", "r1 ready", `r2 App.js:${brokenLine}`],
      );
      const error = events.find((e) => e.type === "build_error");
      expect(error).toMatchObject({
        error: { code: "build_error", column: expect.any(Number), message: expect.any(String) },
      });
      await writeFile(app, original);
      await syncFolder(desktop, project.id, dir);
    }
  }, 120_000);
});
