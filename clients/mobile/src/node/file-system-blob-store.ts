import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { BlobStore } from "../blob-store";

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * A {@link BlobStore} on disk: `<dir>/<first two hex digits>/<sha256>`. Writes are atomic (a temp
 * file in the same directory, then `rename`), so a crash or a concurrent writer never leaves a
 * half-written blob under a valid name.
 *
 * @example
 * const store = new FileSystemBlobStore(path.join(os.homedir(), ".cache/hivesync/blobs"));
 * await fetchBundle(preview, { store });
 */
export class FileSystemBlobStore implements BlobStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Where blob `sha256` lives (throws for anything that is not a SHA-256, so no path can escape). */
  pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256))
      throw new TypeError(`not a lower-case hex SHA-256: ${JSON.stringify(sha256)}`);
    return path.join(this.dir, sha256.slice(0, 2), sha256);
  }

  async has(sha256: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(sha256))).isFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
  }

  async get(sha256: string): Promise<Uint8Array | null> {
    try {
      const bytes = await readFile(this.pathOf(sha256));
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  }

  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    const target = this.pathOf(sha256);
    await mkdir(path.dirname(target), { recursive: true });
    await writeAtomically(target, bytes);
  }
}

/**
 * Writes `bytes` to `target` via a uniquely named temp file beside it and a rename, so readers see
 * either the old file or the whole new one.
 *
 * @example
 * await writeAtomically("/tmp/out/App.tsx", bytes);
 */
export async function writeAtomically(target: string, bytes: Uint8Array): Promise<void> {
  const temp = `${target}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, bytes, { flag: "wx" });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
