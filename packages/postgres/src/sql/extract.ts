/**
 * The attributes copied out of the jsonb document into their own indexed columns on every write.
 * The filter compiler reads these columns instead of the document, so each must be exactly what
 * the document holds (or null when the attribute is absent or not of the expected JSON type).
 */
import type { JsonObject } from "@scimkit/core";
import { fold } from "./fold.js";

export interface Extracted {
  readonly userNameCi: string | null;
  readonly displayNameCi: string | null;
  readonly externalId: string | null;
  /** `name.familyName`, folded: the value a filter on `name.familyName` reads when `name` is an object. */
  readonly familyNameCi: string | null;
  readonly active: boolean | null;
  /**
   * Every email `value`, folded, for the GIN index that serves Entra's matching filter
   * `emails[type eq "work"].value eq "…"`. Read like the evaluator reads `emails`: each element's
   * `value`, a plain string element standing for itself.
   */
  readonly emailValues: string[];
}

const text = (v: unknown): string | null => (typeof v === "string" ? v : null);

export function extract(attributes: JsonObject): Extracted {
  const userName = text(attributes["userName"]);
  const displayName = text(attributes["displayName"]);
  const active = attributes["active"];
  const name = attributes["name"];
  const familyName =
    name !== null && typeof name === "object" && !Array.isArray(name) ? text(name["familyName"]) : null;
  const emails = attributes["emails"];
  const emailValues: string[] = [];
  for (const el of Array.isArray(emails) ? emails : emails === undefined || emails === null ? [] : [emails]) {
    const v = el !== null && typeof el === "object" && !Array.isArray(el) ? el["value"] : el;
    if (typeof v === "string") emailValues.push(fold(v));
  }
  return {
    userNameCi: userName === null ? null : fold(userName),
    displayNameCi: displayName === null ? null : fold(displayName),
    externalId: text(attributes["externalId"]),
    familyNameCi: familyName === null ? null : fold(familyName),
    active: typeof active === "boolean" ? active : null,
    emailValues,
  };
}

/**
 * Top-level attributes that have a column, with the column, whether it holds the folded value, and
 * the JSON type a value must have to be in it.
 */
export const extractedColumns: Readonly<
  Record<string, { readonly column: string; readonly folded: boolean; readonly json: "string" | "boolean" }>
> = {
  userName: { column: "user_name_ci", folded: true, json: "string" },
  displayName: { column: "display_name_ci", folded: true, json: "string" },
  externalId: { column: "external_id", folded: false, json: "string" },
  active: { column: "active", folded: false, json: "boolean" },
};

/**
 * Sub-attributes that have a column, by attribute and sub-attribute name: compared through it when
 * the attribute is singular (a multi-valued one is never an object, so its column stays NULL).
 */
export const extractedSubColumns: Readonly<
  Record<string, Readonly<Record<string, { readonly column: string; readonly folded: true; readonly json: "string" }>>>
> = {
  name: { familyName: { column: "family_name_ci", folded: true, json: "string" } },
};
