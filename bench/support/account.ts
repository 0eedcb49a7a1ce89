import { HiveSyncClient } from "../../clients/desktop/src";

export const BENCH_PASSWORD = "benchmark password";

/** A new account signed in on a desktop client: one per scenario and target, so rate-limit keys never mix. */
export async function signUp(url: string, username: string): Promise<HiveSyncClient> {
  const client = new HiveSyncClient({ baseUrl: url });
  await client.auth.register({ email: `${username}@example.com`, username, password: BENCH_PASSWORD });
  return client;
}

/**
 * An `authorization` header for a load generator, renewed first: access tokens live 15 minutes,
 * less than a full run, and autocannon cannot refresh one that expires under it.
 */
export async function bearerHeader(client: HiveSyncClient): Promise<{ authorization: string }> {
  if (!(await client.auth.refresh())) throw new Error("could not renew the bench account's tokens");
  const token = (await client.tokenStore.get())?.access_token;
  if (!token) throw new Error("the bench account has no access token");
  return { authorization: `Bearer ${token}` };
}
