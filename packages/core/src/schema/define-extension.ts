/**
 * Host-declared extensions from zod: the zod object is the one source of an extension's SCIM
 * attribute definitions (served in `/Schemas`, used by decoding, filters, sorting and `returned`),
 * of the check every write of its value passes, and of the type a host reads it back as.
 *
 * Only what SCIM can say is accepted (RFC 7643 §2.3, §2.4): scalars, arrays of them, and one level
 * of complex values. Anything else is a `ScimConfigError` when the extension is defined, not a
 * surprise at the first request.
 */
import { z } from "zod";
import { ScimConfigError } from "../errors.js";
import type { JsonObject, JsonValue } from "../json.js";
import { attr, type AttributeDefinition, type AttributeType, type SchemaDefinition } from "./attribute.js";
import { isPlainObject } from "./codec.js";
import type { ExtensionProblem, ExtensionRegistration } from "./registry.js";
import { isHidden } from "./returned.js";

/** RFC 7643 §7 characteristics read from `.meta({ scim: { … } })`; all optional. */
const scimMeta = z
  .object({
    mutability: z.enum(["readOnly", "readWrite", "immutable", "writeOnly"]).optional(),
    returned: z.enum(["always", "never", "default", "request"]).optional(),
    uniqueness: z.enum(["none", "server", "global"]).optional(),
    caseExact: z.boolean().optional(),
    description: z.string().optional(),
  })
  .strict();

type ScimMeta = z.output<typeof scimMeta>;

/** A value of the extension as it comes from a view or event (`user.attributes`) or the view itself. */
type ExtensionSource = JsonObject | { readonly attributes: JsonObject };

/** What `defineExtension` returns: an extension `createScimServer({ extensions })` takes as it is. */
export interface DefinedExtension<S extends z.core.$ZodObject> extends ExtensionRegistration {
  /** The extension's schema URN: its key in resources and the prefix of its attribute paths. */
  readonly id: string;
  /** The zod schema the extension was declared with. */
  readonly zod: S;
  /**
   * The extension's value in a user or group as the host sees it (a view from `scim.users`, an
   * event's `user` or `group`, or their `attributes`), parsed by the zod schema; `undefined` when the
   * resource has none. Throws the zod error when the stored value does not match the schema (a value
   * stored before the schema changed).
   */
  read(source: ExtensionSource): z.output<S> | undefined;
  /** The full attribute path for filters and `sortBy`, e.g. `urn:…:User:costCenter`. */
  path(attribute: Extract<keyof z.input<S>, string>): string;
}

export interface ExtensionOptions<S extends z.core.$ZodObject> {
  readonly resourceType: "User" | "Group";
  /** The schema URN, e.g. `urn:ietf:params:scim:schemas:extension:acme:2.0:User`. */
  readonly id: string;
  readonly name: string;
  readonly description?: string | undefined;
  /** Whether every resource of the type must carry the extension (RFC 7643 §6). @default false */
  readonly required?: boolean | undefined;
  /**
   * The attributes: a zod object whose keys are the attribute names. `z.string()` is a string,
   * `z.iso.datetime()` a dateTime, `z.number().int()`/`z.int()` an integer, `z.number()` a decimal,
   * `z.boolean()` a boolean, `z.enum([...])`/`z.literal(...)` a string with canonicalValues, an
   * array multi-valued, an object complex. What zod accepts absent (`.optional()`, `.default()`) is
   * not required; the rest is. Characteristics
   * come from `.meta({ scim: { mutability, returned, uniqueness, caseExact, description } })`.
   */
  readonly schema: S;
}

/** A field's schema without its optional/nullable/default/readonly/pipe wrappers, and its metadata merged. */
interface Unwrapped {
  readonly inner: z.core.$ZodTypes;
  readonly scim: ScimMeta;
  readonly description: string | undefined;
}

