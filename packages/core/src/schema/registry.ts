/**
 * The schema registry: which resource types exist, which schemas they use, and how an attribute
 * path as a client writes it (any case, optionally URN-qualified) maps to its canonical definition.
 * One registry belongs to one server instance; nothing here is module state.
 */
import type { AttributeDefinition, ResourceTypeDefinition, SchemaDefinition } from "./attribute.js";
import { commonAttributes } from "./common.js";
import { enterpriseUserSchema } from "./enterprise-user.js";
import { groupSchema } from "./group.js";
import { userSchema } from "./user.js";
import { URN } from "./urns.js";
import type { JsonObject } from "../json.js";
import { err, ok, type Result } from "../result.js";

/** A client-written attribute path resolved against a resource type's schemas. */
export interface AttributeRef {
  /** URN of the schema that defines the attribute (the core schema for common attributes). */
  readonly schema: string;
  /** True when the attribute lives under its extension URN key in the resource JSON. */
  readonly extension: boolean;
  /** Canonical name of the top-level attribute, e.g. `emails`. */
  readonly name: string;
  /** Canonical sub-attribute name, e.g. `value`, when the path names one. */
  readonly sub?: string | undefined;
  /** Definition of the top-level attribute. */
  readonly attribute: AttributeDefinition;
  /** Definition of what the path ends at: the sub-attribute when there is one, else the attribute. */
  readonly leaf: AttributeDefinition;
}

/** What an extension's value check found wrong: the attribute (relative to the extension) and why. */
export interface ExtensionProblem {
  /** `costCenter` or `manager.value`; empty when the problem is the extension value as a whole. */
  readonly attribute: string;
  readonly message: string;
}

/** A host's check of one extension's value, as it is about to be stored. */
export type ExtensionCheck = (value: JsonObject) => ExtensionProblem | undefined;

export interface ResourceTypeSchemas {
  readonly type: ResourceTypeDefinition;
  readonly core: SchemaDefinition;
  readonly extensions: readonly SchemaDefinition[];
  /** Host value checks by extension URN (see `ExtensionRegistration.validate`). */
  readonly checks?: ReadonlyMap<string, ExtensionCheck> | undefined;
}

const lower = (s: string) => s.toLowerCase();

export const userResourceType: ResourceTypeDefinition = {
  id: "User",
  name: "User",
  endpoint: "/Users",
  description: "User Account",
  schema: URN.User,
  schemaExtensions: [{ schema: URN.EnterpriseUser, required: false }],
};

export const groupResourceType: ResourceTypeDefinition = {
  id: "Group",
  name: "Group",
  endpoint: "/Groups",
  description: "Group",
  schema: URN.Group,
  schemaExtensions: [],
};

/** A host-registered extension schema and the resource type it extends. */
export interface ExtensionRegistration {
  readonly resourceType: "User" | "Group";
  readonly schema: SchemaDefinition;
  readonly required?: boolean | undefined;
  /**
   * Checks the extension's value before a POST, PUT or PATCH stores it: the value as decoded
   * against `schema` (canonical attribute names, `null` taken as absent). A problem returned is a
   * 400 `invalidValue` naming the attribute, and nothing is written. `defineExtension` sets it from
   * its zod schema. It must be synchronous and must not throw.
   */
  readonly validate?:
    | ((value: JsonObject) => { readonly attribute: string; readonly message: string } | undefined)
    | undefined;
}

export class SchemaRegistry {
  readonly #types = new Map<string, ResourceTypeSchemas>();
  readonly #byEndpoint = new Map<string, ResourceTypeSchemas>();
  readonly #schemas = new Map<string, SchemaDefinition>();
  readonly #cache = new Map<string, Result<AttributeRef>>();

