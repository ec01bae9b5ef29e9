import { describe, expect, it } from "vitest";
import { harness, user } from "../support.js";

const patch = (...Operations: unknown[]) => ({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations,
});

async function groupWithOneMember(profile: "rfc" | "okta") {
  const h = await harness({ profile });
  const ada = (await h.call("POST", "/Users", user("ada@example.com"))).body.id as string;
  const bob = (await h.call("POST", "/Users", user("bob@example.com"))).body.id as string;
  const group = (await h.call("POST", "/Groups", { displayName: "Eng", members: [{ value: ada }] })).body.id as string;
  return { h, ada, bob, group };
}

describe("a members[…] filter that matches no member", () => {
  it("is 400 noTarget under the rfc profile, and the rest of the request is not applied", async () => {
    const { h, ada, bob, group } = await groupWithOneMember("rfc");
    const res = await h.call(
      "PATCH",
      `/Groups/${group}`,
      patch(
        { op: "replace", path: "displayName", value: "Renamed" },
        { op: "remove", path: `members[value eq "${bob}"]` },
      ),
    );
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe("noTarget");
    const after = (await h.call("GET", `/Groups/${group}`)).body;
    expect(after.displayName).toBe("Eng");
    expect(after.members.map((m: { value: string }) => m.value)).toEqual([ada]);
    const filtered = await h.call(
      "PATCH",
      `/Groups/${group}`,
      patch({ op: "remove", path: 'members[type eq "Group"]' }),
    );
    expect(filtered.body.scimType).toBe("noTarget");
  });

  it("is a recorded no-op for an IdP profile, since a retried removal meets exactly this", async () => {
    const { h, ada, bob, group } = await groupWithOneMember("okta");
    const res = await h.call("PATCH", `/Groups/${group}`, patch({ op: "remove", path: `members[value eq "${bob}"]` }));
    expect(res.status).toBeLessThan(300);
    expect((await h.call("GET", `/Groups/${group}`)).body.members.map((m: { value: string }) => m.value)).toEqual([
      ada,
    ]);
    const entries = await h.server.audit("acme");
    expect(entries.at(-1)?.tolerances).toContain("idempotentMemberAddAndSkipUnknown");
  });

  it("still removes a member it matches under the rfc profile", async () => {
    const { h, ada, group } = await groupWithOneMember("rfc");
    const res = await h.call("PATCH", `/Groups/${group}`, patch({ op: "remove", path: `members[value eq "${ada}"]` }));
    expect(res.status).toBeLessThan(300);
    expect((await h.call("GET", `/Groups/${group}`)).body.members ?? []).toEqual([]);
  });
});
