/**
 * The core filter AST → a parameterised SQL predicate over `resources r`, with exactly the meaning
 * of core's in-memory evaluator (`filter/evaluate.ts`), so a query answers the same on every store:
 *
 * - a comparison on a multi-valued attribute holds when any value passes; `ne` also holds when the
 *   attribute has no value;
 * - `pr` holds for anything but absent, null, "", [] and {};
 * - `attr[inner]` holds when one element of `attr` satisfies `inner` as a whole;
 * - `not` is `IS NOT TRUE`, so SQL's NULL never turns a false into an unknown.
 *
 * Values only ever reach SQL as parameters; attribute names and URNs too.
 */
import type { AttributeRef, Filter } from "@scimkit/core/store";
import { extractedSubColumns } from "../sql/extract.js";
import { fold } from "../sql/fold.js";
import { elementsOf, extractedColumn, memberColumns, pick, sourceOf } from "./sources.js";
import {
  jsonNonEmpty,
  jsonPresent,
  jsonTest,
  keyTest,
  lookupTest,
  textNonEmpty,
  textTest,
  type CompileContext,
} from "./predicates.js";

type CompareFilter = Extract<Filter, { kind: "compare" }>;

/**
 * True when the compiler handles every node of `filter`. Only a value filter nested in another,
 * which core's parser never produces, is left to core's in-memory evaluation.
 */
export function canCompile(filter: Filter): boolean {
  switch (filter.kind) {
    case "and":
    case "or":
      return filter.filters.every(canCompile);
    case "not":
      return canCompile(filter.filter);
    case "valuePath":
      return !containsValuePath(filter.filter) && canCompile(filter.filter);
    case "compare":
    case "present":
      return true;
    default:
      return false;
  }
}

function containsValuePath(f: Filter): boolean {
  if (f.kind === "valuePath") return true;
  if (f.kind === "and" || f.kind === "or") return f.filters.some(containsValuePath);
  if (f.kind === "not") return containsValuePath(f.filter);
  return false;
}

const not = (sql: string) => `((${sql}) IS NOT TRUE)`;
const group = (kind: "and" | "or", parts: readonly string[]) =>
  parts.length === 0 ? (kind === "and" ? "true" : "false") : `(${parts.join(kind === "and" ? " AND " : " OR ")})`;

/**
 * `emails.value eq "x"` or `sw "x"` somewhere a match needs it: the node `f` itself, or one
 * conjunct of it.
 */
