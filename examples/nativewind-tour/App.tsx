// NativeWind (Tailwind for React Native): className on React Native components, compiled by the
// app's own Tailwind, as `npx expo start --web` shows it.
import "./global.css";
import { Text, View } from "react-native";

export default function App() {
  return (
    <View className="flex-1 items-center justify-center bg-tour">
      <Text className="text-2xl font-bold text-white">Styled by NativeWind</Text>
      <Text testID="pill" className="mt-4 rounded-full bg-amber-400 px-4 py-2 text-tour">
        a Tailwind pill
      </Text>
    </View>
  );
}
