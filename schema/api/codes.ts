/** Letters of link and preview codes: consonants only, so no words and no 0/O or 1/I confusion. */
export const CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
export const CODE_LENGTH = 8;

/**
 * The canonical 8 letters of a typed code (case-insensitive, hyphens and spaces ignored), or null
 * when it cannot be a code at all.
 */
export function normalizeCode(input: string): string | null {
  const letters = input.toUpperCase().replace(/[\s-]/g, "");
  if (letters.length !== CODE_LENGTH) return null;
  for (const ch of letters) if (!CODE_ALPHABET.includes(ch)) return null;
  return letters;
}

/** `WDJBMJHT` → `WDJB-MJHT`, the way codes are shown. */
export function formatCode(letters: string): string {
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}
