import { describe, expect, it } from "vitest";
import { createMemoryStore, type ScimStore } from "../../src/index.js";
import { StoreUnavailableError } from "../../src/store/index.js";
import { harness, user } from "../support.js";

const patchOp = (...ops: unknown[]) => ({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations: ops,
});

describe("graceful failure", () => {
  it("limits each directory's request rate with 429 and Retry-After, without slowing other directories", async () => {
    const h = await harness({ tenantId: "t-rate", rateLimit: { perSecond: 1, burst: 2 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await h.call("GET", "/ServiceProviderConfig")).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await h.call("GET", "/Users");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(limited.body).toMatchObject({ status: "429", schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"] });
    // Another directory of the same server has its own bucket.
    const other = await h.server.directories.create({ tenantId: "t-rate", name: "Second IdP" });
    const { token } = await h.server.directories.mintToken(other.id);
    const res = await h.server.fetch(
      new Request("https://app.example.com/scim/v2/Users", { headers: { authorization: `Bearer ${token}` } }),
    );
    expect(res.status).toBe(200);
  });

  it("rolls back a write that outlives its deadline and answers 503 with Retry-After", async () => {
    let slow = false;
    const inner = createMemoryStore();
    const store: ScimStore = {
      ...inner,
      transaction: (tenantId, work, options) =>
        inner.transaction(
          tenantId,
          (tx) =>
            work(
              new Proxy(tx, {
                get(target, key) {
                  const value: unknown = Reflect.get(target, key, target);
                  if (key !== "getResource" || typeof value !== "function") return value;
                  return async (...args: unknown[]) => {
                    if (slow) await new Promise((r) => setTimeout(r, 120));
                    return (value as (...a: unknown[]) => unknown).apply(target, args);
                  };
                },
              }),
            ),
          options,
        ),
    };
    const h = await harness({ tenantId: "t-late", store, requestTimeoutMs: 50 });
    const id = (await h.call("POST", "/Users", user("ada@example.com"))).body.id as string;
    slow = true;
    const res = await h.call("PATCH", `/Users/${id}`, patchOp({ op: "replace", path: "displayName", value: "Late" }));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    slow = false;
    expect((await h.call("GET", `/Users/${id}`)).body.displayName).toBeUndefined();
    expect((await h.server.events.read("t-late")).filter((e) => e.type === "user.updated")).toEqual([]);
    expect((await h.server.audit("t-late")).at(-1)).toMatchObject({ outcome: "failure", status: 503 });
  });

  it("answers 503 with Retry-After while the store is unreachable, and serves again once it is back", async () => {
    let down = false;
    const inner = createMemoryStore();
    const store: ScimStore = {
      ...inner,
      transaction: (tenantId, work, options) =>
        down
          ? Promise.reject(new StoreUnavailableError("connection refused"))
          : inner.transaction(tenantId, work, options),
    };
    const errors: string[] = [];
    const h = await harness({ tenantId: "t-down", store, logger: { error: (m) => void errors.push(m) } });
    const id = (await h.call("POST", "/Users", user("bo@example.com"))).body.id as string;
    down = true;
    for (const [method, path, body] of [
      ["GET", `/Users/${id}`, undefined],
      ["POST", "/Users", user("cy@example.com")],
    ] as const) {
      const res = await h.call(method, path, body);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(res.body).toMatchObject({ status: "503" });
    }
    down = false;
    expect((await h.call("GET", `/Users/${id}`)).status).toBe(200);
    expect((await h.call("GET", "/Users")).body.totalResults).toBe(1);
  });
});

describe("options", () => {
  it("refuses unknown option keys instead of ignoring a typo", async () => {
    const { createScimServer } = await import("../../src/index.js");
    expect(() => createScimServer({ maxResult: 5 } as never)).toThrow(/unknown option "maxResult"/);
    expect(() => createScimServer({ policy: { fallbackrole: "member" } } as never)).toThrow(
      /policy: unknown option "fallbackrole"/,
    );
    expect(createScimServer({ maxResults: 5, policy: {} }).fetch).toBeTypeOf("function");
  });
});
