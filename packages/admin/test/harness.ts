/**
 * A scimkit server with two tenants and the admin API over it. The test "session" is two headers:
 * `x-test-tenant` and `x-test-actor`; a request without them is unauthenticated.
 */
import { createMemoryStore, createScimServer, type PolicyOptions, type ScimServer } from "@scimkit/core";
import { createAdminApi, type AdminApi, type AdminApiOptions } from "../src/index.js";

export const ORIGIN = "https://app.example.com";
export const BASE = "/api/scim-admin";
export const SCIM_BASE = `${ORIGIN}/scim/v2`;

export interface Harness {
  readonly scim: ScimServer;
  readonly api: AdminApi;
  /** Calls the admin API as an admin of `tenant` (default `acme`), same-origin. */
  call(method: string, path: string, init?: CallInit): Promise<{ status: number; body: any; headers: Headers }>;
  /** Serves a SCIM request with a connection's token. */
  scimCall(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** A connection with a token, and users/groups pushed through SCIM. */
  seed(tenant: string): Promise<Seeded>;
}

export interface CallInit {
  readonly body?: unknown;
  readonly tenant?: string | null;
  readonly actor?: string;
  readonly headers?: Record<string, string>;
}

export interface Seeded {
  readonly connectionId: string;
  readonly token: string;
  readonly users: { readonly ada: string; readonly grace: string; readonly linus: string };
  readonly groups: { readonly admins: string; readonly engineers: string };
}

export function harness(options: Partial<AdminApiOptions> = {}, policy?: PolicyOptions): Harness {
  const scim = createScimServer({
    ...(options.now !== undefined ? { now: options.now } : {}),
    store: createMemoryStore(),
    policy: policy ?? {
      roles: [
        { id: "admin", label: "Admin", priority: 10 },
        { id: "member", label: "Member" },
      ],
      fallbackRole: "member",
    },
  });
  const api = createAdminApi(scim, {
    basePath: BASE,
    scimBaseUrl: SCIM_BASE,
    authorize: (request) => {
      const tenantId = request.headers.get("x-test-tenant");
      const actor = request.headers.get("x-test-actor");
      return tenantId && actor
        ? { tenantId, actor: { id: actor, name: `Person ${actor}`, email: `${actor}@example.com` } }
        : null;
    },
    ...options,
  });

  const call: Harness["call"] = async (method, path, init = {}) => {
    const headers: Record<string, string> = {
      ...(init.body !== undefined || method !== "GET" ? { "content-type": "application/json" } : {}),
    };
    if (method !== "GET") headers["origin"] = ORIGIN;
    if (init.tenant !== null) {
      headers["x-test-tenant"] = init.tenant ?? "acme";
      headers["x-test-actor"] = init.actor ?? "u_alice";
    }
    const res = await api.fetch(
      new Request(`${ORIGIN}${BASE}${path}`, {
        method,
        headers: { ...headers, ...init.headers },
        ...(init.body !== undefined
          ? { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) }
          : {}),
      }),
    );
    const text = await res.text();
    return { status: res.status, body: text === "" ? null : JSON.parse(text), headers: res.headers };
  };

  const scimCall: Harness["scimCall"] = async (token, method, path, body) => {
    const res = await scim.fetch(
      new Request(`${SCIM_BASE}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }),
    );
    const text = await res.text();
    return { status: res.status, body: text === "" ? null : JSON.parse(text) };
  };

  const seed: Harness["seed"] = async (tenant) => {
    const dir = await scim.directories.create({ tenantId: tenant, name: "Okta", idp: "okta" });
    const { token } = await scim.directories.mintToken(dir.id);
    const user = async (userName: string, givenName: string, familyName: string) => {
      const r = await scimCall(token, "POST", "/Users", {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName,
        name: { givenName, familyName },
        emails: [{ value: userName, primary: true }],
        active: true,
      });
      if (r.status !== 201) throw new Error(`seed user: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.id as string;
    };
    const ada = await user(`ada@${tenant}.example`, "Ada", "Lovelace");
    const grace = await user(`grace@${tenant}.example`, "Grace", "Hopper");
    const linus = await user(`linus@${tenant}.example`, "Linus", "Torvalds");
    const group = async (displayName: string, members: string[]) => {
      const r = await scimCall(token, "POST", "/Groups", {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        displayName,
        members: members.map((value) => ({ value })),
      });
      if (r.status !== 201) throw new Error(`seed group: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.id as string;
    };
    const admins = await group("Admins", [ada]);
    const engineers = await group("Engineers", [ada, grace]);
    return { connectionId: dir.id, token, users: { ada, grace, linus }, groups: { admins, engineers } };
  };

  return { scim, api, call, scimCall, seed };
}

/** The audit entries of a tenant attributed to a person (the admin calls), newest first. */
export async function adminEntries(h: Harness, tenant = "acme"): Promise<any[]> {
  return (await h.scim.audit(tenant, { order: "descending", limit: 10_000 })).filter((e) => e.person !== null);
}

const RECORD_KINDS = [
  "directory",
  "token",
  "usage",
  "policy.mapping",
  "policy.exclusion",
  "policy.deprovisioning",
  "policy.pendingDelete",
];
const everything = { startIndex: 1, count: 1_000_000 } as const;

/** Everything the store holds for these tenants, as text: equal before and after a refused request. */
export async function storeState(h: Harness, tenants: readonly string[] = ["acme", "globex"]): Promise<string> {
  const out: Record<string, unknown> = {};
  for (const tenant of tenants) {
    out[tenant] = await h.scim.store.transaction(
      tenant,
      async (tx) => {
        const sorted = <T extends { id: string }>(xs: readonly T[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : 1));
        const records: Record<string, unknown> = {};
        for (const kind of RECORD_KINDS) records[kind] = sorted(await tx.listRecords(kind));
        return {
          users: sorted((await tx.queryResources("User", { ...everything, projection: { groups: true } })).resources),
          groups: sorted(
            (await tx.queryResources("Group", { ...everything, projection: { members: true } })).resources,
          ),
          deleted: sorted((await tx.queryResources("DeletedUser", everything)).resources),
          records,
          audit: await tx.readLog("audit", { limit: 1_000_000 }),
          events: await tx.readLog("events", { limit: 1_000_000 }),
        };
      },
      { readOnly: true },
    );
  }
  return JSON.stringify(out);
}
