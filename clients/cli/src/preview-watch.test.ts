// `hivesync preview --watch` and `--open` against the fake API on a real port (its live WebSocket
// included), run in-process; output tested as printed. The real Ctrl-C of a spawned process is in
// bin.test.ts, the real stack in clients/e2e/preview-watch.e2e.test.ts.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliHarness, capture, serveOverHttp } from "../../test-support/cli-harness";
import { revisionLine } from "./commands/preview-watch";
import { FileTokenStore } from "./credentials";
import { type MainIo, main } from "./main";
import { browserCommand } from "./open-url";

const APP = {
  "app/App.js": "export default function App() { return null; }\n",
  "app/.gitignore": "*.log\n",
  "app/src/Greeting.js": "export const Greeting = () => 'hi';\n",
};

let h: CliHarness;
let server: Awaited<ReturnType<typeof serveOverHttp>>;
beforeEach(async () => {
  h = await new CliHarness().setUp();
  await h.files(APP);
  h.api.sessionsFollow = true;
  h.api.buildErrorOf = (read) => {
    const lines = read("App.js")?.split("\n") ?? [];
    const line = lines.findIndex((l) => l.includes("<<"));
    return line < 0
      ? undefined
      : {
          file: "App.js",
          line: line + 1,
          column: lines[line]!.indexOf("<<") + 1,
          message: "Unexpected token\n  > frame",
        };
  };
  server = await serveOverHttp(h.api);
  await new FileTokenStore(path.join(h.config, "hivesync"), server.url).set({
    access_token: h.api.accessToken,
    refresh_token: "ref_1",
  });
});
afterEach(async () => {
  await server.close();
  await h.tearDown();
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, check: () => boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(20);
  }
}
const commits = () => h.api.countRequests("POST", /\/mirror\/changes$/);

/** `hivesync …` in-process against the served fake, until `stop()` (Ctrl-C) or its own end. */
function start(argv: string[], io: MainIo = {}) {
  const stdout = capture();
  const stderr = capture();
  const controller = new AbortController();
  const exit = main(argv, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: { HIVESYNC_API: server.url, XDG_CONFIG_HOME: h.config },
    cwd: h.work,
    retry: { sleep: async () => {}, random: () => 0 },
    followGraceMs: 0,
    signal: controller.signal,
    ...io,
  });
  /** stdout after its line `Watching …`. */
  const watched = () => stdout.text().split(/^Watching .*\n/m)[1] ?? "";
  return { stdout, stderr, exit, watched, stop: () => controller.abort() };
}

