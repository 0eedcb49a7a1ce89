import { describe, expect, it } from "vitest";
import { transformModule } from "./transform";
import { captureWorkletClosures, mayHoldWorklets } from "./worklets";

const SPINNER = `import { useEffect } from "react";
import Animated, { useAnimatedStyle, useSharedValue, withTiming } from "react-native-reanimated";
const SIZE = 24;
export function Spinner({ speed }) {
  const turn = useSharedValue(0);
  const scale = useSharedValue(1);
  useEffect(() => { turn.value = withTiming(360); }, [turn]);
  const style = useAnimatedStyle(() => {
    const local = turn.value * speed;
    return { width: SIZE, transform: [{ rotate: \`\${local}deg\` }, { scale: scale.value }] };
  });
  function wobble(x) {
    "worklet";
    return x * scale.value;
  }
  return <Animated.View style={style} onLayout={() => wobble(1)} />;
}
`;

function transformed(source: string): string {
  const made = transformModule("Spinner.js", source, "k");
  if (!("code" in made)) throw new Error("did not transform");
  return made.code;
}

describe("worklet closures (the web part of the worklets Babel plugin)", () => {
  it("gives each worklet the enclosing names it reads, not its own, not globals, not imports", () => {
    const code = transformed(SPINNER);
    expect(mayHoldWorklets(code)).toBe(true);
    const out = captureWorkletClosures(code);
    // The animated style's updater reads turn, speed, SIZE and scale from outside; `local` is its own.
    expect(out).toContain(",{__closure:[turn,speed,SIZE,scale]})");
    // A function declaration marked 'worklet' gets its closure after it.
    expect(out).toContain(";Object.assign(wobble,{__closure:[scale]});");
    // Lines are the source's: nothing was added but on the worklets' own lines.
    expect(out.split("\n")).toHaveLength(code.split("\n").length);
  });

  it("the closure is what Reanimated reads: the values, in an array, on the function", () => {
    const out = captureWorkletClosures(
      'var _r = require("react-native-reanimated"); var a = {v: 1}; var f = _r.useAnimatedStyle.call(void 0, () => ({ o: a.v }));',
    );
    const fake = { useAnimatedStyle: (fn: { __closure?: unknown[] }) => fn.__closure };
    const run = new Function("require", `${out}; return f;`);
    expect(run(() => fake)).toEqual([{ v: 1 }]);
  });

  it("is not fooled by calls named like Object.prototype's members (x.constructor(), x.toString())", () => {
    const code =
      'var _r = require("react-native-reanimated"); var o = {}; o.constructor(() => o); o.toString(); o.hasOwnProperty("a");';
    expect(captureWorkletClosures(code)).toBe(code);
  });

  it("leaves a module without worklets, or one that does not parse, as it was", () => {
    const plain = 'var x = require("react"); exports.y = () => x;';
    expect(mayHoldWorklets(plain)).toBe(false);
    expect(captureWorkletClosures(plain)).toBe(plain);
    expect(captureWorkletClosures("var = require('react-native-reanimated')")).toBe(
      "var = require('react-native-reanimated')",
    );
  });
});
