/**
 * `queryResources` in SQL: filter, sort and page in one statement (with each row's groups when the
 * projection asks for them); the total from the page itself when the page proves it (a short
 * page), else from a COUNT over the same predicate.
 */
import type { QueryResult, StoreQuery } from "@scimkit/core/store";
import { Params } from "../sql/params.js";
import { groupsColumn, toMemberships } from "../sql/members.js";
import { membersOf, type Scope } from "../sql/resources.js";
import { RESOURCE_COLUMNS, num, toResource } from "../sql/rows.js";
import { filterCompiler } from "./filter-sql.js";
import type { CompileContext } from "./predicates.js";
import { sortSql } from "./sort-sql.js";

function context(s: Scope, p: Params): CompileContext {
  return { p, fn: (name) => `${s.t.schema}.${name}` };
}

/** The WHERE clause, built into `p` (each statement gets its own parameters). */
function where(s: Scope, type: string, query: StoreQuery, p: Params): string {
  const parts = [`r.tenant = ${p.add(s.tenant)}`, `r.type = ${p.add(type)}`];
  if (query.filter) parts.push(filterCompiler(s.t.members, context(s, p))(query.filter));
  return parts.join(" AND ");
}

async function countAll(s: Scope, type: string, query: StoreQuery): Promise<number> {
  const p = new Params();
  const res = await s.sql.query(`SELECT count(*) AS n FROM ${s.t.resources} r WHERE ${where(s, type, query, p)}`, p.values);
  return num(res.rows[0]?.["n"]);
}

export async function queryResources(s: Scope, type: string, query: StoreQuery): Promise<QueryResult> {
  const skip = Math.max(0, Math.floor(query.startIndex) - 1);
  const count = Math.max(0, Math.floor(query.count));
  if (count === 0) return { resources: [], total: await countAll(s, type, query) };

  // A page's groups come in the page's statement; the planner computes them for the returned rows only.
  const groups = query.projection?.groups === true;
  const p = new Params();
  const filter = where(s, type, query, p);
  const order = sortSql(query.sort, s.t.members, context(s, p));
  const res = await s.sql.query(
    `SELECT ${RESOURCE_COLUMNS}${groups ? `, ${groupsColumn(s.t)}` : ""} FROM ${s.t.resources} r ${order.join}
     WHERE ${filter} ORDER BY ${order.orderBy} LIMIT ${p.add(String(count))}::bigint OFFSET ${p.add(String(skip))}::bigint`,
    p.values,
  );
  let resources = res.rows.map((row) => (groups ? { ...toResource(row), groups: toMemberships(row["groups"]) } : toResource(row)));
  // A short page that starts inside the results ends them, so it tells the total without a COUNT.
  const total = resources.length < count && (resources.length > 0 || skip === 0) ? skip + resources.length : await countAll(s, type, query);
  if (query.projection?.members && resources.length > 0) {
    const members = await membersOf(s, resources.map((r) => r.id));
    resources = resources.map((r) => ({ ...r, members: members.get(r.id) ?? [] }));
  }
  return { resources, total };
}
