/**
 * The world the hostile-traffic fuzz runs against: a server with a policy (roles, a protected admin
 * role, tombstones, password sync), three directories of one tenant with different compatibility
 * profiles, a second tenant nobody may touch, a few seeded users and groups, and a real Node server
 * in front of it for the share of requests that cross the Node bridge.
 *
 * Requests are generated with placeholders (`@@u3@@`, `@@token1@@` …) that {@link World.resolve}
 * turns into the ids, versions and tokens of the moment, so one generated request keeps its meaning
 * whatever ids the server handed out.
 */
import { Agent, request as httpRequest } from "node:http";
import { z } from "zod";
import { ScimError, createScimServer, defineExtension, type ScimServer } from "../../src/index.js";
import { FUZZ_EXTENSION } from "./arbitraries.js";
import { nodeHandler } from "../../src/node/index.js";
import { listen, type TestServer } from "../../src/node/test-server.js";
import type { LogEntry, StoredResource } from "../../src/store/types.js";

export const TENANT = "acme";
export const OTHER_TENANT = "globex";
export const ORIGIN = "https://app.example.com";

/** Directories of the fuzzed tenant: the token placeholder `@@token<i>@@` picks one. */
const DIRECTORIES = [
  { name: "Generic", idp: "generic" },
  { name: "Entra", idp: "entra" },
  { name: "Strict", idp: "generic", profile: "rfc", patchResponse: { User: "resource", Group: "resource" } },
] as const;

/** A host extension declared with zod, of every SCIM shape, so its validation is fuzzed too. */
const extension = defineExtension({
  resourceType: "User",
  id: FUZZ_EXTENSION,
  name: "FuzzUser",
  schema: z.object({
    costCenter: z
      .string()
      .regex(/^CC-\d{3}$/)
      .optional(),
    level: z.int().min(1).max(10).optional(),
    remote: z.boolean().optional(),
    tags: z.array(z.string()).max(3).optional(),
    badge: z
      .string()
      .optional()
      .meta({ scim: { mutability: "immutable", uniqueness: "server" } }),
    pin: z
      .string()
      .optional()
      .meta({ scim: { mutability: "writeOnly", returned: "never" } }),
    site: z.object({ code: z.string(), floor: z.int().optional() }).optional(),
  }),
});

const ROLES = [
  { id: "admin", label: "Admin" },
  { id: "viewer", label: "Viewer" },
];

export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What a tenant holds, as one comparable string, with the ids and versions requests refer to. */
export interface Snapshot {
  readonly text: string;
  /** The statuses of the failed writes the audit trail records (a refused write leaves one). */
  readonly failures: readonly number[];
  readonly users: readonly StoredResource[];
  readonly groups: readonly StoredResource[];
}

const everything = { startIndex: 1, count: 1_000_000 } as const;
const HOST_PASSWORDS = "host.passwords";
const HOST_ROLES = "host.roles";
const RECORD_KINDS = [
  "policy.mapping",
  "policy.exclusion",
  "policy.deprovisioning",
  "policy.pendingDelete",
  "policy.holders.admin",
  HOST_PASSWORDS,
  HOST_ROLES,
];

export class World {
  readonly #logs = new Map<string, { readonly audit: readonly LogEntry[]; readonly events: readonly LogEntry[] }>();

  private constructor(
    readonly server: ScimServer,
    readonly tokens: readonly string[],
    readonly directoryIds: readonly string[],
    readonly otherDirectoryId: string,
    /** What the server logged as a failure: never expected. */
    readonly logged: string[],
  ) {}

