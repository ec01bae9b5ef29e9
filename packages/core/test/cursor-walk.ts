/**
 * A cursor walk of a store's users while IdP-like writes land between its pages (a user created,
 * one deleted, one renamed, per write round), for the 100,000-user walks each store runs: every user
 * that lives through the walk must come exactly once, and none twice.
 */
import { expect } from "vitest";
import type { ScimServer } from "@scimkit/core";

export interface WalkOptions {
  readonly server: ScimServer;
  readonly token: string;
  /** The ids present before the walk starts. */
  readonly seeded: readonly string[];
  readonly pageSize: number;
  /** Write rounds between two pages. */
  readonly roundsPerGap: number;
  /** Seed of the pseudo-random choice of users to delete and rename, so a failure can be replayed. */
  readonly seed: number;
  /** Moves the server's clock on between pages. */
  readonly tick: () => void;
}

export interface Walk {
  readonly pages: number;
  /** How many times each id came. */
  readonly seen: ReadonlyMap<string, number>;
  readonly deleted: ReadonlySet<string>;
  /** Users created during the walk. */
  readonly lateIds: readonly string[];
  /** `totalResults` of the first page. */
  readonly firstTotal: unknown;
  readonly seconds: number;
  /** Of those, the time spent reading pages. */
  readonly readingSeconds: number;
}

export async function walkWhileWriting(o: WalkOptions): Promise<Walk> {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await o.server.fetch(
      new Request(`https://app.example.com/scim/v2${path}`, {
        method,
        headers: { authorization: `Bearer ${o.token}`, "content-type": "application/scim+json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  };
  const deleted = new Set<string>();
  const lateIds: string[] = [];
  const seen = new Map<string, number>();
  let cursor = "";
  let pages = 0;
  let created = 0;
  let firstTotal: unknown;
  let seed = o.seed;
  const pick = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return o.seeded[seed % o.seeded.length] ?? "";
  };
  const began = performance.now();
  let reading = 0;
  for (;;) {
    const t0 = performance.now();
    const page = await call("GET", `/Users?count=${o.pageSize}&cursor=${cursor}&attributes=userName`);
    reading += performance.now() - t0;
    expect(page.status).toBe(200);
    if (pages === 0) firstTotal = page.body["totalResults"];
    pages++;
    for (const r of page.body["Resources"] as { id: string }[]) seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
    const next = page.body["nextCursor"];
    if (next === undefined) break;
    cursor = String(next);
    o.tick();
    for (let k = 0; k < o.roundsPerGap; k++) {
      const late = await call("POST", "/Users", { userName: `late${created++}@example.com` });
      expect(late.status).toBe(201);
      lateIds.push(String(late.body["id"]));
      const victim = pick();
      if (!deleted.has(victim)) {
        expect((await call("DELETE", `/Users/${victim}`)).status).toBe(204);
        deleted.add(victim);
      }
      const renamed = pick();
      if (!deleted.has(renamed)) {
        const res = await call("PATCH", `/Users/${renamed}`, {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          Operations: [{ op: "replace", path: "userName", value: `renamed-${pages}-${k}-${renamed}@example.com` }],
        });
        expect(res.status).toBe(200);
      }
    }
  }
  const seconds = (performance.now() - began) / 1000;
  return { pages, seen, deleted, lateIds, firstTotal, seconds, readingSeconds: reading / 1000 };
}

/** Each user that lived through the walk came once, none came twice, and every late one came too. */
export function expectEachOnce(walk: Walk, seeded: readonly string[]): void {
  expect([...walk.seen.values()].filter((n) => n !== 1)).toEqual([]);
  expect(seeded.filter((id) => !walk.deleted.has(id) && walk.seen.get(id) !== 1)).toEqual([]);
  // Users created during the walk sort after every cursor (created later), so each comes too.
  expect(walk.lateIds.filter((id) => walk.seen.get(id) !== 1)).toEqual([]);
}
