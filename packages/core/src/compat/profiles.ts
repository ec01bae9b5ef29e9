/**
 * Compatibility profiles: the named sets of tolerances (./tolerances.ts) a directory reads its
 * requests with. Each IdP profile accepts everything that IdP is known to send (see
 * docs/compatibility.md); `rfc` is strict RFC 7643/7644; `lenient` has every tolerance and is the
 * default for directories whose IdP has no profile of its own (JumpCloud, Ping, Rippling, custom).
 *
 * @module
 */
import { toleranceNames, type ToleranceName } from "./tolerances.js";

export type ProfileName = "rfc" | "okta" | "entra" | "onelogin" | "lenient";

/** Tolerances that are plain RFC behaviour, so every profile, strict included, keeps them. */
const rfcBehaviour: readonly ToleranceName[] = [
  "valueFilterPaths",
  "nullMeansAbsent",
  "addSingleValuedAsReplace",
  "emptyListNotNotFound",
  "inactiveStillVisible",
  "ignoreUnknownSchemasAndReadOnly",
  "replaceMembersEmptyClears",
  "fullResourceOnCreate",
  "lenientPaging",
  "caseInsensitiveUserName",
  "lenientContentType",
  "softDeactivationDefault",
];

/**
 * Tolerances every IdP profile has: they read nothing differently from what the client plainly
 * means, and failing on them makes an IdP retry or quarantine the connection.
 */
const everyIdp: readonly ToleranceName[] = [
  ...rfcBehaviour,
  // Op names and booleans in another case carry the same meaning.
  "caseInsensitiveOp",
  "stringBooleans",
  // Removing everything when the client listed what to remove is never what it meant.
  "removeListedMembers",
  // An attribute the app lacks is an admin's mapping mistake; the audit shows it was skipped.
  "skipUnknownAttributes",
  // A resource's own id echoed in a value changes nothing.
  "ignoreOwnIdInValue",
  // IdPs push memberships for users they have not created yet, and retry when refused.
  "idempotentMemberAddAndSkipUnknown",
  // Okta and OneLogin PUT users without `active`, meaning "unchanged".
  "putKeepsOmittedActive",
];

export const profiles: Readonly<Record<ProfileName, ReadonlySet<ToleranceName>>> = {
  /** Strict RFC 7643/7644: every departure answered with the RFC error. For conformance testing. */
  rfc: new Set(rfcBehaviour),
  /**
   * Okta (OIN apps PATCH users and groups, custom AIW apps PUT everything): the group rename that
   * carries its own id (17), partial PUTs (24), membership pushed before the user exists (22).
   */
  okta: new Set(everyIdp),
  /**
   * Microsoft Entra ID, with and without `aadOptscim062020`: capitalised ops (1), string booleans (2),
   * path keys in path-less values (3), `Remove members` with a value list (4), filtered
   * sub-attribute writes and removals (7, 8), manager as a string (9), JSON-encoded roles (10),
   * legacy filter forms (13).
   */
  entra: new Set([
    ...everyIdp,
    "pathlessKeysArePaths",
    "createMissingFilteredValue",
    "removeFilteredSubValue",
    "managerAsString",
    "jsonEncodedRoles",
    "legacyFilterForms",
  ]),
  /** OneLogin: lower-case ops, PUT for user updates (24), group PATCH. */
  onelogin: new Set(everyIdp),
  /** Every tolerance: accepts what every known IdP sends. */
  lenient: new Set(toleranceNames),
};

/** The profile for a directory that names none: it accepts what every real IdP sends. */
export const defaultProfile: ProfileName = "lenient";

/**
 * The profile an IdP's `User-Agent` identifies, when it identifies one. Only Okta documents its
 * client name (`Okta SCIM Client 1.0.0`); anything else gives `undefined`, so the caller keeps
 * the directory's configured profile.
 *
 * @example
 * detectProfile("Okta SCIM Client 1.0.0"); // "okta"
 * detectProfile("curl/8.0"); // undefined
 */
export function detectProfile(userAgent: string | null | undefined): ProfileName | undefined {
  if (!userAgent) return undefined;
  if (/\bokta scim client\b/i.test(userAgent)) return "okta";
  return undefined;
}
