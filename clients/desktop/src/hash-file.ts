import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/**
 * Streaming SHA-256 of a file (constant memory, whatever its size), with the number of bytes
 * actually read — which is the size that goes with this hash even if the file changed since it
 * was listed.
 *
 * @example
 * const { sha256, size } = await hashFile("/home/ada/app/App.tsx");
 */
export function hashFile(
  absolutePath: string,
  signal?: AbortSignal,
): Promise<{ sha256: string; size: number }> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    let size = 0;
    const stream = createReadStream(absolutePath, { signal });
    stream.on("data", (chunk) => {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      hash.update(bytes);
    });
    stream.on("error", reject);
    stream.on("end", () => resolve({ sha256: hash.digest("hex"), size }));
  });
}
