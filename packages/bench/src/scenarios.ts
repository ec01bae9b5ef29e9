/**
 * The scenarios: what an IdP does most, each as a stream of requests that varies the target so no
 * cache sees the same request twice in a row. Every server answers the same streams, drawn from the
 * same seeded random numbers.
 */
import { PATCH_SCHEMA, USER_SCHEMA, userName } from "./child/people.js";
import { SCIM_BASE, type Fixtures } from "./protocol.js";

export type ScenarioId =
  | "get-user"
  | "filter-eq"
  | "page-100"
  | "page-cursor"
  | "filter-sw"
  | "get-group"
  | "patch-user"
  | "patch-members"
  | "post-user";

export interface ScenarioRequest {
  readonly method: "GET" | "POST" | "PATCH";
  readonly path: string;
  readonly body?: string | undefined;
}

export interface Scenario {
  readonly id: ScenarioId;
  readonly label: string;
  /** Target: the lowest acceptable req/s as a share of the bare-Express ceiling (memory store). */
  readonly minRatio: number;
  /** A lookup or membership scenario, whose throughput must not fall as N grows. */
  readonly flat: boolean;
  /** Whether a server's fixtures allow the scenario (a server without cursor paging has no cursors). */
  readonly applies?: ((fixtures: Fixtures) => boolean) | undefined;
  /** A fresh request stream over the seeded data; `random` returns numbers in [0, 1). */
  plan(fixtures: Fixtures, random: () => number): () => ScenarioRequest;
}

/** A small, fast, seedable generator (mulberry32), so every server gets the same streams. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(list: readonly T[], random: () => number): T => {
  const value = list[Math.floor(random() * list.length)];
  if (value === undefined) throw new Error("a scenario needs seeded data: the list is empty");
  return value;
};

const query = (filter: string, extra = "") => `${SCIM_BASE}/Users?filter=${encodeURIComponent(filter)}${extra}`;

/**
 * A `userName sw` prefix that matches 11 users at any N ≥ 100: `user{k}` matches user{k} and
 * user{k}0 … user{k}9 when k·10 + 9 < N, and no user{k}00 when k·100 ≥ N.
 */
export function swPrefix(seeded: number, random: () => number): string {
  const low = Math.max(1, Math.ceil(seeded / 100));
  const high = Math.max(low + 1, Math.floor((seeded - 10) / 10) + 1);
  return `user${low + Math.floor(random() * (high - low))}`;
}

/**
 * The membership stream. Pair p adds outsider p mod m and removes outsider (p + m/2) mod m, which
 * the seeding put in the group (outsiders m/2 … m-1) or pair p - m/2 added. So every add names a
 * non-member, every remove a member, and the add and remove of one id are m/2 pairs apart: no two
 * requests in flight race on the same member.
 */
export function membershipStream(outsiderIds: readonly string[], groupId: string): () => ScenarioRequest {
  const m = outsiderIds.length;
  if (m < 2 || m % 2 !== 0) throw new Error("the membership scenario needs an even number (≥ 2) of outsiders");
  let count = 0;
  return () => {
    const pair = Math.floor(count / 2);
    const adding = count % 2 === 0;
    count += 1;
    const id = outsiderIds[adding ? pair % m : (pair + m / 2) % m] as string;
    const operation = adding
      ? { op: "add", path: "members", value: [{ value: id }] }
      : { op: "remove", path: `members[value eq "${id}"]` };
    return {
      method: "PATCH",
      path: `${SCIM_BASE}/Groups/${groupId}`,
      body: JSON.stringify({ schemas: [PATCH_SCHEMA], Operations: [operation] }),
    };
  };
}

export const SCENARIOS: readonly Scenario[] = [
  {
    id: "get-user",
    label: "GET /Users/{id}",
    minRatio: 0.8,
    flat: true,
    plan: (f, random) => () => ({ method: "GET", path: `${SCIM_BASE}/Users/${pick(f.userIds, random)}` }),
  },
  {
    id: "filter-eq",
    label: 'filter userName eq "…"',
    minRatio: 0.7,
    flat: true,
    plan: (f, random) => () => ({
      method: "GET",
      path: query(`userName eq "${userName(Math.floor(random() * f.userIds.length))}"`),
    }),
  },
  {
    id: "page-100",
    label: "random page of 100",
    minRatio: 0.2,
    flat: true,
    plan: (f, random) => () => {
      const startIndex = 1 + Math.floor(random() * Math.max(1, f.userIds.length - 99));
      return { method: "GET", path: `${SCIM_BASE}/Users?startIndex=${startIndex}&count=100` };
    },
  },
  {
    // RFC 9865: each request continues a walk from a cursor taken somewhere along the whole list.
    id: "page-cursor",
    label: "page of 100 by cursor",
    minRatio: 0.2,
    flat: true,
    applies: (f) => (f.cursors?.length ?? 0) > 0,
    plan: (f, random) => () => ({
      method: "GET",
      path: `${SCIM_BASE}/Users?count=100&cursor=${encodeURIComponent(pick(f.cursors ?? [], random))}`,
    }),
  },
  {
    id: "filter-sw",
    label: 'filter userName sw "…" (11 hits)',
    minRatio: 0.2,
    flat: true,
    plan: (f, random) => () => ({
      method: "GET",
      path: query(`userName sw "${swPrefix(f.userIds.length, random)}"`, "&count=100"),
    }),
  },
  {
    id: "get-group",
    label: "GET big group, excludedAttributes=members",
    minRatio: 0.8,
    flat: true,
    plan: (f) => () => ({ method: "GET", path: `${SCIM_BASE}/Groups/${f.groupId}?excludedAttributes=members` }),
  },
  {
    id: "patch-user",
    label: "PATCH active false/true (Okta, no path)",
    minRatio: 0.5,
    flat: false,
    plan: (f, random) => {
      let count = 0;
      return () => {
        const active = count++ % 2 === 1;
        const body = { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", value: { active } }] };
        return { method: "PATCH", path: `${SCIM_BASE}/Users/${pick(f.userIds, random)}`, body: JSON.stringify(body) };
      };
    },
  },
  {
    id: "patch-members",
    label: "PATCH big group: add / remove 1 member",
    minRatio: 0.5,
    flat: true,
    plan: (f) => membershipStream(f.outsiderIds, f.groupId),
  },
  {
    // Last: every request adds a user, which would change N for the scenarios after it.
    id: "post-user",
    label: "POST /Users",
    minRatio: 0.5,
    flat: false,
    plan: (_f, random) => {
      const run = Math.floor(random() * 1e9).toString(36);
      let count = 0;
      return () => {
        const name = `new-${run}-${count++}@example.com`;
        const body = {
          schemas: [USER_SCHEMA],
          userName: name,
          externalId: `new-${run}-${count}`,
          displayName: "New Person",
          name: { givenName: "New", familyName: "Person" },
          emails: [{ value: name, type: "work", primary: true }],
          active: true,
        };
        return { method: "POST", path: `${SCIM_BASE}/Users`, body: JSON.stringify(body) };
      };
    },
  },
];

export const SCENARIO_IDS: readonly ScenarioId[] = SCENARIOS.map((s) => s.id);
