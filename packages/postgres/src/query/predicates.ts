/**
 * One comparison as SQL, with the in-memory evaluator's meaning (core `filter/compare.ts`): strings
 * honour `caseExact`, dateTimes compare as instants, numbers numerically, booleans by identity, and
 * a value of another JSON type than the literal never matches (except for `ne`, which it satisfies).
 *
 * Every `…Test` function returns SQL that is TRUE exactly when the value is present and passes; it
 * may be NULL where it does not, which callers treat as false (negation uses `IS NOT TRUE`).
 */
import type { AttributeDefinition } from "@scimkit/core";
import type { CompareOperator } from "@scimkit/core/store";
import type { Params } from "../sql/params.js";
import { instantMs } from "./instant.js";

export interface CompileContext {
  readonly p: Params;
  /** Schema-qualified name of one of the store's SQL functions. */
  readonly fn: (name: "instant_ms" | "lookup_key") => string;
  /**
   * The addresses table (sql/emails.ts) and the placeholders of the statement's tenant and type:
   * with them, `emails.value eq` and `sw` are looked up there first.
   */
  readonly emails?: { readonly table: string; readonly tenant: string; readonly type: string } | undefined;
}

const ORDER_OPS: Readonly<Partial<Record<CompareOperator, string>>> = { gt: ">", ge: ">=", lt: "<", le: "<=" };
const isSubstring = (op: CompareOperator) => op === "co" || op === "sw" || op === "ew";

