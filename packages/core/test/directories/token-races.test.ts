/**
 * Admin writes racing SCIM requests: a revocation, rotation or disable committed while a request
 * is in flight must hold for every request after it, whatever that request wrote or cached.
 */
import { describe, expect, it } from "vitest";
import { createScimServer, createMemoryStore, type ScimStore } from "../../src/index.js";
import type { StoreTransaction } from "../../src/store/index.js";

const BASE = "https://app.example.com/scim/v2";
const get = (server: ReturnType<typeof createScimServer>, token: string) =>
  server.fetch(new Request(`${BASE}/Users`, { headers: { authorization: `Bearer ${token}` } }));

/** A store whose token lookups wait for `release()` while `hold` is set, and which records every record write. */
function gatedStore() {
  const inner = createMemoryStore();
  const writes: string[] = [];
  let gate: Promise<void> | null = null;
  let release = () => {};
  const store: ScimStore = Object.assign(Object.create(inner) as ScimStore, {
    async findRecordByKey(kind: string, key: string) {
      const found = await inner.findRecordByKey(kind, key);
      if (kind === "token" && gate) await gate;
      return found;
    },
    transaction<T>(tenantId: string, work: (tx: StoreTransaction) => Promise<T>, options?: { readOnly?: boolean }) {
      return inner.transaction(
        tenantId,
        (tx) =>
          work(
            Object.assign(Object.create(tx) as StoreTransaction, {
              putRecord: (kind: string, record: Parameters<StoreTransaction["putRecord"]>[1]) => (
                writes.push(kind), tx.putRecord(kind, record)
              ),
            }),
          ),
        options,
      );
    },
  });
  return {
    store,
    writes,
    hold() {
      gate = new Promise((resolve) => (release = resolve));
    },
    release() {
      gate = null;
      release();
    },
  };
}

describe("admin writes racing requests", () => {
  it("a token revoked while a request was reading it is refused on the very next request", async () => {
    const s = gatedStore();
    const server = createScimServer({ store: s.store, authCacheSeconds: 60 });
    const dir = await server.directories.create({ tenantId: "t1", name: "Okta" });
    const { token } = await server.directories.mintToken(dir.id);
    s.hold();
    const inFlight = get(server, token);
    await new Promise((r) => setTimeout(r, 20));
    await server.directories.revokeToken(dir.id);
    s.release();
    // The request that began before the revocation may finish either way; none after it may pass.
    await inFlight;
    expect((await get(server, token)).status).toBe(401);
  });

  it("a request noting its last use writes only usage records, never the token or directory an admin may be changing", async () => {
    const s = gatedStore();
    const server = createScimServer({ store: s.store });
    const dir = await server.directories.create({ tenantId: "t1", name: "Okta" });
    const { token, tokenId } = await server.directories.mintToken(dir.id);
    s.writes.length = 0;
    expect((await get(server, token)).status).toBe(200);
    expect(s.writes).toEqual(["usage", "usage"]);
    // And the admin API still shows when each was last used.
    expect((await server.directories.get(dir.id))?.lastUsedAt).not.toBeNull();
    expect((await server.directories.listTokens(dir.id)).find((t) => t.id === tokenId)?.lastUsedAt).not.toBeNull();
  });

  it("a cached token stops working as soon as this server disables its directory", async () => {
    const server = createScimServer({ authCacheSeconds: 60 });
    const dir = await server.directories.create({ tenantId: "t1", name: "Okta" });
    const { token } = await server.directories.mintToken(dir.id);
    expect((await get(server, token)).status).toBe(200);
    await server.directories.disable(dir.id);
    expect((await get(server, token)).status).toBe(403);
    await server.directories.enable(dir.id);
    expect((await get(server, token)).status).toBe(200);
  });

  it("another server sharing the store sees a revocation once its cache time has passed", async () => {
    let t = Date.parse("2026-01-01T00:00:00Z");
    const now = () => new Date(t);
    const store = createMemoryStore();
    const admin = createScimServer({ store, now });
    const other = createScimServer({ store, now, authCacheSeconds: 2 });
    const dir = await admin.directories.create({ tenantId: "t1", name: "Okta" });
    const { token } = await admin.directories.mintToken(dir.id);
    expect((await get(other, token)).status).toBe(200);
    await admin.directories.revokeToken(dir.id);
    expect((await get(admin, token)).status).toBe(401);
    t += 2_001;
    expect((await get(other, token)).status).toBe(401);
  });
});
