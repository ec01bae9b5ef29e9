import { describe, expect, it } from "vitest";
import { harness, user } from "../support.js";

const search = { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"] };

describe("POST /.search at the base URL", () => {
  it("shows each User's groups, as GET and /Users/.search do", async () => {
    const h = await harness();
    const ada = (await h.call("POST", "/Users", user("ada@example.com"))).body.id as string;
    const group = (await h.call("POST", "/Groups", { displayName: "Engineering", members: [{ value: ada }] })).body
      .id as string;
    const res = await h.call("POST", "/.search", { ...search, filter: 'userName eq "ada@example.com"' });
    expect(res.status).toBe(200);
    expect(res.body.Resources).toHaveLength(1);
    expect(res.body.Resources[0].groups).toEqual([expect.objectContaining({ value: group, display: "Engineering" })]);
  });

  it("refuses sortBy with 400 instead of answering in another order", async () => {
    const h = await harness();
    await h.call("POST", "/Users", user("b@example.com"));
    await h.call("POST", "/Users", user("a@example.com"));
    const res = await h.call("POST", "/.search", { ...search, sortBy: "userName", sortOrder: "descending" });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ scimType: "invalidValue", status: "400" });
    expect(res.body.detail).toContain("sortBy");
  });
});

describe("PATCH responses with a projection", () => {
  it("answers 200 with the projected resource when excludedAttributes is given, though the directory's default is 204", async () => {
    const h = await harness();
    const ada = (await h.call("POST", "/Users", user("ada@example.com"))).body.id as string;
    const group = (await h.call("POST", "/Groups", { displayName: "Eng" })).body.id as string;
    const op = {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "add", path: "members", value: [{ value: ada }] }],
    };
    const plain = await h.call("PATCH", `/Groups/${group}`, op);
    expect(plain.status).toBe(204);
    const projected = await h.call("PATCH", `/Groups/${group}?ExcludedAttributes=members`, {
      ...op,
      Operations: [{ op: "replace", path: "displayName", value: "Engineering" }],
    });
    expect(projected.status).toBe(200);
    expect(projected.body.displayName).toBe("Engineering");
    expect(projected.body.members).toBeUndefined();
  });
});
