/** A driver that records every statement it runs, to check what SQL the store sends. */
import type { SqlDriver, SqlExecutor, SqlParam } from "../src/index.js";

export interface Statement {
  readonly text: string;
  readonly params: readonly SqlParam[];
}

export function recordingDriver(inner: SqlDriver): SqlDriver & { readonly log: Statement[] } {
  const log: Statement[] = [];
  const wrap = (sql: SqlExecutor): SqlExecutor => ({
    query: (text, params = []) => {
      log.push({ text, params });
      return sql.query(text, params);
    },
  });
  return {
    name: inner.name,
    log,
    query: wrap(inner).query,
    transaction: (work, options) => inner.transaction((sql) => work(wrap(sql)), options),
  };
}
