/**
 * Attribute definitions drive behaviour for host-registered extensions as they do for the core
 * schemas (RFC 7643 §2.2, §7): `returned`, writeOnly, `required` (attributes, sub-attributes and the
 * extension itself) and `immutable` on PUT. Everything is driven over HTTP; what was stored is read
 * back with GET, or from the store for values no response may show.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { attr, createMemoryStore, type JsonObject, type ScimStore } from "../../src/index.js";
import { harness, user, type Harness } from "../support.js";

const VAULT = "urn:example:params:scim:schemas:extension:vault:2.0:User";
const CORE = "urn:ietf:params:scim:schemas:core:2.0:User";

const vaultSchema = {
  id: VAULT,
  name: "Vault",
  description: "test extension exercising every characteristic",
  attributes: [
    attr("secret", "string", { returned: "never", mutability: "writeOnly" }),
    attr("pin", "string", { returned: "request" }),
    attr("badge", "string", { required: true }),
    attr("hireId", "string", { mutability: "immutable" }),
    attr("card", "complex", {
      subAttributes: [
        attr("number", "string"),
        attr("issuer", "string", { mutability: "immutable" }),
        attr("cvv", "string", { returned: "never" }),
      ],
    }),
    attr("keys", "complex", {
      multiValued: true,
      subAttributes: [
        attr("value", "string", { required: true }),
        attr("material", "string", { mutability: "writeOnly" }),
      ],
    }),
  ],
};

const vaultUser = (userName: string, vault: Record<string, unknown>) => ({
  ...user(userName),
  schemas: [CORE, VAULT],
  [VAULT]: vault,
});
const fullVault = {
  secret: "s3cret-value",
  pin: "1234",
  badge: "B-1",
  hireId: "H-1",
  card: { number: "4111", issuer: "Acme", cvv: "999" },
  keys: [{ value: "k1", material: "m4terial" }],
};
const q = (s: string) => encodeURIComponent(s);

let h: Harness;
let store: ScimStore;
beforeEach(async () => {
  store = createMemoryStore();
  h = await harness({ store, extensions: [{ resourceType: "User", schema: vaultSchema, required: true }] });
});

/** The stored attributes, read past the HTTP surface: the only way to see a never-returned value. */
async function stored(id: string): Promise<JsonObject | undefined> {
  const r = await store.transaction("acme", (tx) => tx.getResource("User", id), { readOnly: true });
  return r?.attributes;
}

async function create(
  userName = "v@example.com",
  vault: Record<string, unknown> = fullVault,
): Promise<{ id: string; etag: string }> {
  const res = await h.call("POST", "/Users", vaultUser(userName, vault));
  expect(res.status).toBe(201);
  return { id: res.body.id, etag: res.body.meta.version };
}

