import { beforeAll, describe, expect, it } from "vitest";
import { harness, user, type Harness } from "../support.js";

let h: Harness;
const ids: string[] = [];
beforeAll(async () => {
  h = await harness();
  for (let i = 0; i < 12; i++) {
    const name = `user${String(i).padStart(2, "0")}@example.com`;
    const res = await h.call(
      "POST",
      "/Users",
      user(name, {
        externalId: `ext-${i}`,
        title: i % 2 === 0 ? "Even" : "Odd",
        active: i !== 3,
        nickName: i < 5 ? `n${i}` : undefined,
      }),
    );
    ids.push(res.body.id);
  }
});

const list = async (query: string) => (await h.call("GET", `/Users?${query}`)).body;

describe("GET /Users paging", () => {
  it("returns a ListResponse with integer totals in a stable order", async () => {
    const body = await list("startIndex=1&count=5");
    expect(body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:ListResponse"]);
    expect(body).toMatchObject({ totalResults: 12, startIndex: 1, itemsPerPage: 5 });
    expect(body.Resources.map((r: { id: string }) => r.id)).toEqual(ids.slice(0, 5));
    const next = await list("startIndex=6&count=5");
    expect(next.Resources.map((r: { id: string }) => r.id)).toEqual(ids.slice(5, 10));
  });

  it("treats startIndex < 1 as 1 and count=0 as totals only", async () => {
    expect((await list("startIndex=0&count=2")).Resources.map((r: { id: string }) => r.id)).toEqual(ids.slice(0, 2));
    expect((await list("startIndex=-5&count=2")).startIndex).toBe(1);
    const totals = await list("count=0");
    expect(totals.totalResults).toBe(12);
    expect(totals.Resources).toEqual([]);
  });

  it("caps count at the configured maximum", async () => {
    const small = await harness({ maxResults: 3 });
    for (const n of ["a", "b", "c", "d"]) await small.call("POST", "/Users", user(`${n}@x.com`));
    const body = (await small.call("GET", "/Users?count=100")).body;
    expect(body.itemsPerPage).toBe(3);
    expect(body.totalResults).toBe(4);
    const spc = (await small.call("GET", "/ServiceProviderConfig")).body;
    expect(spc.filter.maxResults).toBe(3);
  });

  it("rejects a non-integer count with 400", async () => {
    expect((await h.call("GET", "/Users?count=abc")).status).toBe(400);
  });

  it("ignores unknown query parameters", async () => {
    expect((await h.call("GET", "/Users?foo=bar&count=1")).status).toBe(200);
  });
});

describe("GET /Users filters", () => {
  it("matches userName case-insensitively, and returns an empty list (not 404) when nothing matches", async () => {
    const hit = await list(`filter=${encodeURIComponent('userName eq "USER04@EXAMPLE.COM"')}`);
    expect(hit.totalResults).toBe(1);
    expect(hit.Resources[0].userName).toBe("user04@example.com");
    const miss = await h.call("GET", `/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`);
    expect(miss.status).toBe(200);
    expect(miss.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it("finds inactive users too", async () => {
    const body = await list(`filter=${encodeURIComponent("active eq false")}`);
    expect(body.Resources.map((r: { id: string }) => r.id)).toEqual([ids[3]]);
  });

  it("supports externalId, value filters, sw, pr and logic", async () => {
    expect((await list(`filter=${encodeURIComponent('externalId eq "ext-7"')}`)).Resources[0].id).toBe(ids[7]);
    expect(
      (await list(`filter=${encodeURIComponent('emails[type eq "work" and value co "user1"]')}`)).totalResults,
    ).toBe(2);
    expect(
      (await list(`filter=${encodeURIComponent('emails[type eq "work"].value eq "user02@example.com"')}`)).Resources[0]
        .id,
    ).toBe(ids[2]);
    expect((await list(`filter=${encodeURIComponent('userName sw "user0"')}`)).totalResults).toBe(10);
    expect((await list(`filter=${encodeURIComponent("nickName pr")}`)).totalResults).toBe(5);
    expect((await list(`filter=${encodeURIComponent('title eq "Odd" and not (nickName pr)')}`)).totalResults).toBe(4);
    expect(
      (
        await list(
          `filter=${encodeURIComponent('userName eq "user01@example.com" or userName eq "user02@example.com"')}`,
        )
      ).totalResults,
    ).toBe(2);
  });

  it("answers 400 invalidFilter for an unparseable filter or an unknown attribute", async () => {
    for (const f of ["userName eq", 'bogusAttr eq "x"', 'userName xx "a"']) {
      const res = await h.call("GET", `/Users?filter=${encodeURIComponent(f)}`);
      expect(res.status, f).toBe(400);
      expect(res.body.scimType, f).toBe("invalidFilter");
    }
  });
});

describe("sorting", () => {
  it("sorts by an attribute ascending and descending", async () => {
    const asc = await list("sortBy=userName&sortOrder=descending&count=3");
    expect(asc.Resources.map((r: { userName: string }) => r.userName)).toEqual([
      "user11@example.com",
      "user10@example.com",
      "user09@example.com",
    ]);
    const byTitle = await list("sortBy=title&count=12");
    expect(byTitle.Resources.slice(0, 6).every((r: { title: string }) => r.title === "Even")).toBe(true);
  });

  it("answers 400 for an unknown sortBy attribute", async () => {
    expect((await h.call("GET", "/Users?sortBy=nope")).status).toBe(400);
  });
});

describe("POST .search", () => {
  it("searches /Users with a SearchRequest body", async () => {
    const res = await h.call("POST", "/Users/.search", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
      filter: 'title eq "Even"',
      startIndex: 1,
      count: 2,
      attributes: ["userName"],
    });
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(6);
    expect(res.body.Resources).toHaveLength(2);
    expect(Object.keys(res.body.Resources[0]).sort()).toEqual(["id", "meta", "schemas", "userName"]);
  });

  it("searches across resource types at the base URL", async () => {
    await h.call("POST", "/Groups", { displayName: "user-group" });
    const res = await h.call("POST", "/.search", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
      count: 100,
    });
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(13);
    expect(res.body.Resources.at(-1).displayName).toBe("user-group");
  });

  it("rejects GET on .search with 405", async () => {
    expect((await h.call("GET", "/Users/.search")).status).toBe(405);
  });
});