  static async create(): Promise<World> {
    const logged: string[] = [];
    const server = createScimServer({
      trustProxy: true,
      extensions: [extension],
      logger: {
        error: (message: string, details?: Record<string, unknown>) =>
          void logged.push(`${message} ${JSON.stringify(details)}`),
      },
      policy: {
        roles: ROLES,
        mode: "multi",
        protectLastAdmin: "admin",
        deprovisioning: { onDelete: "tombstone" },
        passwordSync: true,
        passwordMinLength: 4,
        // The host keeps passwords itself (no scrypt: it would dominate the run's time), writes in the
        // request's transaction, and refuses some: a refused write must leave none of it behind.
        onPassword: async (notice, tx) => {
          await tx.putRecord(HOST_PASSWORDS, { id: notice.userId, data: { length: notice.password.length } });
          if (notice.password.length % 2 === 1)
            throw new ScimError(400, "The host refuses this password", "invalidValue");
        },
        inTransaction: {
          onRoleChange: (change, tx) =>
            tx.putRecord(HOST_ROLES, {
              id: change.userId,
              data: { after: change.after === null ? null : [...change.after] },
            }),
        },
      },
    });
    const tokens: string[] = [];
    const directoryIds: string[] = [];
    for (const d of DIRECTORIES) {
      const dir = await server.directories.create({ tenantId: TENANT, ...d });
      directoryIds.push(dir.id);
      tokens.push((await server.directories.mintToken(dir.id)).token);
    }
    const other = await server.directories.create({ tenantId: OTHER_TENANT, name: "Elsewhere", idp: "okta" });
    const otherToken = (await server.directories.mintToken(other.id)).token;
    const world = new World(server, tokens, directoryIds, other.id, logged);
    await world.seed(tokens[0] as string, otherToken);
    return world;
  }

