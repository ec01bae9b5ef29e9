/**
 * The PATCH path grammar (RFC 7644 §3.5.2): `attr`, `attr.sub`, `attr[filter]`,
 * `attr[filter].sub`, each optionally URN-qualified (`urn:…:enterprise:2.0:User:manager.value`),
 * plus a bare schema URN naming a whole extension. Names resolve through the schema registry, so
 * the result carries canonical names and definitions.
 */
import type { ToleranceContext } from "../compat/tolerances.js";
import type { Filter } from "../filter/ast.js";
import { err, ok, type Result } from "../result.js";
import type { SchemaDefinition } from "../schema/attribute.js";
import type { AttributeRef, SchemaRegistry } from "../schema/registry.js";
import { parseValueFilter } from "./value-filter.js";

export type PatchPath =
  /** `attr` or `attr.sub`; `ref.sub` is set for the latter. */
  | { readonly kind: "attribute"; readonly ref: AttributeRef }
  /** `attr[filter]`, or `attr[filter].sub` when `sub` is set (resolved as `attr.sub`). */
  | {
      readonly kind: "filtered";
      readonly ref: AttributeRef;
      readonly filter: Filter;
      readonly sub?: AttributeRef | undefined;
    }
  /** A bare schema URN: the core schema's or one extension's attributes as a whole. */
  | { readonly kind: "schema"; readonly schema: SchemaDefinition; readonly extension: boolean };

/**
 * Why a path failed: `unknown` names an attribute or schema the resource type does not have (the
 * `skipUnknownAttributes` tolerance may skip it); `malformed` is anything else.
 */
export interface PathError {
  readonly reason: "unknown" | "malformed";
  readonly detail: string;
}

const malformed = (detail: string) => err<PathError>({ reason: "malformed", detail });
const unknown = (detail: string) => err<PathError>({ reason: "unknown", detail });

/** `[urn:…:]name[.sub]`; the URN part is greedy so a URN holding dots (`2.0`) stays whole. */
const attrPath = /^(?:urn:[^[\]\s"]+:)?[A-Za-z$][\w$-]*(?:\.[A-Za-z$][\w$-]*)?$/i;
const subName = /^[A-Za-z$][\w$-]*$/;

/** Index of the `]` closing the bracket opened at `open`, skipping quoted strings and escapes. */
function closingBracket(text: string, open: number): number {
  let quoted = false;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === "\\") i++;
    else if (c === '"') quoted = !quoted;
    else if (c === "]" && !quoted) return i;
  }
  return -1;
}

function resolveAttribute(registry: SchemaRegistry, typeId: string, text: string): Result<AttributeRef, PathError> {
  if (!attrPath.test(text)) return malformed(`Invalid path "${text}"`);
  const ref = registry.resolve(typeId, text);
  return ref.ok ? ok(ref.value) : unknown(`Unknown attribute "${text}"`);
}

/**
 * Entra removes a manager with `manager[value eq "id"]`, naming the enterprise extension's
 * attribute without its URN (tolerance 9). With that tolerance on, a bare `manager` that the core
 * schema lacks is the one extension attribute of that name; otherwise null (resolve as usual).
 */
function managerOf(
  registry: SchemaRegistry,
  typeId: string,
  text: string,
  tol: ToleranceContext,
): Result<AttributeRef, PathError> | null {
  if (text.toLowerCase() !== "manager" || !tol.enabled("managerAsString") || registry.resolve(typeId, text).ok)
    return null;
  const owners = registry
    .resourceType(typeId)
    .extensions.filter((e) => e.attributes.some((a) => a.name.toLowerCase() === "manager"));
  const [owner] = owners;
  if (owners.length !== 1 || owner === undefined) return null;
  return resolveAttribute(registry, typeId, `${owner.id}:${text}`);
}

/**
 * Parses and resolves a PATCH `path` for resource type `typeId`.
 *
 * @example
 * parsePatchPath(registry, "User", 'emails[type eq "work"].value', tol);
 * // ok({ kind: "filtered", ref: <emails>, filter: <type eq "work">, sub: <emails.value> })
 */
export function parsePatchPath(
  registry: SchemaRegistry,
  typeId: string,
  text: string,
  tol: ToleranceContext,
): Result<PatchPath, PathError> {
  const path = text.trim();
  const schema = registry.schema(path);
  if (schema && registry.isSchemaOf(typeId, path)) {
    return ok({ kind: "schema", schema, extension: schema.id !== registry.resourceType(typeId).core.id });
  }
  const open = path.indexOf("[");
  if (open === -1) {
    const ref = resolveAttribute(registry, typeId, path);
    return ref.ok ? ok({ kind: "attribute", ref: ref.value }) : ref;
  }
  const close = closingBracket(path, open);
  if (close === -1) return malformed(`Unclosed "[" in path "${path}"`);
  const rest = path.slice(close + 1);
  if (rest !== "" && !(rest.startsWith(".") && subName.test(rest.slice(1)))) return malformed(`Invalid path "${path}"`);

  const ref =
    managerOf(registry, typeId, path.slice(0, open), tol) ?? resolveAttribute(registry, typeId, path.slice(0, open));
  if (!ref.ok) return ref;
  const { attribute } = ref.value;
  if (ref.value.sub !== undefined || attribute.type !== "complex") {
    return malformed(`A value filter needs a complex attribute in path "${path}"`);
  }
  // RFC 7644 allows filters on multi-valued attributes only; Entra removes a manager with
  // `manager[value eq "id"]`, which tolerance 9 reads as "the manager, if it is this one".
  if (!attribute.multiValued && !tol.enabled("managerAsString")) {
    return malformed(`"${attribute.name}" is single-valued and takes no value filter in path "${path}"`);
  }
  let sub: AttributeRef | undefined;
  if (rest !== "") {
    const subRef = resolveAttribute(registry, typeId, `${path.slice(0, open)}${rest}`);
    if (!subRef.ok) return subRef;
    sub = subRef.value;
  }
  const filter = parseValueFilter(registry, typeId, ref.value, path.slice(open + 1, close), tol);
  if (!filter.ok) return malformed(`Invalid filter in path "${path}": ${filter.error}`);
  return ok({ kind: "filtered", ref: ref.value, filter: filter.value, ...(sub ? { sub } : {}) });
}
