// process.env.EXPO_PUBLIC_* for a preview: from the revision's .env files, as Expo CLI reads them.
import { describe, expect, it } from "vitest";
import { ENV_FILES, expoPublicEnv, parseDotenv } from "./expo-env";

describe("parseDotenv", () => {
  it("reads a .env file as dotenv does", () => {
    const text = [
      "# a comment",
      "EXPO_PUBLIC_API_URL=https://api.example.com/v1 # trailing comment",
      "export EXPO_PUBLIC_EXPORTED=yes",
      "EXPO_PUBLIC_SINGLE='keeps # and \\n as written'",
      'EXPO_PUBLIC_DOUBLE="line one\\nline two"',
      "EXPO_PUBLIC_MULTI='first",
      "second'",
      "EXPO_PUBLIC_EMPTY=",
      "  SPACED = padded  ",
      "not a variable line",
    ].join("\r\n");
    expect(parseDotenv(text)).toEqual({
      EXPO_PUBLIC_API_URL: "https://api.example.com/v1",
      EXPO_PUBLIC_EXPORTED: "yes",
      EXPO_PUBLIC_SINGLE: "keeps # and \\n as written",
      EXPO_PUBLIC_DOUBLE: "line one\nline two",
      EXPO_PUBLIC_MULTI: "first\nsecond",
      EXPO_PUBLIC_EMPTY: "",
      SPACED: "padded",
    });
  });
});

describe("expoPublicEnv", () => {
  it("keeps only EXPO_PUBLIC_ variables, the first file in Expo's order winning", () => {
    expect(ENV_FILES.slice(0, 4)).toEqual([
      ".env.development.local",
      ".env.local",
      ".env.development",
      ".env",
    ]);
    const env = expoPublicEnv([
      "EXPO_PUBLIC_WHO=local override\n",
      null,
      null,
      "EXPO_PUBLIC_WHO=from .env\nEXPO_PUBLIC_API=https://api.example.com\nSECRET_KEY=sk_live_123\nAPI_TOKEN=t\n",
      "EXPO_PUBLIC_FROM_DESKTOP='mirrored'\n",
    ]);
    expect(env).toEqual({
      EXPO_PUBLIC_WHO: "local override",
      EXPO_PUBLIC_API: "https://api.example.com",
      EXPO_PUBLIC_FROM_DESKTOP: "mirrored",
    });
  });

  it("is empty for a revision without .env files", () => {
    expect(expoPublicEnv([null, null, null, null, null])).toEqual({});
  });
});
