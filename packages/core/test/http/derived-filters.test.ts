/**
 * "Never silently ignore a filter": filters on values a response derives rather than stores
 * (User `groups`, `meta.location`, `members.$ref`) are refused with 400 `invalidFilter`, and
 * `meta.version` compares the entity tag the client sees (`W/"2"`).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { harness, user, type Harness } from "../support.js";

const q = (s: string) => encodeURIComponent(s);
const ids = (body: { Resources?: { id: string }[] }) => (body.Resources ?? []).map((r) => r.id).sort();

let h: Harness;
let alice: string;
let bob: string;
let group: string;
beforeEach(async () => {
  h = await harness();
  alice = (await h.call("POST", "/Users", user("alice@example.com"))).body.id;
  bob = (await h.call("POST", "/Users", user("bob@example.com"))).body.id;
  group = (await h.call("POST", "/Groups", { displayName: "Eng", members: [{ value: alice }] })).body.id;
});

async function refused(path: string, body?: unknown) {
  const res = await h.call(body === undefined ? "GET" : "POST", path, body);
  expect(res.status).toBe(400);
  expect(res.body.scimType).toBe("invalidFilter");
  return String(res.body.detail);
}

describe("User groups", () => {
  it("is shown on the user but refused in a filter, naming the attribute and the alternative", async () => {
    expect((await h.call("GET", `/Users/${alice}`)).body.groups.map((g: { value: string }) => g.value)).toEqual([
      group,
    ]);
    expect(await refused(`/Users?filter=${q(`groups.value eq "${group}"`)}`)).toMatch(
      /"groups.value" is derived .*members\.value/,
    );
    expect(await refused(`/Users?filter=${q(`groups[value eq "${group}"]`)}`)).toContain("groups");
    expect(await refused(`/Users?filter=${q("groups pr")}`)).toContain('"groups"');
    const search = {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
      filter: `groups.display eq "Eng"`,
    };
    expect(await refused("/Users/.search", search)).toContain("groups.display");
    expect(await refused("/.search", search)).toContain("groups.display");
  });

  it("the suggested alternative answers the question", async () => {
    const res = await h.call("GET", `/Groups?filter=${q(`members.value eq "${alice}"`)}`);
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([group]);
  });
});

describe("meta.location and members.$ref", () => {
  it("are refused rather than matching nothing", async () => {
    const location = (await h.call("GET", `/Users/${alice}`)).body.meta.location as string;
    expect(await refused(`/Users?filter=${q("meta.location pr")}`)).toContain("meta.location");
    expect(await refused(`/Users?filter=${q(`meta.location eq "${location}"`)}`)).toContain("meta.location");
    expect(await refused(`/Groups?filter=${q(`members.$ref eq "${location}"`)}`)).toContain("members.$ref");
    expect(await refused(`/Groups?filter=${q(`members[$ref pr]`)}`)).toContain("$ref");
  });
});

describe("meta.version", () => {
  it("matches the entity tag as rendered, and follows it when the resource changes", async () => {
    const tag1 = (await h.call("GET", `/Users/${bob}`)).body.meta.version as string;
    expect(tag1).toBe('W/"1"');
    const v1 = await h.call("GET", `/Users?filter=${q(`meta.version eq ${JSON.stringify(tag1)}`)}`);
    expect(v1.status).toBe(200);
    expect(ids(v1.body)).toEqual([alice, bob].sort());

    const patched = await h.call("PATCH", `/Users/${bob}?attributes=userName`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "displayName", value: "Bob" }],
    });
    const tag2 = patched.body.meta.version as string;
    expect(tag2).toBe('W/"2"');
    expect(ids((await h.call("GET", `/Users?filter=${q(`meta.version eq ${JSON.stringify(tag2)}`)}`)).body)).toEqual([
      bob,
    ]);
    expect(ids((await h.call("GET", `/Users?filter=${q(`meta.version ne ${JSON.stringify(tag2)}`)}`)).body)).toEqual([
      alice,
    ]);
    expect(ids((await h.call("GET", `/Users?filter=${q(`meta.version eq ${JSON.stringify(tag1)}`)}`)).body)).toEqual([
      alice,
    ]);
  });

  it("refuses a bare revision and ordering operators, which would compare the stored form", async () => {
    expect(await refused(`/Users?filter=${q('meta.version eq "1"')}`)).toMatch(/entity tag/);
    expect(await refused(`/Users?filter=${q('meta.version gt "W/\\"1\\""')}`)).toMatch(/opaque/);
  });
});
