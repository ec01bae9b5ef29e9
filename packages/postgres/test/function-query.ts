/**
 * The query inside one of the store's PL/pgSQL functions (`RETURN (<query>);`), read back from the
 * catalog as PostgreSQL holds it, with its two arguments as `$1` and `$2`: EXPLAIN of a statement
 * that calls the function does not show the function's own plan, so tests explain this instead.
 */
import type { SqlExecutor } from "../src/index.js";

export async function functionQuery(sql: SqlExecutor, schema: string, fn: string): Promise<string> {
  const res = await sql.query(
    `SELECT p.prosrc, p.proargnames FROM pg_proc p JOIN pg_namespace ns ON ns.oid = p.pronamespace
     WHERE ns.nspname = $1 AND p.proname = $2`,
    [schema, fn],
  );
  const row = res.rows[0];
  const body = /RETURN \(([\s\S]*)\);\s*END/.exec(String(row?.["prosrc"] ?? ""))?.[1];
  const names = row?.["proargnames"];
  const args = Array.isArray(names)
    ? names.map(String)
    : String(names ?? "")
        .replace(/[{}]/g, "")
        .split(",");
  if (body === undefined || args.length !== 2) throw new Error(`${fn}: no function of the expected shape`);
  return args.reduce((text, arg, i) => text.replaceAll(arg, `$${i + 1}`), body);
}
