import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { directoryWriter } from "./directory-writer";
import { FileSystemBlobStore } from "./file-system-blob-store";

const hash = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "hivesync-blobs-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function allFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

describe("FileSystemBlobStore", () => {
  it("stores blobs content-addressed and reads them back", async () => {
    const store = new FileSystemBlobStore(path.join(dir, "cache"));
    const bytes = randomBytes(10_000);
    const sha = hash(bytes);
    expect(await store.has(sha)).toBe(false);
    expect(await store.get(sha)).toBeNull();
    await store.put(sha, bytes);
    expect(await store.has(sha)).toBe(true);
    expect(Buffer.from((await store.get(sha)) as Uint8Array).equals(bytes)).toBe(true);
    expect(await allFiles(path.join(dir, "cache"))).toEqual([path.join(sha.slice(0, 2), sha)]);
  });

  it("leaves no temp files behind, also with concurrent writers of the same blob", async () => {
    const store = new FileSystemBlobStore(dir);
    const bytes = randomBytes(50_000);
    const sha = hash(bytes);
    await Promise.all(Array.from({ length: 8 }, () => store.put(sha, bytes)));
    expect(await allFiles(dir)).toEqual([path.join(sha.slice(0, 2), sha)]);
    expect(hash(await readFile(store.pathOf(sha)))).toBe(sha);
  });

  it("refuses keys that are not SHA-256 hex, so no path can escape the directory", async () => {
    const store = new FileSystemBlobStore(dir);
    await expect(store.put("../../etc/passwd", new Uint8Array(1))).rejects.toThrow(TypeError);
    await expect(store.has("ABC")).rejects.toThrow(TypeError);
  });
});

describe("directoryWriter", () => {
  it("writes a tree and refuses paths outside it", async () => {
    const writer = directoryWriter(path.join(dir, "out"));
    await writer.write("src/App.tsx", new TextEncoder().encode("x"));
    expect(await readFile(path.join(dir, "out/src/App.tsx"), "utf8")).toBe("x");
    await expect(writer.write("../evil.txt", new Uint8Array(1))).rejects.toThrow(/Refusing/);
    await expect(writer.write("/etc/passwd", new Uint8Array(1))).rejects.toThrow(/Refusing/);
    await expect(writer.write(".git/config", new Uint8Array(1))).rejects.toThrow(/Refusing/);
  });
});
