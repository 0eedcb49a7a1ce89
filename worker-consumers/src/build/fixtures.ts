/** Sources the build's tests transform: realistic React Native files with line markers. */

/**
 * A TSX screen whose lines are marked `L<n>` (in strings or names) across the constructs that
 * change the most under transformation: multi-line and type-only imports, interfaces, enums,
 * generics, JSX over several lines, class fields, dynamic import. The marker on line n must stay
 * on line n of the wrapped script.
 */
export const SCREEN_TSX = `import React, { useState } from "react";
import {
  StyleSheet,
  Text,
  View,
} from "react-native";
import type { Navigation } from "./navigation";
import { Button } from "./components/Button";
import icon from "./assets/icon.png";

interface Props {
  navigation: Navigation;
  title?: string;
}
enum Mode { Idle, Busy }
const first = <T,>(items: T[]): T | undefined => items[0]; // L16

export default function Screen({ navigation, title = "L18" }: Props) {
  const [mode, setMode] = useState<Mode>(Mode.Idle);
  const label: string = title ?? "L20";
  const onPress = async () => {
    setMode(Mode.Busy);
    const { track } = await import("./analytics"); // L23
    track("L24", navigation?.state);
  };
  return (
    <View style={styles.root}>
      <Text
        style={styles.title}
      >{label} L30</Text>
      <Button onPress={onPress} icon={icon} disabled={mode === Mode.Busy} />
    </View>
  );
}

class Store {
  private items: string[] = [];
  static L38 = 1;
  add(item: string): void {
    this.items.push(item);
    if (this.items.length > 3) throw new Error("L41");
  }
}
export { Store, first };

const styles = StyleSheet.create({
  root: { flex: 1, alignItems: "center" }, // L47
  title: { fontSize: 20 },
});
`;

/** The 2,000-line file of the transpiler benchmark: the screen above repeated with new names. */
export function largeFile(lines = 2000): string {
  const parts: string[] = [];
  let count = 0;
  for (let i = 0; count < lines; i++) {
    const body = SCREEN_TSX.split("\n")
      .slice(9) // keep one set of imports at the top
      .join("\n")
      .replace(/\bScreen\b/g, `Screen${i}`)
      .replace(/\bStore\b/g, `Store${i}`)
      .replace(/\bProps\b/g, `Props${i}`)
      .replace(/\bMode\b/g, `Mode${i}`)
      .replace(/\bfirst\b/g, `first${i}`)
      .replace(/\bstyles\b/g, `styles${i}`)
      .replace("export default function", "export function");
    parts.push(body);
    count += body.split("\n").length;
  }
  return `${SCREEN_TSX.split("\n").slice(0, 9).join("\n")}\n${parts.join("\n")}`;
}
