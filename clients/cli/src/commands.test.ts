// The CLI's commands against the fake API, with their output tested as printed.
import { access, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliHarness, FAKE_API_URL } from "../../test-support/cli-harness";
import { errorResponse } from "../../test-support/fake-api";

const APP = {
  "app/App.js": "export default function App() { return null; }\n",
  "app/package.json": '{"name":"app","main":"App.js","dependencies":{"expo":"^52.0.0"}}\n',
  "app/src/components/Greeting.js": "export const Greeting = () => 'hi';\n",
};

let h: CliHarness;
beforeEach(async () => {
  h = await new CliHarness().setUp();
  await h.files(APP);
});
afterEach(async () => {
  await h.tearDown();
});

const exists = (p: string) =>
  access(path.join(h.work, p)).then(
    () => true,
    () => false,
  );
const liveSessions = () =>
  [...h.api.sessions.values()].filter((s) => !["cancelled", "expired", "failed"].includes(s.status));
const starts = () => h.api.countRequests("POST", /^\/preview\/start$/);

describe("hivesync preview never hangs (item 8)", () => {
  it("reuses the live preview of the same project and platform when it shows the pushed revision", async () => {
    const first = await h.run(["preview", "app", "--json"]);
    expect(first.code, first.stderr).toBe(0);
    const again = await h.run(["preview", "app"]);
    expect(again.code, again.stderr).toBe(0);
    expect(starts()).toBe(1);
    expect(again.stdout).toContain(`Reusing the live preview ${first.last.session_id} (revision 1).`);
    expect(again.stdout).toContain(`type ${first.last.code} in the HiveSync app`);
    expect((await h.run(["preview", "app", "--json"])).last).toMatchObject({
      session_id: first.last.session_id,
      code: first.last.code,
      reused: true,
    });
    // Another platform is another preview.
    expect((await h.run(["preview", "app", "--platform", "android", "--json"])).last.reused).toBe(false);
    expect(starts()).toBe(2);
  });

  it("replaces its own live preview of an older revision instead of piling previews up", async () => {
    const first = await h.run(["preview", "app", "--json"]);
    await h.files({ "app/App.js": "export default function App() { return 1; }\n" });
    const second = await h.run(["preview", "app", "--json"]);
    expect(second.last).toMatchObject({ revision: 2, reused: false, replaced: [first.last.session_id] });
    expect(h.api.sessions.get(String(first.last.session_id))?.status).toBe("cancelled");
    expect(liveSessions()).toHaveLength(1);
  });

  it("keeps the live preview when the server rebuilds it for the new revision (sessions follow their project)", async () => {
    h.api.sessionsFollow = true;
    h.followGraceMs = 3000;
    const first = await h.run(["preview", "app", "--json"]);
    await h.files({ "app/App.js": "export default function App() { return 1; }\n" });
    const started = Date.now();
    const second = await h.run(["preview", "app", "--json"]);
    expect(second.code, second.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(2000); // it moved at once: no waiting out the grace period
    expect(second.last).toMatchObject({
      session_id: first.last.session_id,
      code: first.last.code,
      revision: 2,
      reused: true,
      replaced: [],
      status: "ready",
    });
    expect(starts()).toBe(1);
    expect(h.api.sessions.get(String(first.last.session_id))?.revision).toBe(2);
  });

  it("at the project's preview cap cancels the oldest live preview at once instead of waiting on 429s", async () => {
    h.retry = undefined; // the CLI's real retry policy: no instant sleeps
    h.api.maxActivePreviews = 2;
    const ios = await h.run(["preview", "app", "--platform", "ios", "--json"]);
    await h.run(["preview", "app", "--platform", "android", "--json"]);
    const started = Date.now();
    const web = await h.run(["preview", "app", "--platform", "web"]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(web.code, web.stderr).toBe(0);
    expect(web.stdout).toMatch(
      new RegExp(
        `This project has the most live previews it may \\(2\\): cancelled the oldest, ${ios.last.session_id} \\(ios, started just now\\)\\.`,
      ),
    );
    expect(h.api.sessions.get(String(ios.last.session_id))?.status).toBe("cancelled");
    expect(starts()).toBe(4); // ios, android, web refused, web
  });

  it("reports a 429 whose Retry-After is more than a few seconds at once, with the wait", async () => {
    h.retry = undefined;
    h.api.intercept = (req) =>
      req.path === "/preview/start"
        ? errorResponse(429, "RATE_LIMITED", { retry_after_seconds: 30 }, { "retry-after": "30" })
        : undefined;
    const started = Date.now();
    const run = await h.run(["preview", "app"]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(run.code).toBe(1);
    expect(run.stderr.split("\n").slice(-2)).toEqual([
      "error: RATE_LIMITED: RATE_LIMITED (fake) Try again in 30 s. (request req_fake)",
      "",
    ]);
    expect(starts()).toBe(1);
    const json = await h.run(["preview", "app", "--json"]);
    expect(json.last).toEqual({
      error: {
        code: "RATE_LIMITED",
        message: "RATE_LIMITED (fake) Try again in 30 s.",
        request_id: "req_fake",
        retry_after: 30,
      },
    });
  });

  it("lists and cancels previews", async () => {
    const started = await h.run(["preview", "app", "--json"]);
    const id = String(started.last.session_id);
    const list = await h.run(["previews"]);
    expect(list.stdout).toBe(
      `${id}  ready     ios     revision 1  ${started.last.project_id}  started just now  code ${started.last.code}\n`,
    );
    const cancel = await h.run(["previews", "cancel", id]);
    expect(cancel.stdout).toBe(`Cancelled ${id}: its code and link stop working.\n`);
    expect(h.api.sessions.get(id)?.status).toBe("cancelled");
    expect((await h.run(["previews"])).stdout).toBe(
      "No live previews: `hivesync preview` starts one (`--all` lists ended ones too).\n",
    );
    expect((await h.run(["previews", "--all", "--json"])).last.items).toHaveLength(1);
    // Its code is forgotten, so a new preview is started rather than the cancelled one shown.
    expect((await h.run(["preview", "app", "--json"])).last.reused).toBe(false);
  });

  it("deletes a project and unlinks the folder it was linked to", async () => {
    const pushed = await h.run(["push", "app", "--json"]);
    const id = String(pushed.last.project_id);
    const deleted = await h.run(["projects", "delete", id], { cwd: "app" });
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toBe(
      `Deleted app (${id}) with its mirror and previews. ${path.join(h.work, "app")} is no longer linked to it.\n`,
    );
    expect(h.api.projectRecords.has(id)).toBe(false);
    expect(await exists("app/.hivesync")).toBe(false);
    const missing = await h.run(["projects", "delete", "prj_nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("error: NOT_FOUND: NOT_FOUND (fake) (request req_fake)\n");
  });
});

describe("the project is found from where the file is (item 9)", () => {
  it("finds the linked project from the file's folder upwards, not from the working directory", async () => {
    await h.run(["push", "app"]);
    const run = await h.run(["ai", "summarize", "app/src/components/Greeting.js", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const job = [...h.api.aiJobs.values()][0];
    expect(job?.file_path).toBe("src/components/Greeting.js");
    expect(job?.project_id).toMatch(/^prj_/);
    const elsewhere = await h.run(["ai", "summarize", "../outside.js"], { cwd: "app" });
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toBe(
      `error: NOT_LINKED: ${path.join(h.work, "outside.js")} is not in a linked folder: \`hivesync push <app folder>\` links it, or pass --project <id> with the file's path in the mirror.\n`,
    );
  });
});

describe("bad paths fail clearly and leave nothing (item 10)", () => {
  for (const command of ["push", "preview"]) {
    it(`${command} of a folder that does not exist, or of a file`, async () => {
      const missing = await h.run([command, "no-such-app"]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toBe(
        `error: INVALID_ARGUMENT: No such folder: ${path.join(h.work, "no-such-app")}. Nothing was pushed and no project was created.\n`,
      );
      const file = await h.run([command, "app/App.js"]);
      expect(file.code).toBe(2);
      expect(file.stderr).toBe(
        `error: INVALID_ARGUMENT: ${path.join(h.work, "app/App.js")} is a file, not a folder: give the app's folder (e.g. ${path.join(h.work, "app")}). Nothing was pushed.\n`,
      );
      expect(h.api.countRequests("POST", /^\/projects$/)).toBe(0);
      expect(h.api.requests).toHaveLength(0);
      expect(await exists("no-such-app")).toBe(false);
      expect(await exists("app/.hivesync")).toBe(false);
      expect(await exists("app/App.js/.hivesync")).toBe(false);
    });
  }
});

describe("open into an earlier --out gives exactly the bundle (item 11)", () => {
  it("removes the files it wrote before that left the bundle, and nothing it did not write", async () => {
    h.api.readySession("pvs_first0000000000000", {
      "App.js": "v1",
      "old.js": "old",
      "lib/gone/deep.js": "deep",
      "edited.js": "as written",
    }).code = "BBBB-CCCC";
    const first = await h.run(["open", "BBBB-CCCC", "--out", "phone", "--json"]);
    expect(first.code, first.stderr).toBe(0);
    await h.files({ "phone/mine.txt": "my own file", "phone/lib/notes.txt": "mine too" });
    await writeFile(path.join(h.work, "phone/edited.js"), "changed on this side");

    h.api.readySession("pvs_second000000000000", { "App.js": "v2", "new.js": "new" }).code = "DDDD-FFFF";
    const second = await h.run(["open", "DDDD-FFFF", "--out", "phone"]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(
      [
        // Signed in as the preview's owner: every mirrored file, not only what the app imports.
        "hello (ios), ready, yours: every file.",
        "Kept edited.js: it is no longer in the bundle, but it was changed here since it was written.",
        `Wrote 2 verified files to ${path.join(h.work, "phone")}: downloaded 2 (5 B), reused 0 from the cache. Removed 2 files no longer in the bundle.`,
        "",
      ].join("\n"),
    );
    const read = (p: string) => readFile(path.join(h.work, "phone", p), "utf8");
    expect(await read("App.js")).toBe("v2");
    expect(await read("new.js")).toBe("new");
    expect(await read("mine.txt")).toBe("my own file");
    expect(await read("lib/notes.txt")).toBe("mine too");
    expect(await read("edited.js")).toBe("changed on this side");
    expect(await exists("phone/old.js")).toBe(false);
    expect(await exists("phone/lib/gone")).toBe(false);

    // A third open of the first bundle brings its files back and drops new.js.
    const third = await h.run(["open", "BBBB-CCCC", "--out", "phone", "--json"]);
    expect(third.last).toMatchObject({ removed: ["new.js"], kept: [] });
    expect(await read("edited.js")).toBe("as written");
  });
});

describe("open never leaves a half-written folder (issue 20)", () => {
  /** What is in the work folder: the target and any temporary folder beside it. */
  const siblings = async () => (await readdir(h.work)).filter((name) => name.includes("phone")).sort();
  const tree = async (dir: string): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const entry of await readdir(path.join(h.work, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const abs = path.join(entry.parentPath, entry.name);
      out[path.relative(path.join(h.work, dir), abs)] = await readFile(abs, "utf8");
    }
    return out;
  };
  // A tree no file system holds (the mirror refuses it now; an older server served it): `dir` is
  // written, then `dir/x.js` cannot be.
  const unwritable = { "App.js": "app", dir: "a file", "dir/x.js": "under it" };

  it("a bundle that cannot be written leaves no folder and no temporary one", async () => {
    h.api.readySession("pvs_broken000000000000", unwritable).code = "BBBB-CCCC";
    const run = await h.run(["open", "BBBB-CCCC", "--out", "phone"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .*dir/m);
    expect(await siblings()).toEqual([]);
    // Nor do the parent folders it had to create for it stay behind.
    const nested = await h.run(["open", "BBBB-CCCC", "--out", "new/deeper/phone"]);
    expect(nested.code).toBe(1);
    expect(await exists("new")).toBe(false);
  });

  it("a download that fails midway leaves no folder and no temporary one", async () => {
    h.api.readySession("pvs_partial00000000000", { "App.js": "app", "lib/b.js": "b", "lib/c.js": "c" }).code =
      "DDDD-FFFF";
    let served = 0;
    h.api.intercept = (req) =>
      req.path.includes("/files/") && ++served > 1 ? errorResponse(404, "FILE_NOT_FOUND") : undefined;
    const run = await h.run(["open", "DDDD-FFFF", "--out", "phone"]);
    expect(run.code).toBe(1);
    expect(served).toBeGreaterThan(1);
    expect(await siblings()).toEqual([]);
  });

  it("a failed update leaves an earlier folder exactly as it was", async () => {
    h.api.readySession("pvs_good00000000000000", { "App.js": "v1", "lib/a.js": "a" }).code = "GGGG-HHHH";
    expect((await h.run(["open", "GGGG-HHHH", "--out", "phone"])).code).toBe(0);
    await h.files({ "phone/mine.txt": "my own file" });
    const before = await tree("phone");

    h.api.readySession("pvs_broken000000000000", { ...unwritable, "lib/a.js": "changed" }).code = "BBBB-CCCC";
    const run = await h.run(["open", "BBBB-CCCC", "--out", "phone"]);
    expect(run.code).toBe(1);
    expect(await tree("phone")).toEqual(before);
    expect(await siblings()).toEqual(["phone"]);

    // A good update still lands in place, beside the user's own file.
    h.api.readySession("pvs_next00000000000000", { "App.js": "v2" }).code = "JJJJ-KKKK";
    expect((await h.run(["open", "JJJJ-KKKK", "--out", "phone"])).code).toBe(0);
    const after = await tree("phone");
    expect(after).toMatchObject({ "App.js": "v2", "mine.txt": "my own file" });
    expect(after["lib/a.js"]).toBeUndefined();
    expect(await siblings()).toEqual(["phone"]);
  });
});

describe("names from the server are printed, never run by the terminal (issue 20)", () => {
  it("open shows a project name's escape sequences as text", async () => {
    h.api.readySession("pvs_named0000000000000", { "App.js": "v1" }).code = "GGGG-HHHH";
    const now = new Date().toISOString();
    h.api.projectRecords.set("prj_pvs_named0000000000000", {
      id: "prj_pvs_named0000000000000",
      name: "\u001b[31mRed\u001b[0m\u0007",
      description: null,
      framework: "expo",
      entry: null,
      created_at: now,
      updated_at: now,
    });
    const opened = await h.run(["open", "GGGG-HHHH", "--out", "named"]);
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.stdout).not.toMatch(/\p{Cc}(?<!\n)/u);
    expect(opened.stdout.split("\n")[0]).toBe(
      "\\u001b[31mRed\\u001b[0m\\u0007 (ios), ready, yours: every file.",
    );
  });

  // What a terminal would run instead of showing: a colour change, a bell, a cleared screen.
  const RED = "\u001b[31mRed\u001b[0m\u0007";
  const SHOWN = "\\u001b[31mRed\\u001b[0m\\u0007";
  /** No control character but the line breaks between lines. */
  const NO_CONTROLS = /^[^\p{Cc}]*$/u;
  const clean = (text: string) => text.replaceAll("\n", "");

  it("projects and devices list their names as text", async () => {
    await h.run(["projects", "create", "x"]);
    const record = h.api.projectRecords.get("prj_0000000000000001");
    if (record) record.name = RED;
    const projects = await h.run(["projects", "list"]);
    expect(projects.code, projects.stderr).toBe(0);
    expect(clean(projects.stdout)).toMatch(NO_CONTROLS);
    expect(projects.stdout).toContain(`prj_0000000000000001  ${SHOWN}  (other, revision 0)`);

    h.api.intercept = (req) =>
      req.method === "GET" && req.path === "/devices"
        ? new Response(
            JSON.stringify({
              items: [
                {
                  id: "dev_1",
                  name: RED,
                  platform: "ios",
                  created_at: "2026-01-01T00:00:00Z",
                  current: false,
                },
              ],
            }),
            { headers: { "content-type": "application/json" } },
          )
        : undefined;
    const devices = await h.run(["devices", "list"]);
    expect(devices.code, devices.stderr).toBe(0);
    expect(clean(devices.stdout)).toMatch(NO_CONTROLS);
    expect(devices.stdout).toBe(`dev_1  ${SHOWN} (ios)\n`);
  });

  it("notifications show the names in their payload as text", async () => {
    h.api.notifications.push({
      id: "ntf_1",
      type: "preview_ready",
      project_id: "prj_1",
      payload: { session_id: "pvs_1", project_name: RED, platform: "ios" },
      created_at: new Date().toISOString(),
      read_at: null,
    });
    const run = await h.run(["notifications"]);
    expect(run.code, run.stderr).toBe(0);
    expect(clean(run.stdout)).toMatch(NO_CONTROLS);
    expect(run.stdout).toContain(`Preview ready: ${SHOWN} (ios)`);
  });

  it("an error message from the server is shown as text, its issues too", async () => {
    h.api.intercept = (req) =>
      req.path === "/projects" && req.method === "GET"
        ? new Response(
            JSON.stringify({
              error: {
                code: "VALIDATION_FAILED",
                message: `Bad ${RED}`,
                details: { issues: [{ path: "name", message: RED, in: "body" }] },
                request_id: "req_fake",
              },
            }),
            { status: 400, headers: { "content-type": "application/json" } },
          )
        : undefined;
    const run = await h.run(["projects", "list"]);
    expect(run.code).toBe(1);
    expect(clean(run.stderr)).toMatch(NO_CONTROLS);
    expect(run.stderr).toBe(`error: VALIDATION_FAILED: Bad ${SHOWN} (request req_fake)\n  name: ${SHOWN}\n`);
  });
});

describe("errors say why (item 12)", () => {
  it("prints the server's validation issues, field by field", async () => {
    h.api.intercept = (req) =>
      req.path === "/projects" && req.method === "POST"
        ? errorResponse(400, "VALIDATION_FAILED", {
            issues: [
              { path: "name", message: "Too big: expected string to have <=100 characters", in: "body" },
              { path: "entry", message: "must be a relative path", in: "body" },
            ],
          })
        : undefined;
    const run = await h.run(["projects", "create", "x".repeat(101)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      [
        "error: VALIDATION_FAILED: VALIDATION_FAILED (fake) (request req_fake)",
        "  name: Too big: expected string to have <=100 characters",
        "  entry: must be a relative path",
        "",
      ].join("\n"),
    );
    expect((await h.run(["projects", "create", "y", "--json"])).last).toMatchObject({
      error: {
        code: "VALIDATION_FAILED",
        issues: ["name: Too big: expected string to have <=100 characters", "entry: must be a relative path"],
      },
    });
  });

  it("names an unreachable server and says how to start one or pick another", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, "127.0.0.1", () => {
        const p = (server.address() as { port: number }).port;
        server.close(() => resolve(p));
      });
    });
    const api = `http://127.0.0.1:${port}`;
    const run = await h.run(["projects", "list", "--api", api], { io: { fetch: undefined } });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: NETWORK_ERROR: Could not reach the HiveSync API at ${api} (connection refused, ECONNREFUSED). Is the server running? Start a local one with \`npm run dev\`, or point hivesync at another with --api URL (or HIVESYNC_API).\n`,
    );
  });
});

describe("secrets stay home (item 13)", () => {
  it("leaves out .env and key files, says so and how to include one, and never skips a big file silently", async () => {
    await h.files({
      "app/.env": "API_KEY=s3cret",
      "app/.env.example": "API_KEY=",
      "app/certs/dev.pem": "-----BEGIN PRIVATE KEY-----",
      "app/big.bin": new Uint8Array(10 * 1024 * 1024 + 1),
    });
    const run = await h.run(["push", "app"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      [
        `Created project app (prj_0000000000000001) for this folder.`,
        "Left out 2 files that may hold secrets: .env, certs/dev.pem",
        "  To push one anyway, add a line like `!.env` to .hivesyncignore.",
        "Skipped big.bin: 10485761 bytes, over the limit of 10485760 bytes per file (MAX_FILE_BYTES).",
        "Pushed revision 1: 4 files, sent 4 (156 B), 0 already on the server.",
        "",
      ].join("\n"),
    );
    const mirrored = [...h.api.project("prj_0000000000000001").files.keys()].sort();
    expect(mirrored).toEqual([".env.example", "App.js", "package.json", "src/components/Greeting.js"]);
    const json = await h.run(["push", "app", "--json"]);
    expect(json.last).toMatchObject({
      withheld: [".env", "certs/dev.pem"],
      excluded: [{ path: "big.bin", reason: expect.stringContaining("MAX_FILE_BYTES") }],
    });
    await h.files({ "app/.hivesyncignore": "!.env\n" });
    expect((await h.run(["push", "app", "--json"])).last).toMatchObject({ withheld: ["certs/dev.pem"] });
    expect(h.api.project("prj_0000000000000001").files.has(".env")).toBe(true);
  });
});

describe("what the desktop makes for the build (issue 18)", () => {
  it("sends .env's EXPO_PUBLIC_ values only, and says when a Tailwind stylesheet cannot be compiled", async () => {
    await h.files({
      "app/.env": "EXPO_PUBLIC_API_URL=https://api.example.com\nAPI_KEY=s3cret\n",
      "app/global.css": "@tailwind base;\n@tailwind utilities;\n",
    });
    const run = await h.run(["push", "app"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split("\n").slice(1, 4)).toEqual([
      "Left out 1 file that may hold secrets: .env",
      "  To push one anyway, add a line like `!.env` to .hivesyncignore.",
      "Skipped .hivesync/tailwind/global.css: global.css was not compiled with Tailwind (Tailwind is not in node_modules: npm install tailwindcss); the app runs without its styles.",
    ]);
    const files = h.api.project("prj_0000000000000001").files;
    expect([...files.keys()].sort()).toEqual([
      ".env.expo-public",
      "App.js",
      "global.css",
      "package.json",
      "src/components/Greeting.js",
    ]);
  });
});

describe("conventions (item 15)", () => {
  it("shows progress of what is sent, not totals that look like it", async () => {
    const run = await h.run(["push", "app"]);
    expect(run.stderr.split("\n")).toEqual([
      "scanning the folder…",
      "hashing 0/3 files",
      "comparing 3 files with the server…",
      "sending 3 files (148 B)…",
      "committing 3 changes…",
      "",
    ]);
  });

  it("prints notifications as sentences", async () => {
    const now = Date.now();
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
    h.api.notifications.push(
      {
        id: "ntf_1",
        type: "preview_ready",
        project_id: "prj_1",
        payload: { session_id: "pvs_1", project_name: "hello-app", platform: "ios" },
        created_at: at(0),
        read_at: null,
      },
      {
        id: "ntf_2",
        type: "ai_job_failed",
        project_id: "prj_1",
        payload: {
          job_id: "job_1",
          job_type: "summarize_file",
          file_path: "App.js",
          error_code: "input_too_large",
        },
        created_at: at(5),
        read_at: null,
      },
      {
        id: "ntf_3",
        type: "device_linked",
        project_id: null,
        payload: { device_id: "dev_1", device_name: "Ana's phone", platform: "android" },
        created_at: at(60 * 26),
        read_at: at(60),
      },
    );
    const run = await h.run(["notifications"]);
    expect(run.stdout).toBe(
      [
        "• Preview ready: hello-app (ios) · just now",
        "• AI summary of App.js failed: input too large · 5 min ago",
        "  Device linked: Ana's phone (android) · yesterday",
        "2 unread",
        "",
      ].join("\n"),
    );
  });

  it("prints an AI result as text for people", async () => {
    h.api.aiOutcome = {
      status: "succeeded",
      result: {
        summary: "A React Native screen that greets the user.",
        sections: [
          { title: "Imports", line_start: 1, line_end: 2, text: "react and react-native." },
          { title: "App", line_start: 4, line_end: 4, text: "The default export." },
        ],
        provider: "local",
        model: "static-analysis",
      },
    };
    await h.run(["push", "app"]);
    const run = await h.run(["ai", "summarize", "App.js", "--wait"], { cwd: "app" });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      [
        "Summary of App.js",
        "",
        "  A React Native screen that greets the user.",
        "",
        "  Imports (lines 1–2)",
        "    react and react-native.",
        "",
        "  App (line 4)",
        "    The default export.",
        "",
        "(local, static-analysis)",
        "",
      ].join("\n"),
    );
  });
});

describe("credentials", () => {
  it("keep the token file private", async () => {
    const file = path.join(h.config, "hivesync/credentials.json");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, "utf8")).servers).toHaveProperty(FAKE_API_URL);
  });
});
