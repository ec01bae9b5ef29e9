/**
 * Core refuses or rewrites filters on derived and never-returned values before a store sees them
 * (core/src/filter/filterable.ts), so the memory store and PostgreSQL must give the same HTTP
 * answers: the same 400s, and the same matches for `meta.version` compared as an entity tag.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attr, createScimServer, createMemoryStore, type ScimStore } from "@scimkit/core";
import { pgliteDatabase, type TestDatabase } from "../../test/databases.js";
import { createPostgresStore } from "../index.js";

const VAULT = "urn:example:params:scim:schemas:extension:vault:2.0:User";
const extensions = [
  {
    resourceType: "User" as const,
    schema: {
      id: VAULT,
      name: "Vault",
      description: "test",
      attributes: [attr("secret", "string", { mutability: "writeOnly", returned: "never" })],
    },
  },
];

type Call = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: { scimType?: string; Resources?: { userName?: string }[]; id?: string } }>;

async function serve(store: ScimStore): Promise<Call> {
  const server = createScimServer({ store, extensions });
  const dir = await server.directories.create({ tenantId: "acme", name: "T" });
  const { token } = await server.directories.mintToken(dir.id);
  return async (method, path, body) => {
    const init: RequestInit = {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
    };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await server.fetch(new Request(`https://app.example.com/scim/v2${path}`, init));
    return { status: res.status, body: (await res.json()) as Awaited<ReturnType<Call>>["body"] };
  };
}

/** The same writes on both servers: two users (one patched to version 2) in one group. */
async function seed(call: Call): Promise<void> {
  const ids: string[] = [];
  for (const userName of ["ann", "ben"]) {
    const res = await call("POST", "/Users", {
      userName,
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", VAULT],
      [VAULT]: { secret: `${userName}-pw` },
    });
    ids.push(String(res.body.id));
  }
  await call("PATCH", `/Users/${ids[1]}`, {
    schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    Operations: [{ op: "replace", path: "displayName", value: "Ben" }],
  });
  await call("POST", "/Groups", { displayName: "G", members: ids.map((value) => ({ value })) });
}

const filters = [
  'meta.version eq "W/\\"1\\""',
  'meta.version eq "W/\\"2\\""',
  'meta.version ne "W/\\"2\\""',
  "meta.version pr",
  'meta.version eq "2"',
  'meta.version lt "W/\\"2\\""',
  'groups.value eq "x"',
  "groups pr",
  "meta.location pr",
  `${VAULT}:secret eq "ann-pw"`,
  `${VAULT}:secret pr`,
];

describe("derived and never-returned filters: memory and PostgreSQL answer alike", () => {
  let db: TestDatabase;
  let mem: Call;
  let pg: Call;
  beforeAll(async () => {
    db = await pgliteDatabase();
    mem = await serve(createMemoryStore());
    pg = await serve(createPostgresStore({ driver: db.driver, schema: db.schema }));
    await seed(mem);
    await seed(pg);
  });
  afterAll(async () => {
    await db.dispose();
  });

  it.each(filters)("%s", async (filter) => {
    const path = `/Users?filter=${encodeURIComponent(filter)}`;
    const [a, b] = await Promise.all([mem("GET", path), pg("GET", path)]);
    const summary = (r: Awaited<ReturnType<Call>>) => ({
      status: r.status,
      scimType: r.body.scimType,
      users: r.body.Resources?.map((u) => u.userName).sort(),
    });
    expect(summary(b)).toEqual(summary(a));
    // Every case either matches real users or is refused: none comes back empty without a reason.
    expect(a.status === 400 ? a.body.scimType : a.body.Resources?.length).toSatisfy(
      (v: unknown) => v === "invalidFilter" || (typeof v === "number" && v > 0),
    );
  });
});
