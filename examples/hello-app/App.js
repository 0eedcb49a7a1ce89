import { StatusBar } from "expo-status-bar";
import { StyleSheet, View } from "react-native";
import { Greeting } from "./src/components/Greeting";

/** The app's root: a greeting, centred. Edit the name and run `hivesync preview` again. */
export default function App() {
  return (
    <View style={styles.container}>
      <Greeting name="HiveSync" />
      <StatusBar style="auto" />
    </View>
  );
}

const styles = StyleSheet.create({
  container: { flex: 1, alignItems: "center", justifyContent: "center", backgroundColor: "#fff" },
});
