/**
 * `sortBy` as SQL ORDER BY keys, with core's ordering (`compareForSort`, `sortValue`): missing
 * values last in both directions; numbers, then strings, then booleans when types are mixed;
 * case-insensitive strings by their folded form, then by their exact form; dateTimes by instant; a
 * multi-valued attribute by its primary value, else its first. Ties, and every row without the
 * attribute, fall back to `created`, then `id`, ascending.
 *
 * A cursor page (RFC 9865) starts after a keyset position: the same keys computed from the
 * position's sort value, compared key by key. In the default order that is the row comparison
 * `(created, id) > (…)`, which the `(tenant, type, created, id)` index answers with a seek.
 */
import type { AttributeRef, JsonValue, KeysetPosition, Sort } from "@scimkit/core/store";
import { fold } from "../sql/fold.js";
import { Params } from "../sql/params.js";
import { extractedColumn, memberColumns, pick, sourceOf } from "./sources.js";
import type { CompileContext } from "./predicates.js";

/** The default order, and every sort's tie-break. */
export const DEFAULT_ORDER = "r.created ASC, r.id ASC";

export interface SortSql {
  /** A LATERAL join computing the sort value once per row, when the keys need one. */
  readonly join: string;
  readonly orderBy: string;
  /** The same order backwards, for a page read from its end (before a keyset position). */
  readonly reversed: string;
  /** The keys before the tie-break, for {@link keysetSql}. */
  readonly keys: readonly SortKey[];
}

/** One ORDER BY key before the tie-break; every key sorts its NULLs last. */
export interface SortKey {
  readonly expr: string;
  readonly dir: "ASC" | "DESC";
}

/**
 * What the keys are computed from: the row, or a cursor's sort value (the same expressions over a
 * bound parameter instead of a column, so both sides compare under the same rules).
 */
type Side = { readonly row: true } | { readonly row: false; readonly value: JsonValue | undefined };

/** Keys for a text expression that is NULL when missing. */
function textKeys(t: string, ref: AttributeRef, dir: SortKey["dir"], ctx: CompileContext): SortKey[] {
  if (ref.leaf.type === "dateTime") {
    const ms = `${ctx.fn("instant_ms")}(${t})`;
    return [
      { expr: ms, dir },
      { expr: `(CASE WHEN ${ms} IS NULL THEN ${t} END) COLLATE "C"`, dir },
    ];
  }
  if (ref.leaf.caseExact) return [{ expr: `${t} COLLATE "C"`, dir }];
  return [
    { expr: `lower(${t}) COLLATE "C"`, dir },
    { expr: `${t} COLLATE "C"`, dir },
  ];
}

/** The jsonb value `sortValue` orders a row by. */
function jsonSortValue(top: string, ref: AttributeRef, ctx: CompileContext): string {
  if (!ref.attribute.multiValued) return pick(top, ref.sub, ctx);
  const primary = `(SELECT a.e FROM jsonb_array_elements(${top}) WITH ORDINALITY AS a(e, o) WHERE a.e -> 'primary' = 'true'::jsonb ORDER BY a.o LIMIT 1)`;
  const element = `(CASE WHEN jsonb_typeof(${top}) = 'array' THEN COALESCE(${primary}, ${top} -> 0) ELSE ${top} END)`;
  return pick(element, ref.sub, ctx);
}

/** A cursor's value as a typed parameter, NULL when it is absent or of another type. */
function bound(ctx: CompileContext, value: JsonValue | undefined, type: "text" | "boolean"): string {
  const ok = type === "text" ? typeof value === "string" : typeof value === "boolean";
  return ok ? `${ctx.p.add(value as string | boolean)}::${type}` : `NULL::${type}`;
}

