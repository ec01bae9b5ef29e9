/**
 * RFC 7644 §3.4.2.5 `attributes` / `excludedAttributes`, applied to a rendered resource. `id`,
 * `schemas` and `meta` are always returned; attributes whose definition says `returned: "always"`
 * cannot be excluded; `returned: "request"` ones appear only when `attributes` names them or an
 * attribute or extension holding them (RFC 7643 §7). `returned: "never"` ones never reach this
 * point: rendering has already left them out. The projection also tells the engine whether Group
 * members are wanted at all, so a read that excludes them never loads them.
 */
import type { SchemaRegistry } from "../schema/registry.js";
import { withoutOnRequest } from "../schema/returned.js";
import type { JsonObject, JsonValue } from "../store/types.js";
import type { ProjectionParams } from "./list-params.js";

/** Which sub-attributes of one attribute are selected; `true` means the whole attribute. */
type Selection = Map<string, true | Set<string>>;

const always = new Set(["id", "schemas", "meta"]);

export interface Projector {
  /** False when the response will not show `name` (e.g. `members`), so it need not be loaded. */
  wants(name: string): boolean;
  apply(resource: JsonObject): JsonObject;
}

const keyOf = (schema: string, name: string) => `${schema.toLowerCase()}|${name}`;

function select(registry: SchemaRegistry, typeId: string, paths: readonly string[]): Selection {
  const out: Selection = new Map();
  const { core, extensions } = registry.resourceType(typeId);
  for (const raw of paths) {
    // `emails[type eq "work"]` (sent by Microsoft's reference tests) selects the attribute itself.
    const path = raw.replace(/\[[^\]]*\]/g, "");
    const ext = extensions.find((e) => e.id.toLowerCase() === path.toLowerCase());
    if (ext) {
      for (const a of ext.attributes) out.set(keyOf(ext.id, a.name), true);
      continue;
    }
    const ref = registry.resolve(typeId, path);
    if (!ref.ok) continue; // Unknown names select nothing, as the RFC leaves it open and IdPs never rely on it.
    const schema = ref.value.extension ? ref.value.schema : core.id;
    const key = keyOf(schema, ref.value.name);
    const current = out.get(key);
    if (ref.value.sub === undefined) out.set(key, true);
    else if (current !== true) out.set(key, (current ?? new Set()).add(ref.value.sub));
  }
  return out;
}

function pickSubs(value: JsonValue, subs: ReadonlySet<string>, keep: boolean): JsonValue | undefined {
  const one = (v: JsonValue): JsonValue | undefined => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
    const o: JsonObject = {};
    for (const [k, x] of Object.entries(v)) if (subs.has(k) === keep) o[k] = x;
    return Object.keys(o).length > 0 ? o : undefined;
  };
  if (Array.isArray(value)) {
    const list = value.map(one).filter((v): v is JsonValue => v !== undefined);
    return list.length > 0 ? list : undefined;
  }
  return one(value);
}

export function compileProjection(registry: SchemaRegistry, typeId: string, params: ProjectionParams): Projector {
  const schemas = registry.resourceType(typeId);
  const { core, extensions } = schemas;
  const include = params.attributes.length > 0 ? select(registry, typeId, params.attributes) : undefined;
  const exclude =
    !include && params.excludedAttributes.length > 0 ? select(registry, typeId, params.excludedAttributes) : undefined;
  const alwaysReturned = (schema: string, name: string) =>
    (schema === core.id ? core : extensions.find((e) => e.id === schema))?.attributes.find((a) => a.name === name)
      ?.returned === "always";

  const decide = (schema: string, name: string, value: JsonValue): JsonValue | undefined => {
    if (alwaysReturned(schema, name)) return value;
    const key = keyOf(schema, name);
    if (include) {
      const sel = include.get(key);
      if (sel === undefined) return undefined;
      return sel === true ? value : pickSubs(value, sel, true);
    }
    if (exclude) {
      const sel = exclude.get(key);
      if (sel === undefined) return value;
      return sel === true ? undefined : pickSubs(value, sel, false);
    }
    return value;
  };

  return {
    wants(name) {
      const key = keyOf(core.id, name);
      if (include) return include.has(key);
      if (exclude) return exclude.get(key) !== true;
      return true;
    },
    apply(rendered) {
      // With `attributes`, only what it names is kept, which already settles `returned: "request"`.
      const resource = include ? rendered : withoutOnRequest(schemas, rendered);
      if (!include && !exclude) return resource;
      const out: JsonObject = {};
      for (const [key, value] of Object.entries(resource)) {
        if (always.has(key)) {
          out[key] = value;
          continue;
        }
        const ext = extensions.find((e) => e.id === key);
        if (ext && typeof value === "object" && value !== null && !Array.isArray(value)) {
          const inner: JsonObject = {};
          for (const [k, v] of Object.entries(value)) {
            const kept = decide(ext.id, k, v);
            if (kept !== undefined) inner[k] = kept;
          }
          if (Object.keys(inner).length > 0) out[key] = inner;
          continue;
        }
        const kept = decide(core.id, key, value);
        if (kept !== undefined) out[key] = kept;
      }
      return out;
    },
  };
}
