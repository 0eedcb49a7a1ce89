import { base64url, fromBase64url } from "./encoding";

const encoder = new TextEncoder();
/**
 * Derived keys by purpose and secret. The keys themselves, never a pending promise: a request
 * must not await a promise another request started (workerd ties its continuation to that
 * request — see rate-limit/general.ts), so concurrent first uses each derive the key once.
 */
const keys = new Map<string, CryptoKey>();

/** An AES-GCM key derived (HKDF-SHA256) from the server secret for one purpose; cached per isolate. */
async function keyFor(secret: string, purpose: string): Promise<CryptoKey> {
  const id = `${purpose}\n${secret}`;
  const known = keys.get(id);
  if (known) return known;
  const base = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  const key = await crypto.subtle.deriveKey(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: new Uint8Array(0),
      info: encoder.encode(`hivesync:${purpose}`),
    },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
  keys.set(id, key);
  return key;
}

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
