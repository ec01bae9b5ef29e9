/**
 * RFC 7644 §4 discovery: `/ServiceProviderConfig`, `/ResourceTypes[/{id}]`, `/Schemas[/{id}]`,
 * describing exactly what this server supports (no /Me; PATCH, bulk, filter, sort, ETags yes), and
 * RFC 9865's `pagination` (index and cursor).
 */
import { CURSOR_TIMEOUT_SECONDS } from "../query/cursor.js";
import { listResponse } from "../query/list-response.js";
import { ScimError } from "../errors.js";
import type { AttributeDefinition, SchemaDefinition } from "../schema/attribute.js";
import type { SchemaRegistry } from "../schema/registry.js";
import { URN } from "../schema/urns.js";
import type { JsonObject } from "../store/types.js";

export interface DiscoveryOptions {
  readonly maxResults: number;
  readonly changePassword: boolean;
  /** The /Bulk limits, or null when /Bulk is off. */
  readonly bulk: BulkLimits | null;
  readonly documentationUri?: string | undefined;
  /** The page size of a list that names no `count`. @default maxResults */
  readonly defaultPageSize?: number | undefined;
}

/** RFC 7644 §3.7: how many operations, and how many bytes, one /Bulk request may carry. */
export interface BulkLimits {
  readonly maxOperations: number;
  readonly maxPayloadSize: number;
}

export function serviceProviderConfig(baseUrl: string, o: DiscoveryOptions): JsonObject {
  return {
    schemas: [URN.ServiceProviderConfig],
    ...(o.documentationUri ? { documentationUri: o.documentationUri } : {}),
    patch: { supported: true },
    bulk: o.bulk
      ? { supported: true, maxOperations: o.bulk.maxOperations, maxPayloadSize: o.bulk.maxPayloadSize }
      : { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: o.maxResults },
    changePassword: { supported: o.changePassword },
    sort: { supported: true },
    // RFC 9865 §4. Index paging stays the default: IdPs that send neither parameter expect it.
    pagination: {
      cursor: true,
      index: true,
      defaultPaginationMethod: "index",
      defaultPageSize: o.defaultPageSize ?? o.maxResults,
      maxPageSize: o.maxResults,
      cursorTimeout: CURSOR_TIMEOUT_SECONDS,
    },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "OAuth Bearer Token",
        description: "A bearer token issued per directory by the service provider",
        specUri: "https://www.rfc-editor.org/info/rfc6750",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypeDocs(registry: SchemaRegistry, baseUrl: string): JsonObject[] {
  return registry.resourceTypes().map(({ type }) => ({
    schemas: [URN.ResourceType],
    id: type.id,
    name: type.name,
    endpoint: type.endpoint,
    description: type.description,
    schema: type.schema,
    schemaExtensions: type.schemaExtensions.map((e) => ({ schema: e.schema, required: e.required })),
    meta: { resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/${type.id}` },
  }));
}

function attributeDoc(a: AttributeDefinition): JsonObject {
  const doc: JsonObject = {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued,
    description: a.description ?? "",
    required: a.required,
    caseExact: a.caseExact,
    mutability: a.mutability,
    returned: a.returned,
    uniqueness: a.uniqueness,
  };
  if (a.canonicalValues) doc["canonicalValues"] = [...a.canonicalValues];
  if (a.referenceTypes) doc["referenceTypes"] = [...a.referenceTypes];
  if (a.subAttributes) doc["subAttributes"] = a.subAttributes.map(attributeDoc);
  return doc;
}

export function schemaDoc(s: SchemaDefinition, baseUrl: string): JsonObject {
  return {
    schemas: [URN.Schema],
    id: s.id,
    name: s.name,
    description: s.description,
    attributes: s.attributes.map(attributeDoc),
    meta: { resourceType: "Schema", location: `${baseUrl}/Schemas/${s.id}` },
  };
}

export function discoveryResponse(
  registry: SchemaRegistry,
  baseUrl: string,
  endpoint: string,
  id: string | null,
  o: DiscoveryOptions,
): JsonObject {
  switch (endpoint.toLowerCase()) {
    case "serviceproviderconfig":
      if (id !== null) throw new ScimError(404, "ServiceProviderConfig has no sub-resources");
      return serviceProviderConfig(baseUrl, o);
    case "resourcetypes": {
      const docs = resourceTypeDocs(registry, baseUrl);
      if (id === null) return listResponse(docs);
      const doc = docs.find((d) => String(d["id"]).toLowerCase() === id.toLowerCase());
      if (!doc) throw new ScimError(404, `Resource type "${id}" not found`);
      return doc;
    }
    default: {
      const docs = registry.schemas().map((s) => schemaDoc(s, baseUrl));
      if (id === null) return listResponse(docs);
      const doc = docs.find((d) => String(d["id"]).toLowerCase() === id.toLowerCase());
      if (!doc) throw new ScimError(404, `Schema "${id}" not found`);
      return doc;
    }
  }
}
