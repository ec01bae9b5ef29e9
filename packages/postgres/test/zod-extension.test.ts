/**
 * A zod-declared extension (core's `defineExtension`) on PostgreSQL: written by POST, PATCH and PUT,
 * read back by GET, filtered and sorted with the same answers as the memory store, and with the
 * filter and the sort compiled into the page's SQL (a jsonb path under the extension URN), not
 * evaluated in memory. PGlite always; the server too when SCIMKIT_TEST_PG_URL names one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore, createScimServer, type ScimStore } from "@scimkit/core";
import { ACME, CORE, acme } from "../../core/test/extensions/acme.js";
import { createPostgresStore } from "../src/index.js";
import { PG_URL, pgliteDatabase, serverDatabase, type TestDatabase } from "./databases.js";
import { recordingDriver, type Statement } from "./recording.js";

type Body = {
  status: number;
  body: {
    id?: string;
    detail?: string;
    scimType?: string;
    meta?: { version?: string };
    Resources?: { userName: string }[];
  } & Record<string, unknown>;
};
type Call = (method: string, path: string, body?: unknown) => Promise<Body>;

async function serve(store: ScimStore): Promise<Call> {
  const server = createScimServer({ store, extensions: [acme] });
  const dir = await server.directories.create({ tenantId: "acme", name: "Okta" });
  const { token } = await server.directories.mintToken(dir.id);
  return async (method, path, body) => {
    const init: RequestInit = {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
    };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await server.fetch(new Request(`https://app.example.com/scim/v2${path}`, init));
    return { status: res.status, body: (await res.json()) as Body["body"] };
  };
}

const acmeUser = (userName: string, values: Record<string, unknown>) => ({
  schemas: [CORE, ACME],
  userName,
  [ACME]: values,
});
const patch = (...Operations: unknown[]) => ({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations,
});

/** The same writes on every server; returns the id of the user PATCHed and PUT. */
async function seed(call: Call): Promise<string> {
  const ids: string[] = [];
  const users: [string, Record<string, unknown>][] = [
    [
      "ann",
      {
        costCenter: "CC-100",
        department: "ENG",
        level: 2,
        remote: true,
        startedAt: "2021-01-01T00:00:00Z",
        tags: ["x"],
        site: { code: "A" },
      },
    ],
    [
      "ben",
      {
        costCenter: "CC-900",
        department: "OPS",
        level: 7,
        remote: false,
        startedAt: "2023-06-01T00:00:00Z",
        tags: ["y", "z"],
        site: { code: "B", floor: 3 },
      },
    ],
    ["cat", { costCenter: "CC-300", department: "ENG", level: 5, pin: "1234" }],
    ["dan", {}],
  ];
  for (const [userName, values] of users) {
    const res = await call("POST", "/Users", acmeUser(userName, values));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    ids.push(String(res.body.id));
  }
  const ben = String(ids[1]);
  const patched = await call(
    "PATCH",
    `/Users/${ben}`,
    patch(
      { op: "replace", path: `${ACME}:costCenter`, value: "CC-200" },
      { op: "add", value: { [ACME]: { tags: ["w"] } } },
    ),
  );
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  const dan = String(ids[3]);
  const put = await call("PUT", `/Users/${dan}`, acmeUser("dan", { department: "SALES", level: 9 }));
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  return ben;
}

const filters = [
  `${ACME}:costCenter eq "CC-200"`,
  `${ACME}:costCenter eq "cc-200"`,
  `${ACME}:department eq "eng"`,
  `${ACME}:level gt 3`,
  `${ACME}:remote eq false`,
  `${ACME}:startedAt ge "2022-01-01T00:00:00Z"`,
  `${ACME}:tags eq "w"`,
  `${ACME}:site.code eq "A"`,
  `${ACME}:costCenter pr and not (${ACME}:department eq "OPS")`,
];
const sorts: [string, "ascending" | "descending"][] = [
  [`${ACME}:level`, "ascending"],
  [`${ACME}:level`, "descending"],
  [`${ACME}:costCenter`, "ascending"],
  [`${ACME}:department`, "descending"],
  [`${ACME}:startedAt`, "ascending"],
];

/** Placeholders `$n` replaced by their values, so a test can read which path the SQL names. */
const inline = (s: Statement) =>
  s.text.replace(/\$(\d+)(::text)?/g, (_, n: string) => `'${String(s.params[Number(n) - 1])}'`);
