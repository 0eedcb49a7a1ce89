// `hivesync` as an installed command (item 9): `npm link` in the repository puts a symlink to
// clients/cli/bin/hivesync.mjs on the PATH; the command must then run from any app folder, with the
// machine's own `node` (the README's way to run it outside the repository).
import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveOverHttp } from "../../test-support/cli-harness";
import { FakeApi } from "../../test-support/fake-api";
import { FileTokenStore } from "./credentials";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../../..");
const BIN = path.join(ROOT, "clients/cli/bin/hivesync.mjs");
let home = "";
let env: NodeJS.ProcessEnv = {};

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), "hivesync-bin-"));
  // What `npm link` does: <prefix>/bin/hivesync → the package's bin file.
  await mkdir(path.join(home, "global/bin"), { recursive: true });
  await symlink(BIN, path.join(home, "global/bin/hivesync"));
  // A user's shell: the global bin directory first, and no node_modules/.bin of this repository.
  const pathDirs = (process.env.PATH ?? "").split(path.delimiter).filter((d) => !d.includes("node_modules"));
  env = {
    ...process.env,
    PATH: [path.join(home, "global/bin"), ...pathDirs].join(path.delimiter),
    XDG_CONFIG_HOME: path.join(home, "config"),
  };
  delete env.HIVESYNC_API;
});
afterAll(async () => {
  if (home) await rm(home, { recursive: true, force: true });
});

