/**
 * Module keys and URLs. A key is the SHA-256 of everything a module script is made from — the
 * transform version, how the file is read (its kind) and its content hash — so equal keys mean
 * byte-identical scripts and a script can be stored once and shared by every project and revision.
 * The kind matters: the same bytes are different modules as `.ts` and `.tsx` (`<T>x` is a cast or
 * JSX), as `.js` and `.json`, and as an `@2x` asset and a plain one.
 */
export async function moduleKey(transformVersion: string, kind: string, sha256: string): Promise<string> {
  return sha256Hex(`${transformVersion}\n${kind}\n${sha256}`);
}

/** Where the page loads the script stored at R2 `modules/<key>.js`. */
export function moduleUrl(key: string): string {
  return `/m/${key}.js`;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
