/** Builders for the RFC 7643 §2.4 multi-valued attribute shapes the core schemas repeat. */
import { attr, type AttributeDefinition } from "./attribute.js";

/** A `{ value, display, type, primary }` multi-valued attribute such as `emails` or `roles`. */
export function typedValues(
  name: string,
  description: string,
  types: readonly string[] | undefined,
  valueType: "string" | "reference" | "binary" = "string",
): AttributeDefinition {
  return attr(name, "complex", {
    multiValued: true,
    description,
    subAttributes: [
      attr("value", valueType, valueType === "reference" ? { referenceTypes: ["external"] } : {}),
      attr("display", "string"),
      attr("type", "string", types ? { canonicalValues: types } : {}),
      attr("primary", "boolean"),
    ],
  });
}
