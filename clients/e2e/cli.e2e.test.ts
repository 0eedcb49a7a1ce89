// The `hivesync` CLI against the local stack: the README's tour (register → preview the example
// app → open the code as the phone), a one-file change, JSON output and error exits.
import { execFile } from "node:child_process";
import { access, cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { registerWithCli, runCli } from "./cli-runner";

const ROOT = path.resolve(import.meta.dirname, "../..");
let work = "";
let env: NodeJS.ProcessEnv = {};

/** Runs `hivesync …` in-process; returns the exit code, stdout, stderr and the last JSON line. */
async function hivesync(...argv: string[]) {
  return hivesyncIn(work, ...argv);
}

async function hivesyncIn(cwd: string, ...argv: string[]) {
  return hivesyncWith(env, cwd, ...argv);
}

async function hivesyncWith(runEnv: NodeJS.ProcessEnv, cwd: string, ...argv: string[]) {
  return runCli(argv, { env: runEnv, cwd });
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "hivesync-cli-"));
  await cp(path.join(ROOT, "examples/hello-app"), path.join(work, "hello-app"), { recursive: true });
  env = { HIVESYNC_API: inject("apiUrl"), XDG_CONFIG_HOME: path.join(work, "config") };
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("hivesync CLI", () => {
  it("runs the README tour: register, preview ./hello-app, open <code>, then a one-file re-preview", async () => {
    const { name, run: reg } = await registerWithCli(hivesync, "cli");
    expect(reg.code).toBe(0);
    const creds = path.join(work, "config/hivesync/credentials.json");
    expect((await stat(creds)).mode & 0o777).toBe(0o600);
    expect((await hivesync("whoami", "--json")).last).toMatchObject({ user: { username: name } });

    const preview = await hivesync("preview", "hello-app", "--json");
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.last).toMatchObject({
      status: "ready",
      code: expect.stringMatching(/^[A-Z]{4}-[A-Z]{4}$/),
    });
    const link = JSON.parse(await readFile(path.join(work, "hello-app/.hivesync/project.json"), "utf8"));
    expect(link.project_id).toBe(preview.last.project_id);

    const human = await hivesync("push", "hello-app");
    expect(human.stdout).toContain("Up to date at revision 1");

    const open = await hivesync("open", String(preview.last.code), "--out", "phone", "--json");
    expect(open.code, open.stderr).toBe(0);
    // The preview's owner, signed in, gets every mirrored file (a viewer gets what the app uses).
    expect(open.last).toMatchObject({ files: 7, downloaded_files: 7, reused_files: 0 });
    expect(await readFile(path.join(work, "phone/App.js"), "utf8")).toBe(
      await readFile(path.join(work, "hello-app/App.js"), "utf8"),
    );
    // Someone else with the code (no sign-in here) gets only the files the app uses: App.js and
    // its Greeting, not the README, package.json or an icon nothing requires.
    const stranger = { ...env, XDG_CONFIG_HOME: path.join(work, "stranger-config") };
    const viewer = await hivesyncWith(
      stranger,
      work,
      "open",
      String(preview.last.code),
      "--out",
      "viewer",
      "--json",
    );
    expect(viewer.code, viewer.stderr).toBe(0);
    expect(viewer.last).toMatchObject({ files: 2 });
    const seen = await readdir(path.join(work, "viewer"), { recursive: true });
    expect(seen.filter((p) => !p.startsWith(".hivesync")).sort()).toEqual([
      "App.js",
      "src",
      "src/components",
      "src/components/Greeting.js",
    ]);

    const app = path.join(work, "hello-app/App.js");
    await writeFile(app, (await readFile(app, "utf8")).replace('name="HiveSync"', 'name="my phone"'));
    const push = await hivesync("push", "hello-app", "--json");
    expect(push.last).toMatchObject({ revision: 2, files: 7, uploaded_files: 1, skipped_files: 6 });
    const again = await hivesync("preview", "hello-app", "--json");
    // The first preview showed revision 1: a server whose sessions follow their project rebuilds it
    // (reused, same code); otherwise it is replaced, not left to pile up against the cap.
    expect(again.code, again.stderr).toBe(0);
    expect(again.last).toMatchObject({ status: "ready", revision: 2 });
    expect(again.last.reused ? [again.last.session_id] : again.last.replaced).toEqual([
      preview.last.session_id,
    ]);
    const reopen = await hivesync("open", String(again.last.code), "--out", "phone", "--json");
    expect(reopen.last).toMatchObject({ files: 7, downloaded_files: 1, reused_files: 6, removed: [] });
    expect(await readFile(path.join(work, "phone/App.js"), "utf8")).toContain("my phone");
    // Nothing changed: the live preview is shown again, same code, no new session.
    const same = await hivesync("preview", "hello-app", "--json");
    expect(same.last).toMatchObject({
      reused: true,
      session_id: again.last.session_id,
      code: again.last.code,
    });
    const live = await hivesync("previews", "--project", String(push.last.project_id), "--json");
    expect((live.last.items as Array<{ id: string }>).map((s) => s.id)).toEqual([again.last.session_id]);

    const ai = await hivesync(
      "ai",
      "summarize",
      "App.js",
      "--project",
      String(push.last.project_id),
      "--wait",
      "--json",
    );
    expect(ai.code, ai.stderr).toBe(0);
    expect(ai.last).toMatchObject({ status: "succeeded", result: { provider: "local" } });

    // From inside the linked folder, without --project: the path is taken relative to the folder's root.
    const nested = await hivesyncIn(
      path.join(work, "hello-app/src"),
      "ai",
      "symbols",
      "components/Greeting.js",
      "--wait",
      "--json",
    );
    expect(nested.code, nested.stderr).toBe(0);
    expect(nested.last).toMatchObject({ file_path: "src/components/Greeting.js", status: "succeeded" });
    const unlinked = await hivesync("ai", "summarize", "App.js");
    expect(unlinked.code).toBe(1);
    expect(unlinked.stderr).toContain("NOT_LINKED");
    // From outside the linked folder: the project is found from the file's folder upwards.
    const fromFile = await hivesync("ai", "summarize", "hello-app/src/components/Greeting.js", "--json");
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.last).toMatchObject({ status: "queued" });

    const devices = await hivesync("devices", "link");
    expect(devices.stdout).toContain("█"); // the QR code, drawn for a phone camera
    expect(devices.stdout).toMatch(/type [A-Z]{4}-[A-Z]{4} in the HiveSync app/);
    const notes = await hivesync("notifications", "--json");
    expect((notes.last.items as unknown[]).length).toBeGreaterThan(0);
    expect((await hivesync("notifications")).stdout).toMatch(
      /^• Preview ready: hello-app \(ios\) · (just now|\d+ min ago)$/m,
    );

    const cancelled = await hivesync("previews", "cancel", String(again.last.session_id), "--json");
    expect(cancelled.last).toMatchObject({ id: again.last.session_id, status: "cancelled" });
    const deleted = await hivesyncIn(
      path.join(work, "hello-app"),
      "projects",
      "delete",
      String(push.last.project_id),
      "--json",
    );
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.last).toMatchObject({
      deleted: push.last.project_id,
      unlinked: path.join(work, "hello-app"),
    });
    await expect(access(path.join(work, "hello-app/.hivesync/project.json"))).rejects.toThrow();
  });

  it("refuses a folder that does not exist, or a file, before creating anything", async () => {
    const before = await hivesync("projects", "list", "--json");
    const missing = await hivesync("push", "no-such-app");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`No such folder: ${path.join(work, "no-such-app")}`);
    const file = await hivesync("preview", "hello-app/App.js");
    expect(file.code).toBe(2);
    expect(file.stderr).toContain("is a file, not a folder");
    expect((await hivesync("projects", "list", "--json")).last).toEqual(before.last);
  });

  it("runs the README's curl walk-through after the CLI tour registered ana", async () => {
    const readme = await readFile(path.join(ROOT, "README.md"), "utf8");
    const block = /## A walk-through with curl\n\n```sh\n([\s\S]*?)\n```/.exec(readme)?.[1] ?? "";
    expect(block).toContain("API=http://localhost:8787/api/v1");
    const tourEnv = { ...env, XDG_CONFIG_HOME: path.join(work, "tour-config") };
    // The tour's first line; on a stack that already has ana it fails, and the walk-through must not care.
    await hivesyncWith(
      tourEnv,
      work,
      ...["register", "--email", "ana@example.com", "--username", "ana"],
      ...["--password", "correct horse battery"],
    );
    const script = `${block.replace("API=http://localhost:8787/api/v1", `API=${inject("apiUrl")}/api/v1`)}
printf '\nRESULT %s %s %s %s\n' "$TOKEN" "$PROJECT" "$SESSION" "$PTOKEN"`;
    for (let round = 0; round < 2; round++) {
      const { stdout } = await promisify(execFile)("bash", ["-c", script], { cwd: work });
      expect(stdout).toMatch(/^RESULT \S+ \S+ \S+ \S+$/m); // the curl answers end without a newline
      const [, token, project, session, previewToken] =
        /^RESULT (\S+) (\S+) (\S+) (\S+)$/m.exec(stdout) ?? [];
      expect(token, stdout).toMatch(/^ey/);
      expect(project).toMatch(/^prj_/);
      expect(session).toMatch(/^pvs_/);
      expect(previewToken).toMatch(/^pvt_/);
    }
  });

  it("fails with the server's code and a non-zero exit, and usage errors exit 2", async () => {
    const bad = await hivesync("open", "BBBB-BBBB", "--json");
    expect(bad.code).toBe(1);
    expect(bad.last).toMatchObject({
      error: { code: "NOT_FOUND", request_id: expect.stringMatching(/^req_/) },
    });
    expect(bad.stderr).toMatch(/^error: NOT_FOUND: .* \(request req_/);
    const typo = await hivesync("open", "not-a-code");
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("INVALID_CODE");
    expect((await hivesync("frobnicate")).code).toBe(2);
    expect((await hivesync("push", "--nope")).code).toBe(2);
    expect((await hivesync("register")).stderr).toContain("MISSING_ARGUMENT");
    expect((await hivesync("logout", "--json")).last).toEqual({ signed_out: true });
    const after = await hivesync("whoami", "--json");
    expect(after.code).toBe(1);
    expect(after.last).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
  });

  it("is runnable as `npx hivesync` from the repository", async () => {
    const { stdout } = await promisify(execFile)("npx", ["hivesync", "--help"], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    expect(stdout).toContain("hivesync preview [dir]");
  });
});