  constructor(extensions: readonly ExtensionRegistration[] = []) {
    const userExt = [enterpriseUserSchema, ...extensions.filter((e) => e.resourceType === "User").map((e) => e.schema)];
    const groupExt = extensions.filter((e) => e.resourceType === "Group").map((e) => e.schema);
    const extra = (rt: "User" | "Group") =>
      extensions
        .filter((e) => e.resourceType === rt)
        .map((e) => ({ schema: e.schema.id, required: e.required ?? false }));
    const checks = (rt: "User" | "Group") =>
      new Map(
        extensions.flatMap((e): [string, ExtensionCheck][] =>
          e.resourceType === rt && e.validate ? [[e.schema.id, e.validate]] : [],
        ),
      );
    this.#add({
      type: { ...userResourceType, schemaExtensions: [...userResourceType.schemaExtensions, ...extra("User")] },
      core: userSchema,
      extensions: userExt,
      checks: checks("User"),
    });
    this.#add({
      type: { ...groupResourceType, schemaExtensions: extra("Group") },
      core: groupSchema,
      extensions: groupExt,
      checks: checks("Group"),
    });
  }

  #add(entry: ResourceTypeSchemas): void {
    this.#types.set(entry.type.id, entry);
    this.#byEndpoint.set(lower(entry.type.endpoint), entry);
    for (const s of [entry.core, ...entry.extensions]) this.#schemas.set(lower(s.id), s);
  }

  resourceTypes(): readonly ResourceTypeSchemas[] {
    return [...this.#types.values()];
  }

  resourceType(id: string): ResourceTypeSchemas {
    const t = this.#types.get(id);
    if (!t) throw new Error(`unknown resource type ${id}`);
    return t;
  }

  /** Matches `/Users` or `/users` to its resource type. */
  byEndpoint(segment: string): ResourceTypeSchemas | undefined {
    return this.#byEndpoint.get(lower(`/${segment}`));
  }

  schemas(): readonly SchemaDefinition[] {
    return [...new Set(this.#schemas.values())];
  }

  schema(urn: string): SchemaDefinition | undefined {
    return this.#schemas.get(lower(urn));
  }

  /** True when `urn` is the core schema or an extension of `typeId`, compared case-insensitively. */
  isSchemaOf(typeId: string, urn: string): boolean {
    const t = this.resourceType(typeId);
    const u = lower(urn);
    return lower(t.core.id) === u || t.extensions.some((e) => lower(e.id) === u);
  }

  /**
   * Resolves a client-written path: `userName`, `name.givenName`, `meta.created`,
   * `urn:…:User:userName`, `urn:…:enterprise:2.0:User:manager.value`, or a bare extension URN
   * (which resolves to no attribute and is reported as an error; callers handle whole-extension values).
   */
  resolve(typeId: string, path: string): Result<AttributeRef> {
    const key = `${typeId}\u0000${lower(path)}`;
    const hit = this.#cache.get(key);
    if (hit) return hit;
    const result = this.#resolve(typeId, path);
    if (this.#cache.size < 10_000) this.#cache.set(key, result);
    return result;
  }

  #resolve(typeId: string, path: string): Result<AttributeRef> {
    const t = this.resourceType(typeId);
    let schema = t.core;
    let rest = path;
    if (lower(path).startsWith("urn:")) {
      const candidates = [t.core, ...t.extensions].filter((s) => lower(path).startsWith(`${lower(s.id)}:`));
      // The longest URN wins so an extension whose URN extends another's is still found.
      const found = candidates.sort((a, b) => b.id.length - a.id.length)[0];
      if (!found) return err(`unknown schema in attribute path "${path}"`);
      schema = found;
      rest = path.slice(found.id.length + 1);
    }
    const [head, sub, more] = rest.split(".");
    if (!head || more !== undefined || sub === "") return err(`invalid attribute path "${path}"`);
    const extension = schema !== t.core;
    const attribute =
      schema.attributes.find((a) => lower(a.name) === lower(head)) ??
      (extension ? undefined : commonAttributes.find((a) => lower(a.name) === lower(head)));
    if (!attribute) return err(`unknown attribute "${path}"`);
    if (sub === undefined)
      return ok({ schema: schema.id, extension, name: attribute.name, attribute, leaf: attribute });
    const leaf = attribute.subAttributes?.find((a) => lower(a.name) === lower(sub));
    if (!leaf) return err(`unknown attribute "${path}"`);
    return ok({ schema: schema.id, extension, name: attribute.name, sub: leaf.name, attribute, leaf });
  }
}
