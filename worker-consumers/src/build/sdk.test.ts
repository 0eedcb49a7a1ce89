// Which Expo SDK a project's preview runs on, from its package.json (docs/previews.md "Which SDK").
import { describe, expect, it } from "vitest";
import { SDK_TABLES, SDK_VERSIONS } from "../../../runtime/dist/sdks.js";
import { selectSdk } from "./sdk";

const withExpo = (range: string, field = "dependencies") =>
  `{\n  "name": "app",\n  "${field}": {\n    "react": "19.2.3",\n    "expo": "${range}"\n  }\n}\n`;
const sdkOf = (packageJson: string | null) => {
  const picked = selectSdk(packageJson, SDK_TABLES, SDK_VERSIONS);
  if ("error" in picked) throw new Error(picked.error.message);
  return picked.sdk.version;
};

describe("selectSdk", () => {
  it("runs each supported SDK's apps on that SDK's packages", () => {
    expect(SDK_VERSIONS).toEqual(["54", "55", "56", "57", "58"]);
    expect(sdkOf(withExpo("~54.0.1"))).toBe("54");
    expect(sdkOf(withExpo("^56.0.4"))).toBe("56");
    expect(sdkOf(withExpo("~57.0.0"))).toBe("57");
    expect(sdkOf(withExpo("58.0.26", "devDependencies"))).toBe("58");
  });

  it("runs an app without expo, or with a tag for a version, on the newest SDK", () => {
    expect(sdkOf(null)).toBe("58");
    expect(sdkOf('{"dependencies":{"react-native":"0.86.0"}}')).toBe("58");
    expect(sdkOf(withExpo("latest"))).toBe("58");
  });

  it("fails an SDK it does not have at the expo line, naming the ones it has", () => {
    const picked = selectSdk(withExpo("~52.0.0"), SDK_TABLES, SDK_VERSIONS);
    expect(picked).toEqual({
      error: {
        code: "module_not_found",
        file: "package.json",
        line: 5,
        column: 13,
        message:
          'This project uses Expo SDK 52 ("expo": "~52.0.0"); previews run Expo SDK 54, 55, 56, 57, and 58. Upgrade with `npx expo install expo@^58.0.0 --fix`.',
      },
    });
  });
});
