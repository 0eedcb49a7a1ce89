import { ApiError } from "./api-error";
import { base64url, fromBase64url } from "./encoding";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Cursors are opaque to clients: base64url of the last item's sort key. */
export function encodeCursor(lastId: string): string {
  return base64url(encoder.encode(JSON.stringify({ after: lastId })));
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(decoder.decode(fromBase64url(cursor))) as { after?: unknown };
    if (typeof parsed.after === "string" && parsed.after.length <= 2048) return parsed.after;
  } catch {
    // fall through to the error below
  }
  throw new ApiError("INVALID_CURSOR", "The cursor is not valid; start again without one.");
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only says that another page exists.
 */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  idOf: (row: Row) => string,
  present: (row: Row) => Item,
): { items: Item[]; next_cursor: string | null } {
  const pageRows = rows.slice(0, limit);
  const last = pageRows.at(-1);
  return {
    items: pageRows.map(present),
    next_cursor: rows.length > limit && last ? encodeCursor(idOf(last)) : null,
  };
}
