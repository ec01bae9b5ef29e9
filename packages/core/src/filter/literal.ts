/**
 * Fits a comparison literal to the attribute it is compared with. A mismatch is reported rather
 * than left to match nothing: an IdP that gets an empty list for a filter it believes is valid
 * concludes the user is absent and creates a duplicate.
 */
import type { ToleranceContext, ToleranceName } from "../compat/tolerances.js";
import { err, ok, type Result } from "../result.js";
import type { AttributeDefinition } from "../schema/attribute.js";
import type { CompareOperator, FilterValue } from "./ast.js";
import type { Literal } from "./lexer.js";

const booleanWord = /^(?:true|false)$/i;
// xsd:dateTime (RFC 7643 §2.3.5) and a date alone; Date.parse alone accepts far too much.
const dateTimeShape = /^\d{4}-\d{2}-\d{2}(?:[Tt]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?)?$/;

const stringTypes = new Set(["string", "reference", "binary"]);
const substringOps = new Set<CompareOperator>(["co", "sw", "ew"]);

/** True when `s` is an RFC 7643 dateTime (or a plain date) that names a real instant. */
export function isDateTime(s: string): boolean {
  return dateTimeShape.test(s) && !Number.isNaN(Date.parse(s));
}

/**
 * Returns the value to store in the AST for `path op literal`. Tolerances that made it acceptable
 * are added to `used`; the caller fires them only once the whole filter parsed.
 */
export function fitLiteral(
  leaf: AttributeDefinition,
  op: CompareOperator,
  lit: Literal,
  path: string,
  tol: ToleranceContext,
  used: Set<ToleranceName>,
): Result<FilterValue, string> {
  const where = `"${path}"`;
  let value: FilterValue | undefined = lit.json;

  if (!lit.quoted) {
    if (leaf.type === "boolean" && value === undefined && booleanWord.test(lit.raw)) {
      // `True`/`FALSE`: Entra's legacy literals. JSON only has lower-case true and false.
      if (!tol.enabled("stringBooleans"))
        return err(`${lit.raw} is not a JSON literal: write true or false (attribute ${where})`);
      used.add("stringBooleans");
      value = lit.raw.toLowerCase() === "true";
    } else if (value === undefined || (value !== null && stringTypes.has(leaf.type) && typeof value !== "string")) {
      // Unquoted words (`externalId eq jyoung`), and unquoted numbers compared with strings
      // (`externalId eq 12345`), are legacy Entra forms; the text as written is the string meant.
      if (!tol.enabled("legacyFilterForms")) {
        if (value === undefined) return err(`value ${lit.raw} at position ${lit.position + 1} must be a quoted string`);
      } else {
        used.add("legacyFilterForms");
        value = lit.raw;
      }
    }
  }
  if (value === undefined) return err(`value ${lit.raw} at position ${lit.position + 1} must be a quoted string`);

  if (value === null) {
    if (op === "eq" || op === "ne") return ok(null);
    return err(`operator "${op}" cannot compare ${where} with null`);
  }

  switch (leaf.type) {
    case "boolean": {
      if (op !== "eq" && op !== "ne")
        return err(`operator "${op}" does not apply to boolean attribute ${where}: use eq or ne`);
      if (typeof value === "boolean") return ok(value);
      if (typeof value === "string" && booleanWord.test(value) && tol.enabled("stringBooleans")) {
        used.add("stringBooleans");
        return ok(value.toLowerCase() === "true");
      }
      return err(`attribute ${where} is boolean: compare it with true or false, not ${JSON.stringify(value)}`);
    }
    case "integer":
    case "decimal": {
      if (substringOps.has(op)) return err(`operator "${op}" does not apply to numeric attribute ${where}`);
      if (typeof value === "number") return ok(value);
      return err(`attribute ${where} is numeric: compare it with a number, not ${JSON.stringify(value)}`);
    }
    case "dateTime": {
      if (typeof value !== "string") return err(`attribute ${where} is a dateTime: compare it with a quoted timestamp`);
      if (!substringOps.has(op) && !isDateTime(value)) {
        return err(`${JSON.stringify(value)} is not a dateTime such as "2020-01-01T00:00:00Z" (attribute ${where})`);
      }
      return ok(value);
    }
    case "complex":
      return err(`attribute ${where} is complex: compare one of its sub-attributes`);
    default: {
      if (typeof value === "string") return ok(value);
      return err(`attribute ${where} is a string: quote the value (got ${JSON.stringify(value)})`);
    }
  }
}
