import { describe, expect, it } from "vitest";
import {
  type AuditOperation,
  directoryOperations,
  isAuditOperation,
  policyOperations,
} from "../../src/audit/operations.js";
import type { AuditEntry } from "../../src/index.js";
import {
  addMember,
  createGroup,
  createUser,
  DAY,
  deactivate,
  patchOp,
  policyHarness,
  userBody,
} from "../policy/support.js";

describe("audit operations", () => {
  it("names every entry a provisioning day writes with an operation of the union", async () => {
    const h = await policyHarness({
      roles: [
        { id: "admin", label: "Admin", priority: 10 },
        { id: "member", label: "Member" },
      ],
      fallbackRole: "member",
      protectLastAdmin: "admin",
    });
    const ada = await createUser(h.call, "ada@example.com");
    const bob = await createUser(h.call, "bob@example.com");
    const cy = await createUser(h.call, "cy@example.com");
    await h.call("PUT", `/Users/${bob}`, userBody("bob@example.com", { displayName: "Bob" }));
    expect((await h.call("POST", "/Users", userBody("ada@example.com"))).status).toBe(409);
    await h.call("PATCH", `/Users/${ada}`, patchOp({ op: "replace", path: "password", value: "correct horse" }));
    const admins = await createGroup(h.call, "Admins", [ada]);
    await h.policy.mapGroup(h.tenantId, admins, "admin");
    await addMember(h.call, admins, bob);
    await h.policy.exclude(h.tenantId, cy, "contractor");
    await h.policy.include(h.tenantId, cy);
    await deactivate(h.call, ada);
    // Bob is now the last active admin: his deactivation is blocked and his DELETE ignored.
    await deactivate(h.call, bob);
    await h.call("DELETE", `/Users/${bob}`);
    await h.policy.unmapGroup(h.tenantId, admins);
    await h.call("DELETE", `/Users/${bob}`);
    await h.call("DELETE", `/Groups/${admins}`);
    await h.policy.setDeprovisioning(h.directoryId, { onDeactivate: { deactivateThenDeleteAfterDays: 1 } });
    await deactivate(h.call, cy);
    h.advance(2 * DAY);
    expect((await h.policy.sweep(h.tenantId)).deleted).toEqual([cy]);
    await h.server.directories.update(h.directoryId, { name: "Okta (prod)" });
    await h.server.directories.rotateToken(h.directoryId, "https://app.example.com/scim/v2", { overlapSeconds: 60 });
    await h.server.directories.revokeToken(h.directoryId);
    const other = await h.addDirectory("Entra");
    await h.server.directories.delete(other.directoryId, { resources: "keep" });

    const entries: AuditEntry[] = await h.server.audit(h.tenantId, { limit: 1000 });
    const seen = new Set<AuditOperation>(entries.map((e) => e.operation));
    expect([...seen].filter((op) => !isAuditOperation(op))).toEqual([]);
    // The flow above reaches every directory operation and all but the password-hook one of the policy's.
    expect(directoryOperations.filter((op) => !seen.has(op))).toEqual([]);
    expect(policyOperations.filter((op) => !seen.has(op))).toEqual(["policy.password.set"]);
    for (const op of [
      "create User",
      "replace User",
      "patch User",
      "delete User",
      "create Group",
      "patch Group",
      "delete Group",
    ])
      expect(seen).toContain(op);
  });

  it("tells an operation core writes from anything else", () => {
    for (const op of ["create User", "delete Group", "patch DeletedUser", "token.revoked", "policy.sweep"])
      expect(isAuditOperation(op)).toBe(true);
    for (const op of ["GET search", "host read", "policy.unknown", "create", "drop User", "create User; x"])
      expect(isAuditOperation(op)).toBe(false);
  });
});
