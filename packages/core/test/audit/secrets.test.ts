/**
 * Values a client may write but never read back — a host extension's writeOnly and
 * `returned: "never"` attributes, and the password — are stored, yet never reach an audit entry or
 * an event (read from the outbox, read across tenants, or delivered to a subscriber), which hosts
 * ship to log pipelines and webhooks.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineExtension, type ScimEvent } from "../../src/index.js";
import { harness, user, type Harness } from "../support.js";

const VAULT = "urn:example:scim:schemas:extension:vault:2.0:User";
const vault = defineExtension({
  resourceType: "User",
  id: VAULT,
  name: "Vault",
  schema: z.object({
    recoveryPin: z
      .string()
      .regex(/^[A-Z0-9-]{8,}$/, "expected a recovery PIN")
      .optional()
      .meta({ scim: { mutability: "writeOnly", returned: "never" } }),
    // Readable to no one but writable and replaceable like any other attribute: not writeOnly.
    securityAnswer: z
      .string()
      .optional()
      .meta({ scim: { returned: "never" } }),
    badge: z.string().optional(),
  }),
});

const patchOp = (...ops: unknown[]) => ({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations: ops,
});

/** Every place a host reads events and audit entries from, as one text to search. */
async function everything(h: Harness, tenantId: string, delivered: readonly ScimEvent[]): Promise<string> {
  const read = await h.server.events.read(tenantId, { limit: 1000 });
  const all = await h.server.events.readAll({ limit: 1000 });
  const audit = await h.server.audit(tenantId, { limit: 1000 });
  // The test is only worth something if the places it searches hold the writes it made.
  expect(read.length).toBeGreaterThan(3);
  expect(all.length).toBe(read.length);
  expect(delivered.length).toBe(read.length - 2); // all but directory.created and token.minted
  expect(audit.some((e) => e.operation.startsWith("replace User") || e.operation.startsWith("update User"))).toBe(true);
  return JSON.stringify({ read, all, delivered, audit });
}

const stored = (h: Harness, tenantId: string, id: string) =>
  h.server.store.transaction(tenantId, (tx) => tx.getResource("User", id), { readOnly: true });

