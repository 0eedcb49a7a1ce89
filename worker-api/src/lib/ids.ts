import { ID_PREFIX, type IdKind } from "../../../schema/ids";
import { base32, base32Time } from "./encoding";

/**
 * A new ID: `<prefix>_` + 10 characters of millisecond time + 16 random bytes (26 characters), all
 * Crockford base32. IDs sort by creation time, which is what cursor pagination orders by.
 */
export function newId(kind: IdKind): string {
  const random = crypto.getRandomValues(new Uint8Array(16));
  return `${ID_PREFIX[kind]}_${base32Time(Date.now())}${base32(random)}`;
}
