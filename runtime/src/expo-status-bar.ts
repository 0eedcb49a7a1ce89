/** `expo-status-bar` as its web build (build/StatusBar.web.js): the browser has no status bar to style. */
export function createExpoStatusBar() {
  function StatusBar(): null {
    return null;
  }
  StatusBar.setStyle = () => {};
  StatusBar.setHidden = () => {};
  StatusBar.getVerticalBarEdgeIOS = () => null;
  StatusBar.setVerticalBarBehaviorIOS = () => {};
  return {
    __esModule: true,
    StatusBar,
    setStatusBarStyle() {},
    setStatusBarHidden() {},
    useVerticalBarEdgeIOS: () => null,
  };
}
