/** RFC 7643 §4.2 and §8.7.1: the core Group schema. */
import { attr, type SchemaDefinition } from "./attribute.js";
import { URN } from "./urns.js";

export const groupSchema: SchemaDefinition = {
  id: URN.Group,
  name: "Group",
  description: "Group",
  attributes: [
    attr("displayName", "string", { required: true, description: "A human-readable name for the Group." }),
    attr("members", "complex", {
      multiValued: true,
      description: "A list of members of the Group.",
      subAttributes: [
        attr("value", "string", { mutability: "immutable", caseExact: true }),
        attr("$ref", "reference", { mutability: "immutable", referenceTypes: ["User", "Group"] }),
        attr("display", "string", { mutability: "immutable" }),
        attr("type", "string", { mutability: "immutable", canonicalValues: ["User", "Group"] }),
      ],
    }),
  ],
};
