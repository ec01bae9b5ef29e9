/**
 * The one value a store keeps unique per tenant and type: userName (case-insensitively, RFC 7643
 * says userName is unique and IdPs match it case-insensitively) and, when configured, a Group's
 * displayName. Values are stored and returned exactly as sent; only the key is lower-cased.
 */
import type { JsonObject } from "../store/types.js";
import type { EngineSettings } from "./context.js";

export function uniqueKeyOf(type: string, attributes: JsonObject, settings: EngineSettings): string | null {
  const pick =
    type === "User"
      ? attributes["userName"]
      : type === "Group" && settings.uniqueGroupDisplayName
        ? attributes["displayName"]
        : undefined;
  return typeof pick === "string" ? pick.toLowerCase() : null;
}
