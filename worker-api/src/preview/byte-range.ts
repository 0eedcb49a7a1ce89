import type { BlobRange } from "../../../schema/blob-location";

/**
 * One `Range: bytes=…` range (`a-b`, `a-`, `-n`) resolved against `size`; null for no or an
 * unusable header (the whole file is sent, as RFC 9110 allows), "unsatisfiable" for a range
 * wholly past the end (416).
 */
export function byteRange(header: string | undefined, size: number): BlobRange | null | "unsatisfiable" {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? "");
  if (!match || (match[1] === "" && match[2] === "")) return null;
  if (match[1] === "") {
    const suffix = Math.min(Number(match[2]), size);
    return suffix === 0 ? "unsatisfiable" : { offset: size - suffix, length: suffix };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size) return "unsatisfiable";
  if (end < start) return null;
  return { offset: start, length: end - start + 1 };
}
