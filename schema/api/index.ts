// The zod half of schema/: safe for clients to import (no drizzle, no server code).
export * from "../errors";
export * from "./auth";
export * from "./comments";
export * from "./common";
export * from "./health";
export * from "./paths";
export * from "./projects";
