import { describe, expect, it } from "vitest";
import { defaultProfile, detectProfile, profiles } from "./profiles.js";
import { toleranceContext, toleranceNames, toleranceNumber, type ToleranceName } from "./tolerances.js";

const departures: readonly ToleranceName[] = [
  "caseInsensitiveOp",
  "stringBooleans",
  "pathlessKeysArePaths",
  "removeListedMembers",
  "createMissingFilteredValue",
  "removeFilteredSubValue",
  "managerAsString",
  "jsonEncodedRoles",
  "skipUnknownAttributes",
  "legacyFilterForms",
  "ignoreOwnIdInValue",
  "idempotentMemberAddAndSkipUnknown",
  "putKeepsOmittedActive",
];

describe("tolerances", () => {
  it("numbers the 25 tolerances in the documented order", () => {
    expect(toleranceNames).toHaveLength(25);
    expect(toleranceNumber("caseInsensitiveOp")).toBe(1);
    expect(toleranceNumber("managerAsString")).toBe(9);
    expect(toleranceNumber("ignoreOwnIdInValue")).toBe(17);
    expect(toleranceNumber("softDeactivationDefault")).toBe(25);
  });

  it("records each fired tolerance once, in first-fired order", () => {
    const tol = toleranceContext(profiles.lenient);
    tol.fire("stringBooleans");
    tol.fire("caseInsensitiveOp");
    tol.fire("stringBooleans");
    expect(tol.fired).toEqual(["stringBooleans", "caseInsensitiveOp"]);
  });

  it("answers enabled from the profile it was made with", () => {
    expect(toleranceContext(profiles.rfc).enabled("stringBooleans")).toBe(false);
    expect(toleranceContext(profiles.entra).enabled("stringBooleans")).toBe(true);
  });
});

describe("profiles", () => {
  it("rfc has no departure from the RFC", () => {
    for (const name of departures) expect(profiles.rfc.has(name)).toBe(false);
  });

  it("every profile keeps the tolerances that are RFC behaviour", () => {
    const rfcRules = toleranceNames.filter((n) => !departures.includes(n));
    for (const set of Object.values(profiles)) for (const name of rfcRules) expect(set.has(name)).toBe(true);
  });

  it("lenient, the default, has every tolerance", () => {
    expect(defaultProfile).toBe("lenient");
    expect([...profiles.lenient].sort()).toEqual([...toleranceNames].sort());
  });

  it("entra has what Entra sends in both PATCH modes", () => {
    for (const name of [
      "caseInsensitiveOp",
      "stringBooleans",
      "pathlessKeysArePaths",
      "removeListedMembers",
      "createMissingFilteredValue",
      "removeFilteredSubValue",
      "managerAsString",
      "jsonEncodedRoles",
      "legacyFilterForms",
    ] as const) {
      expect(profiles.entra.has(name)).toBe(true);
    }
  });

  it("okta has the own-id rename and partial PUT, but not Entra's path keys", () => {
    expect(profiles.okta.has("ignoreOwnIdInValue")).toBe(true);
    expect(profiles.okta.has("putKeepsOmittedActive")).toBe(true);
    expect(profiles.okta.has("pathlessKeysArePaths")).toBe(false);
  });

  it("onelogin has case-insensitive ops and partial PUT", () => {
    expect(profiles.onelogin.has("caseInsensitiveOp")).toBe(true);
    expect(profiles.onelogin.has("putKeepsOmittedActive")).toBe(true);
  });
});

describe("detectProfile", () => {
  it("recognises Okta's SCIM client", () => {
    expect(detectProfile("Okta SCIM Client 1.0.0")).toBe("okta");
    expect(detectProfile("okta scim client 2.1")).toBe("okta");
  });

  it("gives undefined for any other or missing user agent", () => {
    expect(detectProfile("Mozilla/5.0")).toBeUndefined();
    expect(detectProfile("NotOkta SCIM Clientele")).toBeUndefined();
    expect(detectProfile(null)).toBeUndefined();
    expect(detectProfile(undefined)).toBeUndefined();
  });
});