describe("the installed hivesync command", () => {
  it("package.json names the bin that npm link installs", async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8"));
    expect(pkg.bin).toEqual({ hivesync: "clients/cli/bin/hivesync.mjs" });
    expect((await readFile(BIN, "utf8")).startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("runs from an app folder outside the repository", async () => {
    const app = path.join(home, "my-app");
    await mkdir(app, { recursive: true });
    const pkg = JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8"));
    const version = await run("hivesync", ["--version"], { cwd: app, env });
    expect(version.stdout).toBe(`hivesync ${pkg.version}\n`);
    const help = await run("hivesync", ["help", "preview"], { cwd: app, env });
    expect(help.stdout).toContain("Usage: hivesync preview [dir]");
  }, 30_000);

  // Issue 13: start-up is most of a no-change push. A Node that strips types runs the sources
  // itself (with its compile cache); tsx only stands in on older ones. The hook below tells on
  // stderr whenever the launcher asks for tsx.
  const tellOnTsx = `data:text/javascript,${encodeURIComponent(
    'import m from "node:module"; m.registerHooks({ resolve(s, c, next) { if (s.startsWith("tsx/")) process.stderr.write("[tsx]"); return next(s, c); } });',
  )}`;

  it.runIf(process.features.typescript)(
    "runs without tsx on a Node that strips types itself",
    async () => {
      const help = await run(process.execPath, ["--import", tellOnTsx, BIN, "--help"], { cwd: home, env });
      expect(help.stdout).toContain("Usage:");
      expect(help.stderr).toBe("");
    },
    30_000,
  );

  it("falls back to tsx where Node does not strip types, or when asked to", async () => {
    for (const [args, extra] of [
      [["--no-experimental-strip-types", "--import", tellOnTsx, BIN, "--version"], {}],
      [["--import", tellOnTsx, BIN, "--version"], { HIVESYNC_TS_LOADER: "tsx" }],
    ] as const) {
      const { stdout, stderr } = await run(process.execPath, [...args], {
        cwd: home,
        env: { ...env, ...extra },
      });
      expect(stdout).toMatch(/^hivesync \d+\.\d+\.\d+\n$/);
      expect(stderr).toBe("[tsx]");
    }
  }, 30_000);

  it("finds the project linked to the file's folder or above, from another working directory", async () => {
    const api = new FakeApi();
    const server = await serveOverHttp(api);
    try {
      const app = path.join(home, "linked-app");
      await mkdir(path.join(app, "src/components"), { recursive: true });
      await mkdir(path.join(app, ".hivesync"), { recursive: true });
      await writeFile(path.join(app, "src/components/Greeting.js"), "export const Greeting = 1;\n");
      await writeFile(
        path.join(app, ".hivesync/project.json"),
        JSON.stringify({ project_id: "prj_linked0000000000", api: server.url }),
      );
      await new FileTokenStore(path.join(home, "config/hivesync"), server.url).set({
        access_token: api.accessToken,
        refresh_token: "ref_1",
      });
      const elsewhere = path.join(home, "elsewhere");
      await mkdir(elsewhere, { recursive: true });
      const { stdout } = await run(
        "hivesync",
        ["ai", "summarize", "../linked-app/src/components/Greeting.js", "--api", server.url, "--json"],
        { cwd: elsewhere, env },
      );
      expect(JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}")).toMatchObject({ status: "queued" });
      expect([...api.aiJobs.values()]).toMatchObject([
        {
          project_id: "prj_linked0000000000",
          file_path: "src/components/Greeting.js",
          type: "summarize_file",
        },
      ]);
    } finally {
      await server.close();
    }
  }, 30_000);

  // `preview --watch` ends on a real Ctrl-C: the process gets SIGINT, stops watching, closes the
  // socket, prints a last line and exits 0, no stack trace. With this test's Node (24: a global
  // WebSocket), and with the machine's own `node` on PATH, whatever it is (Node 20 has no
  // WebSocket: the watch long-polls).
  for (const [label, command, args] of [
    ["this Node", process.execPath, [BIN]],
    ["the node on PATH", "hivesync", []],
  ] as const) {
    it(`preview --watch pushes a save and ends cleanly on Ctrl-C (${label})`, async () => {
      const api = new FakeApi();
      api.sessionsFollow = true;
      const server = await serveOverHttp(api);
      const app = path.join(home, `watch-${label.replace(/\W/g, "")}`);
      try {
        await mkdir(app, { recursive: true });
        await writeFile(path.join(app, "App.js"), "export default 1;\n");
        await new FileTokenStore(path.join(home, "config/hivesync"), server.url).set({
          access_token: api.accessToken,
          refresh_token: "ref_1",
        });
        const child = spawn(command, [...args, "preview", ".", "--watch", "--api", server.url], {
          cwd: app,
          env,
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
        const until = async (what: string, re: RegExp) => {
          const deadline = Date.now() + 20_000;
          while (!re.test(stdout)) {
            if (Date.now() > deadline || child.exitCode !== null)
              throw new Error(`no ${what} in:\n${stdout}\n${stderr}`);
            await new Promise((r) => setTimeout(r, 25));
          }
        };
        await until("watch", /^Watching /m);
        await new Promise((r) => setTimeout(r, 300)); // the folder watch is in place
        await writeFile(path.join(app, "App.js"), "export default 2;\n");
        await until("r2", /^r2 ready in \d+ ms \(1 file changed\)$/m);
        child.kill("SIGINT");
        expect(await exited).toBe(0);
        expect(stdout.split("\n").slice(-3)).toEqual([
          expect.stringMatching(/^r2 ready in \d+ ms \(1 file changed\)$/),
          expect.stringMatching(
            /^Stopped watching\. The preview stays live at http:\/\/api\.test\/p\/[A-Z-]+\?hs=[\w-]{22} \(code [A-Z-]+\) until /,
          ),
          "",
        ]);
        expect(stderr).not.toMatch(/error|\n\s+at /i);
        // How the session was followed: its WebSocket where the Node has one, else long-polls.
        const node = command === "hivesync" ? "node" : process.execPath;
        const hasWebSocket =
          (await run(node, ["-p", "typeof WebSocket"], { env })).stdout.trim() === "function";
        expect(stderr).toContain(
          hasWebSocket ? "live: connected" : "live: following by long-poll (no WebSocket in this runtime)",
        );
        expect(api.liveAttempts).toHaveLength(hasWebSocket ? 1 : 0);
        expect([...api.sessions.values()][0]?.status).toBe("ready");
        expect(api.countRequests("POST", /\/mirror\/changes$/)).toBe(2);
      } finally {
        await server.close();
      }
    }, 40_000);
  }
});
