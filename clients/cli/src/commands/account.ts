import type { CommandContext } from "../context";
import { CliError } from "../output";

type Flags = Record<string, string | boolean | undefined>;

/** `hivesync register --email … --username … --password …` */
export async function register(ctx: CommandContext, flags: Flags): Promise<void> {
  const email = (flags.email as string | undefined) ?? (await ctx.ask("Email: ", { flag: "--email" }));
  const username =
    (flags.username as string | undefined) ?? (await ctx.ask("Username: ", { flag: "--username" }));
  const password =
    (flags.password as string | undefined) ??
    (await ctx.ask("Password (10+ characters): ", { flag: "--password", secret: true }));
  const { user } = await ctx.client.auth.register({ email, username, password });
  ctx.out.result({ user }, `Registered and signed in as ${user.username} <${user.email}> on ${ctx.api}.`);
}

/** `hivesync login --login <email or username> --password …` */
export async function login(ctx: CommandContext, flags: Flags): Promise<void> {
  const name =
    (flags.login as string | undefined) ?? (await ctx.ask("Email or username: ", { flag: "--login" }));
  const password =
    (flags.password as string | undefined) ??
    (await ctx.ask("Password: ", { flag: "--password", secret: true }));
  const { user } = await ctx.client.auth.login({ login: name, password });
  ctx.out.result({ user }, `Signed in as ${user.username} on ${ctx.api}.`);
}

/** `hivesync logout`: revokes the session on the server and forgets the tokens here. */
export async function logout(ctx: CommandContext): Promise<void> {
  if (!(await ctx.client.tokenStore.get())) {
    ctx.out.result({ signed_out: true }, "Not signed in.");
    return;
  }
  try {
    await ctx.client.auth.logout();
  } finally {
    await ctx.client.tokenStore.clear();
  }
  ctx.out.result({ signed_out: true }, "Signed out.");
}

/** `hivesync whoami` */
export async function whoami(ctx: CommandContext): Promise<void> {
  if (!(await ctx.client.tokenStore.get()))
    throw new CliError("UNAUTHENTICATED", "Not signed in: run `hivesync login` or `hivesync register`.");
  const user = await ctx.client.auth.me();
  ctx.out.result({ user, api: ctx.api }, `${user.username} <${user.email}> on ${ctx.api}`);
}
