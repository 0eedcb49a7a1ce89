import {
  AuthResponse,
  LoginRequest,
  MeResponse,
  RefreshRequest,
  RegisterRequest,
  TokensResponse,
} from "../../../schema/api/auth";
import { json } from "../openapi";
import { defineRoute } from "../routing/define-route";

const tags = ["Accounts"];

export const register = defineRoute({
  method: "post",
  path: "/auth/register",
  tags,
  summary: "Create an account",
  auth: "none",
  idempotent: true,
  errors: ["EMAIL_TAKEN", "USERNAME_TAKEN"],
  request: { body: { ...json(RegisterRequest), required: true } },
  responses: { 201: { description: "The new user and their first tokens", ...json(AuthResponse) } },
});

export const login = defineRoute({
  method: "post",
  path: "/auth/login",
  tags,
  summary: "Sign in with email or username",
  auth: "none",
  // RATE_LIMITED: the per-IP login limit; TOO_MANY_ATTEMPTS: the per-account failure lock.
  errors: ["INVALID_CREDENTIALS", "RATE_LIMITED", "TOO_MANY_ATTEMPTS"],
  request: { body: { ...json(LoginRequest), required: true } },
  responses: { 200: { description: "The user and fresh tokens", ...json(AuthResponse) } },
});

export const refresh = defineRoute({
  method: "post",
  path: "/auth/refresh",
  tags,
  summary: "Trade a refresh token for new tokens (the refresh token rotates)",
  auth: "none",
  errors: ["INVALID_REFRESH_TOKEN"],
  request: { body: { ...json(RefreshRequest), required: true } },
  responses: { 200: { description: "New tokens", ...json(TokensResponse) } },
});

export const logout = defineRoute({
  method: "post",
  path: "/auth/logout",
  tags,
  summary: "Revoke the current auth session",
  auth: "user",
  responses: { 204: { description: "Signed out" } },
});

export const me = defineRoute({
  method: "get",
  path: "/auth/me",
  tags,
  summary: "The signed-in user",
  auth: "user",
  responses: { 200: { description: "The user", ...json(MeResponse) } },
});
