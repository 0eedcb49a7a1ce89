export * from "./comments";
export * from "./idempotency";
export * from "./jobs";
export * from "./mirror";
export * from "./notifications";
export * from "./projects";
export * from "./users";
