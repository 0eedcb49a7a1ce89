import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { HiveSyncClient } from "../../core/src";
import { configDir } from "./config-dir";
import { FileTokenStore } from "./credentials";
import { main } from "./main";
import { formatBytes } from "./output";
import { terminalQr } from "./terminal-qr";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir() {
  const dir = await mkdtemp(path.join(tmpdir(), "hivesync-cli-unit-"));
  dirs.push(dir);
  return dir;
}
function capture() {
  let text = "";
  return {
    stream: new Writable({
      write(chunk, _e, done) {
        text += chunk.toString();
        done();
      },
    }),
    text: () => text,
  };
}

describe("CLI pieces", () => {
  it("keeps credentials under $XDG_CONFIG_HOME/hivesync, else ~/.config/hivesync", () => {
    expect(configDir({ XDG_CONFIG_HOME: "/x/cfg" })).toBe("/x/cfg/hivesync");
    expect(configDir({ HOME: "/home/ana" })).toMatch(/\.config\/hivesync$/);
  });

  it("stores tokens per server in a 0600 file and forgets them on clear", async () => {
    const dir = await tempDir();
    const a = new FileTokenStore(dir, "http://a");
    const b = new FileTokenStore(dir, "http://b");
    await a.set({ access_token: "A1", refresh_token: "R1" });
    await b.set({ access_token: "B1", refresh_token: "R2" });
    expect((await stat(path.join(dir, "credentials.json"))).mode & 0o777).toBe(0o600);
    expect(await a.get()).toEqual({ access_token: "A1", refresh_token: "R1" });
    await a.clear();
    expect(await a.get()).toBeNull();
    expect(await b.get()).toEqual({ access_token: "B1", refresh_token: "R2" });
    expect(JSON.parse(await readFile(path.join(dir, "credentials.json"), "utf8")).servers).not.toHaveProperty(
      "http://a",
    );
  });

  it("lets two processes sharing credentials refresh once, not twice (which would revoke the session)", async () => {
    const dir = await tempDir();
    let refreshes = 0;
    let access = "acc_1";
    const used = new Set<string>();
    const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(String(input));
      const headers = new Headers(init?.headers);
      await new Promise((r) => setTimeout(r, 20)); // let the two "processes" overlap
      if (url.pathname === "/api/v1/auth/refresh") {
        refreshes += 1;
        const token = JSON.parse(String(init?.body)).refresh_token as string;
        if (used.has(token))
          return Response.json(
            { error: { code: "INVALID_REFRESH_TOKEN", message: "reused", details: {}, request_id: "r" } },
            { status: 401 },
          );
        used.add(token);
        access = `acc_${refreshes + 1}`;
        return Response.json({
          tokens: {
            access_token: access,
            refresh_token: `ref_${refreshes + 1}`,
            token_type: "Bearer",
            expires_in: 900,
          },
        });
      }
      if (headers.get("authorization") !== `Bearer ${access}`) {
        return Response.json(
          { error: { code: "UNAUTHENTICATED", message: "expired", details: {}, request_id: "r" } },
          { status: 401 },
        );
      }
      return Response.json({
        user: {
          id: "usr_1",
          email: "a@example.com",
          username: "ana",
          created_at: "2026-01-01T00:00:00.000Z",
        },
      });
    }) as typeof fetch;
    const seed = new FileTokenStore(dir, "http://api.test");
    await seed.set({ access_token: "acc_0", refresh_token: "ref_1" });
    access = "acc_2"; // the stored access token has expired
    const processes = [1, 2].map(
      () =>
        new HiveSyncClient({
          baseUrl: "http://api.test",
          fetch: fakeFetch,
          tokenStore: new FileTokenStore(dir, "http://api.test"),
        }),
    );
    const users = await Promise.all(processes.map((client) => client.auth.me()));
    expect(users.map((u) => u.username)).toEqual(["ana", "ana"]);
    expect(refreshes).toBe(1);
  });

  it("draws a QR code with block characters", () => {
    const qr = terminalQr("https://hivesync.example/p/WDJB-MJHT");
    expect(qr.split("\n").length).toBeGreaterThan(10);
    expect(qr).toMatch(/[█▀▄]/);
  });

  it("has `help`, `--version` and a --help per command listing its flags, each used in an example", async () => {
    const run = async (...argv: string[]) => {
      const out = capture();
      const err = capture();
      const code = await main(argv, { stdout: out.stream, stderr: err.stream });
      return { code, stdout: out.text(), stderr: err.text() };
    };
    const pkg = JSON.parse(
      await readFile(path.resolve(import.meta.dirname, "../../../package.json"), "utf8"),
    );
    expect(await run("--version")).toEqual({ code: 0, stdout: `hivesync ${pkg.version}\n`, stderr: "" });
    const overview = await run("help");
    expect(overview.code).toBe(0);
    expect(overview.stdout).toContain("hivesync previews [list] [--project ID] [--all] | cancel <id>");
    expect(overview.stdout).toContain(
      "hivesync projects create <name> [--framework expo] [--entry App.tsx] | list | delete <id>",
    );
    expect(overview.stdout).toContain("`hivesync --version` prints the version.");

    const commands = [...overview.stdout.matchAll(/^ {2}hivesync ([a-z]+)/gm)].map((m) => m[1] as string);
    expect(commands).toEqual([
      "register",
      "login",
      "logout",
      "whoami",
      "projects",
      "push",
      "preview",
      "previews",
      "devices",
      "open",
      "notifications",
      "ai",
      "help",
      "preview",
    ]);
    for (const command of new Set(commands)) {
      const help = await run(command, "--help");
      expect(help.code, command).toBe(0);
      expect((await run("help", command)).stdout).toBe(help.stdout);
      const [, flagBlock = "", exampleBlock = ""] =
        /\nFlags:\n([\s\S]*?)\n\nExamples?:\n([\s\S]*)$/.exec(help.stdout) ?? [];
      const flags = [...flagBlock.matchAll(/^ {2}(?:-h, )?(--[a-z]+)/gm)].map((m) => m[1] as string);
      expect(flags.slice(-3), command).toEqual(["--api", "--json", "--help"]);
      const examples = exampleBlock
        .trim()
        .split("\n")
        .map((l) => l.trim());
      expect(examples.length, command).toBeGreaterThan(0);
      for (const example of examples)
        expect(example.startsWith(`hivesync ${command === "help" ? "help" : command}`)).toBe(true);
      for (const flag of flags.slice(0, -3)) {
        expect(
          examples.some((e) => e.split(" ").includes(flag)),
          `${command} ${flag} has an example`,
        ).toBe(true);
      }
    }
    expect((await run("help", "preview")).stdout).toBe(
      [
        "hivesync preview: push, show a preview's QR code (the live one when it is current) and follow its build.",
        "",
        "Usage: hivesync preview [dir] [--project ID] [--platform ios|android|web] [--new] [--watch] [--open]",
        "",
        "Flags:",
        "  --project ID  this project instead of the folder's linked one",
        "  --platform P  ios (default), android or web",
        "  --new         start another preview even when a live one shows this revision",
        "  --watch       then push every save and print each revision's build result, until Ctrl-C",
        "  --open        open the preview's link in your browser",
        "  --api URL     the server (default $HIVESYNC_API, else http://localhost:8787)",
        "  --json        print one JSON object (the result, or {error}) as the last line of output",
        "  -h, --help    show this help",
        "",
        "Examples:",
        "  hivesync preview ./examples/hello-app --platform android",
        "  hivesync preview --new --project prj_2c9f…",
        "  hivesync preview --watch --open ./examples/hello-app",
        "",
      ].join("\n"),
    );
    expect(await run("push", "--lines", "1:2")).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "error: INVALID_ARGUMENT: `hivesync push` does not take --lines; `hivesync push --help` lists its flags.\n",
    });
    expect((await run("help", "dance")).code).toBe(2);
  });

  it("formats byte counts for people", () => {
    expect([formatBytes(12), formatBytes(1536), formatBytes(3 * 1024 * 1024)]).toEqual([
      "12 B",
      "1.5 KB",
      "3.0 MB",
    ]);
  });

  it("prints help (exit 0), refuses unknown commands and flags (exit 2), and reports server errors as one line (exit 1)", async () => {
    const out = capture();
    const err = capture();
    expect(await main(["--help"], { stdout: out.stream, stderr: err.stream })).toBe(0);
    expect(out.text()).toContain("hivesync open <code>");
    expect(await main(["dance"], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(await main(["push", "--colour"], { stdout: out.stream, stderr: err.stream })).toBe(2);

    const dir = await tempDir();
    const fakeFetch = (async () =>
      new Response(
        JSON.stringify({
          error: {
            code: "INVALID_CREDENTIALS",
            message: "The login or password is wrong.",
            details: {},
            request_id: "req_1",
          },
        }),
        {
          status: 401,
          headers: { "content-type": "application/json", "x-request-id": "req_1" },
        },
      )) as typeof fetch;
    const jsonOut = capture();
    const jsonErr = capture();
    const code = await main(["login", "--login", "ana", "--password", "nope-nope-nope", "--json"], {
      stdout: jsonOut.stream,
      stderr: jsonErr.stream,
      env: { XDG_CONFIG_HOME: dir },
      fetch: fakeFetch,
    });
    expect(code).toBe(1);
    expect(JSON.parse(jsonOut.text().trim().split("\n").at(-1) ?? "{}")).toEqual({
      error: { code: "INVALID_CREDENTIALS", message: "The login or password is wrong.", request_id: "req_1" },
    });
    expect(jsonErr.text()).toBe(
      "error: INVALID_CREDENTIALS: The login or password is wrong. (request req_1)\n",
    );
  });
});
