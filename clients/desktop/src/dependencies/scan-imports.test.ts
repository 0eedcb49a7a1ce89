import { describe, expect, it } from "vitest";
import { isRuntimeProvided } from "./runtime-names";
import { packageSpecifiers, scanImports } from "./scan-imports";

describe("scanImports", () => {
  it("finds every form of import and require, in order, once each", () => {
    const source = [
      'import React, { useState } from "react";',
      "import * as ui from '@acme/ui';",
      'import "side-effect-only";',
      "import {",
      "  a,",
      "  b as c,",
      '} from "multi-line";',
      'export { x } from "re-export";',
      'export * from "star-export";',
      'const _ = require("lodash");',
      "const lazy = () => import('lazy-chunk');",
      "const tpl = require(`templated`);",
      'const deep = require("@scope/pkg/sub/path");',
      'import debounce from "lodash/debounce";',
      'import x2 from"no-space";',
      'const again = require("lodash");',
    ].join("\n");
    expect(scanImports(source)).toEqual([
      "react",
      "@acme/ui",
      "side-effect-only",
      "multi-line",
      "re-export",
      "star-export",
      "lodash",
      "lazy-chunk",
      "templated",
      "@scope/pkg/sub/path",
      "lodash/debounce",
      "no-space",
    ]);
  });

  it("ignores comments, strings, type-only imports and look-alikes", () => {
    const source = [
      '// import a from "in-line-comment";',
      '/* require("in-block-comment")',
      '   import b from "still-comment"; */',
      "const s = \"import c from 'in-a-string'\";",
      'const t = `require("in-a-template")`;',
      'import type { T } from "types-only";',
      'import { type A, type B } from "named-types-only";',
      'export type { E } from "export-types";',
      'import typeof F from "flow-typeof";',
      'obj.require("method-call");',
      'myrequire("other-function");',
      'const re = /"not-a-string/; require("after-regex");',
      'const half = a / b; const q = "x"; require("after-division");',
      'const el = <Text>Don\'t stop</Text>; require("after-jsx-apostrophe");',
      'import { type K, v } from "mixed-types";',
      'const u = require("\\u0061scaped");',
    ].join("\n");
    expect(scanImports(source)).toEqual([
      "after-regex",
      "after-division",
      "after-jsx-apostrophe",
      "mixed-types",
      "ascaped",
    ]);
  });
});

describe("packageSpecifiers and the runtime set", () => {
  it("keeps packages, scoped packages and deep imports; drops paths, built-ins and aliases", () => {
    expect(
      packageSpecifiers([
        "./App",
        "../lib/x",
        "/abs/path",
        "node:fs",
        "@/components/Button",
        "~/utils",
        "#internal",
        "lodash",
        "lodash/debounce",
        "@acme/ui",
        "@acme/ui/button",
        "@acme",
        "pkg/../escape",
        "lodash",
      ]),
    ).toEqual(["lodash", "lodash/debounce", "@acme/ui", "@acme/ui/button"]);
  });

  it("knows what the preview runtime provides, including every path of its packages", () => {
    for (const spec of [
      "react",
      "react/jsx-runtime",
      "react-native",
      "react-native/Libraries/Image/AssetRegistry",
      "react-dom/client",
      "react-dom/server",
      "expo",
      "expo-status-bar",
      "expo-router/entry",
      "expo-constants",
      "@react-navigation/native",
      "react-native-web/dist/exports/createElement",
      "@expo/vector-icons/FontAwesome",
    ])
      expect(isRuntimeProvided(spec), spec).toBe(true);
    for (const spec of [
      "lodash",
      "react-is",
      "expo-camera",
      "@react-navigation/drawer",
      "reactive",
      "expo-routerx",
    ])
      expect(isRuntimeProvided(spec), spec).toBe(false);
  });
});