describe("writeOnly and returned: never values stay out of events and the audit trail", () => {
  it("after a create, PATCH and PUT that set them, and are stored all the same", async () => {
    const tenantId = "t-vault";
    const h = await harness({ tenantId, extensions: [vault] });
    const delivered: ScimEvent[] = [];
    h.server.events.subscribe((e) => void delivered.push(e));
    const secrets = ["PIN-CREATE-1111", "answer-create-swordfish", "PIN-PATCH-2222", "answer-patch-marlin"];
    const created = await h.call(
      "POST",
      "/Users",
      user("ada@example.com", {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", VAULT],
        [VAULT]: { recoveryPin: secrets[0], securityAnswer: secrets[1], badge: "B-1" },
      }),
    );
    expect(created.status).toBe(201);
    // Neither is ever returned to a client either.
    expect(JSON.stringify(created.body)).not.toContain("PIN-");
    expect(JSON.stringify(created.body)).not.toContain("answer-");
    const id = created.body.id as string;

    const patched = await h.call(
      "PATCH",
      `/Users/${id}`,
      patchOp(
        { op: "replace", path: `${VAULT}:recoveryPin`, value: secrets[2] },
        { op: "replace", path: `${VAULT}:securityAnswer`, value: secrets[3] },
        { op: "replace", path: `${VAULT}:badge`, value: "B-2" },
      ),
    );
    expect(patched.status).toBe(200);
    expect((await stored(h, tenantId, id))?.attributes[VAULT]).toEqual({
      recoveryPin: secrets[2],
      securityAnswer: secrets[3],
      badge: "B-2",
    });

    // A PUT replaces them too (with values not seen before, so a leak of these is the PUT's own).
    const put = await h.call(
      "PUT",
      `/Users/${id}`,
      user("ada@example.com", {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", VAULT],
        [VAULT]: { recoveryPin: "PIN-PUT-3333", securityAnswer: "answer-put-halibut", badge: "B-3" },
      }),
    );
    expect(put.status).toBe(200);
    secrets.push("PIN-PUT-3333", "answer-put-halibut");
    expect((await stored(h, tenantId, id))?.attributes[VAULT]).toEqual({
      recoveryPin: "PIN-PUT-3333",
      securityAnswer: "answer-put-halibut",
      badge: "B-3",
    });

    // A PATCH through a filter on another attribute still works on the user that holds them.
    const filtered = await h.call(
      "PATCH",
      `/Users/${id}`,
      patchOp({ op: "replace", path: 'emails[type eq "work"].value', value: "ada@lovelace.example" }),
    );
    expect(filtered.status).toBe(200);
    expect((await stored(h, tenantId, id))?.attributes[VAULT]).toMatchObject({ recoveryPin: "PIN-PUT-3333" });

    // Removing them is a change the trail records, without the value removed.
    const removed = await h.call(
      "PATCH",
      `/Users/${id}`,
      patchOp({ op: "remove", path: `${VAULT}:recoveryPin` }, { op: "remove", path: `${VAULT}:securityAnswer` }),
    );
    expect(removed.status).toBe(200);
    expect((await stored(h, tenantId, id))?.attributes[VAULT]).toEqual({ badge: "B-3" });

    // A user created through Bulk, then deleted while holding them: user.deleted carries the user
    // as it last was, which must not mean with its PIN.
    const bulk = await h.call("POST", "/Bulk", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
      Operations: [
        {
          method: "POST",
          path: "/Users",
          bulkId: "cy",
          data: user("cy@example.com", {
            schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", VAULT],
            [VAULT]: { recoveryPin: "PIN-BULK-4444", securityAnswer: "answer-bulk-turbot" },
          }),
        },
      ],
    });
    expect(bulk.status).toBe(200);
    secrets.push("PIN-BULK-4444", "answer-bulk-turbot");
    const cy = String(bulk.body.Operations[0].location).split("/").at(-1) ?? "";
    expect((await stored(h, tenantId, cy))?.attributes[VAULT]).toMatchObject({ recoveryPin: "PIN-BULK-4444" });
    expect((await h.call("DELETE", `/Users/${cy}`)).status).toBe(204);

    // And one the host's deletion of the directory removes, journaled by another path than a DELETE.
    const dee = await h.call(
      "POST",
      "/Users",
      user("dee@example.com", {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", VAULT],
        [VAULT]: { recoveryPin: "PIN-DIRDEL-6666" },
      }),
    );
    expect(dee.status).toBe(201);
    secrets.push("PIN-DIRDEL-6666");
    await h.server.directories.delete(h.directoryId, { resources: "delete" });
    expect(await stored(h, tenantId, dee.body.id as string)).toBeNull();

    await new Promise((r) => setTimeout(r, 10));
    const text = await everything(h, tenantId, delivered);
    // The visible attribute is there, so the search is over the entries that carry the change.
    expect(text).toContain("B-2");
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain("recoveryPin");
    expect(text).not.toContain("securityAnswer");
  });

  it("even when the request fails and its audit entry carries the error's detail", async () => {
    const tenantId = "t-vault-bad";
    const h = await harness({ tenantId, extensions: [vault] });
    const id = (await h.call("POST", "/Users", user("bo@example.com"))).body.id as string;
    // A value the extension refuses: the error speaks of the attribute, never the value sent.
    const bad = await h.call(
      "PATCH",
      `/Users/${id}`,
      patchOp({ op: "replace", path: `${VAULT}:recoveryPin`, value: "leaky pin value" }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe("invalidValue");
    expect(JSON.stringify(bad.body)).not.toContain("leaky pin value");
    const audit = await h.server.audit(tenantId, { limit: 1000 });
    expect(audit.some((e) => e.outcome === "failure" && e.status === 400)).toBe(true);
    expect(JSON.stringify(audit)).not.toContain("leaky pin value");
    expect(JSON.stringify(await h.server.events.read(tenantId, { limit: 1000 }))).not.toContain("leaky pin value");
  });
});

describe("a synced password stays out of the audit trail", () => {
  it("on create, PATCH and PUT, while the trail says a password was set and how", async () => {
    const tenantId = "t-pw-audit";
    const h = await harness({ tenantId, policy: { passwordSync: true } });
    const id = (await h.call("POST", "/Users", user("pw@example.com", { password: "correct horse battery" }))).body
      .id as string;
    const patched = await h.call(
      "PATCH",
      `/Users/${id}`,
      patchOp({ op: "replace", path: "password", value: "tranquil zebra lantern" }),
    );
    expect(patched.status).toBe(200);
    const put = await h.call("PUT", `/Users/${id}`, user("pw@example.com", { password: "velvet quasar orchard" }));
    expect(put.status).toBe(200);
    const internal = (await stored(h, tenantId, id))?.internal;
    expect(internal?.["passwordHash"]).toEqual(expect.any(String));

    const audit = await h.server.audit(tenantId, { limit: 1000 });
    expect(audit.filter((e) => e.operation === "policy.password.set").map((e) => [e.resourceId, e.facts])).toEqual([
      [id, { method: "hash" }],
      [id, { method: "hash" }],
      [id, { method: "hash" }],
    ]);
    const text = JSON.stringify(audit);
    for (const word of ["horse", "zebra", "quasar", "passwordHash", 'password"']) expect(text).not.toContain(word);
    expect(text).not.toContain(String(internal?.["passwordHash"]));
  });

  it("nor a refused one (too short) in the failure's entry", async () => {
    const tenantId = "t-pw-short";
    const h = await harness({ tenantId, policy: { passwordSync: true } });
    const id = (await h.call("POST", "/Users", user("pw@example.com"))).body.id as string;
    const res = await h.call("PATCH", `/Users/${id}`, patchOp({ op: "replace", path: "password", value: "x7!" }));
    expect(res.status).toBe(400);
    const audit = await h.server.audit(tenantId, { limit: 1000 });
    expect(audit.some((e) => e.outcome === "failure")).toBe(true);
    expect(JSON.stringify(audit)).not.toContain("x7!");
  });
});
