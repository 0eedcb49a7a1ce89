// The React Compiler at work: App's <Child /> does not depend on `taps`, so the compiled App
// keeps the same element and React skips Child when a tap re-renders App. Without the compiler,
// every tap renders Child again.
import { useState } from "react";
import { Pressable, Text, View } from "react-native";

const renders = { child: 0 };

function Child() {
  renders.child += 1;
  return <Text testID="child">Child rendered {renders.child} time(s)</Text>;
}

export default function App() {
  const [taps, setTaps] = useState(0);
  return (
    <View style={{ flex: 1, alignItems: "center", justifyContent: "center", gap: 12 }}>
      <Pressable onPress={() => setTaps(taps + 1)}>
        <Text>Tapped {taps} time(s)</Text>
      </Pressable>
      <Child />
    </View>
  );
}