function unwrap(schema: z.core.$ZodType, where: string): Unwrapped {
  // Outermost first; an outer wrapper's metadata overrides an inner one's.
  const metas: Record<string, unknown>[] = [];
  let s = schema as z.core.$ZodTypes;
  for (;;) {
    const meta = z.globalRegistry.get(s);
    if (meta) metas.push(meta);
    const def = s._zod.def;
    if (
      def.type === "optional" ||
      def.type === "nullable" ||
      def.type === "default" ||
      def.type === "prefault" ||
      def.type === "readonly" ||
      def.type === "nonoptional" ||
      def.type === "catch"
    ) {
      s = def.innerType as z.core.$ZodTypes;
      continue;
    }
    if (def.type === "pipe") {
      s = def.in as z.core.$ZodTypes;
      continue;
    }
    break;
  }
  let scim: ScimMeta = {};
  let description: string | undefined;
  for (const meta of metas.reverse()) {
    if (meta["scim"] !== undefined) {
      const parsed = scimMeta.safeParse(meta["scim"]);
      if (!parsed.success)
        throw new ScimConfigError(`Attribute "${where}": invalid scim metadata: ${z.prettifyError(parsed.error)}`);
      scim = { ...scim, ...parsed.data };
    }
    if (typeof meta["description"] === "string") description = meta["description"];
  }
  return { inner: s, scim, description: scim.description ?? description };
}

/** The `format` of a string or number format (z.iso.datetime(), z.int()) or of a number_format check. */
const formatOf = (def: object): unknown => (def as { readonly format?: unknown }).format;

const isIntegerFormat = (format: unknown) => typeof format === "string" && /int/.test(format) && !/64/.test(format);

/** The SCIM scalar type (and canonical values) of a zod scalar, or an error naming what it is. */
function scalarOf(
  s: z.core.$ZodTypes,
  where: string,
): { readonly type: AttributeType; readonly canonicalValues?: readonly string[] } {
  const def = s._zod.def;
  switch (def.type) {
    case "string":
      // z.iso.datetime() is a string format (a $ZodStringFormat, whose def names the format).
      return { type: formatOf(def) === "datetime" ? "dateTime" : "string" };
    case "number": {
      const checks = def.checks ?? [];
      const integer =
        isIntegerFormat(formatOf(def)) ||
        checks.some((c) => c._zod.def.check === "number_format" && isIntegerFormat(formatOf(c._zod.def)));
      return { type: integer ? "integer" : "decimal" };
    }
    case "boolean":
      return { type: "boolean" };
    case "enum":
    case "literal": {
      const values = def.type === "enum" ? Object.values(def.entries) : def.values;
      if (!values.every((v): v is string => typeof v === "string")) {
        throw new ScimConfigError(`Attribute "${where}": only string enums and literals map to SCIM canonicalValues`);
      }
      return { type: "string", canonicalValues: values };
    }
    default:
      throw new ScimConfigError(
        `Attribute "${where}": a zod ${def.type} has no SCIM attribute type (use a string, number, boolean, ISO datetime, enum, array or object)`,
      );
  }
}

/** Whether zod accepts the field absent: `.optional()` ("optional"), `.default()`/`.prefault()` ("defaulted"). */
const isOptional = (schema: z.core.$ZodType) => schema._zod.optin !== undefined;

/** One attribute (or, with `parent`, sub-attribute) from a field of the zod object. */
function attributeOf(
  name: string,
  field: z.core.$ZodType,
  where: string,
  parent: string | undefined,
): AttributeDefinition {
  const outer = unwrap(field, where);
  let { inner } = outer;
  let scim = outer.scim;
  let description = outer.description;
  let multiValued = false;
  if (inner._zod.def.type === "array") {
    multiValued = true;
    const element = unwrap(inner._zod.def.element, where);
    inner = element.inner;
    // The array's own metadata speaks for the attribute; its element's fills what it leaves out.
    scim = { ...element.scim, ...scim };
    description ??= element.description;
    if (inner._zod.def.type === "array")
      throw new ScimConfigError(`Attribute "${where}": SCIM has no arrays of arrays`);
  }
  let type: AttributeType = "complex";
  let canonicalValues: readonly string[] | undefined;
  let subAttributes: AttributeDefinition[] | undefined;
  if (inner._zod.def.type === "object") {
    if (parent !== undefined)
      throw new ScimConfigError(`Attribute "${where}": a sub-attribute cannot be complex (RFC 7643 §2.3.8)`);
    subAttributes = Object.entries(inner._zod.def.shape).map(([sub, s]) =>
      attributeOf(sub, s, `${where}.${sub}`, name),
    );
  } else {
    ({ type, canonicalValues } = scalarOf(inner, where));
  }
  const def = attr(name, type, {
    multiValued,
    description,
    required: !isOptional(field),
    caseExact: scim.caseExact ?? false,
    mutability: scim.mutability ?? "readWrite",
    returned: scim.returned ?? "default",
    uniqueness: scim.uniqueness ?? "none",
    canonicalValues,
    subAttributes,
  });
  if (def.required && def.mutability === "readOnly") {
    throw new ScimConfigError(`Attribute "${where}" is readOnly, so no client can send it: declare it .optional()`);
  }
  if (def.required && isHidden(def)) {
    throw new ScimConfigError(
      `Attribute "${where}" is never returned, so a read never holds it: declare it .optional()`,
    );
  }
  return def;
}