function sortKeys(
  sort: Sort,
  membersTable: string,
  ctx: CompileContext,
  side: Side,
): { readonly join: string; readonly keys: SortKey[] } {
  const ref = sort.by;
  const dir = sort.order === "descending" ? "DESC" : "ASC";
  // Built only for the side that uses it: a parameter bound but unused has no type, and fails.
  const text = (rowSql: () => string) => (side.row ? rowSql() : bound(ctx, side.value, "text"));
  const keys = (list: SortKey[], join: () => string = () => "") => ({ join: side.row ? join() : "", keys: list });

  const col = extractedColumn(ref);
  if (col?.folded) {
    const value = side.row ? undefined : side.value;
    const folded = side.row
      ? `r.${col.column}`
      : bound(ctx, typeof value === "string" ? fold(value) : undefined, "text");
    return keys([
      { expr: folded, dir },
      { expr: `${text(() => `(r.attributes ->> ${ctx.p.text(ref.name)})`)} COLLATE "C"`, dir },
    ]);
  }
  if (col) {
    const type = col.json === "boolean" ? "boolean" : "text";
    return keys([{ expr: side.row ? `r.${col.column}` : bound(ctx, side.value, type), dir }]);
  }

  // The cursor side needs only the shape of the source: its SQL binds into a scratch list.
  const src = sourceOf(ref, side.row ? ctx.p : new Params());
  if (src.shape === "row")
    return keys(
      textKeys(
        text(() => src.sql),
        ref,
        dir,
        ctx,
      ),
    );
  if (src.shape === "members") {
    const column = memberColumns[ref.sub ?? "value"];
    if (!column) return keys([]);
    // Members have no `primary`: the first member, in the order they were added.
    const first = `(SELECT ${column} FROM ${membersTable} m WHERE m.tenant = r.tenant AND m.group_id = r.id ORDER BY m.ord LIMIT 1)`;
    return keys(
      textKeys(
        text(() => first),
        ref,
        dir,
        ctx,
      ),
    );
  }

  const k = side.row
    ? "sk.v"
    : side.value === undefined
      ? "NULL::jsonb"
      : `${ctx.p.add(JSON.stringify(side.value))}::jsonb`;
  const typeOf = `jsonb_typeof(${k})`;
  const textValue = `(CASE WHEN ${typeOf} = 'string' THEN ${k} #>> '{}' END)`;
  const list: SortKey[] = [
    { expr: `(CASE WHEN ${typeOf} IS NULL OR ${typeOf} = 'null' THEN 1 ELSE 0 END)`, dir: "ASC" },
    { expr: `(CASE ${typeOf} WHEN 'number' THEN 0 WHEN 'string' THEN 1 WHEN 'boolean' THEN 2 ELSE 3 END)`, dir },
    { expr: `(CASE WHEN ${typeOf} = 'number' THEN (${k})::numeric END)`, dir },
    ...textKeys(textValue, ref, dir, ctx),
    { expr: `(CASE WHEN ${typeOf} = 'boolean' THEN (${k})::boolean END)`, dir },
  ];
  return keys(list, () => `LEFT JOIN LATERAL (SELECT ${jsonSortValue(src.top, ref, ctx)} AS v) sk ON true`);
}

export function sortSql(sort: Sort | undefined, membersTable: string, ctx: CompileContext): SortSql {
  if (!sort) return { join: "", orderBy: DEFAULT_ORDER, reversed: REVERSED_DEFAULT, keys: [] };
  const { join, keys } = sortKeys(sort, membersTable, ctx, { row: true });
  const orderBy = [...keys.map((key) => `${key.expr} ${key.dir} NULLS LAST`), DEFAULT_ORDER].join(", ");
  const flip = (dir: SortKey["dir"]) => (dir === "ASC" ? "DESC" : "ASC");
  const reversed = [...keys.map((key) => `${key.expr} ${flip(key.dir)} NULLS FIRST`), REVERSED_DEFAULT].join(", ");
  return { join, orderBy, reversed, keys };
}

const REVERSED_DEFAULT = "r.created DESC, r.id DESC";

/**
 * The rows on one side of a keyset position in the order {@link sortSql} gives: key by key, a row
 * is after (or before) the position when its first differing key is, NULLs last in both
 * directions; the tie-break `(created, id)` is one row comparison, so the default order is a single
 * index range. A page before a position reads {@link SortSql.reversed} and turns the rows round.
 */
export function keysetSql(
  sort: Sort | undefined,
  order: SortSql,
  at: KeysetPosition,
  side: "after" | "before",
  membersTable: string,
  ctx: CompileContext,
): string {
  const after = side === "after";
  let rest = `(r.created, r.id) ${after ? ">" : "<"} (${ctx.p.text(at.created)}, ${ctx.p.text(at.id)})`;
  if (!sort) return rest;
  const row = order.keys;
  const cursor = sortKeys(sort, membersTable, ctx, { row: false, value: at.value }).keys;
  for (let i = row.length - 1; i >= 0; i--) {
    const r = row[i] as SortKey;
    const c = (cursor[i] as SortKey).expr;
    const greater = (r.dir === "ASC") === after;
    const beyond = `(${r.expr}) ${greater ? ">" : "<"} (${c})`;
    // NULLs stand last: after a present value comes a NULL; before a NULL comes a present value.
    const nulls = after
      ? `((${r.expr}) IS NULL AND (${c}) IS NOT NULL)`
      : `((${r.expr}) IS NOT NULL AND (${c}) IS NULL)`;
    rest = `((${beyond} OR ${nulls}) OR ((${r.expr}) IS NOT DISTINCT FROM (${c}) AND ${rest}))`;
  }
  return rest;
}
