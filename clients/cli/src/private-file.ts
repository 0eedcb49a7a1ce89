import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";

/** A file of per-server records, `{ servers: { "<api origin>": … } }`. */
export type PerServerFile<T> = { servers: Record<string, T> };

/**
 * A JSON file only its owner may read (0600 in a 0700 folder), written atomically (temp + rename)
 * so a crash never leaves half a file. It holds secrets (tokens) or capabilities (preview codes).
 *
 * @example
 * const file = new PrivateJsonFile<{ a: number }>("/home/ada/.config/hivesync", "x.json");
 * await file.write({ a: 1 });
 * await file.read({ a: 0 }); // { a: 1 }
 */
export class PrivateJsonFile<T> {
  readonly dir: string;
  readonly path: string;

  // Plain fields, not parameter properties: the CLI runs under Node's type stripping.
  constructor(dir: string, name: string) {
    this.dir = dir;
    this.path = path.join(dir, name);
  }

  /** The file's content, or `fallback` when it is missing or unreadable. */
  async read(fallback: T): Promise<T> {
    try {
      return JSON.parse(await readFile(this.path, "utf8")) as T;
    } catch {
      return fallback;
    }
  }

  /** Replaces the file's content. */
  async write(data: T): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(data, null, 2), { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, this.path);
  }
}

/**
 * Reads a per-server file, tolerating a missing or foreign-shaped one.
 *
 * @example
 * const data = await readPerServer(file); // { servers: {} } on first use
 */
export async function readPerServer<T>(file: PrivateJsonFile<PerServerFile<T>>): Promise<PerServerFile<T>> {
  const parsed = await file.read({ servers: {} });
  return { servers: parsed?.servers ?? {} };
}
