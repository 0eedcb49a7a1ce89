// The runtime takes the vendor modules' CommonJS export objects themselves (what Metro would hand
// the app), so it reads them with `require`, which esbuild resolves inside the bundle.
declare const require: (id: string) => unknown;