describe("hivesync preview --watch", () => {
  it("pushes each save once, prints one line per revision with its build result, and stops on Ctrl-C", async () => {
    const run = start(["preview", "app", "--watch"]);
    await until("the watch", () => run.stdout.text().includes("Watching "));
    await until("the live socket", () => (h.api.liveSockets.values().next().value?.size ?? 0) === 1);
    const session = [...h.api.sessions.keys()][0] as string;
    expect(run.stdout.text()).toMatch(
      /^Created project app \(prj_\w+\) for this folder\.\nPushed revision 1: 3 files, sent 3 \(.+\), 0 already on the server\.\n/,
    );
    expect(run.stdout.text()).toContain(
      `Ready: 0 files. Code ${h.api.sessions.get(session)?.code}, valid until`,
    );
    expect(run.stdout.text()).toContain(
      `Watching ${path.join(h.work, "app")} for changes. Ctrl-C stops (the preview stays live).\n`,
    );
    expect(commits()).toBe(1);

    // A save: one push, one line.
    await h.files({ "app/App.js": "export default function App() { return 1; }\n" });
    await until("r2", () => run.watched().includes("r2 "));
    expect(run.watched()).toMatch(/^r2 ready in \d+ ms \(1 file changed\)\n$/);
    expect(commits()).toBe(2);

    // A burst of saves (an editor writing twice, a formatter after it): one push.
    for (let i = 0; i < 5; i++) {
      await h.files({ "app/src/Greeting.js": `export const Greeting = () => 'hi ${i}';\n` });
      await pause(20);
    }
    await until("r3", () => run.watched().includes("r3 "));
    await pause(400);
    expect(commits()).toBe(3);
    expect(run.watched().split("\n").at(-2)).toMatch(/^r3 ready in \d+ ms \(1 file changed\)$/);

    // What the sync ignores, and the sync's own state: no request at all.
    const requests = h.api.requests.length;
    await h.files({
      "app/debug.log": "x",
      "app/node_modules/left-pad/index.js": "module.exports = 1;\n",
      "app/.hivesync/scratch.json": "{}",
      "app/.env": "TOKEN=secret",
    });
    await pause(600);
    expect(h.api.requests.length).toBe(requests);

    // A syntax error: the session keeps r3 and reports r4's error; the fix is r5.
    await h.files({ "app/App.js": "export default function App() {\n  return <<View/>;\n}\n" });
    await until("r4", () => run.watched().includes("r4 "));
    await h.files({ "app/App.js": "export default function App() { return 2; }\n" });
    await until("r5", () => run.watched().includes("r5 "));

    run.stop();
    expect(await run.exit).toBe(0);
    const link = `${h.api.publicUrl}/p/${h.api.sessions.get(session)?.code}`;
    expect(run.watched()).toMatch(
      new RegExp(
        [
          "^r2 ready in \\d+ ms \\(1 file changed\\)",
          "r3 ready in \\d+ ms \\(1 file changed\\)",
          "r4 build error App\\.js:2:10 Unexpected token",
          "r5 ready in \\d+ ms \\(1 file changed\\)",
          `Stopped watching\\. The preview stays live at ${link.replace(/[.?]/g, "\\$&")}\\?hs=[\\w-]{22} \\(code [A-Z-]+\\) until 2099-01-01T00:00:00\\.000Z\\.`,
          "$",
        ].join("\n"),
      ),
    );
    expect(run.stderr.text()).not.toMatch(/error|at .+:\d+:\d+/i);
    // The socket is closed, the session is still live, and nothing writes after the exit.
    await pause(50);
    expect(h.api.liveSockets.get(session)?.size ?? 0).toBe(0);
    expect(h.api.sessions.get(session)?.status).toBe("ready");
    expect(h.api.sessions.get(session)?.revision).toBe(5);
    await h.files({ "app/App.js": "after the watch\n" });
    await pause(400);
    expect(commits()).toBe(5);
  }, 30_000);

  it("Ctrl-C before the preview is ready ends it too, with a last line and exit code 0", async () => {
    const interrupted = new AbortController();
    interrupted.abort();
    const run = start(["preview", "app", "--watch"], { signal: interrupted.signal });
    expect(await run.exit).toBe(0);
    expect(run.stdout.text().split("\n").slice(-2)).toEqual(["Stopped before the preview was ready.", ""]);
    expect(run.stderr.text()).not.toMatch(/error/i);
  });

  it("with --json prints one JSON line per revision, and a last one when stopped", async () => {
    const run = start(["preview", "app", "--watch", "--json"]);
    await until("the live socket", () => (h.api.liveSockets.values().next().value?.size ?? 0) === 1);
    await h.files({ "app/App.js": "export default function App() {\n  return <<View/>;\n}\n" });
    await until("r2", () => run.stdout.text().includes('"revision":2'));
    run.stop();
    expect(await run.exit).toBe(0);
    const lines = run.stdout
      .text()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({
      status: "ready",
      revision: 1,
      link_url: expect.stringContaining("/p/"),
    });
    expect(lines.slice(1)).toEqual([
      {
        revision: 2,
        status: "build_error",
        file: "App.js",
        line: 2,
        column: 10,
        message: "Unexpected token\n  > frame",
        ms: expect.any(Number),
        files_changed: 1,
      },
      { stopped: true, session_id: lines[0].session_id, revision: 2 },
    ]);
  }, 30_000);

  it("ends with the session: a preview cancelled elsewhere is an error, not a hang", async () => {
    const run = start(["preview", "app", "--watch"]);
    await until("the live socket", () => (h.api.liveSockets.values().next().value?.size ?? 0) === 1);
    const session = [...h.api.sessions.keys()][0] as string;
    await h.run(["previews", "cancel", session], {
      io: { fetch: undefined, env: { HIVESYNC_API: server.url, XDG_CONFIG_HOME: h.config } },
    });
    expect(await run.exit).toBe(1);
    expect(run.stderr.text().split("\n").at(-2)).toBe(
      `error: PREVIEW_CANCELLED: The preview ${session} was cancelled: run \`hivesync preview --watch\` again for a new one.`,
    );
  }, 30_000);

  it("keeps watching when the server is away, and pushes again once it is back", async () => {
    const run = start(["preview", "app", "--watch"]);
    await until("the live socket", () => (h.api.liveSockets.values().next().value?.size ?? 0) === 1);
    let down = true;
    h.api.intercept = (req) =>
      down && req.path.startsWith("/projects/") ? new Response("{}", { status: 503 }) : undefined;
    await h.files({ "app/App.js": "export default function App() { return 3; }\n" });
    await until("the warning", () => run.stderr.text().includes("the push failed"));
    expect(run.stderr.text()).toContain("; trying again in 2 s.\n");
    down = false;
    await until("r2", () => run.watched().includes("r2 "), 6_000);
    run.stop();
    expect(await run.exit).toBe(0);
  }, 30_000);
});

