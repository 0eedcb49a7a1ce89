// Constants.expoConfig in a preview: app.json, and app.config.* read without running it.
import { describe, expect, it } from "vitest";
import { dynamicConfig, staticConfig } from "./app-config";

const base = { name: "from app.json", slug: "tour", userInterfaceStyle: "automatic" };

describe("staticConfig", () => {
  it("takes app.json's expo object, the whole file without one, nothing from a broken one", () => {
    expect(staticConfig('{"expo":{"name":"a"}}')).toEqual({ name: "a" });
    expect(staticConfig('{"name":"b"}')).toEqual({ name: "b" });
    expect(staticConfig("{ not json")).toBeUndefined();
    expect(staticConfig("[1]")).toBeUndefined();
  });
});

describe("dynamicConfig", () => {
  it("reads a function of { config } that spreads app.json's config", () => {
    const text = `export default ({ config }) => ({
  ...config,
  name: "Tour " + process.env.EXPO_PUBLIC_FLAVOR,
  slug: "tour-" + getSlug(),
  extra: { apiUrl: process.env.EXPO_PUBLIC_API_URL, secret: process.env.STRIPE_KEY, build: makeId() },
  web: { favicon: "./assets/favicon.png", bundler: \`metro\` },
});`;
    const env = { EXPO_PUBLIC_API_URL: "https://api.example.com", EXPO_PUBLIC_FLAVOR: "beta" };
    expect(dynamicConfig(text, "app.config.js", base, env)).toEqual({
      ...base,
      name: "Tour beta",
      extra: { apiUrl: "https://api.example.com" },
      web: { favicon: "./assets/favicon.png", bundler: "metro" },
    });
  });

  it("reads the TypeScript form with a typed context and a block body", () => {
    const text = `import { ExpoConfig, ConfigContext } from "expo/config";
const IS_DEV = process.env.APP_VARIANT === "development";
export default ({ config }: ConfigContext): ExpoConfig => {
  const name = IS_DEV ? "Tour (Dev)" : "Tour";
  return { ...config, name, slug: "tour", ios: { supportsTablet: true } } satisfies ExpoConfig;
};`;
    expect(dynamicConfig(text, "app.config.ts", base, {})).toEqual({
      ...base,
      name: "Tour",
      slug: "tour",
      ios: { supportsTablet: true },
    });
  });

  it("reads module.exports of an object, with or without an expo key, and a named const", () => {
    expect(dynamicConfig('module.exports = { expo: { name: "cjs" } };', "app.config.js", base, {})).toEqual({
      name: "cjs",
    });
    const named =
      'const config = { name: "named", version: "1.0.0", orientation: "portrait" };\nexport default config;';
    expect(dynamicConfig(named, "app.config.mjs", undefined, {})).toEqual({
      name: "named",
      version: "1.0.0",
      orientation: "portrait",
    });
  });

  it("keeps app.json's config when the file cannot be read without running it", () => {
    expect(dynamicConfig("export default getConfig();", "app.config.js", base, {})).toEqual(base);
    expect(dynamicConfig("export default {", "app.config.js", base, {})).toEqual(base);
    expect(dynamicConfig("require('dotenv/config');", "app.config.js", base, {})).toEqual(base);
  });
});
