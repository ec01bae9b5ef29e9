/**
 * Where a filter or sort attribute lives in SQL. The view core filters in memory (`resourceView`)
 * is the stored attributes plus `id`, `meta` and, for Groups, `members`; each maps here to:
 *
 * - an extracted column (`userName`, `displayName`, `externalId`, `active`) for comparisons that
 *   can use its index;
 * - a column of the row (`id`, `meta.*`), which is always present;
 * - the members table (`members.*`), never the group's document;
 * - a jsonb path into `attributes`, extension attributes under their schema URN.
 */
import type { AttributeRef } from "@scimkit/core/store";
import { extractedColumns } from "../sql/extract.js";
import type { Params } from "../sql/params.js";
import type { CompileContext } from "./predicates.js";

/** A text column of the row that always holds a value. */
export interface RowColumn {
  readonly shape: "row";
  readonly sql: string;
}

/** The jsonb value of the attribute at the top level of the view (null when absent). */
export interface JsonTop {
  readonly shape: "json";
  /** jsonb expression for the attribute itself. */
  readonly top: string;
}

export interface MembersTable {
  readonly shape: "members";
}

export type Source = RowColumn | JsonTop | MembersTable;

const metaColumns: Readonly<Record<string, string>> = {
  resourceType: "r.type",
  created: "r.created",
  lastModified: "r.last_modified",
  version: "r.version::text",
};

/** The jsonb object `meta` reads as in the view, for the rare filter that takes it whole. */
const metaObject = `jsonb_build_object('resourceType', r.type, 'created', r.created, 'lastModified', r.last_modified, 'version', r.version::text)`;

export function sourceOf(ref: AttributeRef, p: Params): Source {
  if (!ref.extension) {
    if (ref.name === "id") return { shape: "row", sql: "r.id" };
    if (ref.name === "members") return { shape: "members" };
    if (ref.name === "meta") {
      const column = ref.sub === undefined ? undefined : metaColumns[ref.sub];
      if (column) return { shape: "row", sql: column };
      return { shape: "json", top: metaObject };
    }
    return { shape: "json", top: `(r.attributes -> ${p.text(ref.name)})` };
  }
  return { shape: "json", top: `(r.attributes -> ${p.text(ref.schema)} -> ${p.text(ref.name)})` };
}

/** The extracted column for `ref`, when it names exactly a top-level attribute that has one. */
export function extractedColumn(
  ref: AttributeRef,
): { readonly column: string; readonly folded: boolean; readonly json: "string" | "boolean" } | undefined {
  if (ref.extension || ref.sub !== undefined) return undefined;
  const col = Object.hasOwn(extractedColumns, ref.name) ? extractedColumns[ref.name] : undefined;
  if (!col) return undefined;
  // A folded column answers only case-insensitive comparisons.
  if (col.folded && ref.leaf.caseExact) return undefined;
  return col;
}

/** Member columns as the view names them; `$ref` is not stored, so it is always absent. */
export const memberColumns: Readonly<Record<string, string>> = {
  value: "m.member_id",
  type: "m.member_type",
  display: "m.display",
};

/** Elements of a jsonb value that may be an array: its elements, or the value itself. */
export const elementsOf = (top: string) =>
  `jsonb_array_elements(CASE WHEN jsonb_typeof(${top}) = 'array' THEN ${top} ELSE jsonb_build_array(${top}) END)`;

/**
 * The compared part of one jsonb value (core's `pick`): its `sub` when it is an object; for a path
 * without a sub-attribute its `value`, a plain value standing for its own `value`.
 */
export function pick(el: string, sub: string | undefined, ctx: CompileContext): string {
  if (sub === undefined || sub === "value")
    return `(CASE WHEN jsonb_typeof(${el}) = 'object' THEN ${el} -> 'value' ELSE ${el} END)`;
  return `(${el} -> ${ctx.p.text(sub)})`;
}
