/**
 * A zod-declared extension over HTTP on the memory store: discovery, POST/PUT/PATCH/GET, filters and
 * sorting on its attributes, `returned: "never"` from its metadata, the zod check refusing a bad
 * value with nothing written, and the host reading it typed from the read API and events.
 */
import { beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import {
  createMemoryStore,
  createScimServer,
  defineExtension,
  type JsonObject,
  type ScimEvent,
  type ScimStore,
} from "../../src/index.js";
import { harness, user, type Harness } from "../support.js";
import { ACME, CORE, acme } from "./acme.js";
import { z } from "zod";

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const q = (s: string) => encodeURIComponent(s);
const acmeUser = (userName: string, values: Record<string, unknown>) => ({
  ...user(userName),
  schemas: [CORE, ACME],
  [ACME]: values,
});
const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

let h: Harness;
let store: ScimStore;
beforeEach(async () => {
  store = createMemoryStore();
  h = await harness({ store, extensions: [acme] });
});

async function create(userName: string, values: Record<string, unknown>): Promise<string> {
  const res = await h.call("POST", "/Users", acmeUser(userName, values));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

async function stored(id: string): Promise<JsonObject | undefined> {
  const r = await store.transaction("acme", (tx) => tx.getResource("User", id), { readOnly: true });
  return r?.attributes;
}

const userNames = async (query: string) => {
  const res = await h.call("GET", `/Users?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.Resources as { userName: string }[]).map((u) => u.userName);
};

describe("discovery", () => {
  it("serves the schema with its derived attributes and lists it among the User's schemaExtensions", async () => {
    const schema = await h.call("GET", `/Schemas/${ACME}`);
    expect(schema.status).toBe(200);
    expect(schema.body).toMatchObject({ id: ACME, name: "AcmeUser", description: "Acme custom attributes" });
    const byName = new Map((schema.body.attributes as { name: string }[]).map((a) => [a.name, a]));
    expect(byName.get("costCenter")).toEqual({
      name: "costCenter",
      type: "string",
      multiValued: false,
      description: "Finance cost center",
      required: false,
      caseExact: true,
      mutability: "readWrite",
      returned: "default",
      uniqueness: "none",
    });
    expect(byName.get("department")).toMatchObject({ type: "string", canonicalValues: ["ENG", "OPS", "SALES"] });
    expect(byName.get("level")).toMatchObject({ type: "integer" });
    expect(byName.get("startedAt")).toMatchObject({ type: "dateTime" });
    expect(byName.get("badgeId")).toMatchObject({ mutability: "immutable", uniqueness: "server" });
    expect(byName.get("pin")).toMatchObject({ mutability: "writeOnly", returned: "never" });
    expect(byName.get("tags")).toMatchObject({ type: "string", multiValued: true });
    expect(byName.get("site")).toMatchObject({
      type: "complex",
      subAttributes: [
        { name: "code", required: true },
        { name: "floor", type: "integer" },
      ],
    });

    const all = await h.call("GET", "/Schemas");
    expect((all.body.Resources as { id: string }[]).map((s) => s.id)).toContain(ACME);
    const type = await h.call("GET", "/ResourceTypes/User");
    expect(type.body.schemaExtensions).toContainEqual({ schema: ACME, required: false });
  });
});

describe("round trip on the memory store", () => {
  it("POST, GET, PATCH (path, path-less, sub-attribute) and PUT keep the extension's values", async () => {
    const sent = {
      costCenter: "CC-100",
      department: "ENG",
      level: 3,
      ratio: 0.5,
      remote: true,
      startedAt: "2024-03-01T09:00:00Z",
      badgeId: "B-1",
      pin: "4321",
      tags: ["a", "b"],
      site: { code: "B", floor: 2 },
    };
    const created = await h.call("POST", "/Users", acmeUser("ada@example.com", sent));
    expect(created.status).toBe(201);
    const { pin: _pin, ...visible } = sent;
    expect(created.body[ACME]).toEqual(visible);
    expect(created.body.schemas).toEqual([CORE, ACME]);
    const id = created.body.id as string;
    expect((await h.call("GET", `/Users/${id}`)).body[ACME]).toEqual(visible);

    const patched = await h.call(
      "PATCH",
      `/Users/${id}`,
      patch(
        { op: "replace", path: `${ACME}:costCenter`, value: "CC-200" },
        { op: "add", value: { [ACME]: { department: "OPS" } } },
        { op: "replace", path: `${ACME}:site.floor`, value: 5 },
        { op: "add", path: `${ACME}:tags`, value: ["c"] },
        { op: "remove", path: `${ACME}:ratio` },
      ),
    );
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const { ratio: _ratio, ...rest } = visible;
    const after = {
      ...rest,
      costCenter: "CC-200",
      department: "OPS",
      site: { code: "B", floor: 5 },
      tags: ["a", "b", "c"],
    };
    expect((await h.call("GET", `/Users/${id}`)).body[ACME]).toEqual(after);

    // PUT replaces the extension; the immutable badge and the never-returned pin are kept.
    const put = await h.call("PUT", `/Users/${id}`, acmeUser("ada@example.com", { costCenter: "CC-300", level: 4 }));
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body[ACME]).toEqual({ costCenter: "CC-300", level: 4, badgeId: "B-1" });
    expect((await stored(id))?.[ACME]).toEqual({ costCenter: "CC-300", level: 4, badgeId: "B-1", pin: "4321" });
  });

  it("filters on the extension's attributes, with GET and POST /.search", async () => {
    await create("ann@example.com", {
      costCenter: "CC-100",
      department: "ENG",
      level: 2,
      remote: true,
      startedAt: "2021-01-01T00:00:00Z",
      tags: ["x"],
      site: { code: "A" },
    });
    await create("ben@example.com", {
      costCenter: "CC-200",
      department: "OPS",
      level: 7,
      remote: false,
      startedAt: "2023-06-01T00:00:00Z",
      tags: ["y", "z"],
      site: { code: "B" },
    });
    await create("cat@example.com", { costCenter: "CC-300", department: "ENG", level: 5 });
    await create("dan@example.com", {});

    const filter = (f: string) => userNames(`filter=${q(f)}&sortBy=userName`);
    expect(await filter(`${ACME}:costCenter eq "CC-200"`)).toEqual(["ben@example.com"]);
    // caseExact from the metadata: a cost center compares exactly.
    expect(await filter(`${ACME}:costCenter eq "cc-200"`)).toEqual([]);
    // department is not caseExact, so the comparison ignores case (RFC 7644 §3.4.2.2).
    expect(await filter(`${ACME}:department eq "eng"`)).toEqual(["ann@example.com", "cat@example.com"]);
    expect(await filter(`${ACME}:level gt 3`)).toEqual(["ben@example.com", "cat@example.com"]);
    expect(await filter(`${ACME}:remote eq false`)).toEqual(["ben@example.com"]);
    expect(await filter(`${ACME}:startedAt ge "2022-01-01T00:00:00Z"`)).toEqual(["ben@example.com"]);
    expect(await filter(`${ACME}:tags eq "z"`)).toEqual(["ben@example.com"]);
    expect(await filter(`${ACME}:site.code eq "A"`)).toEqual(["ann@example.com"]);
    expect(await filter(`${ACME}:costCenter pr and not (${ACME}:department eq "OPS")`)).toEqual([
      "ann@example.com",
      "cat@example.com",
    ]);

    const search = await h.call("POST", "/Users/.search", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
      filter: `${ACME}:department eq "ENG"`,
      sortBy: `${ACME}:level`,
      sortOrder: "descending",
    });
    expect(search.body.Resources.map((u: { userName: string }) => u.userName)).toEqual([
      "cat@example.com",
      "ann@example.com",
    ]);
  });

  it("sorts on the extension's attributes, missing values last", async () => {
    await create("ann@example.com", { costCenter: "CC-300", level: 2 });
    await create("ben@example.com", { costCenter: "CC-100", level: 9 });
    await create("cat@example.com", { level: 5 });
    expect(await userNames(`sortBy=${q(`${ACME}:level`)}`)).toEqual([
      "ann@example.com",
      "cat@example.com",
      "ben@example.com",
    ]);
    expect(await userNames(`sortBy=${q(`${ACME}:level`)}&sortOrder=descending`)).toEqual([
      "ben@example.com",
      "cat@example.com",
      "ann@example.com",
    ]);
    expect(await userNames(`sortBy=${q(`${ACME}:costCenter`)}`)).toEqual([
      "ben@example.com",
      "ann@example.com",
      "cat@example.com",
    ]);
  });

  it("never shows an attribute its metadata makes returned: never, whatever the request asks", async () => {
    const id = await create("ann@example.com", { costCenter: "CC-100", pin: "1234" });
    expect((await stored(id))?.[ACME]).toEqual({ costCenter: "CC-100", pin: "1234" });
    for (const path of [
      `/Users/${id}`,
      `/Users/${id}?attributes=${q(`${ACME}:pin`)}`,
      `/Users?filter=${q('userName eq "ann@example.com"')}`,
    ]) {
      const res = await h.call("GET", path);
      expect(JSON.stringify(res.body)).not.toContain("1234");
    }
    expect((await h.server.users.get("acme", id))?.attributes[ACME]).toEqual({ costCenter: "CC-100" });
  });
});

describe("validation against the zod schema", () => {
  const refused = (res: { status: number; body: { scimType?: string; detail?: string } }, path: string) => {
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe("invalidValue");
    expect(res.body.detail).toContain(`"${ACME}:${path}"`);
  };

  it("refuses a POST with a value outside an enum, of the wrong type, out of range or failing a refinement; nothing is written", async () => {
    refused(await h.call("POST", "/Users", acmeUser("a@example.com", { department: "HR" })), "department");
    refused(await h.call("POST", "/Users", acmeUser("b@example.com", { level: "three" })), "level");
    refused(await h.call("POST", "/Users", acmeUser("c@example.com", { level: 11 })), "level");
    refused(await h.call("POST", "/Users", acmeUser("d@example.com", { level: 2.5 })), "level");
    refused(await h.call("POST", "/Users", acmeUser("e@example.com", { costCenter: "finance" })), "costCenter");
    refused(await h.call("POST", "/Users", acmeUser("f@example.com", { startedAt: "March 1st" })), "startedAt");
    refused(await h.call("POST", "/Users", acmeUser("g@example.com", { tags: ["a", "b", "c", "d"] })), "tags");
    refused(await h.call("POST", "/Users", acmeUser("h@example.com", { site: { floor: 1 } })), "site.code");
    const detail = (await h.call("POST", "/Users", acmeUser("i@example.com", { department: "HR" }))).body
      .detail as string;
    expect(detail).toMatch(/ENG.*OPS.*SALES/);
    expect((await h.call("GET", "/Users")).body.totalResults).toBe(0);
  });

  it("refuses a PATCH or PUT that would store an invalid value, leaving the user as it was", async () => {
    const id = await create("ann@example.com", { department: "ENG", level: 2 });
    const before = await h.call("GET", `/Users/${id}`);
    refused(
      await h.call("PATCH", `/Users/${id}`, patch({ op: "replace", path: `${ACME}:department`, value: "HR" })),
      "department",
    );
    refused(
      await h.call(
        "PATCH",
        `/Users/${id}`,
        patch({ op: "replace", path: "displayName", value: "Ann" }, { op: "add", value: { [ACME]: { level: 0 } } }),
      ),
      "level",
    );
    refused(
      await h.call("PATCH", `/Users/${id}`, patch({ op: "add", path: `${ACME}:tags`, value: ["1", "2", "3", "4"] })),
      "tags",
    );
    refused(
      await h.call("PUT", `/Users/${id}`, acmeUser("ann@example.com", { department: "ENG", costCenter: "nope" })),
      "costCenter",
    );
    const after = await h.call("GET", `/Users/${id}`);
    expect(after.body).toEqual(before.body);
  });

  it("checks only what a PATCH changed: a value stored under an older schema does not block other changes", async () => {
    // The same store served first without the check (an older deployment), then with it.
    const loose = createScimServer({
      store,
      extensions: [
        defineExtension({
          resourceType: "User",
          id: ACME,
          name: "AcmeUser",
          schema: z.object({ level: z.int().optional() }),
        }),
      ],
    });
    const dir = await loose.directories.create({ tenantId: "acme", name: "Old" });
    const { token } = await loose.directories.mintToken(dir.id);
    const res = await loose.fetch(
      new Request("https://app.example.com/scim/v2/Users", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
        body: JSON.stringify(acmeUser("old@example.com", { level: 40 })),
      }),
    );
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { id: string }).id;

    expect(
      (await h.call("PATCH", `/Users/${id}`, patch({ op: "replace", path: "displayName", value: "Old" }))).status,
    ).toBe(200);
    refused(
      await h.call("PATCH", `/Users/${id}`, patch({ op: "replace", path: `${ACME}:department`, value: "OPS" })),
      "level",
    );
    expect(
      (await h.call("PATCH", `/Users/${id}`, patch({ op: "replace", path: `${ACME}:level`, value: 4 }))).status,
    ).toBe(200);
  });
});

describe("the host reads it typed", () => {
  it("from the read API and from events", async () => {
    const seen: (ReturnType<typeof acme.read> | null)[] = [];
    h.server.events.subscribe((e: ScimEvent) => {
      if (e.type === "user.created" || e.type === "user.updated") seen.push(acme.read(e.user) ?? null);
    });
    const id = await create("ann@example.com", { costCenter: "CC-100", level: 3, pin: "1234" });
    await h.call("PATCH", `/Users/${id}`, patch({ op: "replace", path: `${ACME}:level`, value: 4 }));
    await create("ben@example.com", {});

    const view = await h.server.users.get("acme", id);
    const value = acme.read(view ?? { attributes: {} });
    expect(value).toEqual({ costCenter: "CC-100", level: 4 });
    expectTypeOf(value?.level).toEqualTypeOf<number | undefined>();
    expectTypeOf(value?.department).toEqualTypeOf<"ENG" | "OPS" | "SALES" | undefined>();

    const page = await h.server.users.list("acme", {
      filter: `${acme.path("costCenter")} eq "CC-100"`,
      sortBy: acme.path("level"),
    });
    expect(page.items.map((u) => acme.read(u)?.level)).toEqual([4]);

    await expect.poll(() => seen.length).toBe(3);
    expect(seen).toEqual([{ costCenter: "CC-100", level: 3 }, { costCenter: "CC-100", level: 4 }, null]);
  });
});
