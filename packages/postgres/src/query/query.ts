/**
 * `queryResources` in SQL, in one statement: filter, sort and page, with each row's groups and
 * members when the projection asks for them, and the total. The page is a CTE; the total is the
 * page's own length when the page proves it (a short page that starts inside the results), else
 * the tenant's maintained count (sql/counts.ts) when there is no filter, and with one a COUNT over
 * the same predicate; the statement evaluates either only in that case (an InitPlan runs when
 * first needed), and an index-only scan can serve the COUNT. `count(*) OVER ()` would instead read
 * every matching row in full before the LIMIT. A cursor page (`query.after`) adds the keyset
 * predicate of sort-sql.ts to the page, and always takes the total from the maintained count or COUNT.
 */
import type { QueryResult, StoreQuery } from "@scimkit/core/store";
import { Params } from "../sql/params.js";
import { totalOf } from "../sql/counts.js";
import { emailsTable } from "../sql/emails.js";
import { groupsCall, membersCall, toMembers, toMemberships } from "../sql/members.js";
import type { Scope } from "../sql/resources.js";
import { RESOURCE_COLUMNS, num, toResource } from "../sql/rows.js";
import { filterCompiler } from "./filter-sql.js";
import type { CompileContext } from "./predicates.js";
import { keysetSql, sortSql } from "./sort-sql.js";

function context(s: Scope, p: Params): CompileContext {
  return { p, fn: (name) => `${s.t.schema}.${name}` };
}

/** The WHERE clause, built into `p`; a statement may use it twice (its placeholders repeat). */
function where(s: Scope, type: string, query: StoreQuery, p: Params): string {
  const tenant = p.add(s.tenant);
  const typeParam = p.add(type);
  const parts = [`r.tenant = ${tenant}`, `r.type = ${typeParam}`];
  if (query.filter) {
    const emails = { table: emailsTable(s.t), tenant, type: typeParam };
    parts.push(filterCompiler(s.t.members, { ...context(s, p), emails })(query.filter));
  }
  return parts.join(" AND ");
}

export async function queryResources(s: Scope, type: string, query: StoreQuery): Promise<QueryResult> {
  const skip = Math.max(0, Math.floor(query.startIndex) - 1);
  const count = Math.max(0, Math.floor(query.count));
  const p = new Params();
  const filter = where(s, type, query, p);
  // Unfiltered, the total is the maintained count (sql/counts.ts): a few rows, however many
  // resources. It reuses the tenant and type `where` bound first, so that no parameter goes unused.
  const total = query.filter
    ? `(SELECT count(*) FROM ${s.t.resources} r WHERE ${filter})`
    : totalOf(s.t, "$1::text", "$2::text");
  if (count === 0) {
    const res = await s.sql.query(`SELECT ${total} AS total`, p.values);
    return { resources: [], total: num(res.rows[0]?.["total"]) };
  }

  const groups = query.projection?.groups === true;
  const members = query.projection?.members === true;
  const order = sortSql(query.sort, s.t.members, context(s, p));
  // A cursor page: the rows after (or, read backwards, before) the position, in the same
  // statement (no OFFSET to walk).
  const at = query.after ?? query.before;
  const side = query.after ? "after" : "before";
  const keyset = at ? ` AND ${keysetSql(query.sort, order, at, side, s.t.members, context(s, p))}` : "";
  const backwards = query.after === undefined && query.before !== undefined;
  const limit = `${p.add(String(count))}::bigint`;
  const offset = `${p.add(String(at ? 0 : skip))}::bigint`;
  // A short page proves the total only when it starts at an index: after a position, rows before it also count.
  const proven = at
    ? total
    : `CASE WHEN counted.n < ${limit} AND (counted.n > 0 OR ${offset} = 0) THEN ${offset} + counted.n ELSE ${total} END`;
  // Groups and members are read for the page's rows only, in the outer SELECT: in the page's own
  // select list PostgreSQL would compute them for every row the OFFSET skips as well (measured: a
  // page at offset 5,000 read 5,100 users' groups). The tenant is `$1`, which `where` binds first.
  const extra = `${groups ? `, ${groupsCall(s.t, "$1::text", "numbered.id")} AS groups` : ""}${
    members ? `, ${membersCall(s.t, "$1::text", "numbered.id")} AS members` : ""
  }`;
  // One row per resource of the page, in order, each carrying the total; one row with no resource
  // when the page is empty, so the total still comes back.
  const res = await s.sql.query(
    `WITH page AS MATERIALIZED (
       SELECT ${RESOURCE_COLUMNS} FROM ${s.t.resources} r ${order.join}
       WHERE ${filter}${keyset} ORDER BY ${backwards ? order.reversed : order.orderBy} LIMIT ${limit} OFFSET ${offset}
     ), numbered AS (SELECT page.*, row_number() OVER () AS pos FROM page),
     counted AS (SELECT count(*) AS n FROM page)
     SELECT numbered.*${extra},
       ${proven} AS total
     FROM counted LEFT JOIN numbered ON true ORDER BY numbered.pos ${backwards ? "DESC" : "ASC"}`,
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