function emailLookup(f: Filter): { readonly op: "eq" | "sw"; readonly value: string } | undefined {
  if (f.kind === "and") {
    for (const part of f.filters) {
      const found = emailLookup(part);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (f.kind !== "compare" || f.attr.extension || f.attr.name !== "emails" || f.attr.sub !== "value") return undefined;
  return (f.op === "eq" || f.op === "sw") && typeof f.value === "string" && f.value !== ""
    ? { op: f.op, value: f.value }
    : undefined;
}

/**
 * The column holding `ref` when it names a sub-attribute that has one (`name.familyName`), for a
 * comparison that can use its index: only on the singular core attribute, and only when the
 * comparison ignores case, since the column is folded.
 */
function subColumn(ref: AttributeRef) {
  if (ref.extension || ref.sub === undefined || ref.attribute.multiValued) return undefined;
  if (ref.leaf.caseExact || ref.leaf.type !== "string") return undefined;
  const subs = Object.hasOwn(extractedSubColumns, ref.name) ? extractedSubColumns[ref.name] : undefined;
  return subs && Object.hasOwn(subs, ref.sub) ? subs[ref.sub] : undefined;
}

const membersOfRow = "FROM {members} m WHERE m.tenant = r.tenant AND m.group_id = r.id";

export type FilterCompiler = (filter: Filter) => string;

/** Returns a compiler bound to the store's members table and the statement's parameters. */
export function filterCompiler(membersTable: string, ctx: CompileContext): FilterCompiler {
  const membersFrom = membersOfRow.replace("{members}", membersTable);
  /** How many `not`s enclose the node being compiled. */
  let negations = 0;

  /** Holds when some value of `ref` satisfies `test` (which receives a jsonb value expression). */
  function someJson(top: string, ref: AttributeRef, test: (x: string) => string): string {
    if (!ref.attribute.multiValued) {
      const x = ref.sub === undefined ? top : pick(top, ref.sub, ctx);
      return test(x);
    }
    return `EXISTS (SELECT 1 FROM ${elementsOf(top)} AS e(el) WHERE ${test(pick("e.el", ref.sub, ctx))})`;
  }

  function compare(f: CompareFilter): string {
    const { attr: ref, op, value } = f;
    const leaf = ref.leaf;
    // Parameters are bound only for SQL that is emitted: an unreferenced one has no type and fails.
    const col = value === null ? undefined : (extractedColumn(ref) ?? subColumn(ref));
    if (col && value !== null) {
      const c = `r.${col.column}`;
      if (col.json === "boolean") {
        if (typeof value === "boolean" && (op === "eq" || op === "ne")) {
          const b = `${ctx.p.add(value)}::boolean`;
          return op === "eq" ? `${c} = ${b}` : `${c} IS DISTINCT FROM ${b}`;
        }
      } else if (typeof value === "string") {
        // A non-string value leaves the column NULL and differs from every string, so for `ne`
        // "NULL or different" is the whole answer; the other operators need a value.
        if (op === "ne") return `${c} IS DISTINCT FROM ${ctx.p.text(col.folded ? value.toLowerCase() : value)}`;
        // The lookups IdPs make: through the lookup index, whatever the planner's statistics. Under
        // a `not` no index serves them, and the key function would only cost a call per row.
        if ((op === "eq" || op === "sw") && leaf.type !== "dateTime" && negations === 0)
          return lookupTest(c, op, col.folded ? value.toLowerCase() : value, ctx);
        return textTest(c, leaf, op, value, ctx, col.folded);
      }
    }

    const src = sourceOf(ref, ctx.p);
    if (src.shape === "row") {
      // id and meta.* always have a value.
      if (value === null) return op === "eq" ? "false" : "true";
      return textTest(src.sql, leaf, op, value, ctx);
    }

    let any: () => string;
    let passes: () => string;
    if (src.shape === "members") {
      const column = ref.sub === undefined ? memberColumns["value"] : memberColumns[ref.sub];
      any = () => (column ? `EXISTS (SELECT 1 ${membersFrom} AND ${column} IS NOT NULL)` : "false");
      passes = () =>
        column && value !== null
          ? `EXISTS (SELECT 1 ${membersFrom} AND ${textTest(column, leaf, op, value, ctx)})`
          : "false";
    } else {
      any = () => someJson(src.top, ref, jsonPresent);
      passes = () => (value === null ? "false" : someJson(src.top, ref, (x) => jsonTest(x, leaf, op, value, ctx)));
    }
    if (value === null) return op === "eq" ? not(any()) : any();
    // `ne` also holds when the attribute has no value at all.
    return op === "ne" ? `(${not(any())} OR ${passes()})` : passes();
  }

  function present(ref: AttributeRef): string {
    const src = sourceOf(ref, ctx.p);
    if (src.shape === "row") return textNonEmpty(src.sql);
    if (src.shape === "members") {
      if (ref.sub === undefined) return `EXISTS (SELECT 1 ${membersFrom})`;
      const column = memberColumns[ref.sub];
      return column ? `EXISTS (SELECT 1 ${membersFrom} AND ${textNonEmpty(column)})` : "false";
    }
    if (ref.sub === undefined) return jsonNonEmpty(src.top);
    return someJson(src.top, ref, jsonNonEmpty);
  }

  /** A filter applied to one element `el` (jsonb) of a multi-valued attribute, inside `attr[…]`. */
  function onElement(f: Filter, el: string): string {
    switch (f.kind) {
      case "and":
      case "or":
        return group(
          f.kind,
          f.filters.map((x) => onElement(x, el)),
        );
      case "not":
        return not(onElement(f.filter, el));
      case "present":
        return jsonNonEmpty(pick(el, f.attr.sub, ctx));
      case "valuePath":
        return "false";
      case "compare": {
        const v = pick(el, f.attr.sub, ctx);
        if (f.value === null) return f.op === "eq" ? not(jsonPresent(v)) : jsonPresent(v);
        const passes = jsonTest(v, f.attr.leaf, f.op, f.value, ctx);
        return f.op === "ne" ? `(${not(jsonPresent(v))} OR ${passes})` : passes;
      }
    }
  }

  /** The same, for one row `m` of the members table. */
  function onMember(f: Filter): string {
    switch (f.kind) {
      case "and":
      case "or":
        return group(f.kind, f.filters.map(onMember));
      case "not":
        return not(onMember(f.filter));
      case "present": {
        const column = memberColumns[f.attr.sub ?? "value"];
        return column ? textNonEmpty(column) : "false";
      }
      case "valuePath":
        return "false";
      case "compare": {
        const column = memberColumns[f.attr.sub ?? "value"];
        // An unstored sub-attribute (`$ref`) is absent: it equals null and differs from any value.
        if (!column) return (f.value === null ? f.op === "eq" : f.op === "ne") ? "true" : "false";
        if (f.value === null) return f.op === "eq" ? `${column} IS NULL` : `${column} IS NOT NULL`;
        const passes = textTest(column, f.attr.leaf, f.op, f.value, ctx);
        return f.op === "ne" ? `(${column} IS NULL OR ${passes})` : passes;
      }
    }
  }

  function valuePath(ref: AttributeRef, inner: Filter): string {
    const src = sourceOf(ref, ctx.p);
    if (src.shape === "members") return `EXISTS (SELECT 1 ${membersFrom} AND ${onMember(inner)})`;
    if (src.shape === "row") return "false";
    return `(${jsonPresent(src.top)} AND EXISTS (SELECT 1 FROM ${elementsOf(src.top)} AS e(el) WHERE ${onElement(inner, "e.el")}))`;
  }

  /**
   * Entra matches users with `emails[type eq "work"].value eq "…"`, Okta and admins' searches with
   * `emails.value eq` or `sw`: every match has such an address among its folded ones, so the ids
   * holding one are read from the addresses table first (once per statement: an uncorrelated
   * subquery), and the exact test stays. It narrows the rows and never changes the answer. Under a
   * `not` no index helps, and the lookup would only cost.
   */
  function withEmailIndex(f: Filter, exact: () => string): string {
    const emails = ctx.emails;
    if (emails === undefined || negations > 0) return exact();
    const lookup =
      f.kind === "valuePath" && !f.attr.extension && f.attr.name === "emails" ? emailLookup(f.filter) : emailLookup(f);
    if (lookup === undefined) return exact();
    const match = keyTest("e.email", lookup.op, fold(lookup.value), ctx);
    const holders = `SELECT e.id FROM ${emails.table} e WHERE e.tenant = ${emails.tenant} AND e.type = ${emails.type}`;
    return `(r.id = ANY (ARRAY(${holders} AND ${match})) AND ${exact()})`;
  }

  const compile: FilterCompiler = (f) => {
    switch (f.kind) {
      case "and":
      case "or":
        return group(f.kind, f.filters.map(compile));
      case "not": {
        negations += 1;
        try {
          return not(compile(f.filter));
        } finally {
          negations -= 1;
        }
      }
      case "present":
        return present(f.attr);
      case "valuePath":
        return withEmailIndex(f, () => valuePath(f.attr, f.filter));
      case "compare":
        return withEmailIndex(f, () => compare(f));
    }
  };
  return compile;
}
