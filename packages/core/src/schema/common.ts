/**
 * RFC 7643 §3.1 common attributes. They belong to every resource but to no schema's attribute list,
 * so `/Schemas` does not publish them; the registry resolves them for filters, sorting and projection.
 */
import { attr, type AttributeDefinition } from "./attribute.js";

export const commonAttributes: readonly AttributeDefinition[] = [
  attr("id", "string", { caseExact: true, mutability: "readOnly", returned: "always", uniqueness: "server" }),
  attr("externalId", "string", { caseExact: true }),
  attr("meta", "complex", {
    mutability: "readOnly",
    subAttributes: [
      attr("resourceType", "string", { caseExact: true, mutability: "readOnly" }),
      attr("created", "dateTime", { mutability: "readOnly" }),
      attr("lastModified", "dateTime", { mutability: "readOnly" }),
      attr("location", "reference", { mutability: "readOnly", referenceTypes: ["uri"] }),
      attr("version", "string", { caseExact: true, mutability: "readOnly" }),
    ],
  }),
];
