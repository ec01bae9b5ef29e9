/** The environment both entry points read, checked before anything connects. */
import { z } from "zod";

const schemaName = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "a lower-case schema name");
const positive = z.coerce.number().int().positive();

const Env = z.object({
  DATABASE_URL: z.string().min(1, "set DATABASE_URL to the app's PostgreSQL database (postgres://…)"),
  MIRROR_MODE: z.enum(["atomic", "feed"]).default("atomic"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  TENANT: z.string().min(1).default("acme"),
  SCIMKIT_SCHEMA: schemaName.default("scimkit"),
  APP_SCHEMA: schemaName.default("public"),
  MIRROR_BATCH_SIZE: positive.optional(),
  MIRROR_LEASE_MS: positive.optional(),
  MIRROR_POLL_MS: positive.optional(),
});

export type Config = z.infer<typeof Env>;

/** Reads the environment; a bad value ends the process with what is wrong, never with the value itself. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) console.error(`${issue.path.join(".")}: ${issue.message}`);
  process.exit(2);
}