describe("returned: never and writeOnly, from an extension's definitions", () => {
  it("are stored but shown by no response: POST, GET, attributes=, lists, both searches, PATCH", async () => {
    const res = await h.call("POST", "/Users", vaultUser("v@example.com", fullVault));
    expect(res.status).toBe(201);
    const visible = { badge: "B-1", hireId: "H-1", card: { number: "4111", issuer: "Acme" }, keys: [{ value: "k1" }] };
    expect(res.body[VAULT]).toEqual(visible);
    expect(res.body.schemas).toEqual([CORE, VAULT]);
    const id: string = res.body.id;
    expect((await h.call("GET", `/Users/${id}`)).body[VAULT]).toEqual(visible);

    const responses = [
      res,
      await h.call("GET", `/Users/${id}?attributes=${q(`${VAULT}:secret,${VAULT}:card.cvv,${VAULT}:keys.material`)}`),
      await h.call("GET", `/Users/${id}?attributes=${q(VAULT)}`),
      await h.call("GET", `/Users?filter=${q('userName eq "v@example.com"')}`),
      await h.call("POST", "/Users/.search", {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        attributes: [`${VAULT}:secret`],
      }),
      await h.call("POST", "/.search", { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"] }),
      await h.call("PATCH", `/Users/${id}?attributes=${q(VAULT)}`, {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "replace", path: `${VAULT}:secret`, value: "n3w-secret" }],
      }),
    ];
    for (const r of responses) expect(r.status).toBe(200 + (r === res ? 1 : 0));
    const text = JSON.stringify(responses.map((r) => r.body));
    for (const secret of ["s3cret-value", "n3w-secret", '"999"', "m4terial"]) expect(text).not.toContain(secret);
    // Asking for only the hidden values shows nothing of the extension at all.
    expect(responses[1]?.body[VAULT]).toBeUndefined();
    expect(responses[1]?.body.id).toBe(id);

    const attrs = await stored(id);
    expect(attrs?.[VAULT]).toMatchObject({
      secret: "n3w-secret",
      card: { cvv: "999" },
      keys: [{ value: "k1", material: "m4terial" }],
    });
  });

  it("cannot be filtered on: 400 invalidFilter naming the attribute, on every query endpoint", async () => {
    await create();
    const search = { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"] };
    const answers = [
      await h.call("GET", `/Users?filter=${q(`${VAULT}:secret eq "s3cret-value"`)}`),
      await h.call("GET", `/Users?filter=${q(`${VAULT}:card.cvv pr`)}`),
      await h.call("GET", `/Users?filter=${q(`${VAULT}:keys[material eq "m4terial"]`)}`),
      await h.call("POST", "/Users/.search", { ...search, filter: `${VAULT}:secret sw "s"` }),
      await h.call("POST", "/.search", { ...search, filter: `${VAULT}:secret pr` }),
      await h.call("GET", `/Users?filter=${q('password eq "x"')}`),
    ];
    for (const r of answers) {
      expect(r.status).toBe(400);
      expect(r.body.scimType).toBe("invalidFilter");
      expect(r.body.detail).toMatch(/(secret|cvv|material|password)\]?" is never returned/);
    }
  });

  it("never reach an audit entry or an event, on create, PUT, PATCH or DELETE", async () => {
    const events: string[] = [];
    h.server.events.subscribe((e) => void events.push(JSON.stringify(e)));
    const { id } = await create();
    await h.call("PATCH", `/Users/${id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: `${VAULT}:secret`, value: "n3w-secret" }],
    });
    await h.call(
      "PUT",
      `/Users/${id}`,
      vaultUser("v@example.com", { ...fullVault, secret: "th1rd-secret", card: { ...fullVault.card, cvv: "111" } }),
    );
    await h.call("DELETE", `/Users/${id}`);
    await new Promise((r) => setTimeout(r, 10));
    const trail =
      JSON.stringify(await h.server.audit("acme", { limit: 1000 })) +
      JSON.stringify(await h.server.events.read("acme", { limit: 1000 })) +
      events.join("");
    for (const secret of ["s3cret-value", "n3w-secret", "th1rd-secret", "m4terial", '"999"', '"111"'])
      expect(trail).not.toContain(secret);
    // The visible values are still there.
    expect(trail).toContain("B-1");
  });

  it("cannot be sorted on either, since the order would leak the values", async () => {
    await create("a@example.com", { ...fullVault, secret: "zzz" });
    await create("b@example.com", { ...fullVault, secret: "aaa" });
    for (const sortBy of [`${VAULT}:secret`, `${VAULT}:card.cvv`]) {
      const res = await h.call("GET", `/Users?sortBy=${q(sortBy)}`);
      expect(res.status).toBe(400);
      expect(res.body.detail).toContain("never returned");
    }
    expect((await h.call("GET", `/Users?sortBy=${q(`${VAULT}:badge`)}`)).status).toBe(200);
  });
});

describe("returned: request", () => {
  it("is shown only when attributes names it or the extension holding it", async () => {
    const { id } = await create();
    const get = async (qs: string) => (await h.call("GET", `/Users/${id}${qs}`)).body[VAULT];
    expect(await get("")).not.toHaveProperty("pin");
    expect(await get(`?excludedAttributes=${q(`${VAULT}:badge`)}`)).not.toHaveProperty("pin");
    expect(await get(`?attributes=${q(`${VAULT}:pin`)}`)).toEqual({ pin: "1234" });
    expect(await get(`?attributes=${q(VAULT)}`)).toMatchObject({ pin: "1234", badge: "B-1" });
    const list = await h.call("GET", `/Users?attributes=${q(`userName,${VAULT}:pin`)}`);
    expect(list.body.Resources[0][VAULT]).toEqual({ pin: "1234" });
    expect((await h.call("GET", "/Users")).body.Resources[0][VAULT]).not.toHaveProperty("pin");
  });

  it("stays filterable, as clients may read it", async () => {
    const { id } = await create();
    const res = await h.call("GET", `/Users?filter=${q(`${VAULT}:pin eq "1234"`)}`);
    expect(res.status).toBe(200);
    expect(res.body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
  });
});

describe("required", () => {
  it("refuses a POST without a required extension, naming it, and creates nothing", async () => {
    const res = await h.call("POST", "/Users", user("plain@example.com"));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ scimType: "invalidValue" });
    expect(res.body.detail).toContain(VAULT);
    expect((await h.call("GET", "/Users")).body.totalResults).toBe(0);
  });

  it("refuses a missing required attribute of a present extension and a missing required sub-attribute", async () => {
    const noBadge = await h.call("POST", "/Users", vaultUser("a@example.com", { pin: "1" }));
    expect(noBadge.status).toBe(400);
    expect(noBadge.body.scimType).toBe("invalidValue");
    expect(noBadge.body.detail).toContain(`${VAULT}:badge`);
    const noKeyValue = await h.call(
      "POST",
      "/Users",
      vaultUser("b@example.com", { badge: "B", keys: [{ value: "k" }, { material: "m" }] }),
    );
    expect(noKeyValue.status).toBe(400);
    expect(noKeyValue.body.scimType).toBe("invalidValue");
    expect(noKeyValue.body.detail).toContain(`${VAULT}:keys.value`);
    expect((await h.call("GET", "/Users")).body.totalResults).toBe(0);
  });

  it("still names a missing core userName", async () => {
    const res = await h.call("POST", "/Users", { schemas: [CORE, VAULT], [VAULT]: { badge: "B" } });
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain('"userName"');
  });

  it("refuses a PUT that drops the required extension or its required attribute, leaving the resource as it was", async () => {
    const { id, etag } = await create();
    const dropped = await h.call("PUT", `/Users/${id}`, user("v@example.com", { displayName: "changed" }));
    expect(dropped.status).toBe(400);
    expect(dropped.body.scimType).toBe("invalidValue");
    expect(dropped.body.detail).toContain(VAULT);
    const noBadge = await h.call(
      "PUT",
      `/Users/${id}`,
      vaultUser("v@example.com", { hireId: "H-1", displayName: "x" }),
    );
    expect(noBadge.status).toBe(400);
    expect(noBadge.body.detail).toContain(`${VAULT}:badge`);
    const after = await h.call("GET", `/Users/${id}`);
    expect(after.body.meta.version).toBe(etag);
    expect(after.body.displayName).toBeUndefined();
    expect(after.body[VAULT].badge).toBe("B-1");
  });

  it("accepts a PUT that carries what is required", async () => {
    const { id } = await create();
    const res = await h.call("PUT", `/Users/${id}`, vaultUser("v@example.com", { badge: "B-2" }));
    expect(res.status).toBe(200);
    expect((await h.call("GET", `/Users/${id}`)).body[VAULT].badge).toBe("B-2");
  });
});

describe("immutable on PUT (RFC 7644 §3.5.1)", () => {
  it("refuses changing a value already set with 400 mutability and writes nothing", async () => {
    const { id, etag } = await create();
    const res = await h.call("PUT", `/Users/${id}`, vaultUser("v@example.com", { badge: "B-9", hireId: "H-2" }));
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe("mutability");
    expect(res.body.detail).toContain(`${VAULT}:hireId`);
    const after = await h.call("GET", `/Users/${id}`);
    expect(after.body[VAULT]).toMatchObject({ hireId: "H-1", badge: "B-1" });
    expect(after.body.meta.version).toBe(etag);
  });

  it("refuses changing an immutable sub-attribute of a complex value", async () => {
    const { id } = await create();
    const res = await h.call(
      "PUT",
      `/Users/${id}`,
      vaultUser("v@example.com", { badge: "B-1", card: { number: "5500", issuer: "Other" } }),
    );
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe("mutability");
    expect(res.body.detail).toContain(`${VAULT}:card.issuer`);
    expect((await h.call("GET", `/Users/${id}`)).body[VAULT].card).toEqual({ number: "4111", issuer: "Acme" });
  });

  it("accepts the same value (case-insensitively, as the attribute is not caseExact)", async () => {
    const { id } = await create();
    const res = await h.call(
      "PUT",
      `/Users/${id}`,
      vaultUser("v@example.com", { badge: "B-1", hireId: "h-1", card: { issuer: "ACME", number: "5500" } }),
    );
    expect(res.status).toBe(200);
    expect((await h.call("GET", `/Users/${id}`)).body[VAULT].card.number).toBe("5500");
  });

  it("keeps omitted immutable and never-returned values instead of clearing them", async () => {
    const { id } = await create();
    const res = await h.call("PUT", `/Users/${id}`, vaultUser("v@example.com", { badge: "B-2" }));
    expect(res.status).toBe(200);
    const after = (await h.call("GET", `/Users/${id}`)).body[VAULT];
    // readWrite values left out are cleared (pin, card.number, keys); immutable ones stay.
    expect(after).toEqual({ badge: "B-2", hireId: "H-1", card: { issuer: "Acme" } });
    expect((await stored(id))?.[VAULT]).toMatchObject({ secret: "s3cret-value", card: { issuer: "Acme", cvv: "999" } });
  });

  it("lets an unset immutable value be set once by PUT, then not changed", async () => {
    const { id } = await create("late@example.com", { badge: "B" });
    const set = await h.call("PUT", `/Users/${id}`, vaultUser("late@example.com", { badge: "B", hireId: "H-7" }));
    expect(set.status).toBe(200);
    expect((await h.call("GET", `/Users/${id}`)).body[VAULT].hireId).toBe("H-7");
    const change = await h.call("PUT", `/Users/${id}`, vaultUser("late@example.com", { badge: "B", hireId: "H-8" }));
    expect(change.status).toBe(400);
    expect(change.body.scimType).toBe("mutability");
    expect((await h.call("GET", `/Users/${id}`)).body[VAULT].hireId).toBe("H-7");
  });
});
