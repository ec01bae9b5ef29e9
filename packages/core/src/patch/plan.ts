/**
 * RFC 7644 §3.5.2: plans a PATCH from the stored attributes alone. Operations apply in order to a
 * private copy, so the request is atomic: any failing operation returns its error and no plan.
 */
import type { ToleranceContext } from "../compat/tolerances.js";
import { badRequest, isScimError, ScimError } from "../errors.js";
import { err, ok, type Result } from "../result.js";
import { isPlainObject } from "../schema/codec.js";
import type { SchemaDefinition } from "../schema/attribute.js";
import type { SchemaRegistry } from "../schema/registry.js";
import type { JsonObject } from "../store/types.js";
import { assertExtensionValues } from "../schema/rules.js";
import { URN } from "../schema/urns.js";
import { applyToAttribute } from "./attribute-ops.js";
import { readPatchBody, type PatchOperation } from "./body.js";
import { applyFiltered } from "./filtered-ops.js";
import { applyToMembers, isGroupMembers } from "./members.js";
import { parsePatchPath, type PatchPath } from "./path.js";
import { assertWritable } from "./target.js";
import type { PatchOpName, PatchPlan, PatchState, PatchTarget } from "./types.js";
import { prune } from "./values.js";

/** A path-less value key that is a plain attribute name (RFC) rather than a path (tolerance 3). */
const plainName = /^[A-Za-z$][\w$-]*$/;

/** Applies `value` at `path`. `add` with `null` adds nothing (it only arrives from path-less values). */
function applyAt(state: PatchState, op: PatchOpName, path: PatchPath, value: unknown): void {
  if (op === "add" && value === null) return;
  if (path.kind === "schema") return applySchemaObject(state, op, path.schema, path.extension, value);
  if (isGroupMembers(path)) return applyToMembers(state, op, path, value);
  assertWritable(path.ref);
  if (path.kind === "filtered") {
    if (path.sub) assertWritable(path.sub);
    return applyFiltered(state, op, path, value);
  }
  if (path.ref.schema === URN.User && path.ref.name === "password") return setPassword(state, op, value);
  applyToAttribute(state, op, path.ref, value);
}

/** `password` is writeOnly: it goes to the plan, never into attributes, and cannot be removed. */
function setPassword(state: PatchState, op: PatchOpName, value: unknown): void {
  if (op === "remove" || value === null) throw badRequest("mutability", 'Attribute "password" cannot be removed');
  if (typeof value !== "string") throw badRequest("invalidValue", 'Attribute "password" must be a string');
  state.password = value;
}

/** Parses `text` and applies; an unknown attribute is skipped when tolerance 12 allows it. */
function applyPath(state: PatchState, op: PatchOpName, text: string, value: unknown): void {
  const parsed = parsePatchPath(state.registry, state.typeId, text, state.tol);
  if (parsed.ok) return applyAt(state, op, parsed.value, value);
  if (parsed.error.reason === "unknown" && state.tol.enabled("skipUnknownAttributes")) {
    state.tol.fire("skipUnknownAttributes");
    return;
  }
  throw badRequest("invalidPath", parsed.error.detail);
}

/** A key of a path-less value: an attribute name, or a path when tolerance 3 allows it. */
function applyKey(state: PatchState, op: PatchOpName, key: string, value: unknown, prefix: string): void {
  const isSchema = prefix === "" && state.registry.schema(key) !== undefined;
  if (!plainName.test(key) && !isSchema) {
    if (!state.tol.enabled("pathlessKeysArePaths")) {
      throw badRequest("invalidPath", `Key "${key}" of a value without a path must be an attribute name`);
    }
    state.tol.fire("pathlessKeysArePaths");
  }
  applyPath(state, op, `${prefix}${key}`, value);
}

/** A whole schema's attributes as one object: each key is an attribute of that schema. */
function applySchemaObject(
  state: PatchState,
  op: PatchOpName,
  schema: SchemaDefinition,
  extension: boolean,
  value: unknown,
): void {
  if (op === "remove" || value === null) {
    if (!extension) throw badRequest("invalidPath", `The core schema "${schema.id}" cannot be removed`);
    const current = state.attributes[schema.id];
    const required = schema.attributes.find(
      (def) => def.required && isPlainObject(current) && current[def.name] !== undefined,
    );
    if (required)
      throw badRequest("mutability", `Attribute "${schema.id}:${required.name}" is required and cannot be removed`);
    delete state.attributes[schema.id];
    return;
  }
  if (!isPlainObject(value)) throw badRequest("invalidValue", `The value for "${schema.id}" must be an object`);
  for (const [key, v] of Object.entries(value)) applyKey(state, op, key, v, `${schema.id}:`);
}

