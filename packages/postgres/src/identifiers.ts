/**
 * SQL identifiers. Values always travel as parameters; the only identifier a host can choose is the
 * schema name, which must match a conservative pattern and is then quoted. Everything else spliced
 * into SQL text comes from constants in this package.
 */

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** The schema scimkit uses when the host names none. */
export const DEFAULT_SCHEMA = "scimkit";

/** The quoted schema identifier, or an error naming the rule the name broke. */
export function quoteSchema(name: string): string {
  if (!SCHEMA_NAME.test(name)) {
    throw new Error(
      `invalid PostgreSQL schema name "${name}": use letters, digits and underscores (at most 63), not starting with a digit`,
    );
  }
  return `"${name}"`;
}

/** Schema-qualified names of the store's tables. */
export interface Tables {
  readonly schema: string;
  readonly resources: string;
  readonly members: string;
  readonly records: string;
  readonly logs: string;
  readonly migrations: string;
}

export function tablesIn(schema: string): Tables {
  const s = quoteSchema(schema);
  return {
    schema: s,
    resources: `${s}.resources`,
    members: `${s}.members`,
    records: `${s}.records`,
    logs: `${s}.logs`,
    migrations: `${s}.schema_migrations`,
  };
}

/**
 * Advisory lock keys: a fixed class id for scimkit plus a 32-bit FNV-1a hash of the purpose, so two
 * stores in different schemas of one database never wait on each other.
 */
export const LOCK_CLASS = 0x5c1a;

export function lockKey(purpose: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < purpose.length; i++) {
    h ^= purpose.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
