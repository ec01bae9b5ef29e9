/**
 * `sortBy` as SQL ORDER BY keys, with core's ordering (`compareForSort`, `sortValue`): missing
 * values last in both directions; numbers, then strings, then booleans when types are mixed;
 * case-insensitive strings by their folded form, then by their exact form; dateTimes by instant; a
 * multi-valued attribute by its primary value, else its first. Ties, and every row without the
 * attribute, fall back to `created`, then `id`, ascending.
 */
import type { AttributeRef, Sort } from "@scimkit/core/store";
import { extractedColumn, memberColumns, pick, sourceOf } from "./sources.js";
import type { CompileContext } from "./predicates.js";

/** The default order, and every sort's tie-break. */
export const DEFAULT_ORDER = "r.created ASC, r.id ASC";

export interface SortSql {
  /** A LATERAL join computing the sort value once per row, when the keys need one. */
  readonly join: string;
  readonly orderBy: string;
}

/** Keys for a text expression that is NULL when missing. */
function textKeys(t: string, ref: AttributeRef, dir: string, ctx: CompileContext): string[] {
  if (ref.leaf.type === "dateTime") {
    const ms = `${ctx.fn("instant_ms")}(${t})`;
    return [`${ms} ${dir} NULLS LAST`, `(CASE WHEN ${ms} IS NULL THEN ${t} END) COLLATE "C" ${dir} NULLS LAST`];
  }
  if (ref.leaf.caseExact) return [`${t} COLLATE "C" ${dir} NULLS LAST`];
  return [`lower(${t}) COLLATE "C" ${dir} NULLS LAST`, `${t} COLLATE "C" ${dir} NULLS LAST`];
}

/** The jsonb value `sortValue` orders a row by. */
function jsonSortValue(top: string, ref: AttributeRef, ctx: CompileContext): string {
  if (!ref.attribute.multiValued) return pick(top, ref.sub, ctx);
  const primary = `(SELECT a.e FROM jsonb_array_elements(${top}) WITH ORDINALITY AS a(e, o) WHERE a.e -> 'primary' = 'true'::jsonb ORDER BY a.o LIMIT 1)`;
  const element = `(CASE WHEN jsonb_typeof(${top}) = 'array' THEN COALESCE(${primary}, ${top} -> 0) ELSE ${top} END)`;
  return pick(element, ref.sub, ctx);
}

export function sortSql(sort: Sort | undefined, membersTable: string, ctx: CompileContext): SortSql {
  if (!sort) return { join: "", orderBy: DEFAULT_ORDER };
  const ref = sort.by;
  const dir = sort.order === "descending" ? "DESC" : "ASC";
  const keys = (list: readonly string[], join = "") => ({ join, orderBy: [...list, DEFAULT_ORDER].join(", ") });

  const col = extractedColumn(ref);
  if (col?.folded) {
    return keys([
      `r.${col.column} ${dir} NULLS LAST`,
      `(r.attributes ->> ${ctx.p.text(ref.name)}) COLLATE "C" ${dir} NULLS LAST`,
    ]);
  }
  if (col) return keys([`r.${col.column} ${dir} NULLS LAST`]);

  const src = sourceOf(ref, ctx.p);
  if (src.shape === "row") return keys(textKeys(src.sql, ref, dir, ctx));
  if (src.shape === "members") {
    const column = memberColumns[ref.sub ?? "value"];
    if (!column) return keys([]);
    // Members have no `primary`: the first member, in the order they were added.
    const first = `(SELECT ${column} FROM ${membersTable} m WHERE m.tenant = r.tenant AND m.group_id = r.id ORDER BY m.ord LIMIT 1)`;
    return keys(textKeys(first, ref, dir, ctx));
  }

  const k = "sk.v";
  const typeOf = `jsonb_typeof(${k})`;
  const text = `(CASE WHEN ${typeOf} = 'string' THEN ${k} #>> '{}' END)`;
  const list = [
    `(CASE WHEN ${typeOf} IS NULL OR ${typeOf} = 'null' THEN 1 ELSE 0 END) ASC`,
    `(CASE ${typeOf} WHEN 'number' THEN 0 WHEN 'string' THEN 1 WHEN 'boolean' THEN 2 ELSE 3 END) ${dir}`,
    `(CASE WHEN ${typeOf} = 'number' THEN (${k})::numeric END) ${dir} NULLS LAST`,
    ...textKeys(text, ref, dir, ctx),
    `(CASE WHEN ${typeOf} = 'boolean' THEN (${k})::boolean END) ${dir} NULLS LAST`,
  ];
  return keys(list, `LEFT JOIN LATERAL (SELECT ${jsonSortValue(src.top, ref, ctx)} AS v) sk ON true`);
}
