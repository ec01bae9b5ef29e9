/**
 * RFC 7643 §2 and §7: the attribute characteristics every schema is made of. Schemas are data in
 * scimkit: validation, name resolution, comparison rules, `returned` and mutability are all read
 * from these definitions rather than written into handlers.
 */

/** RFC 7643 §2.3 data types. */
export type AttributeType =
  | "string"
  | "boolean"
  | "decimal"
  | "integer"
  | "dateTime"
  | "reference"
  | "complex"
  | "binary";

/** RFC 7643 §7 `mutability`. */
export type Mutability = "readOnly" | "readWrite" | "immutable" | "writeOnly";

/** RFC 7643 §7 `returned`. */
export type Returned = "always" | "never" | "default" | "request";

/** RFC 7643 §7 `uniqueness`. */
export type Uniqueness = "none" | "server" | "global";

/** One attribute (or sub-attribute) definition, shaped exactly as `/Schemas` publishes it. */
export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description?: string | undefined;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly canonicalValues?: readonly string[] | undefined;
  readonly referenceTypes?: readonly string[] | undefined;
  readonly subAttributes?: readonly AttributeDefinition[] | undefined;
}

/** A schema resource (RFC 7643 §7), e.g. the core User schema or an extension. */
export interface SchemaDefinition {
  /** The schema URN, e.g. `urn:ietf:params:scim:schemas:core:2.0:User`. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDefinition[];
}

/** A resource type (RFC 7643 §6): which endpoint serves which core schema plus extensions. */
export interface ResourceTypeDefinition {
  /** `User`, `Group`, or a host-defined type. */
  readonly id: string;
  readonly name: string;
  /** Endpoint path relative to the base URL, e.g. `/Users`. */
  readonly endpoint: string;
  readonly description: string;
  /** URN of the core schema. */
  readonly schema: string;
  readonly schemaExtensions: readonly { readonly schema: string; readonly required: boolean }[];
}

/** Builds an attribute definition with the RFC 7643 §2.2 defaults for any characteristic left out. */
export function attr(
  name: string,
  type: AttributeType,
  options: Partial<Omit<AttributeDefinition, "name" | "type">> = {},
): AttributeDefinition {
  return {
    name,
    type,
    multiValued: options.multiValued ?? false,
    description: options.description,
    required: options.required ?? false,
    caseExact: options.caseExact ?? false,
    mutability: options.mutability ?? "readWrite",
    returned: options.returned ?? "default",
    uniqueness: options.uniqueness ?? "none",
    canonicalValues: options.canonicalValues,
    referenceTypes: options.referenceTypes ?? (type === "reference" ? ["external"] : undefined),
    subAttributes: options.subAttributes,
  };
}
