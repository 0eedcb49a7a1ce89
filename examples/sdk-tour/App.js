// One screen per capability the preview runtime provides from the real Expo packages: icons from
// @expo/vector-icons, a custom font through expo-font's useFonts, react-native-svg, a reanimated
// animation, a react-navigation native stack, a CSS import, app.json through expo-constants and an
// EXPO_PUBLIC_ variable from .env.
import Ionicons from "@expo/vector-icons/Ionicons";
import { NavigationContainer } from "@react-navigation/native";
import { createNativeStackNavigator } from "@react-navigation/native-stack";
import Constants from "expo-constants";
import { useFonts } from "expo-font";
import { useEffect } from "react";
import { Button, StyleSheet, Text, View } from "react-native";
import Animated, {
  Easing,
  useAnimatedStyle,
  useSharedValue,
  withRepeat,
  withTiming,
} from "react-native-reanimated";
import Svg, { Path } from "react-native-svg";
import "./tour.css";

const Stack = createNativeStackNavigator();

function Spinner() {
  const turn = useSharedValue(0);
  useEffect(() => {
    turn.value = withRepeat(withTiming(360, { duration: 1000, easing: Easing.linear }), -1);
  }, [turn]);
  const style = useAnimatedStyle(() => ({ transform: [{ rotate: `${turn.value}deg` }] }));
  return <Animated.View testID="spinner" style={[styles.spinner, style]} />;
}

function Home({ navigation }) {
  const [fontsLoaded] = useFonts({ SpaceMono: require("./assets/SpaceMono-Regular.ttf") });
  return (
    <View style={styles.screen}>
      <Text>Config name: {Constants.expoConfig?.name}</Text>
      <Text>Greeting: {process.env.EXPO_PUBLIC_GREETING}</Text>
      <Ionicons name="rocket" size={32} color="#3e63dd" testID="icon" />
      {fontsLoaded ? <Text style={styles.mono}>Monospaced by useFonts</Text> : null}
      <Svg width={40} height={40} viewBox="0 0 40 40">
        <Path d="M4 36 L20 4 L36 36 Z" fill="#30a46c" />
      </Svg>
      <Spinner />
      <Button title="Open details" onPress={() => navigation.navigate("Details")} />
    </View>
  );
}

function Details() {
  return (
    <View style={styles.screen}>
      <Text>The details screen</Text>
    </View>
  );
}

export default function App() {
  return (
    <NavigationContainer>
      <Stack.Navigator>
        <Stack.Screen name="Home" component={Home} options={{ title: "SDK tour" }} />
        <Stack.Screen name="Details" component={Details} />
      </Stack.Navigator>
    </NavigationContainer>
  );
}

const styles = StyleSheet.create({
  screen: { flex: 1, alignItems: "center", justifyContent: "center", gap: 12 },
  mono: { fontFamily: "SpaceMono", fontSize: 16 },
  spinner: { width: 24, height: 24, backgroundColor: "#f5a623" },
});