/** RFC 7644 §3.5.2.1/3 without a path: each key of the value object is a target of its own. */
function applyPathless(state: PatchState, op: PatchOpName, value: unknown): void {
  if (!isPlainObject(value)) throw badRequest("invalidValue", `"${op}" without a path needs an object value`);
  for (const [key, v] of Object.entries(value)) {
    const lower = key.toLowerCase();
    if (lower === "schemas") {
      state.tol.fire("ignoreUnknownSchemasAndReadOnly");
      continue;
    }
    if (lower === "id" && v === state.targetId && state.tol.enabled("ignoreOwnIdInValue")) {
      // Okta's group rename carries the group's own id; it changes nothing.
      state.tol.fire("ignoreOwnIdInValue");
      continue;
    }
    applyKey(state, op, key, v, "");
  }
}

function applyOperation(state: PatchState, operation: PatchOperation): void {
  const { op, path, hasValue, value } = operation;
  if (op === "remove") {
    if (path === undefined) throw badRequest("noTarget", '"remove" needs a "path"');
    // RFC 7644 gives remove no value. Reading it as "remove only these" is tolerance 4; without
    // it we refuse rather than ignore it, because ignoring it would remove every value.
    if (hasValue && value !== null && !state.tol.enabled("removeListedMembers")) {
      throw badRequest(
        "invalidValue",
        '"remove" takes no "value"; name the values to remove with a filter in the path',
      );
    }
    return applyPath(state, op, path, hasValue ? value : undefined);
  }
  if (!hasValue || (op === "add" && value === null)) throw badRequest("invalidValue", `"${op}" needs a "value"`);
  if (path === undefined) return applyPathless(state, op, value);
  applyPath(state, op, path, value);
}

/**
 * The attributes a plan edits: a copy of the top level and of each object on it (extension objects,
 * whose keys operations set too). Deeper values are shared with the stored resource, not copied:
 * operations build every value they change anew, so a PATCH touching `active` copies one level,
 * not every e-mail and address.
 */
function editable(attributes: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (value !== undefined) out[key] = isPlainObject(value) ? { ...(value as JsonObject) } : value;
  }
  return out;
}

/**
 * Plans a PATCH request against one resource: the attributes after every operation, the Group
 * member changes in request order, and the password if one was set. Each extension value the
 * operations changed is then checked by its host check (400 `invalidValue`, no plan). Pure: no
 * store access.
 *
 * @example
 * const plan = planPatch(registry, { typeId: "User", id, attributes }, {
 *   schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 *   Operations: [{ op: "replace", value: { active: false } }],
 * }, toleranceContext(profiles.okta));
 * if (plan.ok) plan.value.attributes.active; // false
 */
export function planPatch(
  registry: SchemaRegistry,
  target: PatchTarget,
  body: unknown,
  tol: ToleranceContext,
): Result<PatchPlan, ScimError> {
  const operations = readPatchBody(body, tol);
  if (!operations.ok) return operations;
  const state: PatchState = {
    registry,
    typeId: target.typeId,
    targetId: target.id,
    tol,
    attributes: editable(target.attributes),
    memberChanges: [],
    password: undefined,
  };
  for (const [index, operation] of operations.value.entries()) {
    try {
      applyOperation(state, operation);
    } catch (error) {
      if (!isScimError(error)) throw error;
      return err(new ScimError(error.status, `Operations[${index}]: ${error.detail}`, error.scimType));
    }
  }
  prune(state.attributes);
  try {
    // The host's checks of extension values, over what the operations made of each changed extension.
    assertExtensionValues(registry.resourceType(target.typeId), state.attributes, target.attributes);
  } catch (error) {
    if (!isScimError(error)) throw error;
    return err(error);
  }
  return ok({
    attributes: state.attributes,
    memberChanges: state.memberChanges,
    ...(state.password !== undefined ? { password: state.password } : {}),
  });
}
