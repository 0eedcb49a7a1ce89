/**
 * One `KEY=value` line of a .env file as dotenv reads it (the parser Expo CLI's `@expo/env` uses):
 * `export ` allowed, a value single-, double- or backtick-quoted (across lines) or bare up to a `#`.
 */
const LINE =
  /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;

/**
 * A .env file's variables, read as dotenv reads them (dotenv itself is not imported: its types pull
 * Node's into the Worker's). Quotes are removed; a double-quoted value's `\n` and `\r` are line breaks.
 */
export function parseDotenv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.replace(/\r\n?/g, "\n");
  for (const match of lines.matchAll(LINE)) {
    const raw = (match[2] ?? "").trim();
    let value = raw.replace(/^(['"`])([\s\S]*)\1$/gm, "$2");
    if (raw.startsWith('"')) value = value.replace(/\\n/g, "\n").replace(/\\r/g, "\r");
    values[match[1] as string] = value;
  }
  return values;
}

/**
 * The environment files a preview reads, highest precedence first: Expo CLI's development order
 * (`.env.development.local`, `.env.local`, `.env.development`, `.env`: pushed when a project opts
 * in, or committed to a synced repository), then `.env.expo-public`, where the desktop mirrors the
 * `EXPO_PUBLIC_` values of the files it withholds (clients/desktop/src/expo-public-env.ts).
 */
export const ENV_FILES = [
  ".env.development.local",
  ".env.local",
  ".env.development",
  ".env",
  ".env.expo-public",
];

/**
 * The `EXPO_PUBLIC_*` variables of a revision from its environment files' texts (in
 * {@link ENV_FILES} order; null for a file it lacks): what Expo inlines as `process.env.EXPO_PUBLIC_*`
 * in app code, and nothing else (every other variable stays on the developer's machine, as in Expo).
 */
export function expoPublicEnv(texts: readonly (string | null)[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const text of texts) {
    if (text === null) continue;
    for (const [key, value] of Object.entries(parseDotenv(text))) {
      if (key.startsWith("EXPO_PUBLIC_") && !(key in values)) values[key] = value;
    }
  }
  return values;
}