const jsonPath = (name: string) => `r.attributes -> '${ACME}' -> '${name}'`;

const databases: [string, () => Promise<TestDatabase>][] = [["PGlite", () => pgliteDatabase()]];
const serverUrl = PG_URL;
if (serverUrl) databases.push(["PostgreSQL server", () => serverDatabase("zodext", serverUrl)]);

describe.each(databases)("a zod-declared extension on %s", (_label, open) => {
  let db: TestDatabase;
  let recorder: ReturnType<typeof recordingDriver>;
  let mem: Call;
  let pg: Call;
  let ben: string;
  beforeAll(async () => {
    db = await open();
    recorder = recordingDriver(db.driver);
    mem = await serve(createMemoryStore());
    pg = await serve(createPostgresStore({ driver: recorder, schema: db.schema }));
    await seed(mem);
    ben = await seed(pg);
  });
  afterAll(async () => {
    await db.dispose();
  });

  /** The page statement a list request sent, with its parameters inlined. */
  const pageStatement = async (path: string) => {
    recorder.log.length = 0;
    const res = await pg("GET", path);
    const page = recorder.log.find((s) => /ORDER BY/.test(s.text) && /LIMIT/.test(s.text));
    if (!page) throw new Error("no page statement was sent");
    return { res, sql: inline(page) };
  };
  const names = (r: Body) => r.body.Resources?.map((u) => u.userName);

  it("stores what POST, PATCH and PUT wrote and GET shows it, never the returned: never pin", async () => {
    const got = await pg("GET", `/Users/${ben}`);
    expect(got.body[ACME]).toEqual({
      costCenter: "CC-200",
      department: "OPS",
      level: 7,
      remote: false,
      startedAt: "2023-06-01T00:00:00Z",
      tags: ["y", "z", "w"],
      site: { code: "B", floor: 3 },
    });
    const cat = await pg("GET", `/Users?filter=${encodeURIComponent('userName eq "cat"')}`);
    expect(JSON.stringify(cat.body)).not.toContain("1234");
  });

  it.each(filters)("filters %s in SQL, answering as the memory store does", async (filter) => {
    const path = `/Users?filter=${encodeURIComponent(filter)}&sortBy=userName`;
    const { res, sql } = await pageStatement(path);
    expect(res.status).toBe(200);
    expect(names(res)).toEqual(names(await mem("GET", path)));
    // The resources' own WHERE, up to the ORDER BY after it (the groups column has its own WHERE).
    const start = sql.indexOf("WHERE r.tenant");
    const where = sql.slice(start, sql.indexOf("ORDER BY", start));
    const attribute = /:([A-Za-z]+)(\.[a-z]+)? /.exec(filter.slice(ACME.length))?.[1] ?? "";
    expect(where).toContain(jsonPath(attribute));
  });

  it.each(sorts)("sorts by %s %s in SQL, answering as the memory store does", async (sortBy, order) => {
    const path = `/Users?sortBy=${encodeURIComponent(sortBy)}&sortOrder=${order}`;
    const { res, sql } = await pageStatement(path);
    expect(res.status).toBe(200);
    expect(names(res)).toEqual(names(await mem("GET", path)));
    expect(names(res)).toHaveLength(4);
    // The sort value is computed once per row by a lateral join on the jsonb path, and ordered by.
    const join = /LEFT JOIN LATERAL \(SELECT (.*) AS v\) sk ON true/s.exec(sql)?.[1] ?? "";
    expect(join).toContain(jsonPath(sortBy.slice(ACME.length + 1)));
    expect(sql).toMatch(/ORDER BY \(CASE WHEN jsonb_typeof\(sk\.v\)/);
  });

  it("refuses a value the zod schema refuses, and writes nothing", async () => {
    const before = await pg("GET", `/Users/${ben}`);
    const res = await pg("PATCH", `/Users/${ben}`, patch({ op: "replace", path: `${ACME}:department`, value: "HR" }));
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe("invalidValue");
    expect(res.body.detail).toContain(`"${ACME}:department"`);
    expect(await pg("GET", `/Users/${ben}`)).toEqual(before);
    const post = await pg("POST", "/Users", acmeUser("eve", { level: 0 }));
    expect(post.status).toBe(400);
    expect((await pg("GET", `/Users?filter=${encodeURIComponent('userName eq "eve"')}`)).body["totalResults"]).toBe(0);
  });
});
