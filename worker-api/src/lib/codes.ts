import { CODE_ALPHABET, CODE_LENGTH, formatCode, normalizeCode } from "../../../schema/api/codes";
import { sha256Hex } from "./crypto";

/** A fresh random code (unbiased: 20 letters, rejection-sampled bytes) in its displayed form. */
export function generateCode(): { letters: string; display: string } {
  let letters = "";
  while (letters.length < CODE_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(16))) {
      // 240 = 12 × 20: bytes above it would favour the first letters.
      if (byte < 240 && letters.length < CODE_LENGTH) letters += CODE_ALPHABET[byte % CODE_ALPHABET.length];
    }
  }
  return { letters, display: formatCode(letters) };
}

/** Codes are stored and looked up only by this hash of their canonical letters. */
export function hashCode(letters: string): Promise<string> {
  return sha256Hex(`code:${letters}`);
}

/** The hash to look a typed code up by, or null when the input cannot be a code. */
export async function hashTypedCode(input: string): Promise<string | null> {
  const letters = normalizeCode(input);
  return letters ? hashCode(letters) : null;
}

/**
 * What a wrong guess counts as (`codeGuesses.wrong`): its hash, so the same letters typed
 * differently (case, hyphen, spaces) are one guess; input that is no code at all, itself.
 */
export function guessOf(codeHash: string | null, input: string): string {
  return codeHash ?? `raw:${input.slice(0, 64)}`;
}
