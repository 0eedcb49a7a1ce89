import { derivedKey } from "./derived-keys";
import { base64url, fromBase64url } from "./encoding";

const encoder = new TextEncoder();
const keyFor = (secret: string, purpose: string) => derivedKey(secret, purpose, "seal");

/**
 * Encrypts text that must be kept but never readable at rest (e.g. a stored response that holds a
 * preview code): `base64url(iv ‖ ciphertext)`.
 */
export async function seal(secret: string, purpose: string, text: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await keyFor(secret, purpose), encoder.encode(text)),
  );
  const out = new Uint8Array(iv.length + sealed.length);
  out.set(iv);
  out.set(sealed, iv.length);
  return base64url(out);
}

/** The text `seal` encrypted, or null when it was sealed under another secret or tampered with. */
export async function unseal(secret: string, purpose: string, sealed: string): Promise<string | null> {
  try {
    const bytes = fromBase64url(sealed);
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.slice(0, 12) },
      await keyFor(secret, purpose),
      bytes.slice(12),
    );
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}