describe("hivesync preview --open", () => {
  it("opens the link with the platform's opener, and only warns when that fails", async () => {
    const bin = await mkdtemp(path.join(tmpdir(), "hivesync-open-"));
    try {
      // A stand-in xdg-open on PATH: the real spawn, told the link.
      await writeFile(path.join(bin, "xdg-open"), '#!/bin/sh\necho "$1" > "$OPENED"\n', { mode: 0o755 });
      const env = {
        HIVESYNC_API: server.url,
        XDG_CONFIG_HOME: h.config,
        PATH: `${bin}:/usr/bin:/bin`,
        OPENED: path.join(bin, "opened.txt"),
      };
      const opened = await h.run(["preview", "app", "--open", "--json"], { io: { fetch: undefined, env } });
      expect(opened.code, opened.stderr).toBe(0);
      if (process.platform === "linux")
        expect(await readFile(env.OPENED, "utf8")).toBe(`${opened.last.link_url}\n`);

      const failing = await h.run(["preview", "app", "--open"], {
        io: {
          fetch: undefined,
          env,
          openUrl: async () => Promise.reject(new Error("xdg-open is not installed")),
        },
      });
      expect(failing.code).toBe(0);
      expect(failing.stderr).toContain(
        `warning: could not open the link in a browser (xdg-open is not installed): open ${opened.last.link_url} yourself.\n`,
      );
      expect(failing.stdout).toContain("Ready: ");
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  }, 30_000);

  it("knows each platform's opener", () => {
    const url = "http://localhost:8787/p/WDJB-MJHT?a=1&b=2";
    expect(browserCommand(url, "linux")).toEqual({ command: "xdg-open", args: [url] });
    expect(browserCommand(url, "darwin")).toEqual({ command: "open", args: [url] });
    expect(browserCommand(url, "win32")).toEqual({
      command: "cmd",
      args: ["/d", "/s", "/c", `start "" "${url}"`],
      windowsVerbatimArguments: true,
    });
  });
});

describe("hivesync preview without --watch", () => {
  it("fails at once, naming the place, when the rebuild of the pushed revision does not build", async () => {
    // The session follows the project: the second preview reuses it, and its update fails.
    const first = await h.run(["preview", "app", "--json"], {
      io: { fetch: undefined, env: { HIVESYNC_API: server.url, XDG_CONFIG_HOME: h.config } },
    });
    expect(first.code, first.stderr).toBe(0);
    await h.files({ "app/App.js": "export default function App() {\n  return <<View/>;\n}\n" });
    const started = Date.now();
    const second = await h.run(["preview", "app"], {
      io: { fetch: undefined, env: { HIVESYNC_API: server.url, XDG_CONFIG_HOME: h.config } },
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(second.code).toBe(1);
    expect(second.stderr.split("\n").at(-2)).toBe(
      "error: BUILD_ERROR: The preview keeps showing revision 1: revision 2 did not build: App.js:2:10 Unexpected token.",
    );
  }, 30_000);

  it("names the file, line and column when the first build fails", async () => {
    await h.files({ "app/App.js": "export default function App() {\n  return <<View/>;\n}\n" });
    const run = await h.run(["preview", "app"], {
      io: { fetch: undefined, env: { HIVESYNC_API: server.url, XDG_CONFIG_HOME: h.config } },
    });
    expect(run.code).toBe(1);
    expect(run.stderr.split("\n").at(-2)).toBe(
      "error: BUILD_ERROR: The preview ended failed: App.js:2:10 Unexpected token.",
    );
  }, 30_000);

  it("says each revision in one line", () => {
    expect(revisionLine({ revision: 7, status: "ready", ms: 140, files_changed: 2 })).toBe(
      "r7 ready in 140 ms (2 files changed)",
    );
    expect(revisionLine({ revision: 9, status: "ready" })).toBe("r9 ready (committed elsewhere)");
    expect(
      revisionLine({
        revision: 8,
        status: "build_error",
        file: "App.js",
        line: 12,
        column: 5,
        message: "Unexpected token (12:5)\n> 12 | <<",
      }),
    ).toBe("r8 build error App.js:12:5 Unexpected token (12:5)");
    // An error of no file (a stranded build) names no place.
    expect(
      revisionLine({
        revision: 10,
        status: "build_error",
        file: "",
        line: 1,
        column: 1,
        message: "The build was accepted but never finished.",
      }),
    ).toBe("r10 build error The build was accepted but never finished.");
  });
});
