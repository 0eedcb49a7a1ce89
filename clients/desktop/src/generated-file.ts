import { lstat, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { type LocalFile, localFile } from "./walk";

/**
 * A file the desktop makes for the build (the public .env values, compiled Tailwind CSS, a file
 * as the React Compiler makes it), written at `absolutePath` — only when its text changed, so its
 * stat stays and the hash cache keeps it — and listed for the sync as mirror path `mirrorPath`.
 *
 * @example
 * const file = await writeGeneratedFile(".hivesync/tailwind/global.css", "/home/ada/app/.hivesync/tailwind/global.css", css);
 * files.push(file);
 */
export async function writeGeneratedFile(
  mirrorPath: string,
  absolutePath: string,
  text: string,
): Promise<LocalFile> {
  if ((await readFile(absolutePath, "utf8").catch(() => null)) !== text) {
    await mkdir(path.dirname(absolutePath), { recursive: true });
    await writeFile(absolutePath, text);
  }
  return localFile(mirrorPath, absolutePath, await lstat(absolutePath));
}
