import { describe, expect, it } from "vitest";
import type { RoleDefinition } from "../../src/policy/index.js";
import {
  addMember,
  createGroup,
  createUser,
  deactivate,
  patchOp,
  policyHarness,
  type Call,
  type PolicyHarness,
} from "./support.js";

/** Two customers of one SaaS, each with its own roles. */
const rolesOf: Record<string, RoleDefinition[]> = {
  acme: [
    { id: "owner", label: "Owner", priority: 10 },
    { id: "member", label: "Member" },
  ],
  globex: [
    { id: "admin", label: "Administrator", priority: 5 },
    { id: "viewer", label: "Viewer" },
  ],
};

async function twoTenants(): Promise<{ h: PolicyHarness; globex: Call; asked: string[] }> {
  const asked: string[] = [];
  const h = await policyHarness({
    roles: async (tenantId) => {
      asked.push(tenantId);
      return rolesOf[tenantId] ?? [];
    },
    fallbackRole: "member",
    protectLastAdmin: "owner",
  });
  const dir = await h.server.directories.create({ tenantId: "globex", name: "Entra", idp: "entra" });
  const { token } = await h.server.directories.mintToken(dir.id);
  const globex: Call = async (method, path, body) => {
    const init: RequestInit = {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
    };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await h.server.fetch(new Request(`https://app.example.com/scim/v2${path}`, init));
    const text = await res.text();
    return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
  };
  return { h, globex, asked };
}

describe("roles declared per tenant", () => {
  it("lists each tenant's own roles, best-ranked first", async () => {
    const { h } = await twoTenants();
    expect((await h.policy.roles("acme")).map((r) => r.id)).toEqual(["owner", "member"]);
    expect((await h.policy.roles("globex")).map((r) => r.label)).toEqual(["Administrator", "Viewer"]);
    expect(await h.policy.roles("initech")).toEqual([]);
  });

  it("refuses to map a group to a role the group's tenant does not declare, with a typed error", async () => {
    const { h, globex } = await twoTenants();
    const admins = await createGroup(globex, "Admins");
    // "owner" exists, but only for acme.
    await expect(h.policy.mapGroup("globex", admins, "owner")).rejects.toMatchObject({
      name: "ScimConfigError",
      code: "invalid",
      message: 'Role "owner" is not declared for tenant globex',
    });
    await expect(h.policy.previewMapping("globex", admins, "owner")).rejects.toMatchObject({ code: "invalid" });
    expect((await h.policy.listGroups("globex"))[0]?.roleId).toBeNull();
    // The tenant's own role maps.
    expect(await h.policy.mapGroup("globex", admins, "admin")).toEqual([]);
    expect((await h.policy.listGroups("globex"))[0]?.roleId).toBe("admin");
  });

  it("computes roles from the request's tenant: the fallback role only where that tenant declares it", async () => {
    const { h, globex } = await twoTenants();
    const ada = await createUser(h.call, "ada@acme.example");
    const bob = await createUser(globex, "bob@globex.example");
    expect(await h.policy.rolesOf("acme", ada)).toEqual(["member"]);
    expect(await h.policy.rolesOf("globex", bob)).toBeNull();
    const viewers = await createGroup(globex, "Viewers");
    await h.policy.mapGroup("globex", viewers, "viewer");
    expect((await addMember(globex, viewers, bob)).status).toBe(204);
    expect(await h.policy.rolesOf("globex", bob)).toEqual(["viewer"]);
  });

  it("guards the last holder of the protected role in the tenant that declares it, and only there", async () => {
    const { h, globex } = await twoTenants();
    const ada = await createUser(h.call, "ada@acme.example");
    const owners = await createGroup(h.call, "Owners", [ada]);
    await h.policy.mapGroup("acme", owners, "owner");
    expect(await h.policy.rolesOf("acme", ada)).toEqual(["owner"]);
    await deactivate(h.call, ada);
    expect((await h.call("GET", `/Users/${ada}`)).body.active).toBe(true);
    expect(await h.policy.rolesOf("acme", ada)).toEqual(["owner"]);

    const bob = await createUser(globex, "bob@globex.example");
    const admins = await createGroup(globex, "Admins", [bob]);
    await h.policy.mapGroup("globex", admins, "admin");
    expect(await h.policy.rolesOf("globex", bob)).toEqual(["admin"]);
    // globex declares no "owner": its last admin is deprovisioned like anyone else.
    await deactivate(globex, bob);
    expect((await globex("GET", `/Users/${bob}`)).body.active).toBe(false);
    expect(await h.policy.rolesOf("globex", bob)).toEqual([]);
  });

  it("asks for a tenant's roles when a write needs them, not for a plain profile update", async () => {
    const { h, asked } = await twoTenants();
    const ada = await createUser(h.call, "ada@acme.example");
    expect(asked).toEqual(["acme"]);
    asked.length = 0;
    const res = await h.call("PATCH", `/Users/${ada}`, patchOp({ op: "replace", path: "displayName", value: "Ada" }));
    expect(res.status).toBe(200);
    expect(asked).toEqual([]);
  });

  it("applies a changed list from the next write on (nothing is cached)", async () => {
    const lists: Record<string, RoleDefinition[]> = { acme: [{ id: "member", label: "Member" }] };
    const h = await policyHarness({ roles: (t) => lists[t] ?? [], fallbackRole: "member" });
    const ada = await createUser(h.call, "ada@acme.example");
    expect(await h.policy.rolesOf("acme", ada)).toEqual(["member"]);
    lists["acme"] = [{ id: "staff", label: "Staff" }];
    const bob = await createUser(h.call, "bob@acme.example");
    expect(await h.policy.rolesOf("acme", bob)).toBeNull();
    expect((await h.policy.roles("acme")).map((r) => r.id)).toEqual(["staff"]);
  });

  it("answers a SCIM request with a 500 and no details when the host's function returns an invalid list", async () => {
    const h = await policyHarness({
      roles: () => [{ id: "", label: "nameless" }] as RoleDefinition[],
      fallbackRole: "member",
    });
    const res = await h.call("POST", "/Users", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "ada@acme.example",
    });
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain("nameless");
    expect(h.logs.join("\n")).toContain("non-empty id");
  });
});
