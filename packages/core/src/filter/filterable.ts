/**
 * Which attributes a filter may name, decided in core before any store sees the filter so the
 * memory store, PostgreSQL and any host store give the same answer: a 400 `invalidFilter` naming
 * the attribute, never an empty result for a filter that could not have matched (an IdP reads an
 * empty list as "absent" and creates a duplicate).
 *
 * - `returned: "never"` and writeOnly attributes are refused: RFC 7643 §7 lets a provider allow
 *   them in filters, but a filter on a value nobody can read is an oracle for it (a hash, a PIN).
 * - Values the response derives rather than stores are refused in resource queries: User `groups`
 *   (from Group membership: filter `/Groups` on `members.value` instead), `meta.location` and
 *   `members.$ref` (both built from the request's base URL).
 * - `meta.version` compares the entity tag a client sees, `W/"3"` (RFC 7644 §3.14), with `eq` and
 *   `ne` only, as versions are opaque. Stores keep the bare revision, so the literal is translated
 *   here: `meta.version eq "W/\"3\""` reaches every store as `meta.version eq "3"`.
 */
import { err, ok, type Result } from "../result.js";
import type { AttributeRef } from "../schema/registry.js";
import { isHidden } from "../schema/returned.js";
import { URN } from "../schema/urns.js";
import type { CompareOperator, FilterValue } from "./ast.js";

const isMeta = (ref: AttributeRef, sub: string) => !ref.extension && ref.name === "meta" && ref.sub === sub;

/**
 * Refuses a reference a filter may not use. `query` is true for a resource query's filter and
 * false for a PATCH value filter, which reads stored elements (so the derived-value rules, about
 * rendered values, do not apply to it).
 */
export function checkFilterable(ref: AttributeRef, path: string, query: boolean): Result<AttributeRef, string> {
  if (isHidden(ref.attribute) || isHidden(ref.leaf))
    return err(`attribute "${path}" is never returned, so it cannot be filtered on`);
  if (!query) return ok(ref);
  if (!ref.extension && ref.schema === URN.User && ref.name === "groups") {
    return err(
      `attribute "${path}" is derived from Group membership and cannot be filtered on; filter /Groups by members.value instead`,
    );
  }
  if (isMeta(ref, "location"))
    return err(`attribute "${path}" is derived from the request URL and cannot be filtered on; filter by id instead`);
  if (!ref.extension && ref.schema === URN.Group && ref.name === "members" && ref.sub === "$ref") {
    return err(
      `attribute "${path}" is derived from the request URL and cannot be filtered on; filter by members.value instead`,
    );
  }
  return ok(ref);
}

/** `W/"<tag>"`: the only form a rendered `meta.version` takes (http/etag.ts). */
const weakTag = /^W\/"([^"]*)"$/;

/** The literal a store compares `meta.version` with; any other attribute's literal is unchanged. */
export function fitVersion(
  ref: AttributeRef,
  op: CompareOperator,
  value: FilterValue,
  path: string,
): Result<FilterValue, string> {
  if (!isMeta(ref, "version")) return ok(value);
  if (op !== "eq" && op !== "ne")
    return err(`operator "${op}" does not apply to "${path}": versions are opaque, compare them with eq or ne`);
  if (value === null) return ok(value);
  const tag = typeof value === "string" ? weakTag.exec(value) : null;
  if (!tag || tag[1] === undefined)
    return err(`"${path}" is compared with an entity tag as the server returns it, such as "W/\\"3\\""`);
  return ok(tag[1]);
}
