import { z } from "zod";
import { Timestamp } from "./common";

export const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email("not a valid email address"))
  .transform((email) => email.toLowerCase());
export const Username = z
  .string()
  .min(3)
  .max(32)
  .regex(/^[a-z0-9_-]+$/, "use 3–32 of a-z, 0-9, '_' and '-'");
export const Password = z.string().min(10).max(128);

export const RegisterRequest = z
  .object({ email: Email, username: Username, password: Password })
  .meta({ id: "RegisterRequest" });
export const LoginRequest = z
  .object({
    login: z.string().min(1).max(254).meta({ description: "email or username" }),
    password: z.string().min(1).max(128),
  })
  .meta({ id: "LoginRequest" });
export const RefreshRequest = z
  .object({ refresh_token: z.string().min(1).max(256) })
  .meta({ id: "RefreshRequest" });

export const User = z
  .object({ id: z.string(), email: z.string(), username: z.string(), created_at: Timestamp })
  .meta({ id: "User" });
export const Tokens = z
  .object({
    access_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int().meta({ description: "seconds until the access token expires" }),
  })
  .meta({ id: "Tokens" });
export const AuthResponse = z.object({ user: User, tokens: Tokens }).meta({ id: "AuthResponse" });
export const TokensResponse = z.object({ tokens: Tokens }).meta({ id: "TokensResponse" });
export const MeResponse = z.object({ user: User }).meta({ id: "MeResponse" });

export type User = z.infer<typeof User>;
export type Tokens = z.infer<typeof Tokens>;
