/**
 * A PostgreSQL store for scimkit. Filters, sorting, paging and totals run in SQL; group membership
 * lives in its own table, so adding one member to a 100,000-member group is one indexed INSERT.
 * The same SQL runs on a PostgreSQL server through node-postgres (`createPgDriver`) and in-process on
 * PGlite (`createPgliteDriver`).
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { createScimServer } from "@scimkit/core";
 * import { migrate, createPgDriver, createPostgresStore } from "@scimkit/postgres";
 *
 * const driver = createPgDriver(new pg.Pool({ connectionString: process.env.DATABASE_URL }));
 * await migrate(driver);
 * const scim = createScimServer({ store: createPostgresStore({ driver }) });
 * ```
 *
 * @module @scimkit/postgres
 */
export { createPostgresStore, postgresExecutor, type PostgresStoreOptions } from "./store.js";
export { migrate, type MigrateOptions, type MigrateResult } from "./migrate.js";
export { migrations, type Migration } from "./migrations.js";
export {
  createPgDriver,
  type PgDriverOptions,
  type PgPoolLike,
  type PgClientLike,
  type PgQueryConfig,
  type PgPoolClientLike,
} from "./pg-driver.js";
export { createPgliteDriver, type PgliteDriverOptions, type PgliteLike } from "./pglite-driver.js";
export type { SqlDriver, SqlExecutor, SqlParam, SqlResult, SqlRow } from "./driver.js";
export { DEFAULT_SCHEMA, type Tables } from "./identifiers.js";
