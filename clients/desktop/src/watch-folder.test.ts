// watchFolder on a real temporary folder: one report per burst, nothing for what a sync ignores
// (or for the sync's own state), in both modes, and polling where recursive events are missing.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type WatchFolderOptions, type WatchMode, watchFolder } from "./watch-folder";

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "hivesync-watch-"));
  await files({
    "App.js": "v1",
    ".gitignore": "*.log\n",
    "src/sub/.hivesyncignore": "tmp/\n",
    "src/sub/ok.js": "1",
    "node_modules/pkg/index.js": "1",
  });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function files(entries: Record<string, string>) {
  for (const [rel, content] of Object.entries(entries)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A watcher whose reports are kept; `settle` waits until nothing has been reported for `quietMs`. */
async function watching(options: Partial<WatchFolderOptions> = {}) {
  const reports: string[][] = [];
  const modes: Array<[WatchMode, string | undefined]> = [];
  const watcher = watchFolder(dir, {
    onChange: (paths) => reports.push(paths.sort()),
    onMode: (mode, reason) => modes.push([mode, reason]),
    pollIntervalMs: 60,
    ...options,
  });
  await pause(150); // the watch (or the first walk) is in place
  const settle = async (quietMs = 400) => {
    let seen = -1;
    while (seen !== reports.length) {
      seen = reports.length;
      await pause(quietMs);
    }
    return reports.splice(0);
  };
  return { watcher, modes, settle };
}

for (const mode of ["native", "poll"] as const) {
  describe(`watchFolder (${mode})`, () => {
    it("reports a save once, a burst of saves once, and nothing a sync would not send", async () => {
      const { watcher, modes, settle } = await watching({ mode });
      expect(modes[0]?.[0]).toBe(mode);
      try {
        await files({ "App.js": "v2" });
        expect(await settle()).toEqual([["App.js"]]);

        for (let i = 0; i < 5; i++) {
          await files({ "App.js": `burst ${i}`, "src/sub/ok.js": `burst ${i}` });
          await pause(20);
        }
        expect(await settle()).toEqual([["App.js", "src/sub/ok.js"]]);

        await files({
          ".hivesync/hashes.json": "{}", // the sync's own cache
          "node_modules/pkg/index.js": "2", // a default ignore
          "debug.log": "x", // the root .gitignore
          "src/sub/tmp/scratch.txt": "x", // a nested .hivesyncignore
          ".env": "SECRET=1", // a secret, left out by default
          ".git/index": "x",
        });
        expect(await settle()).toEqual([]);
        // …but its EXPO_PUBLIC_ values are pushed, so a change to them is a change.
        await files({ ".env": "SECRET=1\nEXPO_PUBLIC_API=https://api.example.com" });
        expect(await settle()).toEqual([[".env"]]);

        await files({ "src/new/Button.js": "new folder, new file" });
        const [report] = await settle();
        expect(report).toContain("src/new/Button.js");
      } finally {
        watcher.close();
      }
      await files({ "App.js": "after close" });
      expect(await settle()).toEqual([]);
    });
  });
}

describe("watchFolder fallbacks", () => {
  it("polls where recursive file-system events are unavailable", async () => {
    const unavailable = (() => {
      throw Object.assign(
        new TypeError("The feature watch recursively is unavailable on the current platform"),
        {
          code: "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM",
        },
      );
    }) as unknown as typeof import("node:fs").watch;
    const controller = new AbortController();
    const { watcher, modes, settle } = await watching({ watch: unavailable, signal: controller.signal });
    expect(watcher.mode).toBe("poll");
    expect(modes).toEqual([
      ["poll", "recursive file-system events are unavailable here (ERR_FEATURE_UNAVAILABLE_ON_PLATFORM)"],
    ]);
    await files({ "App.js": "v2" });
    expect(await settle()).toEqual([["App.js"]]);
    controller.abort(); // the signal stops it too
    await files({ "App.js": "v3" });
    expect(await settle()).toEqual([]);
  });

  it("reports a stream of saves that never pauses at least every maxDelayMs", async () => {
    const { watcher, settle } = await watching({ mode: "native", debounceMs: 100, maxDelayMs: 300 });
    try {
      const until = Date.now() + 800;
      for (let i = 0; Date.now() < until; i++) {
        await files({ "App.js": `v${i}` });
        await pause(30);
      }
      const reports = await settle();
      expect(reports.length).toBeGreaterThanOrEqual(2);
      expect(reports.length).toBeLessThanOrEqual(4);
    } finally {
      watcher.close();
    }
  });
});
