/**
 * Comparing one attribute value with a filter literal, and two values for `sortBy`, by the
 * attribute's type (RFC 7644 §3.4.2.2): strings honour `caseExact`, dateTimes compare as instants,
 * numbers numerically, booleans by equality only. Everything a literal needs (folding, parsing a
 * timestamp) is done once when the test is built, not once per candidate resource.
 */
import type { AttributeDefinition } from "../schema/attribute.js";
import type { JsonValue } from "../json.js";
import type { CompareOperator } from "./ast.js";

/** Tests one present (non-null) value. */
export type ValueTest = (candidate: JsonValue) => boolean;

/**
 * Milliseconds since the epoch for an RFC 7643 dateTime; NaN when it is not one. A timestamp without
 * a zone is read as UTC so results never depend on the server's local time zone.
 */
export function instant(s: string): number {
  const last = s.charCodeAt(s.length - 1);
  if (last === 90 /* Z */ || last === 122 /* z */) return Date.parse(s);
  const t = s.indexOf("T") > 0 ? s.indexOf("T") : s.indexOf("t");
  if (t < 0) return Date.parse(s); // a date alone is already UTC
  const sign = s.charCodeAt(s.length - 6);
  if ((sign === 43 /* + */ || sign === 45) /* - */ && s.length - 6 > t) return Date.parse(s);
  return Date.parse(`${s}Z`);
}

/** True unless the value is absent, null, "", [] or {} (RFC 7644 `pr`). */
export function isPresent(v: JsonValue | undefined): boolean {
  if (v === undefined || v === null || v === "") return false;
  if (Array.isArray(v)) {
    for (const el of v) if (isPresent(el)) return true;
    return false;
  }
  if (typeof v === "object") {
    for (const key in v) if (isPresent(v[key])) return true;
    return false;
  }
  return true;
}

function order(op: CompareOperator, c: number): boolean {
  switch (op) {
    case "eq":
      return c === 0;
    case "ne":
      return c !== 0;
    case "gt":
      return c > 0;
    case "ge":
      return c >= 0;
    case "lt":
      return c < 0;
    case "le":
      return c <= 0;
    default:
      return false;
  }
}

const sign = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0);

/** Builds the test for `<value of leaf> op literal`; the literal is not null. */
export function valueTest(
  leaf: AttributeDefinition,
  op: CompareOperator,
  literal: string | number | boolean,
): ValueTest {
  if (typeof literal === "boolean") {
    return op === "ne" ? (c) => c !== literal : op === "eq" ? (c) => c === literal : () => false;
  }
  if (typeof literal === "number") {
    return (c) => typeof c === "number" && order(op, sign(c, literal));
  }
  if (leaf.type === "dateTime" && op !== "co" && op !== "sw" && op !== "ew") {
    const at = instant(literal);
    return (c) => {
      if (typeof c !== "string") return op === "ne";
      const t = instant(c);
      if (Number.isNaN(t)) return op === "ne";
      return order(op, sign(t, at));
    };
  }
  return stringTest(op, literal, leaf.caseExact);
}

function stringTest(op: CompareOperator, literal: string, caseExact: boolean): ValueTest {
  const lit = caseExact ? literal : literal.toLowerCase();
  const fold = caseExact ? (s: string) => s : (s: string) => s.toLowerCase();
  switch (op) {
    case "eq":
      return (c) => typeof c === "string" && (c === lit || fold(c) === lit);
    case "ne":
      return (c) => typeof c !== "string" || (c !== lit && fold(c) !== lit);
    case "co":
      return (c) => typeof c === "string" && fold(c).includes(lit);
    case "sw":
      return (c) => typeof c === "string" && fold(c).startsWith(lit);
    case "ew":
      return (c) => typeof c === "string" && fold(c).endsWith(lit);
    default:
      return (c) => typeof c === "string" && order(op, sign(fold(c), lit));
  }
}

const typeRank = (v: JsonValue) =>
  typeof v === "number" ? 0 : typeof v === "string" ? 1 : typeof v === "boolean" ? 2 : 3;

/**
 * Orders two values of `leaf` for `sortBy` (RFC 7644 §3.4.2.3), ascending. A missing value
 * (undefined or null) sorts after every present one. The RFC leaves descending order of missing
 * values open; scimkit keeps them last in both directions, so callers reverse the result only when
 * both values are present.
 */
export function compareForSort(leaf: AttributeDefinition, a: JsonValue | undefined, b: JsonValue | undefined): number {
  const aMissing = a === undefined || a === null;
  const bMissing = b === undefined || b === null;
  if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
  if (typeof a === "string" && typeof b === "string") {
    if (leaf.type === "dateTime") {
      const ta = instant(a);
      const tb = instant(b);
      if (!Number.isNaN(ta) && !Number.isNaN(tb)) return sign(ta, tb);
    }
    return leaf.caseExact ? sign(a, b) : sign(a.toLowerCase(), b.toLowerCase()) || sign(a, b);
  }
  if (typeof a === "number" && typeof b === "number") return sign(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  return typeRank(a) - typeRank(b);
}
