import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IgnoreRules } from "./ignore-rules";
import { walkFolder } from "./walk";

let root: string;

async function tree(files: Record<string, string>) {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, ...rel.split("/"));
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, content);
  }
}

const listed = async (options = {}) => (await walkFolder(root, options)).files.map((f) => f.path);

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "hivesync-ignore-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("walkFolder with ignore rules", () => {
  it("applies .gitignore: globs, negation, anchored and directory patterns, plus built-ins", async () => {
    await tree({
      ".gitignore": "*.log\n!keep.log\n/secret.txt\nlogs/\n!logs/important.txt\n# a comment\n",
      "a.log": "",
      "keep.log": "",
      "secret.txt": "",
      "sub/secret.txt": "",
      "logs/x.txt": "",
      "logs/important.txt": "",
      "sub/logs/y.txt": "",
      "notes/logs": "a file named like an ignored directory",
      "src/App.tsx": "",
      "node_modules/pkg/index.js": "",
      "src/node_modules/x.js": "",
      "dist/out.js": "",
      "build/out.js": "",
      ".expo/state.json": "",
      ".next/cache": "",
      "coverage/lcov.info": "",
      ".git/HEAD": "",
      ".hivesync/project.json": "",
      "pkg/.git/config": "",
    });
    expect(await listed()).toEqual([".gitignore", "keep.log", "notes/logs", "src/App.tsx", "sub/secret.txt"]);
  });

  it("honours nested .gitignore files, deeper rules winning, scoped to their directory", async () => {
    await tree({
      ".gitignore": "*.log\n",
      "sub/.gitignore": "*.tmp\n!important.log\n/only-here.txt\n",
      "sub/important.log": "",
      "sub/other.log": "",
      "sub/x.tmp": "",
      "sub/only-here.txt": "",
      "sub/deeper/only-here.txt": "",
      "sub/deeper/y.tmp": "",
      "x.tmp": "",
      "important.log": "",
    });
    expect(await listed()).toEqual([
      ".gitignore",
      "sub/.gitignore",
      "sub/deeper/only-here.txt",
      "sub/important.log",
      "x.tmp",
    ]);
  });

  it("lets .hivesyncignore add rules and override .gitignore and the built-ins", async () => {
    await tree({
      ".gitignore": "*.log\n",
      ".hivesyncignore": "assets/big/\n!debug.log\n!build/\n",
      "debug.log": "",
      "other.log": "",
      "assets/big/video.mp4": "",
      "assets/small.png": "",
      "build/keep-me.js": "",
      "dist/x.js": "",
    });
    expect(await listed()).toEqual([
      ".gitignore",
      ".hivesyncignore",
      "assets/small.png",
      "build/keep-me.js",
      "debug.log",
    ]);
  });

  it("reports files it cannot sync instead of dropping them silently", async () => {
    await tree({ "ok.txt": "x", "big.bin": "0123456789" });
    await symlink(path.join(root, "ok.txt"), path.join(root, "link.txt"));
    const result = await walkFolder(root, { maxFileBytes: 5 });
    expect(result.files.map((f) => f.path)).toEqual(["ok.txt"]);
    expect(result.excluded.map((e) => e.path).sort()).toEqual(["big.bin", "link.txt"]);
  });
});

describe("secret files", () => {
  it("leaves out .env, .env.* (not .env.example) and key files by default, and lists what it left out", async () => {
    await tree({
      ".env": "API_KEY=1",
      ".env.local": "API_KEY=2",
      ".env.production": "API_KEY=3",
      ".env.example": "API_KEY=",
      "config/.env": "nested",
      "certs/server.pem": "",
      "certs/server.key": "",
      "ios/dist.p12": "",
      "android/release.jks": "",
      "android/app/debug.keystore": "",
      "src/keyboard.ts": "not a key file",
      "src/App.tsx": "",
    });
    const result = await walkFolder(root);
    expect(result.files.map((f) => f.path)).toEqual([".env.example", "src/App.tsx", "src/keyboard.ts"]);
    expect(result.withheld).toEqual([
      ".env",
      ".env.local",
      ".env.production",
      "android/app/debug.keystore",
      "android/release.jks",
      "certs/server.key",
      "certs/server.pem",
      "config/.env",
      "ios/dist.p12",
    ]);
  });

  it("pushes one anyway when .hivesyncignore re-includes it, and does not list what the project ignores itself", async () => {
    await tree({
      ".gitignore": "*.pem\n",
      ".hivesyncignore": "!.env.staging\n",
      ".env": "",
      ".env.staging": "",
      "server.pem": "",
    });
    const result = await walkFolder(root);
    expect(result.files.map((f) => f.path)).toEqual([".env.staging", ".gitignore", ".hivesyncignore"]);
    expect(result.withheld).toEqual([".env"]);
  });

  it("names the limit when a file is too large to sync", async () => {
    await tree({ "big.bin": "0123456789" });
    const result = await walkFolder(root, { maxFileBytes: 5 });
    expect(result.excluded).toEqual([
      { path: "big.bin", reason: "10 bytes, over the limit of 5 bytes per file (MAX_FILE_BYTES)" },
    ]);
  });
});

describe("IgnoreRules", () => {
  it("decides by the deepest file with an opinion", () => {
    const rules = IgnoreRules.create()
      .withDirectory("", ["*.gen.ts\n"])
      .withDirectory("lib", ["!*.gen.ts\n"]);
    expect(rules.ignores("a.gen.ts", false)).toBe(true);
    expect(rules.ignores("lib/a.gen.ts", false)).toBe(false);
    expect(rules.ignores("lib/x/a.gen.ts", false)).toBe(false);
    expect(rules.ignores("libx/a.gen.ts", false)).toBe(true);
    expect(rules.ignores("node_modules", true)).toBe(true);
    expect(rules.ignores("node_modules", false)).toBe(false);
    expect(rules.ignores("src/.GIT", true)).toBe(true);
  });
});
