/** RFC 7643 §4.3: the Enterprise User extension. */
import { attr, type SchemaDefinition } from "./attribute.js";
import { URN } from "./urns.js";

export const enterpriseUserSchema: SchemaDefinition = {
  id: URN.EnterpriseUser,
  name: "EnterpriseUser",
  description: "Enterprise User",
  attributes: [
    attr("employeeNumber", "string"),
    attr("costCenter", "string"),
    attr("organization", "string"),
    attr("division", "string"),
    attr("department", "string"),
    attr("manager", "complex", {
      subAttributes: [
        attr("value", "string"),
        attr("$ref", "reference", { referenceTypes: ["User"] }),
        attr("displayName", "string", { mutability: "readOnly" }),
      ],
    }),
  ],
};
