/**
 * The named tolerances: each is either a departure from strict RFC 7644 that some real IdP needs,
 * or an RFC rule that other servers get wrong and IdPs depend on. Profiles (./profiles.ts) switch
 * them on per directory; whenever one changes how a request is read it is recorded with
 * {@link ToleranceContext.fire}, so the audit entry says which ones applied.
 *
 * The list is ordered by the tolerance numbers 1–25 used in docs/compatibility.md. "RFC rule"
 * below means the behaviour is what RFC 7643/7644 asks for, so even the strict `rfc` profile has it;
 * the name exists so the audit entry can show that the rule mattered.
 *
 * @module
 */

export const toleranceNames = [
  /**
   * 1. PATCH `op` names compared case-insensitively (`Add`, `Replace`, `REMOVE`). Entra sends
   * capitalised names unless the tenant URL carries `aadOptscim062020`. Every IdP profile; not `rfc`.
   */
  "caseInsensitiveOp",
  /**
   * 2. Boolean attributes accept the strings `"true"`/`"false"` in any case, in POST, PUT and PATCH
   * values and in filters. Entra sends `"False"` for `active`. Every IdP profile; not `rfc`.
   */
  "stringBooleans",
  /**
   * 3. Keys of a path-less `add`/`replace` value may themselves be paths (`name.givenName`,
   * `urn:…:enterprise:2.0:User:employeeNumber`). Entra does this with `aadOptscim062020`. `entra`, `lenient`.
   */
  "pathlessKeysArePaths",
  /**
   * 4. `remove` on `members` (or any multi-valued attribute) with a `value` array removes only the
   * listed values; without a value it removes all. Entra and JumpCloud remove members this way.
   * Every IdP profile: the RFC reading (remove everything) is never what the client meant, so
   * `rfc` answers 400 rather than wipe a group.
   */
  "removeListedMembers",
  /**
   * 5. RFC rule: value-filter paths such as `members[value eq "id"]` (ids may hold escaped quotes)
   * are evaluated, never ignored. Okta removes members this way. Every profile.
   */
  "valueFilterPaths",
  /**
   * 6. RFC rule (RFC 7643 §2.5): `null` attributes and sub-attributes (`"$ref": null`) mean absent; a
   * `replace` with `null` unassigns the attribute. Every profile.
   */
  "nullMeansAbsent",
  /**
   * 7. `add`/`replace` on `emails[type eq "work"].value` when no such email exists creates
   * `{type: "work", value, primary: true}` instead of answering `noTarget`. Entra. `entra`, `lenient`.
   */
  "createMissingFilteredValue",
  /**
   * 8. `remove` on `attr[filter].value` removes the matched values whole (a value without its
   * `value` is meaningless), only those equal to the operation's `value` when one is given, and is
   * a no-op when nothing matches. Entra. `entra`, `lenient`.
   */
  "removeFilteredSubValue",
  /**
   * 9. A complex value sent as a plain string becomes `{value}` (Entra's `manager`, the Microsoft
   * test suite's bare member ids); `manager[value eq "id"]` removes the manager when it matches and
   * does nothing otherwise. `entra`, `lenient`.
   */
  "managerAsString",
  /**
   * 10. Role objects JSON-encoded in strings (`{"value":"{\"id\":…,\"value\":\"Admin\"}"}`) are
   * decoded. Entra app roles. `entra`, `lenient`.
   */
  "jsonEncodedRoles",
  /**
   * 11. RFC rule (RFC 7644 §3.5.2.1): `add` on a single-valued attribute replaces its value. Entra
   * adds `externalId` to existing groups. Every profile.
   */
  "addSingleValuedAsReplace",
  /**
   * 12. Unknown attributes and paths are skipped and recorded instead of failing the request with
   * `invalidPath`/`invalidValue`; never a partial write either way. IdP admins map attributes the
   * app lacks, and a failing request is retried forever. Every IdP profile; not `rfc`.
   */
  "skipUnknownAttributes",
  /**
   * 13. Legacy filter forms: unquoted values (`externalId eq jyoung`) and
   * `emails[type eq "work"].value eq "x"`. Entra. `entra`, `lenient`.
   */
  "legacyFilterForms",
  /** 14. RFC rule: a filter that matches nothing is 200 with an empty list, never 404. Every profile. */
  "emptyListNotNotFound",
  /** 15. RFC rule: inactive users are returned by GET and by filters. Every profile. */
  "inactiveStillVisible",
  /**
   * 16. RFC rule (RFC 7643 §7): unknown schema URIs (Entra's ADSCIM Group schema) and read-only
   * attributes echoed in POST/PUT (`id`, `meta`, `groups`) are ignored. Every profile.
   */
  "ignoreUnknownSchemasAndReadOnly",
  /**
   * 17. A path-less PATCH value may carry the resource's own `id` (Okta's group rename); it is
   * ignored when it equals the target id. Any other id is 400 `mutability`. Every IdP profile.
   */
  "ignoreOwnIdInValue",
  /** 18. RFC rule: `replace` on `members` with `[]` clears the members. Every profile. */
  "replaceMembersEmptyClears",
  /** 19. RFC rule: 201 answers carry the full resource and `Location`. Every profile. */
  "fullResourceOnCreate",
  /** 20. RFC rule: `startIndex` < 1 reads as 1, `count` is capped, `count=0` returns totals. Every profile. */
  "lenientPaging",
  /** 21. RFC rule: `userName` matched case-insensitively, stored as sent. Every profile. */
  "caseInsensitiveUserName",
  /**
   * 22. Re-adding an existing member succeeds without a duplicate (every profile: the store is
   * idempotent); a member id that names no User or Group is skipped and recorded where this is
   * enabled, and is 400 `invalidValue` without it. Likewise a `members[…]` filter that matches no
   * member (an IdP retrying a removal) is a recorded no-op here and 400 `noTarget` without it.
   * Every IdP profile; not `rfc`.
   */
  "idempotentMemberAddAndSkipUnknown",
  /**
   * 23. RFC-compatible reading of content types: `application/json` and `application/scim+json`
   * with any charset; unknown query parameters ignored. Every profile.
   */
  "lenientContentType",
  /**
   * 24. A PUT that omits `active` keeps its current value (Okta and OneLogin PUT partial users;
   * PingFederate only PUTs). Every IdP profile; not `rfc`, where PUT clears every omitted attribute.
   */
  "putKeepsOmittedActive",
  /**
   * 25. Deprovisioning deactivates rather than deletes by default; hard delete is a policy choice
   * (Okta and OneLogin cannot reactivate a deleted user). Every profile.
   */
  "softDeactivationDefault",
] as const;

export type ToleranceName = (typeof toleranceNames)[number];

/** The 1-based number of a tolerance, as used in docs/compatibility.md and the IdP notes. */
export function toleranceNumber(name: ToleranceName): number {
  return toleranceNames.indexOf(name) + 1;
}

/** What the request pipeline asks while reading a request: may I tolerate this, and note that I did. */
export interface ToleranceContext {
  enabled(name: ToleranceName): boolean;
  /** Records that `name` changed how this request was read. */
  fire(name: ToleranceName): void;
  /** Names fired so far, in first-fired order. */
  readonly fired: readonly ToleranceName[];
}

/**
 * A fresh context for one request. Create one per request: it collects what fired.
 *
 * @example
 * const tol = toleranceContext(profiles.entra);
 * if (tol.enabled("stringBooleans")) tol.fire("stringBooleans");
 * tol.fired; // ["stringBooleans"]
 */
export function toleranceContext(enabled: ReadonlySet<ToleranceName>): ToleranceContext {
  const fired: ToleranceName[] = [];
  return {
    enabled: (name) => enabled.has(name),
    fire: (name) => {
      if (!fired.includes(name)) fired.push(name);
    },
    fired,
  };
}
