#!/usr/bin/env node
// The `hivesync` command. The CLI is TypeScript run through tsx's loader, so there is no build
// step between editing it and running it (`npx hivesync …` in the repository).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/main.ts");
process.exitCode = await main(process.argv.slice(2));