/** A LIKE pattern matching `text` literally, as a substring, prefix or suffix. */
export function likePattern(op: "co" | "sw" | "ew", text: string): string {
  const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`);
  return op === "sw" ? `${escaped}%` : op === "ew" ? `%${escaped}` : `%${escaped}%`;
}

/** The jsonb value is there: not SQL NULL (absent) and not JSON null. */
export const jsonPresent = (x: string) => `(jsonb_typeof(${x}) IS NOT NULL AND jsonb_typeof(${x}) <> 'null')`;

const NON_EMPTY_PATH = `'strict $.** ? (@.type() == "number" || @.type() == "boolean" || (@.type() == "string" && @ != ""))'`;

/** RFC 7644 `pr` on a jsonb value: something other than null, "", [] or {} somewhere inside. */
export const jsonNonEmpty = (x: string) =>
  `(CASE jsonb_typeof(${x}) WHEN 'string' THEN ${x} <> '""'::jsonb WHEN 'number' THEN true WHEN 'boolean' THEN true ` +
  `WHEN 'array' THEN jsonb_path_exists(${x}, ${NON_EMPTY_PATH}) WHEN 'object' THEN jsonb_path_exists(${x}, ${NON_EMPTY_PATH}) ELSE false END)`;

export const textNonEmpty = (c: string) => `(${c} IS NOT NULL AND ${c} <> '')`;

/** A string comparison of text `c` (known present and a string) with a string literal. */
function stringCompare(
  c: string,
  op: CompareOperator,
  literal: string,
  caseExact: boolean,
  ctx: CompileContext,
  preFolded: boolean,
): string {
  // `preFolded`: `c` already holds the value lower-cased by the store, so the literal is folded here alike.
  const value = preFolded ? literal.toLowerCase() : literal;
  const fold = (s: string) => (caseExact || preFolded ? s : `lower(${s})`);
  if (isSubstring(op)) return `${fold(c)} LIKE ${fold(ctx.p.text(likePattern(op as "co" | "sw" | "ew", value)))}`;
  const lit = ctx.p.text(value);
  if (op === "eq") return `${fold(c)} = ${fold(lit)}`;
  if (op === "ne") return `${fold(c)} <> ${fold(lit)}`;
  return `(${fold(c)} COLLATE "C") ${ORDER_OPS[op]} (${fold(lit)} COLLATE "C")`;
}

function instantCompare(ms: string, op: CompareOperator, literal: string, ctx: CompileContext): string {
  const at = ctx.p.add(String(instantMs(literal)));
  // An unreadable stored timestamp differs from every literal and is in no order with it.
  if (op === "ne") return `(${ms} IS NULL OR ${ms} <> ${at}::bigint)`;
  if (op === "eq") return `${ms} = ${at}::bigint`;
  return `${ms} ${ORDER_OPS[op]} ${at}::bigint`;
}

/** `x op literal` for a jsonb value `x`, per the attribute definition `leaf`. */
export function jsonTest(
  x: string,
  leaf: AttributeDefinition,
  op: CompareOperator,
  literal: string | number | boolean,
  ctx: CompileContext,
): string {
  if (typeof literal === "boolean") {
    if (op !== "eq" && op !== "ne") return "false";
    const lit = ctx.p.text(literal ? "true" : "false");
    return op === "eq" ? `${x} = ${lit}::jsonb` : `(${jsonPresent(x)} AND ${x} <> ${lit}::jsonb)`;
  }
  if (typeof literal === "number") {
    if (isSubstring(op)) return "false";
    const n = `(CASE WHEN jsonb_typeof(${x}) = 'number' THEN (${x})::numeric END)`;
    const lit = `${ctx.p.add(String(literal))}::numeric`;
    return `${n} ${op === "eq" ? "=" : op === "ne" ? "<>" : ORDER_OPS[op]} ${lit}`;
  }
  const text = `(${x} #>> '{}')`;
  const isString = `jsonb_typeof(${x}) = 'string'`;
  if (leaf.type === "dateTime" && !isSubstring(op)) {
    const ms = `${ctx.fn("instant_ms")}(CASE WHEN ${isString} THEN ${text} END)`;
    return `(${jsonPresent(x)} AND ${instantCompare(ms, op, literal, ctx)})`;
  }
  if (op === "ne")
    return `(${jsonPresent(x)} AND (NOT ${isString} OR ${stringCompare(text, op, literal, leaf.caseExact, ctx, false)}))`;
  return `(${isString} AND ${stringCompare(text, op, literal, leaf.caseExact, ctx, false)})`;
}

/**
 * `c op literal` for a text expression `c` that is NULL when the value is absent and otherwise a
 * string (row columns, member columns, extracted string columns).
 */
export function textTest(
  c: string,
  leaf: AttributeDefinition,
  op: CompareOperator,
  literal: string | number | boolean,
  ctx: CompileContext,
  preFolded = false,
): string {
  // A string never equals a boolean or a number, and differs from each.
  if (typeof literal !== "string") return op === "ne" ? `${c} IS NOT NULL` : "false";
  if (leaf.type === "dateTime" && !isSubstring(op)) {
    return `(${c} IS NOT NULL AND ${instantCompare(`${ctx.fn("instant_ms")}(${c})`, op, literal, ctx)})`;
  }
  return `(${c} IS NOT NULL AND ${stringCompare(c, op, literal, leaf.caseExact, ctx, preFolded)})`;
}

/**
 * The least string above every string that starts with `prefix`, in code point order (the order of
 * `COLLATE "C"` on UTF-8): the prefix with its last code point incremented, skipping surrogates;
 * undefined when there is none (an empty prefix, or one of only U+10FFFF).
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()?.codePointAt(0) ?? 0;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join("") + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/**
 * `eq` and `sw` on a lookup column `column` (an extracted column, e.g. `r.user_name_ci`), with
 * `value` already folded when the column is: through `lookup_key()`, so that they match its index
 * and no plan tests them row by row (migration 4 says why). A prefix becomes the range of keys it
 * spans, which the index reads; the exact LIKE stays as a cheap check on the column itself.
 */
export function lookupTest(column: string, op: "eq" | "sw", value: string, ctx: CompileContext): string {
  const keyed = keyTest(`${ctx.fn("lookup_key")}(${column})`, op, value, ctx);
  return op === "eq" ? keyed : `(${keyed} AND ${column} LIKE ${ctx.p.text(likePattern("sw", value))})`;
}

/**
 * `eq` and `sw` on an indexed key `key` as an index reads them: equality, or the range of keys a
 * prefix spans (code point order, `COLLATE "C"`).
 */
export function keyTest(key: string, op: "eq" | "sw", value: string, ctx: CompileContext): string {
  if (op === "eq") return `${key} = ${ctx.p.text(value)}`;
  const upper = prefixUpperBound(value);
  return `${key} >= ${ctx.p.text(value)}${upper === undefined ? "" : ` AND ${key} < ${ctx.p.text(upper)}`}`;
}