  /** Six users (one with a manager), three groups (one nested, one mapped to the protected role). */
  private async seed(token: string, otherToken: string): Promise<void> {
    const post = async (t: string, path: string, body: unknown): Promise<string> => {
      const reply = await this.send(
        new Request(`${ORIGIN}/scim/v2${path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${t}`, "content-type": "application/scim+json" },
          body: JSON.stringify(body),
        }),
      );
      if (reply.status !== 201) throw new Error(`seeding ${path}: ${reply.status} ${reply.body}`);
      return (JSON.parse(reply.body) as { id: string }).id;
    };
    const user = (n: number, extra: Record<string, unknown> = {}) => ({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: `seed${n}@example.com`,
      externalId: `ext-${n}`,
      name: { givenName: `Given${n}`, familyName: `Family${n}` },
      emails: [{ value: `seed${n}@example.com`, type: "work", primary: true }],
      active: n % 5 !== 4,
      ...extra,
    });
    const users: string[] = [];
    for (let n = 0; n < 6; n++) {
      const manager = users[0];
      users.push(
        await post(
          token,
          "/Users",
          n === 3 && manager
            ? user(n, {
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                  employeeNumber: "42",
                  manager: { value: manager },
                },
              })
            : user(n),
        ),
      );
    }
    const group = (name: string, members: string[]) => ({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: name,
      members: members.map((value) => ({ value })),
    });
    const admins = await post(token, "/Groups", group("Admins", users.slice(0, 2)));
    const staff = await post(token, "/Groups", group("Staff", users.slice(1, 5)));
    await post(token, "/Groups", group("Everyone", [staff, users[5] as string]));
    await this.server.policy.mapGroup(TENANT, admins, "admin");
    await this.server.policy.mapGroup(TENANT, staff, "viewer");
    await post(otherToken, "/Users", user(99));
  }

  /** Serves a request through `fetch`, the whole body read. */
  async send(request: Request): Promise<Reply> {
    const res = await this.server.fetch(request);
    const headers: Record<string, string> = {};
    for (const [k, v] of res.headers) headers[k] = v;
    return { status: res.status, headers, body: await res.text() };
  }

  /** Everything of a tenant a request could change, in a stable order. */
  async snapshot(tenantId = TENANT): Promise<Snapshot> {
    return this.server.store.transaction(
      tenantId,
      async (tx) => {
        const users = (await tx.queryResources("User", { ...everything, projection: { groups: true } })).resources;
        const groups = (await tx.queryResources("Group", { ...everything, projection: { members: true } })).resources;
        const tombstones = (await tx.queryResources("DeletedUser", everything)).resources;
        const records: Record<string, unknown> = {};
        for (const kind of RECORD_KINDS)
          records[kind] = [...(await tx.listRecords(kind))].sort((a, b) => (a.id < b.id ? -1 : 1));
        // The logs only grow: read what is new since the last snapshot.
        const seen = this.#logs.get(tenantId) ?? { audit: [], events: [] };
        const audit = [
          ...seen.audit,
          ...(await tx.readLog("audit", { limit: 1_000_000, after: seen.audit.at(-1)?.seq ?? 0 })),
        ];
        const events = [
          ...seen.events,
          ...(await tx.readLog("events", { limit: 1_000_000, after: seen.events.at(-1)?.seq ?? 0 })),
        ];
        this.#logs.set(tenantId, { audit, events });
        const sorted = (rs: readonly StoredResource[]) => [...rs].sort((a, b) => (a.id < b.id ? -1 : 1));
        const text = JSON.stringify({
          users: sorted(users),
          groups: sorted(groups).map((g) => ({
            ...g,
            members: [...(g.members ?? [])].sort((a, b) => (a.value < b.value ? -1 : 1)),
          })),
          tombstones: sorted(tombstones),
          records,
          audit: audit.filter((e) => e.data["outcome"] !== "failure").length,
          events: events.length,
        });
        const failures = audit.filter((e) => e.data["outcome"] === "failure").map((e) => Number(e.data["status"]));
        return { text, failures, users, groups };
      },
      { readOnly: true },
    );
  }

  /** Replaces the placeholders of a generated string with the ids, versions and tokens of `snap`. */
  resolve(text: string, snap: Snapshot): string {
    if (!text.includes("@@")) return text;
    return text.replace(
      /@@(u|g|vu|vg|token|dir)(\d*)@@|@@otherdir@@/g,
      (whole, kind: string | undefined, n: string | undefined) => {
        const i = Number(n ?? 0);
        const pick = <T>(list: readonly T[]): T | undefined => (list.length === 0 ? undefined : list[i % list.length]);
        switch (kind) {
          case "u":
            return pick(snap.users)?.id ?? "no-user";
          case "g":
            return pick(snap.groups)?.id ?? "no-group";
          case "vu":
            return String(pick(snap.users)?.version ?? 0);
          case "vg":
            return String(pick(snap.groups)?.version ?? 0);
          case "token":
            return this.tokens[i % this.tokens.length] as string;
          case "dir":
            return this.directoryIds[i % this.directoryIds.length] as string;
          default:
            return whole === "@@otherdir@@" ? this.otherDirectoryId : whole;
        }
      },
    );
  }
}

/** A real Node server in front of whichever world is current, and a client that speaks raw HTTP to it. */
export class NodeBridge {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });
  private constructor(private readonly server: TestServer) {}

  static async start(current: () => World): Promise<NodeBridge> {
    const target = {
      fetch: (request: Request) => current().server.fetch(request),
      handle: (request: Parameters<ScimServer["handle"]>[0]) => current().server.handle(request),
    };
    return new NodeBridge(await listen(nodeHandler(target, { onError: () => {} })));
  }

  get origin(): string {
    return this.server.origin;
  }

  send(
    method: string,
    pathAndQuery: string,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<Reply> {
    const bytes = body === undefined ? undefined : Buffer.from(body, "utf8");
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port: this.server.port,
          method,
          path: pathAndQuery,
          agent: this.agent,
          headers: { ...headers, ...(bytes ? { "content-length": String(bytes.byteLength) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const out: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers))
              if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
            resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks).toString("utf8") });
          });
        },
      );
      req.on("error", reject);
      req.end(bytes);
    });
  }

  async close(): Promise<void> {
    this.agent.destroy();
    await this.server.close();
  }
}
