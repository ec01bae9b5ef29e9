import { describe, expect, it } from "vitest";
import { harness, user } from "../support.js";

describe("host read API", () => {
  it("gets, finds and lists users as typed views, scoped to the tenant", async () => {
    const h = await harness({
      tenantId: "t-read",
      policy: { roles: [{ id: "member", label: "Member" }], fallbackRole: "member" },
    });
    const ada = (await h.call("POST", "/Users", user("Ada@Example.com", { externalId: "okta-ada" }))).body.id as string;
    await h.call("POST", "/Users", user("bob@example.com", { name: { givenName: "Bob", familyName: "Babbage" } }));
    const other = await h.server.directories.create({ tenantId: "t-other", name: "Other" });
    expect(other.tenantId).toBe("t-other");

    expect(await h.server.users.get("t-read", ada)).toMatchObject({
      id: ada,
      userName: "Ada@Example.com",
      email: "Ada@Example.com",
      roles: ["member"],
      directoryId: h.directoryId,
    });
    expect(await h.server.users.get("t-other", ada)).toBeNull();
    expect((await h.server.users.find("t-read", { userName: "ada@example.com" }))?.id).toBe(ada);
    expect((await h.server.users.find("t-read", { email: "ADA@example.com" }))?.id).toBe(ada);
    expect((await h.server.users.find("t-read", { externalId: "okta-ada" }))?.id).toBe(ada);
    expect(await h.server.users.find("t-read", { externalId: "OKTA-ADA" })).toBeNull();

    const page = await h.server.users.list("t-read", { filter: 'name.familyName sw "Bab"' });
    expect(page.total).toBe(1);
    expect(page.items.map((u) => u.userName)).toEqual(["bob@example.com"]);
    const sorted = await h.server.users.list("t-read", { sortBy: "userName", sortOrder: "descending", count: 1 });
    expect(sorted).toMatchObject({ total: 2, items: [{ userName: "bob@example.com" }] });
    expect(await h.server.users.roles("t-read", ada)).toEqual(["member"]);
  });

  it("reads groups, their members and a user's groups", async () => {
    const h = await harness({ tenantId: "t-g" });
    const ada = (await h.call("POST", "/Users", user("ada@example.com"))).body.id as string;
    const g = (await h.call("POST", "/Groups", { displayName: "Eng", members: [{ value: ada }] })).body.id as string;
    expect(await h.server.groups.get("t-g", g)).toMatchObject({ id: g, displayName: "Eng" });
    expect((await h.server.groups.find("t-g", { displayName: "eng" }))?.id).toBe(g);
    expect(await h.server.groups.members("t-g", g)).toEqual([{ id: ada, type: "User", display: null }]);
    expect(await h.server.users.groups("t-g", ada)).toEqual([{ id: g, displayName: "Eng" }]);
    expect((await h.server.groups.list("t-g")).total).toBe(1);
  });

  it("refuses a filter or option that cannot work, as a configuration error naming it", async () => {
    const h = await harness({ tenantId: "t-bad" });
    await expect(h.server.users.list("t-bad", { filter: "userName eq" })).rejects.toThrow(/filter/i);
    await expect(h.server.users.list("t-bad", { sortBy: "noSuchAttribute" })).rejects.toThrow(/noSuchAttribute/);
    await expect(h.server.users.list("t-bad", { count: -1 } as never)).rejects.toThrow(/count/);
    await expect(h.server.users.list("t-bad", { colour: "red" } as never)).rejects.toThrow(/colour|unrecognized/i);
  });
});