/** A zod issue path as a SCIM attribute path: names joined by dots, array positions left out. */
const attributePath = (path: readonly PropertyKey[]) =>
  path.filter((k): k is string => typeof k === "string").join(".");

/**
 * Declares an extension with a zod object: the SCIM attribute definitions are derived from it, every
 * value a POST, PUT or PATCH writes is checked against it (400 `invalidValue` naming the attribute,
 * nothing written), and `read` gives the host the value typed. Pass the result to
 * `createScimServer({ extensions: [...] })` as it is.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { createScimServer, defineExtension } from "@scimkit/core";
 *
 * const okta = defineExtension({
 *   resourceType: "User",
 *   id: "urn:ietf:params:scim:schemas:extension:acme:2.0:User",
 *   name: "AcmeUser",
 *   schema: z.object({
 *     costCenter: z.string().optional(),
 *     department: z.enum(["ENG", "OPS", "SALES"]).optional(),
 *     badgeId: z.string().optional().meta({ scim: { mutability: "immutable", caseExact: true } }),
 *   }),
 * });
 * const scim = createScimServer({ extensions: [okta] });
 * scim.events.subscribe((e) => {
 *   if (e.type === "user.updated") console.log(okta.read(e.user)?.costCenter); // string | undefined
 * });
 * await scim.users.list("acme", { filter: `${okta.path("department")} eq "ENG"` });
 * ```
 */
export function defineExtension<S extends z.core.$ZodObject>(options: ExtensionOptions<S>): DefinedExtension<S> {
  const { id, schema } = options;
  if (!/^urn:[^:\s]+:\S+$/i.test(id)) throw new ScimConfigError(`Extension id "${id}" must be a URN (urn:…)`);
  if (schema._zod.def.type !== "object")
    throw new ScimConfigError(`Extension "${id}": the schema must be a zod object`);
  const definition: SchemaDefinition = {
    id,
    name: options.name,
    description: options.description ?? options.name,
    attributes: Object.entries(schema._zod.def.shape).map(([name, field]) =>
      attributeOf(name, field, `${id}:${name}`, undefined),
    ),
  };
  const lowerId = id.toLowerCase();
  return {
    resourceType: options.resourceType,
    schema: definition,
    required: options.required ?? false,
    validate(value: JsonObject): ExtensionProblem | undefined {
      const result = z.safeParse(schema, value);
      if (result.success) return undefined;
      const issue = result.error.issues[0];
      return issue
        ? { attribute: attributePath(issue.path), message: issue.message }
        : { attribute: "", message: "invalid value" };
    },
    id,
    zod: schema,
    read(source: ExtensionSource): z.output<S> | undefined {
      const outer = source as Readonly<Record<string, unknown>>;
      const attributes = (
        isPlainObject(outer["attributes"]) && outer[id] === undefined ? outer["attributes"] : outer
      ) as JsonObject;
      let value: JsonValue | undefined = attributes[id];
      if (value === undefined) {
        const key = Object.keys(attributes).find((k) => k.toLowerCase() === lowerId);
        value = key === undefined ? undefined : attributes[key];
      }
      if (value === undefined || value === null) return undefined;
      return z.parse(schema, value);
    },
    path: (attribute) => `${id}:${attribute}`,
  };
}
