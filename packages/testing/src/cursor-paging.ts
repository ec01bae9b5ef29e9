/**
 * RFC 9865 cursor paging, end to end over `server.fetch` on the store under test: the first page
 * from an empty cursor, walks to the last page (which has no `nextCursor`) and back by
 * `previousCursor`, page sizes, the RFC's
 * errors (`invalidCursor`, `expiredCursor`, `invalidCount`) as SCIM error bodies, the
 * ServiceProviderConfig `pagination` attribute, and walks during which other requests create,
 * change and delete resources, where every resource that lives through the walk comes exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScimServer, type ScimServer, type ScimStore } from "@scimkit/core";

export interface CursorPagingOptions {
  /** Shown in the suite's name. */
  readonly name: string;
  /** Opens the store once for the whole suite; each test uses a tenant of its own. */
  readonly makeStore: () => Promise<ScimStore>;
  /** Called after the suite, before `store.close()`. */
  readonly cleanup?: ((store: ScimStore) => Promise<void>) | undefined;
}

type Body = Record<string, unknown>;
type Reply = { status: number; body: Body };

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
const MAX_PAGE = 25;

interface Tenant {
  readonly server: ScimServer;
  call(method: string, path: string, body?: unknown): Promise<Reply>;
  user(userName: string): Promise<string>;
  group(displayName: string): Promise<string>;
  advance(ms: number): void;
}

const ids = (body: Body): string[] => ((body["Resources"] as Body[] | undefined) ?? []).map((r) => String(r["id"]));

/**
 * Registers the cursor paging scenarios with vitest. Call it at the top level of a test file.
 *
 * @example
 * ```ts
 * runCursorPaging({ name: "my store", makeStore: async () => myStore() });
 * ```
 */
