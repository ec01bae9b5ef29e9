/**
 * `queryResources` in SQL, in one statement: filter, sort and page, with each row's groups and
 * members when the projection asks for them, and the total. The page is a CTE; the total is the
 * page's own length when the page proves it (a short page that starts inside the results), else a
 * COUNT over the same predicate, which the statement evaluates only in that case (an InitPlan runs
 * when first needed) and which an index-only scan can serve. `count(*) OVER ()` would instead read
 * every matching row in full before the LIMIT.
 */
import type { QueryResult, StoreQuery } from "@scimkit/core/store";
import { Params } from "../sql/params.js";
import { groupsColumn, membersColumn, toMembers, toMemberships } from "../sql/members.js";
import type { Scope } from "../sql/resources.js";
import { RESOURCE_COLUMNS, num, toResource } from "../sql/rows.js";
import { filterCompiler } from "./filter-sql.js";
import type { CompileContext } from "./predicates.js";
import { sortSql } from "./sort-sql.js";

function context(s: Scope, p: Params): CompileContext {
  return { p, fn: (name) => `${s.t.schema}.${name}` };
}

/** The WHERE clause, built into `p`; a statement may use it twice (its placeholders repeat). */
function where(s: Scope, type: string, query: StoreQuery, p: Params): string {
  const parts = [`r.tenant = ${p.add(s.tenant)}`, `r.type = ${p.add(type)}`];
  if (query.filter) parts.push(filterCompiler(s.t.members, context(s, p))(query.filter));
  return parts.join(" AND ");
}

export async function queryResources(s: Scope, type: string, query: StoreQuery): Promise<QueryResult> {
  const skip = Math.max(0, Math.floor(query.startIndex) - 1);
  const count = Math.max(0, Math.floor(query.count));
  const p = new Params();
  const filter = where(s, type, query, p);
  const total = `(SELECT count(*) FROM ${s.t.resources} r WHERE ${filter})`;
  if (count === 0) {
    const res = await s.sql.query(`SELECT ${total} AS total`, p.values);
    return { resources: [], total: num(res.rows[0]?.["total"]) };
  }

  const groups = query.projection?.groups === true;
  const members = query.projection?.members === true;
  const order = sortSql(query.sort, s.t.members, context(s, p));
  const limit = `${p.add(String(count))}::bigint`;
  const offset = `${p.add(String(skip))}::bigint`;
  const extra = `${groups ? `, ${groupsColumn(s.t)}` : ""}${members ? `, ${membersColumn(s.t)}` : ""}`;
  // One row per resource of the page, in order, each carrying the total; one row with no resource
  // when the page is empty, so the total still comes back.
  const res = await s.sql.query(
    `WITH page AS MATERIALIZED (
       SELECT ${RESOURCE_COLUMNS}${extra} FROM ${s.t.resources} r ${order.join}
       WHERE ${filter} ORDER BY ${order.orderBy} LIMIT ${limit} OFFSET ${offset}
     ), numbered AS (SELECT page.*, row_number() OVER () AS pos FROM page),
     counted AS (SELECT count(*) AS n FROM page)
     SELECT numbered.*,
       CASE WHEN counted.n < ${limit} AND (counted.n > 0 OR ${offset} = 0) THEN ${offset} + counted.n ELSE ${total} END AS total
     FROM counted LEFT JOIN numbered ON true ORDER BY numbered.pos`,
    p.values,
  );
  const rows = res.rows.filter((row) => row["id"] !== null && row["id"] !== undefined);
  const resources = rows.map((row) => ({
    ...toResource(row),
    ...(groups ? { groups: toMemberships(row["groups"]) } : {}),
    ...(members ? { members: toMembers(row["members"]) } : {}),
  }));
  return { resources, total: num(res.rows[0]?.["total"]) };
}
