// The published Expo templates the e2e tests run, vendored as the tarballs `npm pack` gives
// (clients/e2e/fixtures/expo-templates/, refreshed by its refresh.mjs): checked against the
// registry integrity recorded beside them, then unpacked into a folder the way a new app looks.
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";

export const TEMPLATES_DIR = path.resolve(import.meta.dirname, "fixtures/expo-templates");

export type VendoredTemplate = {
  name: string;
  version: string;
  /** The tarball's file name in TEMPLATES_DIR. */
  file: string;
  /** npm's `dist.integrity` of that version (`sha512-<base64>`). */
  integrity: string;
  size: number;
  files: { path: string; size: number }[];
};

export async function vendoredTemplate(name: string): Promise<VendoredTemplate> {
  const { templates } = JSON.parse(await readFile(path.join(TEMPLATES_DIR, "templates.json"), "utf8")) as {
    templates: VendoredTemplate[];
  };
  const template = templates.find((t) => t.name === name);
  if (!template) throw new Error(`${name} is not vendored in ${TEMPLATES_DIR}/templates.json`);
  return template;
}

/** A file npm publishes under another name, and the name create-expo-app gives it back. */
const RENAMED: Record<string, string> = { gitignore: ".gitignore", _vscode: ".vscode" };

/**
 * Writes the template's files into `dir` as a new app has them: the tarball's `package/` folder,
 * with `gitignore` and `_vscode/` under their real names (npm does not publish dot files), and no
 * node_modules. Throws if the tarball is not the one npm published (a truncated checkout, a Git LFS
 * pointer) or holds anything but plain files inside `package/`. Returns the paths written.
 */
export async function unpackTemplate(template: VendoredTemplate, dir: string): Promise<string[]> {
  const tgz = await readFile(path.join(TEMPLATES_DIR, template.file));
  const digest = `sha512-${createHash("sha512").update(tgz).digest("base64")}`;
  if (digest !== template.integrity) {
    throw new Error(`${template.file} is not ${template.name}@${template.version} as npm published it`);
  }
  const written: string[] = [];
  const packaged: string[] = [];
  for (const entry of untar(gunzipSync(tgz))) {
    const inPackage = entry.path.replace(/^package\//, "");
    if (inPackage === entry.path || inPackage.split("/").some((s) => s === "" || s === "." || s === "..")) {
      throw new Error(`${template.file}: unexpected entry ${entry.path}`);
    }
    packaged.push(inPackage);
    const [first, ...rest] = inPackage.split("/");
    const relative = [RENAMED[first as string] ?? first, ...rest].join("/");
    const target = path.join(dir, relative);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, entry.data);
    written.push(relative);
  }
  const listed = template.files.map((f) => f.path).sort();
  if (packaged.sort().join("\n") !== listed.join("\n")) {
    throw new Error(`${template.file}: its files are not those templates.json lists`);
  }
  return written.sort();
}

/** The regular files of a tar archive (ustar, with pax `path` records), in archive order. */
function untar(tar: Buffer): { path: string; data: Buffer }[] {
  const files: { path: string; data: Buffer }[] = [];
  const text = (at: number, length: number) => {
    const field = tar.subarray(at, at + length);
    const end = field.indexOf(0);
    return field.subarray(0, end < 0 ? length : end).toString("utf8");
  };
  let paxPath: string | undefined;
  for (let at = 0; at + 512 <= tar.length; ) {
    if (tar.subarray(at, at + 512).every((b) => b === 0)) break; // the end-of-archive blocks
    const size = Number.parseInt(text(at + 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(tar[at + 156] ?? 0);
    const prefix = text(at + 257, 6) === "ustar" ? text(at + 345, 155) : "";
    const name = prefix ? `${prefix}/${text(at, 100)}` : text(at, 100);
    const data = tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (type === "x") {
      // pax extended header: "<length> <key>=<value>\n" records; only `path` matters here.
      const match = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString("utf8"));
      paxPath = match?.[1];
      continue;
    }
    if (type === "g" || type === "5") continue; // global pax header, directory
    if (type !== "0" && type !== "\0") throw new Error(`tar entry ${name} of type ${type} is not a file`);
    files.push({ path: paxPath ?? name, data });
    paxPath = undefined;
  }
  return files;
}
