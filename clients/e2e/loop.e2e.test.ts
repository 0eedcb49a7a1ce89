// The whole HiveSync loop through the real client libraries against the local stack: a desktop
// syncs a folder and starts a preview, a phone resolves the code and downloads the bundle, a
// one-file change moves one file each way, a device is linked, notifications arrive, an AI job runs.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  HiveSyncClient,
  linkDevice,
  startPreview,
  syncFolder,
  waitForAiJob,
  watchPreview,
} from "../desktop/src";
import { fetchBundle, linkWithCode, MemoryBlobStore, PreviewSession, resolvePreview } from "../mobile/src";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "hivesync-loop-"));
  await mkdir(path.join(dir, "src"), { recursive: true });
  await mkdir(path.join(dir, "node_modules/left-pad"), { recursive: true });
  await writeFile(
    path.join(dir, "App.tsx"),
    '/** Root. */\nimport { answer } from "./src/util";\nimport big from "./src/big.json";\n\nexport default function App() {\n  return answer && big ? null : null;\n}\n',
  );
  await writeFile(path.join(dir, "src/util.ts"), "export const answer = 42;\n");
  await writeFile(path.join(dir, "src/big.json"), JSON.stringify({ data: "x".repeat(200_000) }));
  await writeFile(path.join(dir, "secret.env"), "TOKEN=do-not-sync\n");
  await writeFile(path.join(dir, ".gitignore"), "*.env\n");
  await writeFile(path.join(dir, "node_modules/left-pad/index.js"), "module.exports = 1;\n");
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the whole loop through the client libraries", () => {
  it("sync → preview → phone download → one-file change → one upload, one download → device → notifications → AI", async () => {
    const baseUrl = inject("apiUrl");
    const desktop = new HiveSyncClient({ baseUrl });
    const name = `loop${Date.now().toString(36)}`;
    await desktop.auth.register({
      email: `${name}@example.com`,
      username: name,
      password: "a long enough password",
    });
    const project = await desktop.projects.create({ name: "loop", framework: "expo", entry: "App.tsx" });

    const first = await syncFolder(desktop, project.id, dir);
    expect(first).toMatchObject({
      committed: true,
      revision: 1,
      files: 4,
      uploaded_files: 4,
      skipped_files: 0,
    });
    const again = await syncFolder(desktop, project.id, dir);
    expect(again).toMatchObject({ committed: false, uploaded_files: 0, revision: 1 });

    const t0 = performance.now();
    const started = await startPreview(desktop, project.id, { platform: "android" });
    const ready = await watchPreview(desktop, started.session_id, { until: "ready" });
    const startToReady = performance.now() - t0;
    expect(ready.status).toBe("ready");

    const phone = new HiveSyncClient({ baseUrl });
    const store = new MemoryBlobStore();
    const handle = await resolvePreview(phone, started.code.toLowerCase());
    const opened = await fetchBundle(handle, { store });
    // A code's holder gets the files the app uses: not .gitignore, which nothing imports.
    expect([...opened.files.keys()]).toEqual(["App.tsx", "src/big.json", "src/util.ts"]);
    expect(opened.downloaded_files).toBe(3);
    const fullBytes = opened.downloaded_bytes;

    await writeFile(path.join(dir, "src/util.ts"), "export const answer = 43;\n");
    const delta = await syncFolder(desktop, project.id, dir);
    expect(delta).toMatchObject({ committed: true, revision: 2, uploaded_files: 1, skipped_files: 3 });
    const second = await startPreview(desktop, project.id, { platform: "android" });
    await watchPreview(desktop, second.session_id, { until: "ready" });
    const reopened = await fetchBundle(await resolvePreview(phone, second.code), { store });
    expect(reopened).toMatchObject({ downloaded_files: 1, reused_files: 2 });
    expect(new TextDecoder().decode(reopened.files.get("src/util.ts"))).toBe("export const answer = 43;\n");
    console.log(
      `loop: start→ready ${startToReady.toFixed(0)} ms; full bundle ${fullBytes} B; one-file re-preview: uploaded ${delta.uploaded_bytes} B, downloaded ${reopened.downloaded_bytes} B`,
    );

    // A linked phone sees the owner's previews without a code.
    const link = await linkDevice(desktop);
    const device = new HiveSyncClient({ baseUrl });
    await linkWithCode(device, link.code, { deviceName: "Pixel", platform: "android" });
    const session = await PreviewSession.attach(device, second.session_id);
    await session.waitUntilReady();
    // The owner's device gets every file: only the one the code's holder was not given is new.
    const owned = await session.fetchBundle({ store });
    expect([...owned.files.keys()]).toEqual([".gitignore", "App.tsx", "src/big.json", "src/util.ts"]);
    expect(owned.downloaded_files).toBe(1);

    const job = await desktop.ai.create({
      project_id: project.id,
      type: "summarize_file",
      file_path: "App.tsx",
    });
    const done = await waitForAiJob(desktop, job.job_id);
    expect(done.status).toBe("succeeded");
    expect(done.result?.summary).toContain("App");

    const deadline = Date.now() + 10_000;
    let types: string[] = [];
    while (Date.now() < deadline) {
      types = (await desktop.notifications.list({ limit: 100 })).items.map((n) => n.type);
      if (
        ["device_linked", "ai_job_succeeded", "preview_opened"].every((t) => types.includes(t)) &&
        types.filter((t) => t === "repo_sync_succeeded").length === 2
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(types.filter((t) => t === "repo_sync_succeeded")).toHaveLength(2);
    for (const type of [
      "preview_started",
      "preview_ready",
      "preview_opened",
      "device_linked",
      "ai_job_succeeded",
    ])
      expect(types).toContain(type);
    // The device sees the same notifications.
    expect((await device.notifications.list({ limit: 100 })).items.length).toBe(types.length);
  });
});
