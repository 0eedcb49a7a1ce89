import { Text } from "react-native";

/**
 * Says hello to `name`.
 * @param {{ name: string }} props
 */
export function Greeting({ name }) {
  // TODO: localise the greeting
  return <Text style={{ fontSize: 24 }}>Hello, {name}!</Text>;
}
