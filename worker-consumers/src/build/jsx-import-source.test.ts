// The JSX import source an app asks for, from its Babel config or tsconfig.
import { describe, expect, it } from "vitest";
import { jsxImportSource } from "./jsx-import-source";

describe("jsxImportSource", () => {
  it("reads babel-preset-expo's option, as NativeWind's and Emotion's docs write it", () => {
    const nativewind = `module.exports = function (api) {
  api.cache(true);
  return {
    presets: [
      ["babel-preset-expo", { jsxImportSource: "nativewind" }],
      "nativewind/babel",
    ],
  };
};`;
    expect(jsxImportSource(nativewind, null)).toBe("nativewind");
    expect(
      jsxImportSource(
        '{ "presets": [["babel-preset-expo", { "jsxImportSource": "@emotion/react" }]] }',
        null,
      ),
    ).toBe("@emotion/react");
  });

  it("falls back to tsconfig's compilerOptions, and is React's when nothing says otherwise", () => {
    expect(
      jsxImportSource(null, '{ "compilerOptions": { "jsx": "react-jsx", "jsxImportSource": "nativewind" } }'),
    ).toBe("nativewind");
    expect(
      jsxImportSource(
        "module.exports = { presets: ['babel-preset-expo'] };",
        '{ "extends": "expo/tsconfig.base" }',
      ),
    ).toBe(undefined);
    expect(jsxImportSource(null, '{ "compilerOptions": { "jsxImportSource": "react" } }')).toBe(undefined);
    expect(jsxImportSource(null, null)).toBe(undefined);
  });

  it("ignores an option that is commented out", () => {
    const config = `module.exports = {
  // presets: [["babel-preset-expo", { jsxImportSource: "nativewind" }]],
  /* jsxImportSource: "old" */
  presets: ["babel-preset-expo"],
};`;
    expect(jsxImportSource(config, null)).toBe(undefined);
  });
});
