// The zod half of schema/: safe for clients to import (no drizzle, no server code).
export * from "../errors";
export * from "../queue-messages";
export * from "./ai";
export * from "./auth";
export * from "./codes";
export * from "./comments";
export * from "./common";
export * from "./dependencies";
export * from "./devices";
export * from "./health";
export * from "./mirror";
export * from "./notifications";
export * from "./paths";
export * from "./previews";
export * from "./projects";