export function runCursorPaging(options: CursorPagingOptions): void {
  describe(`RFC 9865 cursor paging: ${options.name}`, () => {
    let store: ScimStore | undefined;
    let counter = 0;
    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    beforeAll(async () => {
      store = await options.makeStore();
    });
    const servers: ScimServer[] = [];
    afterAll(async () => {
      if (!store) return;
      // Health counts are written behind the requests: write them before the store goes away.
      for (const server of servers) await server.directories.flushHealth();
      await options.cleanup?.(store);
      await store.close?.();
    });

    async function tenant(): Promise<Tenant> {
      if (!store) throw new Error("the store is not ready: makeStore() failed or has not run");
      let clock = Date.parse("2026-03-02T08:00:00.000Z");
      const server = createScimServer({ store, now: () => new Date(clock), maxResults: MAX_PAGE, defaultCount: 10 });
      servers.push(server);
      const dir = await server.directories.create({ tenantId: `cursor-${run}-${++counter}`, name: "IdP" });
      const { token } = await server.directories.mintToken(dir.id);
      const call: Tenant["call"] = async (method, path, body) => {
        const res = await server.fetch(
          new Request(`https://app.example.com/scim/v2${path}`, {
            method,
            headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          }),
        );
        const text = await res.text();
        return { status: res.status, body: text === "" ? {} : (JSON.parse(text) as Body) };
      };
      const created = async (path: string, body: unknown) => {
        const res = await call("POST", path, body);
        expect(res.status, `POST ${path}`).toBe(201);
        return String(res.body["id"]);
      };
      return {
        server,
        call,
        user: (userName) => created("/Users", { schemas: [USER], userName, active: true }),
        group: (displayName) => created("/Groups", { displayName }),
        advance: (ms) => void (clock += ms),
      };
    }

    async function users(t: Tenant, n: number, prefix = "user"): Promise<string[]> {
      const out: string[] = [];
      for (let i = 0; i < n; i++) {
        out.push(await t.user(`${prefix}${String(i).padStart(3, "0")}@example.com`));
        // Some resources share a creation millisecond, some do not: ties fall to the id.
        if (i % 3 === 2) t.advance(1);
      }
      return out;
    }

    /** GETs `path` (which ends in a query string) from an empty cursor to the last page. */
    async function walk(t: Tenant, path: string, between?: (page: number) => Promise<void>): Promise<Body[]> {
      const pages: Body[] = [];
      let cursor = "";
      for (let page = 0; page < 1000; page++) {
        const res = await t.call("GET", `${path}&cursor=${cursor}`);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        pages.push(res.body);
        const next = res.body["nextCursor"];
        if (next === undefined) return pages;
        expect(typeof next).toBe("string");
        cursor = String(next);
        await between?.(page);
      }
      throw new Error("the walk did not end");
    }

    function expectScimError(res: Reply, scimType: string): void {
      expect(res.status).toBe(400);
      expect(res.body["schemas"]).toEqual([ERROR]);
      expect(res.body["status"]).toBe("400");
      expect(res.body["scimType"]).toBe(scimType);
      expect(typeof res.body["detail"]).toBe("string");
    }

    it("advertises cursor and index paging in the ServiceProviderConfig", async () => {
      const t = await tenant();
      const spc = await t.call("GET", "/ServiceProviderConfig");
      expect(spc.status).toBe(200);
      const pagination = spc.body["pagination"] as Body;
      expect(pagination["cursor"]).toBe(true);
      expect(pagination["index"]).toBe(true);
      expect(pagination["defaultPaginationMethod"]).toBe("index");
      expect(pagination["defaultPageSize"]).toBe(10);
      expect(pagination["maxPageSize"]).toBe(MAX_PAGE);
      expect(Number(pagination["cursorTimeout"])).toBeGreaterThan(0);
    });

    it("an empty cursor asks for the first page: count resources in creation order, a nextCursor, no startIndex", async () => {
      const t = await tenant();
      const all = await users(t, 7);
      const first = await t.call("GET", "/Users?cursor&count=3");
      expect(first.status).toBe(200);
      expect(ids(first.body)).toEqual(all.slice(0, 3));
      expect(first.body["itemsPerPage"]).toBe(3);
      expect(first.body["totalResults"]).toBe(7);
      expect(first.body["startIndex"]).toBeUndefined();
      expect(first.body["nextCursor"]).toMatch(/^[A-Za-z0-9._~-]+$/);
      expect(first.body["previousCursor"]).toBeUndefined();
      // `cursor=` with an empty value is the same request.
      expect(ids((await t.call("GET", "/Users?cursor=&count=3")).body)).toEqual(all.slice(0, 3));
    });

    it("walks to the end: every user once, in order, and the last page carries no nextCursor", async () => {
      const t = await tenant();
      const all = await users(t, 7);
      const pages = await walk(t, "/Users?count=3");
      expect(pages.map((p) => p["itemsPerPage"])).toEqual([3, 3, 1]);
      expect(pages.flatMap(ids)).toEqual(all);
      expect(pages.every((p) => p["totalResults"] === 7)).toBe(true);
      expect(pages.at(-1)?.["nextCursor"]).toBeUndefined();
      // A walk whose last page is full ends there too, without an empty page after it.
      const exact = await walk(t, "/Users?count=7");
      expect(exact).toHaveLength(1);
      expect(ids(exact[0] ?? {})).toEqual(all);
      expect(exact[0]?.["nextCursor"]).toBeUndefined();
    });

    it("walks back with previousCursor: the same pages in reverse, none before the first", async () => {
      const t = await tenant();
      const all = await users(t, 10);
      const forward = await walk(t, "/Users?count=3");
      expect(forward.map(ids)).toEqual([all.slice(0, 3), all.slice(3, 6), all.slice(6, 9), all.slice(9)]);
      expect(forward.slice(1).every((p) => typeof p["previousCursor"] === "string")).toBe(true);
      const back: Body[] = [];
      let previous = forward.at(-1)?.["previousCursor"];
      while (typeof previous === "string") {
        const res = await t.call("GET", `/Users?count=3&cursor=${previous}`);
        expect(res.status).toBe(200);
        expect(res.body["totalResults"]).toBe(10);
        back.push(res.body);
        previous = res.body["previousCursor"];
      }
      expect(back.map(ids)).toEqual([all.slice(6, 9), all.slice(3, 6), all.slice(0, 3)]);
      // A page reached backwards leads forward again.
      const again = await t.call("GET", `/Users?count=3&cursor=${String(back[1]?.["nextCursor"])}`);
      expect(ids(again.body)).toEqual(all.slice(6, 9));
      // Sorted, backwards too.
      const sorted = await walk(t, "/Users?count=4&sortBy=userName&sortOrder=descending");
      const last = sorted.at(-1)?.["previousCursor"];
      const before = await t.call("GET", `/Users?count=4&sortBy=userName&sortOrder=descending&cursor=${String(last)}`);
      expect(ids(before.body)).toEqual(ids(sorted[1] ?? {}));
    });

    it("honours count, caps it at maxPageSize, and uses the default page size without one", async () => {
      const t = await tenant();
      const all = await users(t, MAX_PAGE + 5);
      const capped = await t.call("GET", `/Users?cursor&count=${MAX_PAGE * 4}`);
      expect(capped.body["itemsPerPage"]).toBe(MAX_PAGE);
      expect(ids(capped.body)).toEqual(all.slice(0, MAX_PAGE));
      expect(typeof capped.body["nextCursor"]).toBe("string");
      const rest = await t.call("GET", `/Users?cursor=${String(capped.body["nextCursor"])}&count=${MAX_PAGE * 4}`);
      expect(ids(rest.body)).toEqual(all.slice(MAX_PAGE));
      expect(rest.body["nextCursor"]).toBeUndefined();
      const byDefault = await t.call("GET", "/Users?cursor");
      expect(byDefault.body["itemsPerPage"]).toBe(10);
      const totalsOnly = await t.call("GET", "/Users?cursor&count=0");
      expect(totalsOnly.body["totalResults"]).toBe(MAX_PAGE + 5);
      expect(totalsOnly.body["Resources"]).toEqual([]);
      expect(totalsOnly.body["nextCursor"]).toBeUndefined();
    });

    it("refuses a cursor it did not issue with 400 invalidCursor", async () => {
      const t = await tenant();
      await users(t, 3);
      for (const bad of ["not-a-cursor", "eyJ2IjoxfQ", "%2F%2F%2F", "AAAA"])
        expectScimError(await t.call("GET", `/Users?cursor=${bad}&count=2`), "invalidCursor");
    });

    it("refuses an expired cursor with 400 expiredCursor, after the advertised cursorTimeout", async () => {
      const t = await tenant();
      await users(t, 5);
      const timeout = Number(
        ((await t.call("GET", "/ServiceProviderConfig")).body["pagination"] as Body)["cursorTimeout"],
      );
      const first = await t.call("GET", "/Users?cursor&count=2");
      const cursor = String(first.body["nextCursor"]);
      t.advance((timeout - 1) * 1000);
      expect((await t.call("GET", `/Users?cursor=${cursor}&count=2`)).status).toBe(200);
      t.advance(2000);
      expectScimError(await t.call("GET", `/Users?cursor=${cursor}&count=2`), "expiredCursor");
    });

    it("refuses a cursor reused with another filter or sort (invalidCursor) or another count (invalidCount)", async () => {
      const t = await tenant();
      await users(t, 6);
      const first = await t.call("GET", "/Users?filter=userName%20sw%20%22user%22&cursor&count=2");
      const cursor = String(first.body["nextCursor"]);
      expect((await t.call("GET", `/Users?filter=userName%20sw%20%22user%22&cursor=${cursor}&count=2`)).status).toBe(
        200,
      );
      expectScimError(
        await t.call("GET", `/Users?filter=userName%20sw%20%22user00%22&cursor=${cursor}&count=2`),
        "invalidCursor",
      );
      expectScimError(await t.call("GET", `/Users?cursor=${cursor}&count=2`), "invalidCursor");
      expectScimError(
        await t.call("GET", `/Users?filter=userName%20sw%20%22user%22&sortBy=userName&cursor=${cursor}&count=2`),
        "invalidCursor",
      );
      const unfiltered = String((await t.call("GET", "/Users?cursor&count=2")).body["nextCursor"]);
      expectScimError(await t.call("GET", `/Groups?cursor=${unfiltered}&count=2`), "invalidCursor");
      expectScimError(
        await t.call("GET", `/Users?filter=userName%20sw%20%22user%22&cursor=${cursor}&count=3`),
        "invalidCount",
      );
      expectScimError(await t.call("GET", `/Users?cursor&startIndex=3&count=2`), "invalidValue");
    });

    it("pages a filtered, sorted POST /Users/.search by cursor in the same order as index paging", async () => {
      const t = await tenant();
      const names = ["delta", "Alpha", "charlie", "bravo", "echo", "alpha2", "Charlie2", "foxtrot"];
      for (const n of names) await t.user(`${n}@example.com`);
      await t.user("zulu@other.example");
      const request = {
        schemas: [SEARCH],
        filter: 'userName ew "@example.com"',
        sortBy: "userName",
        sortOrder: "descending",
        count: 3,
      };
      const byIndex = await t.call("POST", "/Users/.search", { ...request, count: MAX_PAGE });
      const expected = ids(byIndex.body);
      expect(expected).toHaveLength(names.length);
      const seen: string[] = [];
      let cursor = "";
      for (let i = 0; i < 10; i++) {
        const res = await t.call("POST", "/Users/.search", { ...request, cursor });
        expect(res.status).toBe(200);
        expect(res.body["totalResults"]).toBe(names.length);
        seen.push(...ids(res.body));
        if (res.body["nextCursor"] === undefined) break;
        cursor = String(res.body["nextCursor"]);
      }
      expect(seen).toEqual(expected);
    });

    it("walks Groups, and the base URL's search across Users then Groups", async () => {
      const t = await tenant();
      const u = await users(t, 4);
      const g: string[] = [];
      for (let i = 0; i < 5; i++) g.push(await t.group(`team ${i}`));
      expect((await walk(t, "/Groups?count=2")).flatMap(ids)).toEqual(g);
      const seen: string[] = [];
      let cursor = "";
      for (let i = 0; i < 10; i++) {
        const res = await t.call("POST", "/.search", { schemas: [SEARCH], count: 3, cursor });
        expect(res.status).toBe(200);
        expect(res.body["totalResults"]).toBe(9);
        seen.push(...ids(res.body));
        if (res.body["nextCursor"] === undefined) break;
        cursor = String(res.body["nextCursor"]);
      }
      expect(seen).toEqual([...u, ...g]);
    });

    it("keeps index paging as it was: startIndex, no nextCursor", async () => {
      const t = await tenant();
      const all = await users(t, 5);
      const res = await t.call("GET", "/Users?startIndex=2&count=2");
      expect(res.body["startIndex"]).toBe(2);
      expect(res.body["nextCursor"]).toBeUndefined();
      expect(ids(res.body)).toEqual(all.slice(1, 3));
    });

    it("gives every user that lives through the walk exactly once while others are created, changed and deleted", async () => {
      const t = await tenant();
      const all = await users(t, 40);
      const doomed = new Set(all.filter((_, i) => i % 7 === 3));
      const order = [...doomed];
      let fresh = 0;
      const pages = await walk(t, "/Users?count=4", async (page) => {
        // Between pages: a new user (which sorts after every cursor), a deletion ahead of or behind
        // the walk, and a change to a user's attributes, name included.
        await t.user(`late${fresh++}@example.com`);
        const victim = order.shift();
        if (victim) expect((await t.call("DELETE", `/Users/${victim}`)).status).toBe(204);
        const target = all[(page * 5) % all.length] ?? "";
        if (!doomed.has(target)) {
          const renamed = await t.call("PATCH", `/Users/${target}`, {
            schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            Operations: [{ op: "replace", value: { userName: `renamed${page}@example.com`, active: false } }],
          });
          expect(renamed.status).toBe(200);
        }
      });
      const seen = pages.flatMap(ids);
      expect(new Set(seen).size).toBe(seen.length);
      const survivors = all.filter((id) => !doomed.has(id));
      const counts = new Map<string, number>();
      for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
      expect(survivors.filter((id) => counts.get(id) !== 1)).toEqual([]);
    });
  });
}
